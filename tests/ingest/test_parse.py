from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest

from columnist.errors import FeedError
from columnist.ingest.decoding import decode_document
from columnist.ingest.fields import MAX_ENTRIES
from columnist.ingest.parse import parse_feed
from columnist.ingest.xmlguard import guard_xml
from columnist.records import ParsedFeed

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"


def load(name: str, base_url: str | None = None, content_type: str | None = None) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), base_url, content_type)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- formats ---------------------------------------------------------------------------


def test_rss20() -> None:
    feed = load("rss20.xml")
    assert feed.title == "World & Politics"
    assert feed.link == "https://news.example.com/world/"
    first, second = feed.entries
    assert first.guid == "tag:news.example.com,2024:trade-pact"
    assert first.link == "https://news.example.com/world/2024/trade-pact?id=7"
    assert first.title == "Leaders agree on a new trade pact"
    assert first.published == utc(2024, 3, 5, 12, 30)
    assert first.author == "Jane Doe"
    # content:encoded is longer than the description, so it wins.
    assert first.text.startswith("The leaders of twelve countries agreed on Tuesday")
    assert "\n\nReaction\n\nMarkets rose." in first.text
    assert '<a href="https://news.example.com/world/tariffs" rel="nofollow noopener">' in (
        first.summary_html
    )
    assert "<p><strong>Reaction</strong></p>" in first.summary_html
    assert second.guid == second.link == "https://news.example.com/world/2024/storm"
    assert second.author == "Weather Desk"
    assert second.published == utc(2024, 3, 6, 8, 0)


def test_rss091_netscape_doctype_parses_with_html_entities() -> None:
    feed = load("rss091.xml")
    assert feed.title == "Netscape édition"
    assert [e.title for e in feed.entries] == ["Café opens downtown", "Second story"]
    assert feed.entries[0].text == 'The café serves "good" coffee.'
    assert feed.entries[0].link == "http://example.com/news/cafe"


def test_rss092_untitled_item_gets_title_from_text() -> None:
    feed = load("rss092.xml")
    untitled, titled = feed.entries
    assert untitled.title == (
        "Parliament passed the water bill late on Tuesday after a long debate…"
    )
    assert titled.title == "Titled item"
    assert titled.summary_html == "<p>Escaped <b>HTML</b> in a description.</p>"


def test_rss10_rdf() -> None:
    feed = load("rss10.rdf")
    assert feed.title == "RDF Site Summary"
    a, b = feed.entries
    assert a.link == "http://rdf.example.net/a"  # utm_* stripped
    assert a.published == utc(2024, 3, 4, 9, 15)
    assert a.author == "Ana Ruiz"
    assert b.published == utc(2024, 3, 5)


def test_atom03() -> None:
    (entry,) = load("atom03.xml").entries
    assert entry.title == "Atom-Powered Robots Run Amok"
    assert entry.guid == "tag:atom03.example.com,2003:3.2397"
    assert entry.published == utc(2003, 12, 13, 12, 29, 29)
    assert entry.text == "Some text about robots."


@pytest.mark.parametrize("name", ["atom10.xml", "atom10_utf16.xml"])
def test_atom10_xml_base_and_content_types(name: str) -> None:
    feed = load(name)
    assert feed.title == "Notes & Queries"
    first, second = feed.entries
    assert first.link == "https://atom.example.org/blog/posts/budget-vote"
    assert first.title == "Budget vote delayed"
    assert first.published == utc(2024, 1, 10, 14, 0)
    assert first.author == "Sam Lee"
    assert 'href="https://atom.example.org/about/speaker"' in first.summary_html
    assert first.text == (
        "The budget vote was delayed until March, the speaker said.\n\n"
        "Opposition parties welcomed the delay."
    )
    # Entry-level xml:base overrides the feed's.
    assert second.link == "https://other.example.org/x/item/2"
    assert second.text == "First paragraph of plain text.\n\nSecond paragraph & more."
    assert second.summary_html == (
        "<p>First paragraph of plain text.</p><p>Second paragraph &amp; more.</p>"
    )


