"""The built site in a real browser: search, accessibility (axe-core), validity (Nu HTML
Checker) and screenshots at phone and desktop widths.

Needs Debian's `chromium`, `java` and the npm packages of tests/browser/package.json
(`bash .ci/browser.sh` installs them all). Where one is missing the tests skip, except
under CI (env CI set), where they fail: these checks must never silently not run.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import shutil
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from columnist.config import SiteSettings
from columnist.site import build_site, search
from tests.browser.cdp import Browser, Page, chromium_path
from tests.browser.content import magazine_posts
from tests.conftest import served
from tests.site.sitekit import TOPICS, sample_posts

HERE = Path(__file__).parent
MODULES = HERE / "node_modules"
AXE = MODULES / "axe-core" / "axe.min.js"
VNU = MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
WORD = "zeppelin"  # in the bodies of two posts only, held in different search shards
WORD_POSTS = (2, 24)
WIDTHS = {"phone": 390, "desktop": 1280}
LEAD = magazine_posts()[0]  # two topics, three sources


def require(what: str, present: bool) -> None:
    if present:
        return
    message = f"{what} is missing: run `bash .ci/browser.sh`"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run the browser tests)")
    pytest.skip(message)


@dataclasses.dataclass
class Site:
    root: Path  # the built site
    url: str  # where it is served, ends with "/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The sample posts and some realistic ones, served under a sub-path on 127.0.0.1, with
    shards small enough that search must merge several of them."""
    folder = tmp_path_factory.mktemp("browser")
    posts = [
        dataclasses.replace(p, body=f"{p.body}\n\nA {WORD} drifted over the city.")
        if p.id in WORD_POSTS
        else p
        for p in sample_posts()
    ] + magazine_posts()
    with served(folder) as url, pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "BLOCK", 8)
        patch.setattr(search, "SMALL", 4)
        settings = SiteSettings(
            title="The Columnist Desk",
            description="Machine-written commentary on the news, organised by topic.",
            base_url=url + "desk/",
            output=folder / "desk",
            posts_per_page=4,
        )
        report = build_site(
            posts,
            TOPICS,
            settings,
            generator_note="Built for the browser tests.",
            feeds_read=[
                ("Wire Service", "https://wire.example.com/rss.xml"),
                ("Local bulletin", "/srv/feeds/bulletin.xml"),
            ],
        )
        assert report.search_shards > 2
        yield Site(folder / "desk", url + "desk/")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    binary = chromium_path()
    require("chromium", binary is not None)
    assert binary is not None
    chromium = Browser(binary)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    page = browser.page()
    try:
        yield page
    finally:
        page.close()


def test_search_finds_posts_by_a_word_of_their_body(site: Site, tab: Page) -> None:
    bundles = sorted(p.parent.name for p in site.root.glob("search/*/pagefind-entry.json"))
    assert len(bundles) > 2
    for bundle in bundles:
        assert list((site.root / "search" / bundle / "fragment").glob("*.pf_fragment"))
        assert (site.root / "search" / bundle / "pagefind.js").is_file()
    tab.goto(site.url + f"search/?q={WORD}")
    hrefs = tab.wait_for(
        "document.querySelector('[data-search-status]').textContent.includes('match') && "
        "[...document.querySelectorAll('.search-result h2 a')].map(a => a.getAttribute('href'))"
    )
    assert sorted(hrefs) == sorted(f"/desk/posts/post-{i}/" for i in WORD_POSTS)
    marks = tab.evaluate(
        "[...document.querySelectorAll('.search-result mark')].map(m => m.textContent)"
    )
    assert marks and all(m.lower() == WORD for m in marks)
    assert tab.evaluate("document.querySelector('[data-search-fallback]').hidden") is True
    # The header's search box leads to the same results.
    tab.goto(site.url + "topics/energy/")
    tab.evaluate(
        "document.querySelector('#site-search-q').value = 'pipeline';"
        "document.querySelector('.site-search').submit()"
    )
    tab.wait_for("location.pathname === '/desk/search/'")
    found = tab.wait_for(
        "[...document.querySelectorAll('.search-result h2 a')].map(a => a.textContent)"
    )
    assert any("pipeline deal" in title for title in found)
    tab.goto(site.url + "search/?q=qxzvkjw")
    tab.wait_for(
        "document.querySelector('[data-search-status]').textContent.startsWith('No posts')"
    )


