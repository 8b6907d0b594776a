"""The `write` stage: one commentary per filed story, checked, then stored.

Each story is one unit of work: its post and the log of the model calls made for it
are committed together, so a killed run leaves no half-written post and the next run
picks the story up again. With `writer.concurrency` > 1 (and a backend that can take
that many calls at once, i.e. `openai`) several stories are written at the same time
on a thread pool; each still commits alone, and store writes are serialised in-process
so SQLite never sees two writers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from columnist.commentary.backends import Backend, make_backend
from columnist.commentary.compose import Call, Writer, persona_for
from columnist.commentary.openings import RecentOpenings, opening
from columnist.commentary.prompts import check_template, environment, prompt_version
from columnist.commentary.text import make_excerpt
from columnist.config import Settings
from columnist.errors import ModelError
from columnist.records import NewPost, StoryInput, StoryRecord
from columnist.review.policy import post_status
from columnist.stages import Report
from columnist.store import calls as call_store
from columnist.store import claims
from columnist.store import entries as entry_store
from columnist.store import posts as post_store
from columnist.store import stories as story_store
from columnist.store.calls import NewCall
from columnist.store.db import Engine, IntegrityError, transaction
from columnist.store.posts import has_post, insert_post, replace_post_body


class LostClaim(Exception):
    """Our claim on a story expired and another worker took it over."""


@dataclass(slots=True)
class WriteReport(Report):
    stories: int = 0
    published: int = 0
    held: int = 0  # passed or not, held for a person by the review policy
    drafts: int = 0  # failed a check under "auto"
    failed: int = 0
    tokens_out: int = 0
    model_seconds: float = 0.0
    calls: int = 0
    stopped: bool = False  # asked to stop before every story was written
    seconds: float = 0.0
    refiled: str | None = None  # what the store's pending refile did (migration 0014)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def summary(self, brief: bool = False) -> str:
        held = f", {self.held} held for review" if self.held else ""
        drafts = f"{self.drafts} kept as draft{'s' if self.drafts != 1 else ''}"
        line = f"write: {self.published} published{held}, {drafts}"
        if brief:
            return line + self.stopped_note()
        speed = (
            f", {self.tokens_out / self.model_seconds:.0f} tokens/s" if self.model_seconds else ""
        )
        return f"{line} in {self.seconds:.1f}s{speed}{self.stopped_note()}"

    def notes(self) -> list[str]:
        return [self.refiled] if self.refiled else []

    def add(self, calls: list[Call], status: str | None) -> None:
        """Count one story by its post's status (published, held, draft), or failed (None)."""
        with self._lock:
            for c in calls:
                if c.completion:
                    self.tokens_out += c.completion.tokens_out or 0
                    self.model_seconds += c.completion.seconds
            self.calls += len(calls)
            if status is None:
                self.failed += 1
                return
            self.stories += 1
            if status == "published":
                self.published += 1
            elif status == "held":
                self.held += 1
            else:
                self.drafts += 1