def test_json_feed_11() -> None:
    feed = load("jsonfeed11.json")
    assert feed.title == "JSON Feed Example"
    assert feed.link == "https://json.example.com/"
    assert len(feed.entries) == 3  # the string item is skipped
    first, second, third = feed.entries
    assert first.guid == "2"
    assert first.link == "https://json.example.com/2024/05/02/second"
    assert first.published == utc(2024, 5, 3, 4, 4)
    assert first.author == "Polly Tics"
    assert 'href="https://json.example.com/results"' in first.summary_html
    assert first.text == "The results came in overnight.\n\nSee the table."
    assert second.guid == "1"  # numeric ids become strings
    assert second.title.startswith("A plain text item without a title")
    assert second.published == utc(2024, 5, 1, 8, 0)
    assert second.author == "Feed Author"  # falls back to the feed's authors
    assert third.link == "https://elsewhere.example.net/story"
    assert third.published == utc(2024, 5, 3, 10, 0)


def test_json_feed_10_relative_url_uses_home_page() -> None:
    (entry,) = load("jsonfeed10.json").entries
    assert entry.link == "https://json10.example.com/posts/a"
    assert entry.author == "Old Author"
    assert entry.published == utc(2024, 2, 29, 12, 0)


def test_json_feed_relative_url_prefers_base_url() -> None:
    (entry,) = load("jsonfeed10.json", base_url="https://mirror.example.com/f.json").entries
    assert entry.link == "https://mirror.example.com/posts/a"


def test_format_detected_by_content_not_content_type() -> None:
    feed = load("jsonfeed10.json", content_type="application/rss+xml")
    assert feed.title == "JSON Feed 1.0"
    feed = load("rss20.xml", content_type="application/json")
    assert feed.title == "World & Politics"


# --- encodings, CDATA, links, titles, dates --------------------------------------------


def test_latin1_with_wrong_declared_charset() -> None:
    feed = load("latin1_wrong_charset.xml", content_type="application/rss+xml; charset=utf-8")
    assert feed.title == "Journal de Montréal"
    (entry,) = feed.entries
    assert entry.title == "Élection à Québec: déjà 50 % des votes"
    assert entry.text == "Les résultats préliminaires sont arrivés à 21 h."


def test_invalid_bytes_and_control_characters_do_not_lose_the_feed() -> None:
    feed = load("invalid_bytes.xml")
    assert feed.title == "Broken bytes café"
    (entry,) = feed.entries
    assert entry.title == "Naïve café title"
    assert "Zürich" in entry.text and "Русский" in entry.text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", entry.text + entry.summary_html)


def test_decode_document_prefers_valid_utf8_and_honours_boms() -> None:
    assert decode_document("é".encode(), "text/xml; charset=iso-8859-1") == "é"
    assert decode_document("é".encode("latin-1")) == "é"
    assert decode_document("<a>é</a>".encode("utf-16")) == "<a>é</a>"
    assert decode_document("<a>é</a>".encode("utf-16-le")) == "<a>é</a>"
    assert decode_document('<?xml version="1.0" encoding="koi8-r"?>Мир'.encode("koi8-r")).endswith(
        "Мир"
    )


def test_cdata() -> None:
    feed = load("cdata.xml")
    assert feed.title == "CDATA & Co"
    (entry,) = feed.entries
    assert entry.title == "Rates rise & markets fall"
    assert entry.link == "https://cdata.example.com/rates?a=1&b=2"
    assert entry.text == (
        "The central bank raised rates by 0.25 points.\n\nMarkets fell & bonds rallied."
    )


def test_relative_links_resolve_against_feed_link() -> None:
    feed = load("relative_links.xml")
    first, second = feed.entries
    assert first.link == "https://rel.example.com/news/2024/relative-item"
    assert second.link == "https://rel.example.com/news/2024/dot-item"
    assert 'href="https://rel.example.com/news/2024/more.html"' in first.summary_html
    assert 'href="https://cdn.example.com/x"' in first.summary_html


