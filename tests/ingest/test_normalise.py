from __future__ import annotations

import pytest

from columnist.ingest.normalise import (
    absolute_url,
    canonical_url,
    content_hash,
    html_to_text,
    plain_title,
    sanitize_html,
)


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        (
            "HTTP://Example.COM:80/a/./b/../c?utm_source=x&b=2&a=1&fbclid=z#frag",
            None,
            "http://example.com/a/c?a=1&b=2",
        ),
        ("https://example.com:443", None, "https://example.com/"),
        ("https://example.com:8443/x", None, "https://example.com:8443/x"),
        ("/x y?q=é", "https://ex.com/dir/page", "https://ex.com/x%20y?q=%C3%A9"),
        ("../up", "http://a.com/x/y/z", "http://a.com/x/up"),
        ("//cdn.example.com/a", "https://b.com/", "https://cdn.example.com/a"),
        ("https://bücher.de/ä", None, "https://xn--bcher-kva.de/%C3%A4"),
        ("https://user:secret@ex.com/", None, "https://ex.com/"),
        ("http://[::1]:8080/x", None, "http://[::1]:8080/x"),
        ("https://ex.com/?a&b=&c=1", None, "https://ex.com/?a&b=&c=1"),
        (
            "https://ex.com/p?gclid=1&mc_cid=2&mc_eid=3&igshid=4&ref_src=5&_hsenc=6&_hsmi=7"
            "&yclid=8&msclkid=9&UTM_Medium=10&keep=yes",
            None,
            "https://ex.com/p?keep=yes",
        ),
        ("  https://ex.com/\n", None, "https://ex.com/"),
        ("https://example.com./", None, "https://example.com/"),
    ],
)
def test_canonical_url(url: str, base: str | None, expected: str) -> None:
    assert canonical_url(url, base) == expected


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "mailto:someone@example.com",
        "ftp://example.com/x",
        "vbscript:msgbox(1)",
        "https://ex.com:99999/",
        "https://exa mple.com/",
        "http://",
        "",
        "/relative/without/base",
    ],
)
def test_canonical_url_refuses(url: str) -> None:
    assert canonical_url(url) is None


def test_canonical_url_never_resolves_against_a_hostile_base() -> None:
    assert canonical_url("x", "javascript:alert(1)//") is None
    assert canonical_url("https://ok.example/", "javascript:alert(1)") == "https://ok.example/"


def test_absolute_url_keeps_fragment() -> None:
    assert absolute_url("#sec", "https://a.com/p?utm_x=1") == "https://a.com/p#sec"
    assert absolute_url("javascript:x", "https://a.com/") is None


def test_sanitize_html_keeps_prose_and_safe_links() -> None:
    out = sanitize_html(
        '<h2 class="x">Head</h2><div>a</div><div>b</div>'
        '<p>Read <a href="/more" title="t" onclick="x()">more</a> &amp; <em>think</em>.</p>',
        "https://site.example/dir/",
    )
    assert out == (
        "<p><strong>Head</strong></p><p>a</p><p>b</p>"
        '<p>Read <a href="https://site.example/more" title="t" rel="nofollow noopener">'
        "more</a> &amp; <em>think</em>.</p>"
    )


def test_sanitize_html_drops_hostile_markup() -> None:
    out = sanitize_html(
        '<a href="javascript:alert(1)">j</a><a href="data:text/html,x">d</a>'
        '<img src="x" onerror="alert(2)"><script>alert(3)</script><style>p{}</style>'
        '<iframe src="https://evil.example/">frame text</iframe><p style="x" onmouseover="y">ok</p>'
        '<a href="relative">no base</a><!-- comment -->',
        None,
    )
    assert out == (
        '<a rel="nofollow noopener">j</a><a rel="nofollow noopener">d</a>'
        '<p>ok</p><a rel="nofollow noopener">no base</a>'
    )


def test_sanitize_html_table_cells_do_not_run_together() -> None:
    out = sanitize_html("<table><tr><td>one</td><td>two</td></tr></table>", None)
    assert "one" in out and "two" in out and "onetwo" not in out


def test_html_to_text_paragraphs_entities_whitespace() -> None:
    text = html_to_text(
        "<p>Hello&nbsp; <b>world</b>\n  again</p><p>Second<br>line<br><br>third</p>"
        "<script>bad()</script><style>p{}</style><ul><li>one</li><li>two</li></ul>&amp; done"
    )
    assert text == "Hello world again\n\nSecond line\n\nthird\n\none\n\ntwo\n\n& done"


def test_html_to_text_plain_input_keeps_its_paragraphs() -> None:
    text = html_to_text("first   para\nstill first\n\n\nsecond")
    assert text == "first para still first\n\nsecond"
    assert html_to_text("") == ""


def test_plain_title() -> None:
    assert plain_title("  <b>Fish &amp;amp; Chips</b>\n now ") == "Fish & Chips now"
    assert plain_title("<script>alert(1)</script>Safe") == "Safe"
    assert plain_title("a < b and c > d") == "a < b and c > d"
    long = plain_title("word " * 200)
    assert len(long) <= 300 and long.endswith("…") and "wor…" not in long
    assert plain_title(None) == ""


def test_content_hash_ignores_case_space_and_markup_noise() -> None:
    a = content_hash("Hello  World", "Some text\n\nmore")
    assert a == content_hash("hello world", " some TEXT more ")
    assert a != content_hash("Hello World", "Other text")
    assert len(a) == 64 and int(a, 16) >= 0