class WriteStage:
    """Everything the stage's threads share: settings, backend, writer, a store lock."""

    def __init__(self, engine: Engine, settings: Settings, backend: Backend) -> None:
        self.engine, self.settings, self.backend = engine, settings, backend
        self.env = environment(settings.root / "templates" / "prompts")
        for persona in settings.personas:
            check_template(self.env, persona)
        self.openings = RecentOpenings(settings.writer.recent_openings)
        self.writer = Writer(settings, backend, self.env, self.openings)
        self.store_lock = threading.Lock()
        self.owner = claims.worker_id()
        self.claim_lock = threading.Lock()
        self.claimed = 0

    def claim(self, limit: int | None) -> tuple[StoryRecord, str] | None:
        """The next story for one of this process's threads and the claim's token."""
        with self.claim_lock:
            if limit is not None and self.claimed >= limit:
                return None
            settings = self.settings
            token = f"{self.owner}:{self.claimed}"
            story = claims.claim_next(
                self.engine,
                token,
                settings.writer.claim_ttl,
                rewrite_on_growth=settings.stories.rewrite_on_growth,
            )
            if story is None and claims.reclaim_dead_local(self.engine):
                story = claims.claim_next(
                    self.engine,
                    token,
                    settings.writer.claim_ttl,
                    rewrite_on_growth=settings.stories.rewrite_on_growth,
                )
            if story is None:
                return None
            self.claimed += 1
            return story, token

    def log_calls(self, conn, calls: list[Call], story: StoryInput) -> None:
        persona = persona_for(self.settings, story.topics)
        version = prompt_version(self.env, persona)
        call_store.log_calls(
            conn,
            [
                NewCall(
                    story_id=story.story_id,
                    backend=self.backend.name,
                    model=self.backend.model,
                    prompt_version=version,
                    purpose=c.purpose,
                    persona=persona.name,
                    attempt=c.attempt,
                    tokens_in=c.completion.tokens_in if c.completion else None,
                    tokens_out=c.completion.tokens_out if c.completion else None,
                    seconds=c.completion.seconds if c.completion else 0.0,
                    outcome=c.outcome,
                    error=c.error,
                    response=c.completion.text if c.completion else None,
                    problems=c.problems,
                )
                for c in calls
            ],
        )

    def load(self, story_id: int) -> StoryInput:
        with self.engine.connect() as conn:
            story = story_store.get(conn, story_id)
            items = entry_store.story_entries(conn, story_id)
            topics = story_store.topics_by_score(conn, story_id)
            for topic in topics:
                if not self.openings.known(topic):
                    limit = self.settings.writer.recent_openings
                    bodies = post_store.recent_bodies(conn, topic, limit)
                    self.openings.seed(topic, [opening(body) for body in bodies])
        return StoryInput(
            headline=story.title,
            sources=[(e.source_name, e.title, e.text, e.published) for e in items],
            topics=topics,
            story_id=story_id,
        )

    def write_story(self, claim: StoryRecord, token: str, report: WriteReport) -> None:
        """Write one claimed story; the post is stored only while the claim is still ours."""
        story_id = claim.id
        story = self.load(story_id)
        calls: list[Call] = []
        ttl = self.settings.writer.claim_ttl
        try:
            with claims.kept(self.engine, story_id, token, ttl, self.store_lock):
                draft = self.writer.write(story, calls)
        except ModelError:
            with self.store_lock, transaction(self.engine) as conn:
                self.log_calls(conn, calls, story)
                claims.release(conn, story_id, token)
            report.add(calls, None)
            raise
        status = post_status(self.settings, story, draft)  # the desk's review policy
        publish = status == "published"
        post = NewPost(
            story_id=story_id,
            title=story.headline,
            body=draft.body,
            excerpt=make_excerpt(draft.body, self.settings.site.excerpt_words),
            status=status,
            backend=self.backend.name,
            model=self.backend.model,
            prompt_version=draft.prompt_version,
            checks=draft.checks_dict(),
            source_count=len(story.sources),
        )
        with self.store_lock:
            for tries_left in (2, 1, 0):  # a slug taken by another process meanwhile
                try:
                    with transaction(self.engine) as conn:
                        if not claims.release(conn, story_id, token):
                            raise LostClaim(story_id)
                        self.log_calls(conn, calls, story)
                        if claim.post_id is None:
                            if has_post(conn, story_id):  # last line of defence
                                raise LostClaim(story_id)
                            insert_post(conn, post)
                        else:
                            # held instead if a person corrected the published text
                            status = replace_post_body(conn, claim.post_id, post)
                            publish = status == "published"
                    break
                except LostClaim:
                    report.add(calls, None)  # another worker took it over: its post wins
                    return
                except IntegrityError:
                    if not tries_left:
                        raise
        if publish:
            self.openings.add(story.topics, opening(draft.body))
        report.add(calls, status)


def run_write(
    engine: Engine,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    backend: Backend | None = None,
    limit: int | None = None,
) -> WriteReport:
    """Write until no unclaimed story is left; safe to run in many processes at once.
    `should_stop` is asked before each story is claimed."""
    from columnist.stories.stage import refile_pending  # the embedder, only when pending

    report = WriteReport()
    # stories are chosen by their topics: a store upgraded from before the mid-page fix
    # must be filed again first, as `assign` would, or the wrong stories are written
    report.refiled = refile_pending(engine, settings)
    with engine.connect() as conn:
        total = len(
            story_store.needing_posts(
                conn, limit, rewrite_on_growth=settings.stories.rewrite_on_growth
            )
        )
    if not total:
        return report
    own = backend is None
    backend = backend or make_backend(settings.writer)
    try:
        stage = WriteStage(engine, settings, backend)
        workers = max(1, min(settings.writer.concurrency, backend.concurrency, total))
        _run_threads(stage, workers, limit, report, progress, should_stop, total)
    finally:
        if own:
            backend.close()
    return report


def _run_threads(
    stage: WriteStage,
    workers: int,
    limit: int | None,
    report: WriteReport,
    progress: Callable[[int, int], None] | None,
    should_stop: Callable[[], bool] | None,
    total: int,
) -> None:
    """`workers` threads, each claiming and writing stories until none is left.

    The first failure (a backend that is down) stops the others after their current
    story and is raised; their claims are released so another run can take over. A
    stop request lets each thread finish the story in hand and claim no other.
    """
    failure: list[BaseException] = []
    done = 0
    done_lock = threading.Lock()

    def stop_asked() -> bool:
        if should_stop is not None and should_stop():
            report.stopped = True
        return report.stopped

    def work() -> None:
        nonlocal done
        while not failure and not stop_asked() and (claimed := stage.claim(limit)) is not None:
            try:
                stage.write_story(*claimed, report)
            except BaseException as exc:
                failure.append(exc)
                return
            with done_lock:
                done += 1
                if progress:
                    progress(done, max(total, done))

    if workers == 1:
        work()
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="write") as pool:
            for future in [pool.submit(work) for _ in range(workers)]:
                future.result()
    if failure:
        raise failure[0]
