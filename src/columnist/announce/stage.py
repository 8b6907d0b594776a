"""The `announce` stage: after the build, tell each `[[webhooks]]` receiver and
`[[social]]` account what happened to posts since it was last told.

For each target, the new events (announce/events.py) are first recorded in the store
as intents, one transaction; then each waiting delivery is sent and its result
recorded, every attempt logged. A receiver that fails or hangs costs at most its
bounded tries and is tried again by later runs; it never fails the run. A missing
secret or token is a one-line error naming its key, and that target alone is left out.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from columnist.announce import bluesky, mastodon
from columnist.announce.card import Card, read_card
from columnist.announce.events import next_events
from columnist.announce.http import Outcome, Refused, logged, make_client
from columnist.announce.payload import encode, payload, post_url
from columnist.announce.text import bluesky_text, mastodon_text
from columnist.announce.webhooks import send_webhook
from columnist.config import Settings, SocialSettings, WebhookSettings
from columnist.errors import ColumnistError, ConfigError
from columnist.records import AnnouncedPost
from columnist.site.urls import Urls, safe_slug
from columnist.stages import Report
from columnist.store import deliveries as store
from columnist.store.db import Engine, transaction

Target = WebhookSettings | SocialSettings


@dataclass(slots=True)
class AnnounceReport(Report):
    """What the announcements did this run, over every target."""

    targets: int = 0
    sent: int = 0
    failed: int = 0  # tried again by the next run
    gave_up: int = 0
    held: int = 0  # waiting for a social account's min_interval
    problems: list[str] = field(default_factory=list)  # a target left out (its key named)
    failures: list[str] = field(default_factory=list)  # one line per failed delivery
    remarks: list[str] = field(default_factory=list)  # e.g. a card image not used
    seconds: float = 0.0
    stopped: bool = False

    def summary(self, brief: bool = False) -> str:
        """One line; in `watch` (brief) it also names the targets left out, which a
        one-shot command prints as its error line instead."""
        if not self.targets:
            return "announce: no [[webhooks]] or [[social]] configured"
        took = "" if brief else f" in {self.seconds:.1f}s"
        held = f", {self.held} waiting for min_interval" if self.held else ""
        left_out = f"; left out: {' '.join(self.problems)}" if brief and self.problems else ""
        return (
            f"announce: {self.sent} sent, {self.failed} failed (tried again next run), "
            f"{self.gave_up} given up{held} to {self.targets} target"
            f"{'s' if self.targets != 1 else ''}{took}{self.stopped_note()}{left_out}"
        )

    def warnings(self) -> list[str]:
        return self.problems[1:] + self.failures  # the first is the command's error line

    def notes(self) -> list[str]:
        return self.remarks

    def fatal(self) -> str | None:
        return self.problems[0] if self.problems else None


def run_announce(
    engine: Engine,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> AnnounceReport:
    """Record and send every target's new events; see the module docstring."""
    targets: list[Target] = [*settings.webhooks, *settings.social]
    report = AnnounceReport(targets=len(targets))
    if targets:
        asyncio.run(_announce(engine, settings, targets, report, should_stop or (lambda: False)))
    if progress:
        progress(len(targets), len(targets))
    return report


async def _announce(
    engine: Engine,
    settings: Settings,
    targets: list[Target],
    report: AnnounceReport,
    should_stop: Callable[[], bool],
) -> None:
    async with make_client(settings) as client:
        for target in targets:
            if should_stop():
                report.stopped = True
                return
            try:
                credential = _credential(settings, target)
            except ConfigError as exc:
                report.problems.append(str(exc))
                continue
            _record_events(engine, settings, target)
            await _send_waiting(engine, settings, client, target, credential, report, should_stop)


def _kind(target: Target) -> str:
    return "webhook" if isinstance(target, WebhookSettings) else target.kind


def _credential(settings: Settings, target: Target) -> str | None:
    """The secret or token the target's `*_env` key names; ConfigError if it is unset."""
    if isinstance(target, WebhookSettings):
        key, name = "secret_env", target.secret_env
    elif target.kind == "mastodon":
        key, name = "token_env", target.token_env
    else:
        key, name = "app_password_env", target.app_password_env
    if not name:
        return None
    value = os.environ.get(name, "")
    if not value:
        raise ConfigError(
            f"{settings.path}: `{target.key}.{key}` names ${name}, which is not set; "
            f"nothing was sent to {target.target}"
        )
    return value


def _events(target: Target) -> tuple[str, ...]:
    return tuple(target.events) if isinstance(target, WebhookSettings) else ("published",)


def _record_events(engine: Engine, settings: Settings, target: Target) -> None:
    """The target's new events, recorded as intents (or as skipped) in one transaction."""
    output = settings.site.output

    def on_site(state: store.PostState) -> bool:
        return (output / Urls.post_file(safe_slug(state.slug))).is_file()

    kind = _kind(target)
    with transaction(engine) as conn:
        found = next_events(
            store.post_states(conn),
            store.for_target(conn, target.target),
            _events(target),
            datetime.now(UTC),
            target.backfill,
            on_site,
            target.topics if isinstance(target, SocialSettings) else (),
        )
        for e in found:
            key = bluesky.new_tid() if kind == "bluesky" else uuid.uuid4().hex
            status = "pending" if e.wanted else "skipped"
            store.add(conn, target.target, kind, e.post_id, e.event, e.post_updated, key, status)


