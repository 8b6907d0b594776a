"""`columnist digest`: written as files, sent through a real SMTP server on 127.0.0.1
(aiosmtpd, STARTTLS with a certificate made for the test, AUTH from the environment),
one message per recipient, once per issue."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from sqlalchemy import update

from columnist import config
from columnist.config import Settings
from columnist.store.db import open_engine, transaction
from columnist.store.schema import posts
from tests.conftest import desk, error_line, invoke
from tests.newsletter.smtpkit import PASSWORD, USER, free_port, self_signed, smtp_server
from tests.review.kit import seed_posts

BASE = "https://example.org/desk/"
HOSTILE = '<script>alert("x")</script> & <b>bold</b>'
UNSUBSCRIBE = ["https://example.org/unsubscribe", "mailto:leave@example.org"]
SITE = (
    f'[site]\ntitle = "Mail Desk"\nbase_url = "{BASE}"\noutput = "site"\n'
    '[[topics]]\nname = "Housing"\n[[topics]]\nname = "Energy"\n'
)
SUBSCRIBERS = (
    "# our readers\n"
    "ann@example.org\n"
    "bob@example.net   # since May\n"
    "not an address\n"
    "\n"
    "ann@example.org\n"
)

CLEAN = "ann@example.org\nbob@example.net\n"  # for the tests of errors: no bad line to warn of


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch, cert: Path) -> Path:
    """The test certificate is the trust store; the credentials are in the environment."""
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setenv("DIGEST_USER", USER)
    monkeypatch.setenv("DIGEST_PASSWORD", PASSWORD)
    return cert


def mail_desk(folder: Path, smtp_url: str, *, seed: bool = True, **newsletter: object) -> Settings:
    """A desk with three published posts (one with a hostile headline) and a draft."""
    table = {
        "smtp_url": smtp_url,
        "username_env": "DIGEST_USER",
        "password_env": "DIGEST_PASSWORD",
        "from": "Mail Desk <news@example.org>",
        "recipients": "subscribers.txt",
        "unsubscribe": UNSUBSCRIBE,
    } | newsletter
    (folder / "subscribers.txt").parent.mkdir(parents=True, exist_ok=True)
    (folder / "subscribers.txt").write_text(SUBSCRIBERS)
    settings = config.load(desk(folder, SITE, newsletter={k: v for k, v in table.items() if v}))
    if seed:
        seed_posts(settings, ["published", "published", "draft"])
        (hostile,) = seed_posts(settings, ["published"], topic="energy")
        engine = open_engine(settings.database.url)
        with transaction(engine) as conn:
            conn.execute(update(posts).where(posts.c.id == hostile).values(title=HOSTILE))
        engine.dispose()
    return settings


def test_digest_is_mailed_once_to_each_subscriber(tmp_path: Path, trusted: Path) -> None:
    with smtp_server(trusted) as (port, box):
        settings = mail_desk(tmp_path, f"smtp://127.0.0.1:{port}")
        done = invoke("digest", "-c", str(settings.path), "--send", "--quiet")
        assert done.returncode == 0, done.stderr
        assert f"{tmp_path / 'subscribers.txt'}:4: not an e-mail address" in done.stderr
        assert "sent to 2 of 2 recipients" in done.stderr

        assert sorted(r.recipients[0] for r in box.received) == [
            "ann@example.org",
            "bob@example.net",
        ]
        for got in box.received:
            msg = got.message
            assert got.sender == "news@example.org" and len(got.recipients) == 1
            assert msg["To"] == got.recipients[0] and msg["Cc"] is None and msg["Bcc"] is None
            assert msg["List-Unsubscribe"].strip() == ", ".join(f"<{u}>" for u in UNSUBSCRIBE)
            assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert msg.get_content_type() == "multipart/alternative"
            parts = [p.get_content_type() for p in msg.iter_parts()]
            assert parts == ["text/plain", "text/html"]
        msg = box.received[0].message
        text = msg.get_body(("plain",)).get_content()
        page = lxml.html.document_fromstring(msg.get_body(("html",)).get_content())

        headlines = [h.text_content() for h in page.iter("h3")]
        assert HOSTILE in headlines and len(headlines) == 3  # the draft is not published
        assert page.xpath("//script | //link | //style") == []  # no scripts, no web fonts
        assert page.xpath("//table") and all(
            t.get("style") is not None for t in page.xpath("//table[@width='600']")
        )
        hrefs = [a.get("href") for a in page.iter("a")]
        assert all(h.startswith(("https://example.org/", "mailto:")) for h in hrefs), hrefs
        post_links = [h for h in hrefs if "/posts/" in h]
        assert post_links and all(h.startswith(BASE + "posts/") for h in post_links)
        sections = [h.text_content() for h in page.iter("h2")]
        assert sections == ["Housing", "Energy"]
        assert HOSTILE in text and BASE + "posts/" in text and "HOUSING" in text
        assert (tmp_path / "digests").is_dir() and len(list((tmp_path / "digests").iterdir())) == 2

        again = invoke("digest", "-c", str(settings.path), "--send", "--quiet")
        assert again.returncode == 0 and "already sent to 2 recipients" in again.stderr
        assert len(box.received) == 2
        forced = invoke("digest", "-c", str(settings.path), "--send", "--again", "--quiet")
        assert forced.returncode == 0, forced.stderr
        assert len(box.received) == 4


# aiosmtpd warns that AUTH is allowed without STARTTLS: the connection is TLS from the start.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_and_one_address_from_the_command_line(tmp_path: Path, trusted: Path) -> None:
    with smtp_server(trusted, implicit_tls=True) as (port, box):
        settings = mail_desk(tmp_path, f"smtps://127.0.0.1:{port}", unsubscribe=[UNSUBSCRIBE[1]])
        done = invoke(
            "digest", "-c", str(settings.path), "--send", "--to", "cy@example.com", "--quiet"
        )
        assert done.returncode == 0, done.stderr
        ((got),) = box.received
        assert got.recipients == ["cy@example.com"]
        assert got.message["List-Unsubscribe"] == f"<{UNSUBSCRIBE[1]}>"
        assert got.message["List-Unsubscribe-Post"] is None  # only with an https URL


def test_a_refused_recipient_is_a_warning_and_the_rest_are_sent(
    tmp_path: Path, trusted: Path
) -> None:
    with smtp_server(trusted) as (port, box):
        box.refuse.add("bob@example.net")
        settings = mail_desk(tmp_path, f"smtp://127.0.0.1:{port}")
        done = invoke("digest", "-c", str(settings.path), "--send", "--quiet")
        assert done.returncode == 0, done.stderr
        assert "bob@example.net: refused by the server: 550" in done.stderr
        assert "sent to 1 of 2 recipients" in done.stderr
        assert [r.recipients for r in box.received] == [["ann@example.org"]]


def test_a_send_stopped_half_way_records_what_went_out(tmp_path: Path, trusted: Path) -> None:
    with smtp_server(trusted) as (port, box):
        box.fail_after = 1
        url = f"smtp://127.0.0.1:{port}"
        settings = mail_desk(tmp_path, url)
        (tmp_path / "subscribers.txt").write_text(CLEAN)
        line = error_line(invoke("digest", "-c", str(settings.path), "--send", "--quiet"))
        stopped = "sending stopped after 1: 421 4.3.0 service going away"
        assert line == f"error: newsletter.smtp_url: {url}: {stopped}"
        assert [r.recipients for r in box.received] == [["ann@example.org"]]
        again = invoke("digest", "-c", str(settings.path), "--send", "--quiet")
        assert "already sent to 1 recipient on" in again.stderr


def test_starttls_is_required_unless_the_desk_turns_it_off(tmp_path: Path) -> None:
    with smtp_server(None) as (port, box):  # plain SMTP, no TLS, no AUTH
        url = f"smtp://127.0.0.1:{port}"
        settings = mail_desk(tmp_path, url, username_env="", password_env="")
        (tmp_path / "subscribers.txt").write_text(CLEAN)
        line = error_line(invoke("digest", "-c", str(settings.path), "--send", "--quiet"))
        assert line.startswith(f"error: newsletter.smtp_url: {url}: the server does not offer")
        assert box.received == []
        text = settings.path.read_text().replace("[newsletter]", "[newsletter]\nstarttls = false")
        settings.path.write_text(text)
        done = invoke("digest", "-c", str(settings.path), "--send", "--quiet")
        assert done.returncode == 0, done.stderr
        assert len(box.received) == 2


def test_an_untrusted_certificate_is_refused(
    tmp_path: Path, cert: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_USER", USER)
    monkeypatch.setenv("DIGEST_PASSWORD", PASSWORD)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "none.pem"))
    with smtp_server(cert) as (port, box):
        settings = mail_desk(tmp_path, f"smtp://127.0.0.1:{port}")
        (tmp_path / "subscribers.txt").write_text(CLEAN)
        line = error_line(invoke("digest", "-c", str(settings.path), "--send", "--quiet"))
        assert "newsletter.smtp_url" in line and "TLS failed" in line, line
        assert box.received == []


def test_bad_server_login_and_addresses_are_one_line_errors(
    tmp_path: Path, trusted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nowhere = f"smtp://127.0.0.1:{free_port()}"
    settings = mail_desk(tmp_path, nowhere)
    (tmp_path / "subscribers.txt").write_text(CLEAN)
    run = ("digest", "-c", str(settings.path), "--send", "--quiet")
    line = error_line(invoke(*run))
    assert (
        line
        == f"error: newsletter.smtp_url: {nowhere}: cannot talk to the server: connection refused"
    )
    with smtp_server(trusted) as (port, box):
        settings = mail_desk(tmp_path, f"smtp://127.0.0.1:{port}", seed=False)
        (tmp_path / "subscribers.txt").write_text(CLEAN)
        monkeypatch.setenv("DIGEST_PASSWORD", "wrong")
        assert "login refused: 535" in error_line(invoke(*run))
        monkeypatch.delenv("DIGEST_PASSWORD")
        line = error_line(invoke(*run))
        assert line.endswith(
            "newsletter.password_env: the environment variable DIGEST_PASSWORD is not set"
        )
        line = error_line(invoke(*run[:-2], "--to", "nobody", "--send"))
        assert line == "error: --to: not an e-mail address: 'nobody'"
        assert box.received == []
    (tmp_path / "subscribers.txt").unlink()
    line = error_line(invoke(*run))
    assert line.endswith("subscribers.txt: recipient list not found (newsletter.recipients)")


def test_a_wrong_smtp_url_is_a_config_error(tmp_path: Path) -> None:
    path = desk(tmp_path, SITE, newsletter={"smtp_url": "http://mail.example.org"})
    line = error_line(invoke("digest", "-c", str(path)))
    assert "`newsletter.smtp_url` must be smtp://HOST[:PORT] or smtps://HOST[:PORT]" in line


def test_an_empty_digest_is_skipped(tmp_path: Path, trusted: Path) -> None:
    with smtp_server(trusted) as (port, box):
        settings = mail_desk(tmp_path, f"smtp://127.0.0.1:{port}", seed=False)
        done = invoke("digest", "-c", str(settings.path), "--send", "--quiet")
        assert done.returncode == 0, done.stderr
        assert "nothing was published" in done.stderr and "skipped" in done.stderr
        assert box.received == [] and not (tmp_path / "digests").exists()


def test_digest_of_one_topic_written_to_a_folder(tmp_path: Path) -> None:
    settings = mail_desk(tmp_path, "smtp://127.0.0.1:25")
    out = tmp_path / "out"
    done = invoke("digest", "-c", str(settings.path), "--topic", "energy", "--out", str(out))
    assert done.returncode == 0, done.stderr
    (html,) = out.glob("digest-*-energy.html")
    page = lxml.html.document_fromstring(html.read_text())
    assert [h.text_content() for h in page.iter("h3")] == [HOSTILE]
    assert "<script>" not in html.read_text()
    line = error_line(invoke("digest", "-c", str(settings.path), "--topic", "sport"))
    assert line == "error: --topic: no topic 'sport' (topics: housing, energy)"
    line = error_line(invoke("digest", "-c", str(settings.path), "--since", "soon"))
    assert line.startswith("error: --since: must be a period such as")
