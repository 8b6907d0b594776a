"""The test kit: desks, the small test model, servers on 127.0.0.1, running commands.

desk(), desk_settings()       a desk's columnist.toml (the one way tests make one)
small_writer(), SMALL_MODEL   the [writer] table of the fast test model
invoke()                      `columnist ARGS` in this process (click's CliRunner)
columnist(), error_line()     `columnist ARGS` as a child process, as a user runs it
served(), serve_dir           a folder served over HTTP; feed_server (feedserver.py)
                              serves the fixture feeds and misbehaves on cue
database_url, new_pg_database a store on SQLite and on PostgreSQL
embedder                      the real MiniLM embedder, loaded once
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pytest
import tomlkit
from click.testing import CliRunner

from tests.feedserver import feed_server, feeds_dir  # noqa: F401 - fixtures for every folder

if TYPE_CHECKING:
    from columnist.config import Settings
    from columnist.stories.embed import Embedder

DATA = Path(__file__).parent / "data"
SMALL_MODEL = "smollm2-135m-instruct"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """A real HTTP server for `folder` on 127.0.0.1; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def serve_dir() -> Iterator:
    """serve_dir(path) -> base URL of a real HTTP server for that folder."""
    with ExitStack() as stack:
        yield lambda folder: stack.enter_context(served(folder))


def small_writer(words: int = 60, **extra: object) -> str:
    """[writer] table for the fast test model: tests the machinery, not the prose.
    The one source of it: tests/commentary/kit.py asks here too."""
    values = {
        "backend": "embedded",
        "model": SMALL_MODEL,
        "words": words,
        "max_tokens": int(words * 1.6),
        "strict": False,
        "max_attempts": 1,
        "seed": 1,
        # one thread: llama.cpp's spinning threads slow down 8x when cores are shared
        "threads": 1,
    } | extra
    return writer_table(values)


def writer_table(values: Mapping[str, object]) -> str:
    """A [writer] table of `values`; a backend's own keys (threads, base_urls, ...) are
    written as dotted keys into its table (`embedded.threads = 1`: [writer.embedded]),
    so more [writer] keys may still follow the text."""
    from dataclasses import fields

    from columnist.commentary.backends.registry import BACKENDS

    owner = {f.name: name for name, info in BACKENDS.items() for f in fields(info.options_class())}
    lines = [
        f"{owner[k] + '.' if k in owner else ''}{k} = {json.dumps(v)}" for k, v in values.items()
    ]
    return "[writer]\n" + "\n".join(lines) + "\n"


def write_config(folder: Path, body: str) -> Path:
    path = folder / "columnist.toml"
    path.write_text(body)
    return path


LOCAL_FETCH = {"allow_private": True, "timeout": 5.0}  # the test feeds are on 127.0.0.1


def desk(
    folder: Path,
    *toml: str,
    database: str | None = None,
    fetch: Mapping[str, object] | None = None,
    **tables: object,
) -> Path:
    """The one way a test makes a desk: writes `folder`/columnist.toml, returns its path.

    The file holds the TOML text `toml` in order ([[sources]], [[topics]],
    small_writer(), ...), then the tables written from data: [database] url =
    `database` if given (else the default store, columnist.db in `folder`), [fetch]
    (LOCAL_FETCH updated with `fetch`) and `tables` (stories={...}, sources=[{...}]).
    """
    folder.mkdir(parents=True, exist_ok=True)
    data: dict[str, object] = {}
    if database is not None:
        data["database"] = {"url": database}
    data["fetch"] = LOCAL_FETCH | dict(fetch or {})
    text = "".join(part if part.endswith("\n") else part + "\n" for part in toml)
    return write_config(folder, text + "\n" + tomlkit.dumps(data | tables))


def desk_settings(folder: Path, *toml: str, **options: object) -> Settings:
    """The settings of `desk(folder, *toml, **options)`, loaded as the commands load them."""
    from columnist import config

    return config.load(desk(folder, *toml, **options))


PG_ENV = "COLUMNIST_TEST_PG_URL"  # set by .ci/postgres.sh; CI also sets COLUMNIST_REQUIRE_PG


def new_pg_database() -> str:
    """A fresh, empty PostgreSQL database on the test server; returns its URL."""
    import uuid

    import psycopg

    admin = os.environ.get(PG_ENV)
    if not admin:
        if os.environ.get("COLUMNIST_REQUIRE_PG"):
            pytest.fail(f"{PG_ENV} is not set but COLUMNIST_REQUIRE_PG is")
        pytest.skip(f'no PostgreSQL: run `eval "$(bash .ci/postgres.sh start)"` to set {PG_ENV}')
    name = f"columnist_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + "/" + name


def database_url_for(kind: str, folder: Path) -> str:
    return f"sqlite:///{folder}/columnist.db" if kind == "sqlite" else new_pg_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs once on a SQLite file and once on PostgreSQL."""
    return database_url_for(request.param, tmp_path)


def columnist(
    *args: str, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`columnist ARGS` in a child process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "columnist", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )


@click.command(add_help_option=False, context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def _entry_point(args: tuple[str, ...]) -> None:
    from columnist.cli import main

    main(list(args))


def invoke(
    *args: str,
    cwd: Path | None = None,
    input: str | None = None,  # noqa: A002 - CliRunner's word
) -> subprocess.CompletedProcess[str]:
    """`columnist ARGS` in this process, through the same `main` as the command (a user
    error is one red line and exit status 1), answered like `columnist()`: for tests of
    what a command does, not of the process it runs in. A bug raises here, in the test."""
    with contextlib.chdir(cwd or Path.cwd()):
        done = CliRunner().invoke(_entry_point, list(args), input=input, catch_exceptions=False)
    return subprocess.CompletedProcess(
        ["columnist", *args], done.exit_code, stdout=done.stdout, stderr=done.stderr
    )


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2 int8 model, loaded once for the whole run."""
    from columnist.stories.embed import shared_embedder

    return shared_embedder()


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The single line a failing command prints, with no traceback."""
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]