def test_relative_links_resolve_against_base_url_when_given() -> None:
    feed = load("relative_links.xml", base_url="https://mirror.example.org/feeds/rel.xml")
    assert feed.entries[0].link == "https://mirror.example.org/news/2024/relative-item"
    assert feed.entries[1].link == "https://mirror.example.org/feeds/2024/dot-item"
    # Links inside the content resolve against the entry's own address.
    assert 'href="https://mirror.example.org/news/2024/more.html"' in feed.entries[0].summary_html


def test_missing_titles() -> None:
    feed = load("missing_titles.xml")
    assert feed.title == "Untitled"
    titles = [e.title for e in feed.entries]
    assert titles == [
        "The city council approved a new cycling plan on Monday evening, with…",
        "Short note.",
        "Untitled",
    ]  # the fourth item has nothing at all and is dropped


def test_odd_dates() -> None:
    dates = {e.guid: e.published for e in load("odd_dates.xml").entries}
    expected = utc(2024, 3, 5, 12, 30)
    for guid in ("d1", "d2", "d3", "d4", "d6"):
        assert dates[guid] == expected, guid
        assert dates[guid].tzinfo is UTC
    assert dates["d5"] == utc(2024, 3, 5)
    assert dates["d7"] is None  # garbage
    assert dates["d8"] is None  # 31 February
    assert dates["d9"] is None  # far future
    assert dates["d10"] is None  # before 1970


def test_entry_and_field_caps() -> None:
    items = "".join(
        f"<item><title>t{i}</title><link>https://caps.example.com/{i}</link></item>"
        for i in range(MAX_ENTRIES + 50)
    )
    long_title = "word " * 500
    long_body = "<p>" + "lorem ipsum " * 20_000 + "</p>"
    doc = (
        f'<rss version="2.0"><channel><title>Caps</title>'
        f"<item><title>{long_title}</title><description><![CDATA[{long_body}]]></description>"
        f"</item>{items}</channel></rss>"
    ).encode()
    feed = parse_feed(doc)
    assert len(feed.entries) == MAX_ENTRIES
    assert len(feed.entries[0].title) <= 300
    assert len(feed.entries[0].text) <= 100_000


# --- malformed and not-a-feed ----------------------------------------------------------


CDF = """<?xml version="1.0"?>
<!--
A CDF channel, as feedparser's test corpus writes them.
-->
<CHANNEL HREF="http://cdf.example.com/">
  <TITLE>CDF desk</TITLE>
  {items}
</CHANNEL>
"""
CDF_ITEM = """<ITEM HREF="http://cdf.example.com/{n}" LASTMOD="2004-04-06T23:05:43-05:00">
    <TITLE>Item {n}</TITLE><ABSTRACT>About item {n}.</ABSTRACT>
  </ITEM>"""


def test_cdf_channel_is_a_feed() -> None:
    items = "".join(CDF_ITEM.format(n=n) for n in (1, 2))
    feed = parse_feed(CDF.format(items=items).encode())
    assert feed.title == "CDF desk" and feed.link == "http://cdf.example.com/"
    assert [(e.title, e.link, e.text) for e in feed.entries] == [
        ("Item 1", "http://cdf.example.com/1", "About item 1."),
        ("Item 2", "http://cdf.example.com/2", "About item 2."),
    ]
    assert feed.entries[0].published == utc(2004, 4, 7, 4, 5, 43)


def test_cdf_channel_without_items_is_an_empty_feed_not_an_unknown_document() -> None:
    feed = parse_feed(CDF.format(items="").encode())
    assert feed.title == "CDF desk" and feed.entries == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("html_page.html", "not a feed: got an HTML page"),
        ("not_a_feed.txt", "not a feed: neither XML nor JSON"),
        ("not_jsonfeed.json", "not a feed: JSON without a JSON Feed version"),
        ("unknown_xml.xml", "not a feed: unknown XML document <catalog>"),
    ],
)
def test_not_a_feed(name: str, message: str) -> None:
    with pytest.raises(FeedError) as info:
        load(name)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_xhtml_page_is_named_as_a_page_not_refused_for_its_dtd() -> None:
    page = (
        b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"\n'
        b'  "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        b"<html><head><title>Site</title></head><body>Hi</body></html>"
    )
    with pytest.raises(FeedError, match="^not a feed: got an HTML page"):
        parse_feed(page)