def _stale(post: AnnouncedPost | None, event: str) -> bool:
    """The post is no longer what the event says (a published post since retracted)."""
    if post is None:
        return True
    return post.status != ("retracted" if event == "retracted" else "published")


async def _send_waiting(
    engine: Engine,
    settings: Settings,
    client: httpx.AsyncClient,
    target: Target,
    credential: str | None,
    report: AnnounceReport,
    should_stop: Callable[[], bool],
) -> None:
    with engine.connect() as conn:
        waiting = store.waiting(conn, target.target)
    for n, delivery in enumerate(waiting):
        if should_stop():
            report.stopped = True
            return
        with engine.connect() as conn:
            post = store.announced_post(conn, delivery.post_id)
            last = store.last_sent(conn, target.target)
        if _stale(post, delivery.event):
            with transaction(engine) as conn:
                store.finish(
                    conn,
                    delivery.id,
                    "skipped",
                    error=f"the post is {post.status if post else 'gone'}",
                )
            continue
        assert post is not None
        if _too_soon(target, last):
            report.held += len(waiting) - n
            return
        outcome, tries = await _deliver(
            engine, settings, client, target, credential, delivery, post, report
        )
        attempts = delivery.attempts + tries
        if outcome.sent:
            status = "sent"
            report.sent += 1
        else:
            status = "gave_up" if attempts >= target.max_attempts else "failed"
            report.gave_up += status == "gave_up"
            report.failed += status == "failed"
            again = "gave up" if status == "gave_up" else "will try again"
            report.failures.append(
                f"{target.target}: {delivery.event} post {post.id} failed after "
                f"{attempts} attempt{'s' if attempts != 1 else ''} ({outcome.error}); {again}"
            )
        with transaction(engine) as conn:
            store.finish(conn, delivery.id, status, outcome.remote, outcome.error)


def _too_soon(target: Target, last: datetime | None) -> bool:
    """A social account posted less than its `min_interval` ago."""
    if not isinstance(target, SocialSettings) or last is None:
        return False
    return (datetime.now(UTC) - last).total_seconds() < target.min_interval


async def _deliver(
    engine: Engine,
    settings: Settings,
    client: httpx.AsyncClient,
    target: Target,
    credential: str | None,
    delivery: store.Delivery,
    post: AnnouncedPost,
    report: AnnounceReport,
) -> tuple[Outcome, int]:
    """Send one delivery; (how it went, how many attempts it took)."""
    tries = 0

    def begin() -> None:
        nonlocal tries
        tries += 1
        with transaction(engine) as conn:
            store.begin_attempt(conn, delivery.id)

    def log(seconds: float, status: int | None, error: str | None) -> None:
        with transaction(engine) as conn:
            store.record_attempt(conn, delivery.id, seconds, status, error)

    if isinstance(target, WebhookSettings):
        body = encode(payload(settings, post, delivery.event, delivery.key))
        outcome = await send_webhook(
            client, target, credential, delivery.event, delivery.key, body, begin, log
        )
        return outcome, tries
    assert credential is not None  # social accounts always name theirs
    card = await _card(settings, target, post, report)
    try:
        remote = await logged(begin, log, lambda: _post(
            settings, client, target, credential, delivery, post, card
        ))  # fmt: skip
    except Refused as exc:
        return Outcome(sent=False, error=str(exc)), tries
    return Outcome(sent=True, remote=remote[1]), tries


async def _post(
    settings: Settings,
    client: httpx.AsyncClient,
    account: SocialSettings,
    credential: str,
    delivery: store.Delivery,
    post: AnnouncedPost,
    card: Card | None,
) -> tuple[int, str]:
    """One attempt at the post on a Mastodon or Bluesky account; (HTTP status, where
    it is). `delivery.attempts`: an earlier attempt may have posted it already."""
    link = post_url(settings, post.slug)
    language = settings.site.language
    tried = delivery.attempts > 0
    if account.kind == "mastodon":
        words = mastodon_text(post.title, post.body, link).text
        return await mastodon.post_status(
            client, account, credential, words, card, delivery.key, language, link, tried
        )
    sky = bluesky_text(post.title, post.body, link)
    return await bluesky.post_record(
        client, account, credential, sky, post.title, post.excerpt[:300], card,
        delivery.key, language, tried,
    )  # fmt: skip


async def _card(
    settings: Settings, target: SocialSettings, post: AnnouncedPost, report: AnnounceReport
) -> Card | None:
    """The post's card image from its built page; None (and a note) if it has none usable."""
    page = settings.site.output / Urls.post_file(safe_slug(post.slug))
    try:
        return await read_card(settings, page)
    except ColumnistError as exc:
        report.remarks.append(f"{target.target}: post {post.id}: {exc}; posted without a picture")
        return None
