"""The openai backend over several servers: requests are spread across them, a server
that is down is skipped, and it is used again once its cool-down has passed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from columnist.commentary.backends.endpoints import EndpointPool
from columnist.commentary.backends.openai import OpenAIBackend, OpenAIOptions
from columnist.config import WriterSettings
from tests.commentary.kit import SMALL_MODEL, ScriptedServer, completion_json, llama_server

HELLO = [{"role": "user", "content": "Say hello."}]
DEAD = "http://127.0.0.1:9/v1"  # nothing listens on the discard port


def settings(*urls: str, concurrency: int = 1, **options: object) -> WriterSettings:
    return WriterSettings(
        backend="openai",
        model=SMALL_MODEL,
        concurrency=concurrency,
        options={"openai": OpenAIOptions(base_urls=list(urls), **options)},
    )


def test_a_dead_server_is_skipped_and_a_real_one_answers() -> None:
    with llama_server() as live:
        backend = OpenAIBackend(settings(DEAD, live, retries=2), sleep=lambda s: None)
        backend.pool.clock = lambda: 0.0  # time stands still: a busy machine's slow replies
        for _ in range(3):  # would otherwise outlast the 5 s cool-down
            done = backend.complete(HELLO, max_tokens=8, temperature=0.0, seed=1)
            assert done.text.strip()
        dead, real = backend.pool.endpoints
        assert (dead.served, real.served) == (0, 3)
        assert dead.failures == 1, "tried once, then set aside for its cool-down"
        backend.close()


def test_requests_are_spread_over_the_servers() -> None:
    reply = completion_json("Hello there.")
    with ScriptedServer(lambda n: (200, {}, reply), delay=0.1) as a, \
            ScriptedServer(lambda n: (200, {}, reply), delay=0.1) as b:  # fmt: skip
        backend = OpenAIBackend(settings(a.url, b.url, concurrency=4))
        with ThreadPoolExecutor(4) as pool:
            list(
                pool.map(lambda _: backend.complete(HELLO, max_tokens=8, temperature=0.0), range(8))
            )
        backend.close()
    assert len(a.requests) + len(b.requests) == 8
    assert len(a.requests) >= 2 and len(b.requests) >= 2


def test_a_failing_server_comes_back_after_its_cool_down() -> None:
    now = [0.0]
    pool = EndpointPool(["a", "b"], clock=lambda: now[0])
    first = pool.acquire()
    pool.release(first, ok=False)
    assert first.url == "a" and first.down_until == 5.0
    for _ in range(3):  # while "a" cools down, everything goes to "b"
        e = pool.acquire()
        assert e.url == "b"
        pool.release(e, ok=True)
    now[0] = 6.0
    back = pool.acquire()
    assert back.url == "a", "least used once it is up again"
    pool.release(back, ok=False)
    assert back.down_until == 6.0 + 10.0, "a second failure in a row doubles the cool-down"


def test_a_5xx_moves_the_request_to_the_other_server() -> None:
    ok = completion_json("Fine.")
    with ScriptedServer(lambda n: (503, {}, "overloaded")) as sick, \
            ScriptedServer(lambda n: (200, {}, ok)) as well:  # fmt: skip
        slept: list[float] = []
        backend = OpenAIBackend(settings(sick.url, well.url, retries=3), sleep=slept.append)
        for _ in range(4):
            assert backend.complete(HELLO, max_tokens=8, temperature=0.0).text == "Fine."
        backend.close()
    assert len(sick.requests) == 1 and len(well.requests) == 4 and slept == []
