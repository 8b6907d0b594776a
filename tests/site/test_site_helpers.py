"""The small pieces the pages rely on: safe links, paragraphs, dates, page numbers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from columnist.site.html_pages import page_numbers, shorten
from columnist.site.text import human_date, iso, json_ld, paragraphs, xml_safe
from columnist.site.urls import Urls, safe_href, safe_slug


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>",
        "vbscript:x",
        "//evil.example/",
        "/relative/path",
        "ftp://example.org/file",
        "http://",
        "https://exa mple.org/",
        "https://example.org/\nSet-Cookie",
        "",
        None,
    ],
)
def test_safe_href_rejects_everything_but_http(url: str | None) -> None:
    assert safe_href(url) is None


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=1&c=2", "http://example.org", "HTTPS://Example.org/x#y"]
)
def test_safe_href_keeps_http_urls(url: str) -> None:
    assert safe_href(url) == url


def test_safe_slug() -> None:
    assert safe_slug("china-russia") == "china-russia"
    assert safe_slug("../../etc") == "etc"
    assert safe_slug("A/B") == "a-b"
    assert safe_slug("") == "item"


def test_urls_under_a_path_and_at_root() -> None:
    desk = Urls("https://example.org/desk")
    assert desk.link("posts/x/") == "/desk/posts/x/"
    assert desk.absolute("feed.xml") == "https://example.org/desk/feed.xml"
    root = Urls("http://127.0.0.1:8000/")
    assert root.link() == "/"
    assert root.absolute("posts/x/") == "http://127.0.0.1:8000/posts/x/"


def test_paragraphs_split_on_blank_lines_or_single_newlines() -> None:
    assert paragraphs("One\nstill one.\n\n  \nTwo.") == ["One still one.", "Two."]
    assert paragraphs("First.\nSecond.\nThird.") == ["First.", "Second.", "Third."]
    assert paragraphs("  ") == []


def test_dates_are_utc() -> None:
    moment = datetime(2025, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert iso(moment) == "2025-03-02T04:30:00Z"
    assert human_date(moment) == "2 March 2025"
    assert iso(datetime(2025, 1, 5, 6, 7, 8)) == "2025-01-05T06:07:08Z"  # naive = UTC
    assert human_date(datetime(2025, 1, 5, tzinfo=UTC)) == "5 January 2025"


def test_json_ld_cannot_close_its_script() -> None:
    text = str(json_ld({"headline": "</script><script>alert(1)</script> & <!--"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["headline"] == "</script><script>alert(1)</script> & <!--"


def test_xml_safe_drops_forbidden_characters() -> None:
    assert xml_safe("a\x00b\x0bc\td\ne") == "abc\td\ne"


def test_page_numbers_window() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_numbers(2, 20) == [1, 2, 3, 4, None, 20]


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("short text") == "short text"
    cut = shorten("word " * 100, 50)
    assert len(cut) <= 50 and cut.endswith("…") and "wor…" not in cut
