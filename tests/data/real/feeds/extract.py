"""Rebuild the real-feeds evaluation sets from the raw snapshot files kept beside this script.

The files in raw/ are verbatim copies of daily per-feed snapshots committed to
github.com/rumca-js/RSS-Link-Database-2024 (see PROVENANCE.md): six outlets' feeds
(The Guardian world, Le Monde in English, BBC News, Sky News world, The New York Times
world, Al Jazeera) on 16 and 20 May 2024. Nobody on this project wrote any of the text.

    python tests/data/real/feeds/extract.py          # write items.jsonl and the two eval sets
    python tests/data/real/feeds/extract.py --check  # confirm the written files match

Outputs:
  feeds/items.jsonl               one line per feed item, in file order:
                                  {id, title, summary, published, source, url}
  ../events_real.jsonl            {event, title, summary, published, source}  (events_eval format)
  ../topics_real.jsonl            {title, summary, topics}                    (topics_eval format)

The last two join items.jsonl with the hand labels in feeds/labels.jsonl
({id, event, topics}); every item must carry a label and every label an item.

An item's summary is its RSS description made plain: HTML tags stripped and entities
decoded; "<ul>" link lists and link-only paragraphs (newsletter sign-ups, "Continue
reading...") dropped; when a description is HTML paragraphs, only complete "<p>...</p>"
paragraphs are kept (the archive cuts long descriptions at about 1,000 characters, which
leaves a last paragraph unfinished). Paragraphs are joined by a blank line. No word is
changed. Standard library only.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
RAW = HERE / "raw"
ITEMS = HERE / "items.jsonl"
LABELS = HERE / "labels.jsonl"
EVENTS_OUT = HERE.parent / "events_real.jsonl"
TOPICS_OUT = HERE.parent / "topics_real.jsonl"
TOPICS_TOML = HERE.parent / "topics_real.toml"

REPO = "rumca-js/RSS-Link-Database-2024"
COMMITS = {
    "2024-05-16": "9c4312456e2ce15c8aa2bd245b2b942d1d79fa51",
    "2024-05-20": "88cd3804dbedb3bf3ea8cb8aff113580e0d7b9d4",
}
# id prefix -> (outlet name, feed file name in the repository's day folder)
FEEDS = {
    "guardian": ("The Guardian", "https...www.theguardian.com.world.rss_entries.md"),
    "lemonde": ("Le Monde", "https...www.lemonde.fr.en.rss.une.xml_entries.md"),
    "bbc": ("BBC News", "https...feeds.bbci.co.uk.news.rss.xml_entries.md"),
    "sky": ("Sky News", "https...feeds.skynews.com.feeds.rss.world.xml_entries.md"),
    "nyt": (
        "The New York Times",
        "https...rss.nytimes.com.services.xml.rss.nyt.World.xml_entries.md",
    ),
    "aljazeera": ("Al Jazeera", "https...www.aljazeera.com.xml.rss.all.xml_entries.md"),
}

ITEM = re.compile(
    r"^## (?P<title>.*)\n"
    r" - \[(?P<link>[^\]]+)\]\([^)]*\)\n"
    r" - RSS feed: [^\n]*\n"
    r" - date published: (?P<date>[^\n]+)\n"
    r"\n?(?P<rest>.*)",
    re.S,
)


def raw_path(day: str, name: str) -> Path:
    return RAW / f"{REPO.split('/')[1]}__{day}__{name}"


def plain(fragment: str) -> str:
    fragment = re.sub(r"<br\s*/?>", " ", fragment)
    fragment = re.sub(r"<[^>]+>", "", fragment)
    return re.sub(r"\s+", " ", html.unescape(fragment)).strip()


def clean(description: str) -> str:
    """The plain text of an item's description (see the module docstring)."""
    body = description.strip()
    if "<p>" not in body and "<ul>" not in body:
        return plain(body)
    body = re.sub(r"<ul>.*?</ul>", "", body, flags=re.S)
    paragraphs = []
    for inner in re.findall(r"<p>(.*?)</p>", body, flags=re.S):
        without_links = re.sub(r"<a\b[^>]*>.*?</a>", "", inner, flags=re.S)
        if not re.search(r"\w", plain(without_links)):
            continue
        paragraphs.append(plain(inner))
    return "\n\n".join(paragraphs)


def parse(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    blocks = text.split("\n\n## ")[1:]
    found = []
    for block in blocks:
        m = ITEM.match("## " + block)
        if not m:
            raise SystemExit(f"{path.name}: cannot read item {block[:80]!r}")
        found.append(
            {
                "title": plain(m["title"]),
                "url": m["link"],
                "published": m["date"].strip(),
                "description": m["rest"],
            }
        )
    return found


def build_items() -> list[dict]:
    items = []
    for day in COMMITS:
        for key, (outlet, name) in FEEDS.items():
            for n, it in enumerate(parse(raw_path(day, name)), 1):
                items.append(
                    {
                        "id": f"{key}-{day[5:7]}{day[8:10]}-{n:02d}",
                        "title": it["title"],
                        "summary": clean(it["description"]),
                        "published": it["published"],
                        "source": outlet,
                        "url": it["url"],
                    }
                )
    return items


def read_labels(items: list[dict]) -> dict[str, dict]:
    labels = {}
    for n, line in enumerate(LABELS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        label = json.loads(line)
        if label["id"] in labels:
            raise SystemExit(f"labels.jsonl:{n}: {label['id']} labelled twice")
        if not isinstance(label.get("event"), str) or not label["event"]:
            raise SystemExit(f"labels.jsonl:{n}: `event` must be a non-empty slug")
        labels[label["id"]] = label
    ids = {i["id"] for i in items}
    missing = sorted(ids - set(labels))
    extra = sorted(set(labels) - ids)
    if missing or extra:
        raise SystemExit(
            f"labels.jsonl: unlabelled items {missing[:5]}..., unknown ids {extra[:5]}..."
        )
    names = {t["name"] for t in tomllib.loads(TOPICS_TOML.read_text(encoding="utf-8"))["topics"]}
    for label in labels.values():
        unknown = set(label["topics"]) - names
        if unknown:
            raise SystemExit(f"labels.jsonl: {label['id']}: unknown topics {sorted(unknown)}")
    return labels


def dumps(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def outputs() -> dict[Path, str]:
    items = build_items()
    out = {ITEMS: dumps(items)}
    if LABELS.exists():
        labels = read_labels(items)
        out[EVENTS_OUT] = dumps(
            [
                {
                    "event": labels[i["id"]]["event"],
                    "title": i["title"],
                    "summary": i["summary"],
                    "published": i["published"],
                    "source": i["source"],
                }
                for i in items
            ]
        )
        out[TOPICS_OUT] = dumps(
            [
                {"title": i["title"], "summary": i["summary"], "topics": labels[i["id"]]["topics"]}
                for i in items
            ]
        )
    return out


def main() -> None:
    files = outputs()
    if "--check" in sys.argv[1:]:
        bad = [
            p
            for p, text in files.items()
            if not p.exists() or p.read_text(encoding="utf-8") != text
        ]
        for p, text in files.items():
            digest = hashlib.sha256(text.encode()).hexdigest()[:16]
            print(f"{'MISMATCH' if p in bad else 'ok'}  {p.relative_to(HERE.parent)}  {digest}")
        raise SystemExit(1 if bad else 0)
    for p, text in files.items():
        p.write_text(text, encoding="utf-8")
        print(f"wrote {p.relative_to(HERE.parent)} ({text.count(chr(10))} lines)")


if __name__ == "__main__":
    main()
