"""Writer throughput: the embedded backend against llama.cpp itself, and the openai
backend with 1 vs N requests in flight against a local llama.cpp server.

    .venv/bin/python bench/writer.py                      # the 1.5B model (minutes)
    .venv/bin/python bench/writer.py --model smollm2-135m-instruct   # a quick run

Embedded: stories from tests/data/writer_eval.jsonl go through the whole write stage
(scratch store, prompt, model, checks, transaction); generated tokens per second of
wall time are set against llama.cpp's own speed on the same prompts (its perf counters:
prompt evaluation plus generation, no Python), and against a bare
`Llama.create_chat_completion` on the same messages. Goal: ratio >= 0.95.

OpenAI: llama.cpp's own `llama-server` is started on 127.0.0.1 with N parallel slots
and continuous batching (built once from the pinned llama-cpp-python sdist by
bench/build_llama_server.sh, ~10 min on 2 cores), and N stories are written with
`writer.concurrency` 1, then N. `--server llama_cpp.server` uses llama-cpp-python's
server instead (one request at a time: 8 in flight only overlap HTTP and queueing);
--base-url names a server that is already running. The last line printed is one JSON
object: {"embedded_ratio": ..., "openai_1_tok_s": ..., "openai_8_tok_s": ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from columnist import config
from columnist.commentary.backends.base import Completion, Message
from columnist.commentary.backends.embedded import EmbeddedBackend
from columnist.commentary.evalset import load_stories
from columnist.commentary.stage import run_write
from columnist.modelfiles import gguf_path
from columnist.store.db import open_engine
from columnist.store.seed import seed_store

STORIES = Path(__file__).resolve().parent.parent / "tests" / "data" / "writer_eval.jsonl"


def settings_for(folder: Path, writer: dict) -> config.Settings:
    """A scratch desk: one attempt per story so every run sends the same prompts."""
    values = {"max_attempts": 1, "strict": False, "seed": 11, "temperature": 0.7} | writer
    lines = [  # a backend's own options (a dict) go in its table, [writer.<name>]
        f"{k}.{o} = {json.dumps(x)}" if isinstance(v, dict) else f"{k} = {json.dumps(v)}"
        for k, v in values.items()
        for o, x in (v.items() if isinstance(v, dict) else [(None, None)])
    ]
    text = "[writer]\n" + "\n".join(lines)
    path = folder / "columnist.toml"
    path.write_text(text + "\n")
    return config.parse_settings(tomllib.loads(path.read_text()), path)


class Recorder:
    """Passes calls to a backend and keeps what was asked, to replay it bare."""

    def __init__(self, backend: EmbeddedBackend) -> None:
        self.backend, self.name, self.model = backend, backend.name, backend.model
        self.concurrency = 1
        self.asked: list[tuple[list[Message], dict]] = []
        self.done: list[Completion] = []

    def complete(self, messages: list[Message], **params) -> Completion:
        self.asked.append((messages, params))
        result = self.backend.complete(messages, **params)
        self.done.append(result)
        return result

    def close(self) -> None:
        pass


def write_stage(settings: config.Settings, stories: list, backend=None) -> tuple[int, float]:
    """(generated tokens, wall seconds) of the write stage over `stories`; the stage's
    report is kept in LAST for the per-story figures."""
    engine = open_engine(settings.database.url)
    try:
        seed_store(engine, stories)
        started = time.perf_counter()
        report = run_write(engine, settings, backend=backend)
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    if report.failed or report.stories != len(stories):
        raise SystemExit(f"the write stage failed: {report}")
    LAST["report"] = report
    return report.tokens_out, seconds


LAST: dict = {}


def bench_embedded(args: argparse.Namespace, stories: list) -> dict:
    writer = {"backend": "embedded", "model": args.model, "words": args.words}
    if args.threads:
        writer["embedded"] = {"threads": args.threads}
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(Path(tmp), writer)
        backend = EmbeddedBackend(settings.writer)
        backend.complete([{"role": "user", "content": "Hello."}], max_tokens=8, temperature=0)
        recorder = Recorder(backend)
        backend.llm.reset()
        tokens, wall = write_stage(settings, stories, recorder)
        written = LAST["report"]
        engine = sum(c.engine_seconds or 0.0 for c in recorder.done)
        backend.llm.reset()  # the bare replay starts from the same (empty) cache
        bare_tokens, bare_seconds = 0, 0.0
        for messages, params in recorder.asked:
            started = time.perf_counter()
            result = backend.llm.create_chat_completion(  # no constraints: llama.cpp alone
                messages=messages,
                max_tokens=params["max_tokens"],
                temperature=params["temperature"],
                seed=params["seed"],
                top_p=0.9,
                repeat_penalty=1.1,
            )
            bare_seconds += time.perf_counter() - started
            bare_tokens += result["usage"]["completion_tokens"]
        backend.close()
    figures = {
        "model": args.model,
        "threads": backend.threads,
        "stories": len(stories),
        "tokens": tokens,
        "writer_tok_s": tokens / wall,
        "llama_cpp_tok_s": tokens / engine if engine else None,
        "bare_python_tok_s": bare_tokens / bare_seconds,
        "bare_tokens": bare_tokens,
        "seconds_per_story": wall / len(stories),
        "published_share": written.published / max(1, written.stories),
        "calls_per_story": written.calls / max(1, written.stories),
    }
    figures["ratio"] = figures["writer_tok_s"] / figures["llama_cpp_tok_s"] if engine else None
    figures["ratio_to_bare"] = figures["writer_tok_s"] / figures["bare_python_tok_s"]
    return figures


@contextmanager
def llama_server(model: str, threads: int, context: int):
    """A llama_cpp.server on 127.0.0.1 (port chosen by the OS); yields its /v1 URL."""
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path(model)),
        "--host", "127.0.0.1", "--port", "0", "--n_ctx", str(context),
        "--n_threads", str(threads), "--n_threads_batch", str(threads), "--verbose", "False",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        assert proc.stderr is not None
        port = None
        while port is None:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                raise SystemExit(f"llama_cpp.server exited with {proc.returncode}")
            found = re.search(r"running on http://127\.0\.0\.1:(\d+)", line)
            port = found.group(1) if found else None
        threading.Thread(target=proc.stderr.read, daemon=True).start()
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def llama_cpp_server(model: str, threads: int, context: int, slots: int):
    """llama.cpp's `llama-server` with `slots` parallel slots; yields its /v1 URL."""
    built = subprocess.run(
        ["bash", str(Path(__file__).with_name("build_llama_server.sh"))],
        check=True, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    port = free_port()
    cmd = [
        built.stdout.strip().splitlines()[-1], "--model", str(gguf_path(model)),
        "--host", "127.0.0.1", "--port", str(port), "--parallel", str(slots),
        "--ctx-size", str(context * slots), "--cont-batching", "--threads", str(threads),
        "--threads-batch", str(threads), "--no-webui", "--log-disable",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"llama-server exited with {proc.returncode}: {' '.join(cmd)}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("llama-server did not become ready in 300 s")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def bench_openai(args: argparse.Namespace, stories: list) -> dict:
    model = args.server_model or args.model
    figures: dict = {"server_model": model, "requests": len(stories)}

    def run(url: str) -> None:
        for flight in (1, args.requests):
            writer = {
                "backend": "openai",
                "openai": {"base_urls": [url], "timeout": 3600},
                "model": model,
                "words": args.words,
                "concurrency": flight,
            }
            with tempfile.TemporaryDirectory() as tmp:
                tokens, seconds = write_stage(settings_for(Path(tmp), writer), stories)
            figures[f"openai_{flight}_tok_s"] = tokens / seconds
            figures[f"openai_{flight}_tokens"] = tokens
            figures[f"openai_{flight}_seconds"] = seconds
            print(f"  {flight} in flight: {tokens} tokens in {seconds:.1f}s", file=sys.stderr)

    if args.base_url:
        figures["server"] = args.base_url
        run(args.base_url)
    elif args.server == "llama_cpp.server":
        figures["server"] = "llama_cpp.server (no parallel slots: requests are queued)"
        threads = args.threads or len(os.sched_getaffinity(0))
        with llama_server(model, threads, 4096) as url:
            run(url)
    else:
        figures["server"] = f"llama-server with {args.requests} parallel slots"
        threads = args.threads or len(os.sched_getaffinity(0))
        with llama_cpp_server(model, threads, 4096, args.requests) as url:
            run(url)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--server-model", help="model for the openai part (default: --model)")
    parser.add_argument("--stories", type=int, default=3, help="stories for the embedded part")
    parser.add_argument("--requests", type=int, default=8, help="requests in flight at most")
    parser.add_argument("--words", type=int, default=220)
    parser.add_argument("--threads", type=int, help="llama.cpp threads (default: all cores)")
    parser.add_argument("--base-url", help="use this running OpenAI-compatible server")
    parser.add_argument(
        "--server",
        choices=("llama-server", "llama_cpp.server"),
        default="llama-server",
        help="the server to start for the openai part (default: llama.cpp's llama-server)",
    )
    parser.add_argument("--skip-openai", action="store_true")
    parser.add_argument("--skip-embedded", action="store_true")
    args = parser.parse_args()
    items = load_stories(STORIES)
    result: dict = {"embedded_ratio": None, "openai_1_tok_s": None, "openai_8_tok_s": None}
    print(f"load average before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    if not args.skip_embedded:
        emb = bench_embedded(args, items[: args.stories])
        print(
            f"embedded {emb['model']} ({emb['threads']} threads), {emb['stories']} stories, "
            f"{emb['tokens']} tokens: writer {emb['writer_tok_s']:.1f} tok/s, llama.cpp own "
            f"{emb['llama_cpp_tok_s'] or 0:.1f} tok/s (ratio {emb['ratio'] or 0:.3f}), bare "
            f"create_chat_completion {emb['bare_python_tok_s']:.1f} tok/s "
            f"({emb['bare_tokens']} tokens; ratio {emb['ratio_to_bare']:.3f})"
        )
        result["embedded_ratio"] = round(emb["ratio"], 3) if emb["ratio"] else None
        result["embedded_writer_tok_s"] = round(emb["writer_tok_s"], 2)
        result["embedded_llama_cpp_tok_s"] = round(emb["llama_cpp_tok_s"] or 0, 2)
        result["embedded_bare_tok_s"] = round(emb["bare_python_tok_s"], 2)
    if not args.skip_openai:
        stories = [items[i % len(items)] for i in range(args.requests)]
        oa = bench_openai(args, stories)
        one, many = oa["openai_1_tok_s"], oa[f"openai_{args.requests}_tok_s"]
        print(
            f"openai {oa['server_model']} via {oa['server']}: {len(stories)} stories, "
            f"1 in flight {one:.1f} tok/s, {args.requests} in flight {many:.1f} tok/s "
            f"(x{many / one:.2f})"
        )
        result["openai_1_tok_s"] = round(one, 2)
        result[f"openai_{args.requests}_tok_s"] = round(many, 2)
    result["load_average"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