@pytest.mark.parametrize(
    "content",
    [b"", b"   \n", b"<rss version='2.0'><channel><title>unclosed", b"{not json", b"<<<>>>"],
)
def test_broken_documents_raise_one_line_feed_errors(content: bytes) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(content)
    assert str(info.value).startswith("not a feed")
    assert "\n" not in str(info.value) and "Traceback" not in str(info.value)


def test_recoverable_malformed_xml_still_yields_entries() -> None:
    doc = (
        b'<rss version="2.0"><channel><title>Sloppy & Co</title>'
        b"<item><title>Fish & chips &mdash; cheap</title><link>https://s.example/1</link>"
        b"<description>Unclosed <b>bold</description></item></channel></rss>"
    )
    feed = parse_feed(doc)
    (entry,) = feed.entries
    assert entry.title == "Fish & chips — cheap"
    assert entry.link == "https://s.example/1"


def test_json_nested_too_deeply_is_a_feed_error() -> None:
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000)


# --- hostile input ---------------------------------------------------------------------

REFUSED = [
    "billion_laughs.xml",
    "billion_laughs_utf16.xml",
    "billion_laughs_utf16_nobom.xml",
    "billion_laughs_utf32.xml",
    "quadratic_blowup.xml",
    "xxe_file.xml",
    "xxe_parameter.xml",
    "doctype_after_comment.xml",
    "entity_utf7.xml",
    "internal_subset.xml",
]


@pytest.mark.parametrize("name", REFUSED)
def test_entity_attacks_are_refused_quickly(name: str) -> None:
    started = time.monotonic()
    with pytest.raises(FeedError) as info:
        load(name)
    assert time.monotonic() - started < 1.0
    message = str(info.value)
    assert message.startswith("refused: ")
    assert "entity-expansion attack" in message
    if name != "internal_subset.xml":
        assert message == "refused: XML entity declarations (possible entity-expansion attack)"


@pytest.mark.parametrize(
    "prolog",
    [
        # Removing the inner DOCTYPEs must not splice the outer text into declarations.
        "<!<!DOCTYPE a>DOCTYPE rss [<!<!DOCTYPE b>ENTITY x 'xxxxxxxxxx'>]>",
        "<!<!DOCTYPE a>ENTITY x 'xxxxxxxxxx'>",
        "<!DOCTYPE rss [<!-- x -->]>",
        "<!doctype rss [ ]>",
        '<!DOCTYPE rss SYSTEM "x" [',
        "<!\x01ENTITY x 'y'>",
        # The scan skips comments and CDATA, but only closed ones, and only them.
        "<!-- <!DOCTYPE rss [ ]>",
        "<![CDATA[ <!DOCTYPE rss [ ]>",
        "<!-- x --><!DOCTYPE rss [ ]>",
        "<![CDATA[ x ]]><!DOCTYPE rss [ ]>",
        "<!-- x -- y --><!DOCTYPE rss SYSTEM 'http://dtd.example.com/x.dtd'>",
    ],
)
def test_doctype_tricks_are_refused(prolog: str) -> None:
    doc = f"{prolog}<rss version='2.0'><channel><title>&x;</title></channel></rss>"
    with pytest.raises(FeedError, match=r"^(refused|not a feed): "):
        parse_feed(doc.encode())


EXTERNAL_REFUSED = (
    "refused: DOCTYPE naming an external DTD (entities defined there cannot be checked)"
)


