"""The OpenAI-compatible backend: a real llama_cpp.server with the small model, and a
scripted HTTP server for the retry, header and in-flight logic around it."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from columnist.commentary.backends.embedded import EmbeddedBackend, EmbeddedOptions
from columnist.commentary.backends.openai import (
    OpenAIBackend,
    OpenAIOptions,
    backoff_seconds,
    retry_after_seconds,
)
from columnist.commentary.compose import PLAN_TOKENS
from columnist.commentary.evalset import EvalSource, EvalStory
from columnist.commentary.prompts import PROMPT_VERSION
from columnist.commentary.stage import run_write
from columnist.config import WriterSettings
from columnist.errors import ModelError
from columnist.store.db import open_engine
from columnist.store.schema import model_calls, posts
from columnist.store.seed import seed_store
from tests.commentary.kit import (
    CATS,
    GLACIER,
    SMALL_MODEL,
    ScriptedServer,
    completion_json,
    llama_server,
)
from tests.conftest import columnist, desk, error_line, writer_table

KEY_ENV = "COLUMNIST_TEST_KEY"
HELLO = [{"role": "user", "content": "Say hello in five words."}]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with llama_server(api_key="test-key") as url:
        yield url


def openai_settings(url: str, **options: object) -> WriterSettings:
    return WriterSettings(
        backend="openai",
        model=SMALL_MODEL,
        options={"openai": OpenAIOptions(base_urls=[url], api_key_env=KEY_ENV, **options)},
    )


def stories(n: int) -> list[EvalStory]:
    base = [GLACIER, CATS]
    return [
        EvalStory(
            title=f"{base[i % 2].title} ({i})",
            topic=base[i % 2].topic,
            sources=[EvalSource(s.title, s.text, s.outlet) for s in base[i % 2].sources],
        )
        for i in range(n)
    ]


def openai_desk(folder: Path, url: str, **writer: object) -> Path:
    values = {
        "backend": "openai",
        "base_urls": [url],
        "model": SMALL_MODEL,
        "api_key_env": KEY_ENV,
        "words": 40,
        "max_tokens": 64,
        "strict": False,
        "max_attempts": 1,
        "seed": 3,
    } | writer
    return desk(folder, writer_table(values))


# -- the real server -----------------------------------------------------------------


def test_a_real_llama_cpp_server_completes_and_counts_tokens(server, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, "test-key")
    backend = OpenAIBackend(openai_settings(server))
    done = backend.complete(HELLO, max_tokens=16, temperature=0.0, seed=1)
    assert done.text.strip()
    assert done.tokens_in and done.tokens_in > 5
    assert done.tokens_out and 0 < done.tokens_out <= 16
    assert done.finish_reason in ("stop", "length") and done.seconds > 0


def test_a_real_server_gives_the_first_tokens_log_probabilities(server, monkeypatch) -> None:
    """What the "about" topic check reads (stories/topic_check.py), from both backends."""
    monkeypatch.setenv(KEY_ENV, "test-key")
    question = [{"role": "user", "content": "Is Paris in France? Answer yes or no."}]
    remote = OpenAIBackend(openai_settings(server)).complete(
        question, max_tokens=1, temperature=0.0, seed=1, top_logprobs=5
    )
    options = {"embedded": EmbeddedOptions(threads=1, context=2048)}
    local = EmbeddedBackend(WriterSettings(model=SMALL_MODEL, options=options))
    try:
        here = local.complete(question, max_tokens=1, temperature=0.0, seed=1, top_logprobs=5)
    finally:
        local.close()
    for done in (remote, here):
        top = done.top_logprobs
        assert top and 1 <= len(top) <= 5 and all(v <= 0.0 for v in top.values()), top
        assert done.text.strip() in {p.strip() for p in top}, "the answer is the likeliest"
    assert (
        max(remote.top_logprobs, key=remote.top_logprobs.get).strip()
        == max(here.top_logprobs, key=here.top_logprobs.get).strip()
    ), "the same model gives the same first token"
    plain = OpenAIBackend(openai_settings(server)).complete(question, max_tokens=1, temperature=0.0)
    assert plain.top_logprobs is None, "not asked for, not given"


def test_a_wrong_api_key_is_one_clear_error(server, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, "not-the-key")
    backend = OpenAIBackend(openai_settings(server, retries=3), sleep=pytest.fail)
    with pytest.raises(ModelError) as info:
        backend.complete(HELLO, max_tokens=8, temperature=0.0)
    message = str(info.value)
    assert message.startswith(f"writer.openai.base_urls {server}/chat/completions: HTTP 401")
    assert f"${KEY_ENV} (writer.openai.api_key_env)" in message


def test_the_write_stage_on_a_real_server_logs_every_call(server, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, "test-key")
    cfg = openai_desk(tmp_path, server, concurrency=2)
    from columnist import config

    settings = config.load(cfg)
    engine = open_engine(settings.database.url)
    seed_store(engine, stories(2))
    report = run_write(engine, settings)
    assert (report.published, report.failed) == (2, 0)
    with engine.connect() as conn:
        calls = list(conn.execute(select(model_calls).order_by(model_calls.c.id)))
        bodies = list(conn.execute(select(posts.c.body, posts.c.backend)))
    engine.dispose()
    assert len(bodies) == 2 and all(b.strip() and backend == "openai" for b, backend in bodies)
    by_story = defaultdict(list)
    for c in calls:
        by_story[c.story_id].append(c)
    assert len(by_story) == 2
    for story_calls in by_story.values():  # a plan (asked twice at most), then paragraphs
        assert [c.attempt for c in story_calls] == list(range(1, len(story_calls) + 1))
        plans = [c for c in story_calls if c.purpose == "plan"]
        paragraphs = story_calls[len(plans) :]
        assert 1 <= len(plans) <= 2 and story_calls[: len(plans)] == plans
        assert [c.purpose for c in paragraphs] == [
            f"paragraph {n}" for n in range(1, len(paragraphs) + 1)
        ], "one try a paragraph (max_attempts = 1)"
        assert 2 <= len(paragraphs) <= 5 and all(c.outcome == "ok" for c in paragraphs)
        assert sum(c.outcome == "ok" for c in plans) <= 1
    for c in calls:
        assert (c.backend, c.model, c.persona) == ("openai", SMALL_MODEL, "columnist")
        # 40 words a paragraph; one continued after a single sentence adds its tokens
        limit = PLAN_TOKENS if c.purpose == "plan" else (40 * 2 + 32) + 40 * 2
        assert c.tokens_in > 50 and 0 < c.tokens_out <= limit and c.seconds > 0
        assert c.prompt_version == PROMPT_VERSION and c.response
    outcomes = [c.outcome for c in calls]
    logged = columnist("log", "--json", "-n", "100", "-c", str(cfg))
    assert logged.returncode == 0, logged.stderr
    rows = [json.loads(line) for line in logged.stdout.splitlines()]
    assert len(rows) == len(calls) and {r["backend"] for r in rows} == {"openai"}
    listed = columnist("log", "-n", "2", "-c", str(cfg))
    assert len(listed.stdout.splitlines()) == 2 and f"openai/{SMALL_MODEL}" in listed.stdout
    assert "2 calls: " in listed.stderr and "0 failed" in listed.stderr
    everything = columnist("log", "-n", "100", "-c", str(cfg))
    ok, rejected = outcomes.count("ok"), outcomes.count("rejected")
    assert ok + rejected == len(calls)
    assert f"{len(calls)} calls: {ok} ok, {rejected} rejected, 0 failed" in everything.stderr


# -- the logic around it, against a scripted HTTP server ----------------------------


def test_requests_in_flight_follow_writer_concurrency(tmp_path: Path) -> None:
    from columnist import config

    reply = completion_json("I think this matters a great deal.\n\nI doubt it will last.")
    for concurrency, n, expected in ((4, 8, 4), (1, 2, 1)):
        with ScriptedServer(lambda n: (200, {}, reply), delay=0.2) as fake:
            folder = tmp_path / f"c{concurrency}"
            folder.mkdir()
            settings = config.load(openai_desk(folder, fake.url, concurrency=concurrency))
            engine = open_engine(settings.database.url)
            seed_store(engine, stories(n))
            report = run_write(engine, settings)
            with engine.connect() as conn:
                stored = conn.execute(select(posts.c.story_id)).scalars().all()
            engine.dispose()
        assert fake.max_in_flight == expected
        assert report.published == n and sorted(stored) == list(range(1, n + 1))


def test_busy_answers_are_retried_honouring_retry_after(monkeypatch) -> None:
    script = {
        0: (429, {"Retry-After": "2"}, {"error": "busy"}),
        1: (503, {}, "overloaded"),
        2: (200, {}, completion_json("Fine.")),
    }
    slept: list[float] = []
    monkeypatch.setenv(KEY_ENV, "k-123")
    with ScriptedServer(lambda n: script[n]) as fake:
        backend = OpenAIBackend(openai_settings(fake.url, retries=3), sleep=slept.append)
        done = backend.complete(HELLO, max_tokens=8, temperature=0.5, seed=4)
    assert done.text == "Fine." and len(fake.requests) == 3
    assert slept[0] == 2.0 and 0.5 <= slept[1] <= 1.0
    first = fake.requests[0]
    assert first["headers"]["Authorization"] == "Bearer k-123"
    assert first["body"]["model"] == SMALL_MODEL and first["body"]["seed"] == 4


def test_after_the_retries_the_error_names_the_url(monkeypatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    with ScriptedServer(lambda n: (502, {}, "bad gateway")) as fake:
        backend = OpenAIBackend(openai_settings(fake.url, retries=2), sleep=lambda s: None)
        with pytest.raises(ModelError) as info:
            backend.complete(HELLO, max_tokens=8, temperature=0.5)
    assert str(info.value) == (
        f"writer.openai.base_urls {fake.url}/chat/completions: HTTP 502 'bad gateway' "
        "(after 3 tries)"
    )
    assert len(fake.requests) == 3 and "Authorization" not in fake.requests[0]["headers"]


def test_client_errors_are_not_retried_and_bad_replies_are_named() -> None:
    with ScriptedServer(lambda n: (400, {}, {"error": "bad max_tokens"})) as fake:
        backend = OpenAIBackend(openai_settings(fake.url), sleep=pytest.fail)
        with pytest.raises(ModelError, match="HTTP 400"):
            backend.complete(HELLO, max_tokens=8, temperature=0.5)
    assert len(fake.requests) == 1
    with ScriptedServer(lambda n: (200, {}, {"no": "choices"})) as fake:
        backend = OpenAIBackend(openai_settings(fake.url))
        with pytest.raises(ModelError, match="not an OpenAI chat completion"):
            backend.complete(HELLO, max_tokens=8, temperature=0.5)


def test_timeouts_and_refused_connections_are_retried_then_named() -> None:
    with ScriptedServer(lambda n: (200, {}, completion_json()), delay=0.6) as fake:
        backend = OpenAIBackend(openai_settings(fake.url, retries=1, timeout=0.2))
        backend._sleep = lambda s: None
        with pytest.raises(ModelError, match=r"timed out .* \(after 2 tries\)"):
            backend.complete(HELLO, max_tokens=8, temperature=0.5)
    backend = OpenAIBackend(openai_settings("http://127.0.0.1:9/v1", retries=0))
    with pytest.raises(ModelError, match=r"127.0.0.1:9/v1/chat/completions: cannot connect"):
        backend.complete(HELLO, max_tokens=8, temperature=0.5)


def test_retry_after_as_a_date_and_backoff_bounds() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds("1.5") == 1.5
    assert [backoff_seconds(a, rng=lambda: 1.0) for a in range(8)] == [
        0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0
    ]  # fmt: skip
    assert backoff_seconds(2, rng=lambda: 0.0) == 1.0


def test_an_unreachable_server_stops_write_with_one_line(tmp_path: Path) -> None:
    cfg = openai_desk(tmp_path, "http://127.0.0.1:9/v1", retries=0)
    from columnist import config

    engine = open_engine(config.load(cfg).database.url)
    seed_store(engine, stories(1))
    engine.dispose()
    line = error_line(columnist("write", "-q", "-c", str(cfg)))
    assert line.startswith("error: writer.openai.base_urls http://127.0.0.1:9/v1/chat")
    assert "cannot connect" in line
    logged = columnist("log", "--json", "-c", str(cfg))
    (row,) = [json.loads(x) for x in logged.stdout.splitlines()]
    assert row["outcome"] == "error" and "cannot connect" in row["error"]