def pages_to_check(site: Site) -> list[str]:
    return [
        "",
        "topics/",
        "topics/china-russia/",
        "topics/china-russia/page/2/",
        "topics/empty/",
        "posts/post-7/",  # the hostile one
        f"posts/{LEAD.slug}/",
        "about/",
        f"search/?q={WORD}",
        "404.html",
    ]


def run_axe(tab: Page) -> list[dict]:
    tab.evaluate(AXE.read_text(encoding="utf-8") + "; true")
    return tab.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => "
        "({id: v.id, impact: v.impact, help: v.help, "
        "nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_have_no_axe_violations(site: Site, tab: Page, scheme: str) -> None:
    require("axe-core (npm)", AXE.is_file())
    problems = {}
    for width in WIDTHS.values():
        tab.viewport(width, 900, dark=scheme == "dark")
        for path in pages_to_check(site):
            assert (site.root / path.split("?")[0]).exists(), path
            tab.goto(site.url + path)
            if path.startswith("search/"):
                tab.wait_for("document.querySelectorAll('.search-result').length > 0")
            violations = run_axe(tab)
            if violations:
                problems[f"{path or '/'} @{width}px"] = violations
    assert problems == {}, json.dumps(problems, indent=1)


def test_every_page_is_valid_html(site: Site) -> None:
    require("java", shutil.which("java") is not None)
    require("vnu-jar (npm)", VNU.is_file())
    files = sorted(str(p) for p in site.root.rglob("*.html"))
    assert len(files) > 40
    run = subprocess.run(
        ["java", "-Xss1m", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = [
        f"{m.get('url', '').rsplit('/desk/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pixel_stats(tab: Page, png: bytes) -> dict:
    """Luminance spread of a PNG, measured by drawing it on a canvas in the browser."""
    tab.goto("about:blank")
    source = "data:image/png;base64," + base64.b64encode(png).decode()
    return tab.evaluate(
        "new Promise((done, fail) => { const img = new Image(); img.onerror = fail;"
        "img.onload = () => { const c = document.createElement('canvas');"
        "c.width = img.width; c.height = img.height; const g = c.getContext('2d');"
        "g.drawImage(img, 0, 0); const d = g.getImageData(0, 0, c.width, c.height).data;"
        "let n = 0, sum = 0, sq = 0; const seen = new Set();"
        "for (let i = 0; i < d.length; i += 4 * 7) {"
        " const y = 0.2126 * d[i] + 0.7152 * d[i+1] + 0.0722 * d[i+2];"
        " n++; sum += y; sq += y * y; seen.add(d[i] << 16 | d[i+1] << 8 | d[i+2]); }"
        "const mean = sum / n; done({width: c.width, variance: sq / n - mean * mean,"
        f"colours: seen.size}}); }}; img.src = {json.dumps(source)}; }})"
    )


def screenshot_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("COLUMNIST_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("topic", "topics/energy/"),
        ("post", f"posts/{LEAD.slug}/"),
    ],
)
def test_screenshots_at_phone_and_desktop_widths(
    site: Site, tab: Page, tmp_path_factory: pytest.TempPathFactory, name: str, path: str
) -> None:
    folder = screenshot_folder(tmp_path_factory)
    for label, width in WIDTHS.items():
        for scheme in ("light", "dark"):
            tab.viewport(width, 900, dark=scheme == "dark")
            tab.goto(site.url + path)
            assert tab.evaluate("document.querySelector('h1') !== null")
            # Nothing may stick out sideways (a phone would scroll horizontally).
            overflow = tab.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, (name, label, overflow)
            png = tab.screenshot()
            shot = folder / f"{name}-{label}-{scheme}.png"
            shot.write_bytes(png)
            assert png_size(png)[0] == width
            stats = pixel_stats(tab, png)
            assert stats["width"] == width
            assert stats["variance"] > 200, (shot, stats)  # text on a background, not blank
            assert stats["colours"] > 20, (shot, stats)