def rss_doc(prolog: str = "", description: str = "Body.", title: str = "Item") -> bytes:
    """A small RSS 2.0 document, with `prolog` between the declaration and <rss>."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{prolog}\n<rss version="2.0"><channel>'
        f"<title>Prolog test</title><link>https://prolog.example.com/</link>"
        f"<item><title>{title}</title><link>https://prolog.example.com/1</link>"
        f"<description>{description}</description></item></channel></rss>"
    ).encode()


def test_external_dtd_fixture_is_refused() -> None:
    with pytest.raises(FeedError) as info:
        load("external_dtd_system.xml")  # SYSTEM "file:///etc/passwd"
    assert str(info.value) == EXTERNAL_REFUSED


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss SYSTEM "http://dtd.example.com/x.dtd">',
        "<!DOCTYPE rss SYSTEM 'x.dtd'>",
        '<!DOCTYPE rss PUBLIC "-//Example//DTD Feed 1.0//EN" "http://dtd.example.com/x.dtd">',
        '<!doctype rss public "-//Example//DTD Feed 1.0//EN"\n  "http://dtd.example.com/x.dtd">',
        # A comment mentioning a DOCTYPE does not hide the real one after it.
        '<!-- no <!DOCTYPE here --><!DOCTYPE rss SYSTEM "http://dtd.example.com/x.dtd">',
    ],
)
def test_external_dtd_is_refused_in_one_line(doctype: str) -> None:
    # &custom; is defined only in the external DTD: storing the feed would lose it.
    with pytest.raises(FeedError) as info:
        parse_feed(rss_doc(doctype, title="Price &custom; rises"))
    assert str(info.value) == EXTERNAL_REFUSED


def test_external_dtd_address_is_never_contacted(feed_server: Any) -> None:
    refused = feed_server.url("/dtd/refused.dtd")
    allowed = feed_server.url("/dtd/netscape.dtd")
    with pytest.raises(FeedError, match="^refused: DOCTYPE naming an external DTD"):
        parse_feed(rss_doc(f'<!DOCTYPE rss SYSTEM "{refused}">'))
    netscape = f'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "{allowed}">'
    (entry,) = parse_feed(rss_doc(netscape, title="Caf&eacute;")).entries
    assert entry.title == "Café"
    time.sleep(0.2)  # a request made in the background would have arrived by now
    assert not [path for path, _ in feed_server.requests if path.startswith("/dtd/")]


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"\n'
        '  "http://my.netscape.com/publish/formats/rss-0.91.dtd">',
        '<!DOCTYPE rss SYSTEM "http://my.netscape.com/publish/formats/rss-0.91.dtd">',
    ],
)
def test_rss091_netscape_dtd_defines_only_html_entities_and_is_read(doctype: str) -> None:
    (entry,) = parse_feed(rss_doc(doctype, title="Caf&eacute;&nbsp;opens")).entries
    assert entry.title == "Café opens"


@pytest.mark.parametrize(
    "comment",
    [
        # The quote used to send the DOCTYPE scan looking for a closing quote.
        "<!-- Generated by FeedKit. Don't add a <!DOCTYPE here, it's refused. -->",
        '<!-- <!DOCTYPE rss SYSTEM "http://dtd.example.com/x.dtd"> -->',
        "<!--\n  An old header: <!DOCTYPE rss [ ... ]>\n-->",
    ],
)
def test_doctype_mentioned_in_a_comment_is_no_declaration(comment: str) -> None:
    feed = parse_feed(rss_doc(comment))
    assert feed.title == "Prolog test"
    assert [e.title for e in feed.entries] == ["Item"]
    # Inside the channel too.
    body = rss_doc().replace(b"<item>", f"{comment}<item>".encode())
    assert [e.title for e in parse_feed(body).entries] == ["Item"]


def test_unterminated_doctype_names_its_line() -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(rss_doc("<!-- header -->\n<!DOCTYPE rss SYSTEM 'x.dtd>"))
    assert str(info.value) == "not a feed: unterminated DOCTYPE at line 3"


def test_doctype_inside_cdata_is_text_and_kept() -> None:
    cdata = "<![CDATA[ <!DOCTYPE html> hello ]]>"
    guarded = guard_xml(rss_doc(description=cdata).decode())
    assert not re.search(r"<!\s*DOCTYPE", guarded, re.I)  # no parser can take it as one
    # An XML parser (one that refuses any DTD) reads the description's text unchanged.
    description = SafeET.fromstring(guarded.encode()).find("channel/item/description")
    assert description is not None and description.text == " <!DOCTYPE html> hello "
    # Where the field is plain text, the entry keeps all of it ...
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>tag:a,1</id>'
        f'<title>Doc</title><summary type="text">{cdata}</summary></entry></feed>'
    )
    (entry,) = parse_feed(atom.encode()).entries
    assert entry.text == "<!DOCTYPE html> hello"
    # ... and where it is HTML, the DOCTYPE is markup, shown as a browser shows it.
    (entry,) = parse_feed(rss_doc(description=cdata)).entries
    assert entry.text == "hello"
    with pytest.raises(FeedError, match=r"^refused: DOCTYPE with an internal subset"):
        parse_feed(rss_doc(description="<![CDATA[ x ]]><!DOCTYPE rss [ ]>"))


def test_body_that_is_a_file_name_is_not_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # feedparser.parse(bytes) first tries the bytes as a path on the local disk, so a
    # response body that names a local file would be answered with that file.
    body = b"<rss version='2.0'>"
    monkeypatch.chdir(tmp_path)
    (tmp_path / body.decode()).write_bytes((FEEDS / "rss20.xml").read_bytes())
    try:
        feed = parse_feed(body)
    except FeedError:
        pass
    else:
        assert feed.entries == []
        assert feed.title != "World & Politics"
    for content in (b"/etc/passwd", str(tmp_path / body.decode()).encode()):
        with pytest.raises(FeedError, match="not a feed"):
            parse_feed(content)


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


SAFE_TAGS = {
    "p", "br", "a", "em", "strong", "b", "i", "u", "s", "blockquote", "q", "cite",
    "ul", "ol", "li", "code", "pre", "sub", "sup", "hr",
}  # fmt: skip


def assert_safe_html(fragment: str) -> None:
    lower = fragment.lower()
    assert "<script" not in lower and "javascript:" not in lower and "data:" not in lower
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", lower)
    collector = _TagCollector()
    collector.feed(fragment)
    for tag, attrs in collector.tags:
        assert tag in SAFE_TAGS, tag
        for name, value in attrs:
            assert tag == "a" and name in {"href", "title", "rel"}, (tag, name)
            if name == "href":
                assert value and re.match(r"https?://", value), value
            if name == "rel":
                assert value == "nofollow noopener"


def assert_safe_feed(feed: ParsedFeed) -> None:
    assert feed.link is None or feed.link.startswith(("http://", "https://"))
    assert "<" not in feed.title
    for entry in feed.entries:
        assert_safe_html(entry.summary_html)
        assert entry.link is None or entry.link.startswith(("http://", "https://"))
        for plain in (entry.title, entry.author or ""):
            assert "<" not in plain and "javascript" not in plain.lower()
        everything = " ".join([entry.title, entry.text, entry.summary_html, entry.link or ""])
        assert "root:x:0:0" not in everything


ALL_FEEDS = sorted(
    p.name
    for p in FEEDS.iterdir()
    if p.suffix in {".xml", ".rdf", ".json"} and p.name not in REFUSED
)


@pytest.mark.parametrize("name", ALL_FEEDS)
def test_nothing_hostile_survives_any_fixture(name: str) -> None:
    try:
        feed = load(name)
    except FeedError:
        return
    assert_safe_feed(feed)


def test_xss_rss() -> None:
    feed = load("xss.xml")
    assert feed.title == "Hostile"
    assert feed.link is None
    first, second, third = feed.entries
    assert first.title == "Title"
    assert first.link is None and second.link is None
    assert "safe text" in first.text and "good link" in first.text
    assert "alert" not in first.summary_html
    assert '<a href="https://good.example.com/escaped"' not in third.summary_html
    assert third.link == "https://good.example.com/escaped"
    assert "Visible" in third.text and "alert" not in third.text
    for entry in feed.entries:
        assert_safe_html(entry.summary_html)


def test_xss_json() -> None:
    feed = load("xss.json")
    assert feed.title == "Hostile JSON"
    assert feed.link is None
    first, second = feed.entries
    assert first.link is None
    assert first.title == "Headline"
    assert first.author == "Mallory"
    assert first.summary_html.startswith("<p>Body</p>")
    assert_safe_html(first.summary_html)
    # content_text is plain text: the markup is data, escaped when it becomes HTML.
    assert second.text == "<script>alert(10)</script> is literal text here"
    assert second.summary_html == (
        "<p>&lt;script&gt;alert(10)&lt;/script&gt; is literal text here</p>"
    )
