"""The parts of the digest without a server: periods, weeks, the recipient list, the
[newsletter] keys, and the message each recipient gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from columnist import config
from columnist.errors import ColumnistError
from columnist.newsletter.recipients import read_recipients
from columnist.newsletter.render import DigestMail
from columnist.newsletter.send import build_message
from columnist.site.issues import parse_since, week_bounds, week_name
from tests.conftest import desk


def test_periods_and_iso_weeks() -> None:
    assert parse_since("7d") == timedelta(days=7)
    assert parse_since("1w 3d") == timedelta(days=10)
    assert parse_since("36h") == timedelta(hours=36)
    for bad in ("soon", "7", "0d", "7d later"):
        with pytest.raises(ColumnistError, match="^--since: "):
            parse_since(bad)
    start, end = week_bounds("2026-48")
    assert start == datetime(2026, 11, 23, tzinfo=UTC) and end == start + timedelta(days=7)
    assert week_name(end - timedelta(seconds=1)) == "2026-48" and week_name(end) == "2026-49"
    assert week_name(datetime(2027, 1, 1, 12, tzinfo=UTC)) == "2026-53"  # ISO years differ
    assert week_bounds("2026-W48") == (start, end)
    with pytest.raises(ColumnistError, match="^--week: not an ISO week"):
        week_bounds("2025-53")  # 2025 has 52 ISO weeks


def test_the_recipient_list_names_each_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "subscribers.txt"
    path.write_text(
        "# readers\nann@example.org\n  bob@example.net  # a comment\nAnn <ann@x.org>\n"
        "ann@example.org\n\ncarol@\nd@e.co\n"
    )
    found = read_recipients(path)
    assert found.addresses == ["ann@example.org", "bob@example.net", "d@e.co"]
    assert found.problems == [
        f"{path}:4: not an e-mail address: 'Ann <ann@x.org>' (skipped)",
        f"{path}:7: not an e-mail address: 'carol@' (skipped)",
    ]
    with pytest.raises(ColumnistError, match="recipient list not found"):
        read_recipients(tmp_path / "missing.txt")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"smtp_url": "mail.example.org"}, "`newsletter.smtp_url` must be smtp://HOST"),
        ({"smtp_url": "smtp://a b"}, "`newsletter.smtp_url` must be smtp://HOST"),
        ({"unsubscribe": "javascript:alert(1)"}, "`newsletter.unsubscribe` must be mailto:"),
        ({"starttls": "no"}, "`newsletter.starttls` must be bool"),
        ({"sender": "x"}, "`newsletter.sender` is not a known key"),
    ],
)
def test_bad_newsletter_keys_are_named(tmp_path: Path, table: dict, message: str) -> None:
    with pytest.raises(ColumnistError, match=message.replace("[", r"\[")):
        config.load(desk(tmp_path, "", newsletter=table))


def test_the_newsletter_keys_are_read(tmp_path: Path) -> None:
    table = {
        "smtp_url": "smtps://mail.example.org",
        "from": "Desk <news@example.org>",
        "recipients": "lists/subscribers.txt",
        "unsubscribe": "mailto:leave@example.org",
        "username_env": "U",
        "password_env": "P",
    }
    got = config.load(desk(tmp_path, "", newsletter=table)).newsletter
    assert got.recipients == tmp_path / "lists" / "subscribers.txt"
    assert got.unsubscribe == ["mailto:leave@example.org"] and got.starttls
    assert (got.sender, got.username_env, got.password_env) == ("Desk <news@example.org>", "U", "P")


def test_each_message_has_one_recipient_both_parts_and_unsubscribe_headers() -> None:
    mail = DigestMail("Desk: the week's commentary (2026-48)", "<p>html</p>", "text\n")
    links = ["https://example.org/unsubscribe", "mailto:leave@example.org"]
    msg = build_message(mail, "Desk <news@example.org>", "ann@example.org", links, "example.org")
    assert msg["To"] == "ann@example.org" and msg["Cc"] is None
    assert msg["Message-ID"].endswith("@example.org>")
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mailto_only = build_message(mail, "news@example.org", "b@example.org", links[1:], "x")
    assert mailto_only["List-Unsubscribe-Post"] is None
    assert (
        build_message(mail, "news@example.org", "b@example.org", [], "x")["List-Unsubscribe"]
        is None
    )
