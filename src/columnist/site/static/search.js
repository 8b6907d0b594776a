// Search page: queries the site's Pagefind shards in the browser (no server, no CDN).
// Without JavaScript the page keeps its form and a list of topics to browse instead.
const form = document.querySelector("form[data-search]");
const input = form && form.querySelector("input[name=q]");
const status = document.querySelector("[data-search-status]");
const list = document.querySelector("[data-search-results]");
const fallback = document.querySelector("[data-search-fallback]");
const LIMIT = 30;
const pageTitle = document.title;
let engine = null;

async function pagefind() {
  // One bundle per shard: the first one's pagefind.js searches all of them merged.
  if (engine === null) {
    const base = form.dataset.base;
    const shards = form.dataset.shards.split(" ").filter(Boolean);
    if (shards.length === 0) return null;
    engine = await import(shards[0] + "pagefind.js");
    await engine.options({ baseUrl: base });
    for (const shard of shards.slice(1)) {
      await engine.mergeIndex(shard, { baseUrl: base });
    }
  }
  return engine;
}

// Pagefind's excerpt is HTML with <mark> around the matches; keep the marks, and
// nothing else, by copying text out of an inert template.
function excerptNodes(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const out = [];
  for (const node of template.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.push(mark);
    } else {
      out.push(document.createTextNode(node.textContent));
    }
  }
  return out;
}

function resultItem(data) {
  const item = document.createElement("li");
  item.className = "search-result";
  const heading = document.createElement("h2");
  heading.className = "entry-title";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const meta = document.createElement("p");
  meta.className = "entry-meta";
  meta.textContent = [data.meta.date, data.meta.topics].filter(Boolean).join(" · ");
  const excerpt = document.createElement("p");
  excerpt.className = "excerpt";
  excerpt.append(...excerptNodes(data.excerpt || ""));
  item.append(heading, meta, excerpt);
  return item;
}

async function run(query) {
  list.replaceChildren();
  list.hidden = true;
  if (!query.trim()) {
    status.textContent = "";
    return;
  }
  status.textContent = "Searching…";
  try {
    const engine = await pagefind();
    if (engine === null) {
      status.textContent = "Nothing has been published yet.";
      return;
    }
    const found = await engine.search(query);
    const shown = await Promise.all(found.results.slice(0, LIMIT).map((r) => r.data()));
    list.append(...shown.map(resultItem));
    list.hidden = shown.length === 0;
    const n = found.results.length;
    const more = n > LIMIT ? `, the first ${LIMIT} shown` : "";
    status.textContent =
      n === 0 ? `No posts match “${query}”.` : `${n} ${n === 1 ? "post matches" : "posts match"} “${query}”${more}.`;
    document.title = `${query} — ${pageTitle}`;
  } catch (error) {
    status.textContent = "Search is not available here (it needs the site served over HTTP).";
    console.error(error);
  }
}

if (form && input && status && list) {
  if (fallback) fallback.hidden = true;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url);
    run(input.value);
  });
  const query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  if (query) run(query);
}
