"""The writer's commands: `columnist log` (recent model calls), `columnist eval-writer`
and `columnist eval-verifier` (measure the writer and the claim verifier)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from columnist import config as config_mod
from columnist.cli import ConfigOpt, QuietOpt, open_desk
from columnist.commentary.backends.registry import BACKENDS
from columnist.commentary.backends.registry import names as backend_names
from columnist.errors import ColumnistError
from columnist.progress import console, stage

app = typer.Typer()


@app.command("log")
def show_log(
    config: ConfigOpt = None,
    count: Annotated[int, typer.Option("--count", "-n", help="How many calls.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
    story: Annotated[int | None, typer.Option(help="Only calls for this story id.")] = None,
    outcome: Annotated[str | None, typer.Option(help="ok | rejected | error")] = None,
    full: Annotated[bool, typer.Option("--full", help="Show each reply's text.")] = False,
    audit: Annotated[
        bool, typer.Option("--audit", help="The audit log instead: who did what to which post.")
    ] = False,
    webhooks: Annotated[
        bool, typer.Option("--webhooks", help="Webhook deliveries instead: every attempt.")
    ] = False,
    social: Annotated[
        bool, typer.Option("--social", help="Mastodon and Bluesky announcements instead.")
    ] = False,
) -> None:
    """List the latest model calls, newest first: backend, model, tokens, time, outcome."""
    from columnist.store.calls import recent_calls

    if audit:
        show_audit(config, count, as_json)
        return
    if webhooks:
        show_webhooks(config, count, as_json)
        return
    if social:
        show_social(config, count, as_json)
        return
    with open_desk(config) as (_settings, engine), engine.connect() as conn:
        rows = recent_calls(conn, max(1, count), story_id=story, outcome=outcome)
    if as_json:
        for r in rows:
            print(json.dumps(r.as_dict(full), ensure_ascii=False))
        return
    for r in rows:
        rate = f"{r.tokens_out / r.seconds:5.1f} tok/s" if r.tokens_out and r.seconds else ""
        why = r.error or "; ".join(r.problems)
        print(
            f"#{r.id} {r.created:%Y-%m-%d %H:%M:%S} story {r.story_id} {r.backend}/{r.model} "
            f"{r.prompt_version} {r.purpose} {r.attempt or '-'} persona={r.persona or '-'} "
            f"tokens {r.tokens_in or 0}->{r.tokens_out or 0} {r.seconds:.1f}s {rate} "
            f"{r.outcome}" + (f": {why}" if why else "")
        )
        if full and r.response:
            print("    " + r.response.replace("\n", "\n    "))
    tokens = sum(r.tokens_out or 0 for r in rows)
    seconds = sum(r.seconds for r in rows)
    outcomes = {o: sum(r.outcome == o for r in rows) for o in ("ok", "rejected", "error")}
    speed = f" ({tokens / seconds:.1f} tokens/s)" if seconds else ""
    console.print(
        f"{len(rows)} calls: {outcomes['ok']} ok, {outcomes['rejected']} rejected, "
        f"{outcomes['error']} failed; {tokens} tokens out in {seconds:.1f}s{speed}",
        highlight=False,
    )


def show_audit(config: Path | None, count: int, as_json: bool) -> None:
    """`log --audit`: the desk's audit log, newest first."""
    from columnist.store.audit import recent

    with open_desk(config) as (_settings, engine), engine.connect() as conn:
        rows = recent(conn, max(1, count))
    for r in rows:
        if as_json:
            print(json.dumps(r.as_dict(), ensure_ascii=False))
            continue
        post = f" post {r.post_id}" if r.post_id is not None else ""
        detail = f": {r.detail}" if r.detail else ""
        print(f"{r.created:%Y-%m-%d %H:%M:%S} {r.who} {r.action}{post}{detail}")


def show_webhooks(config: Path | None, count: int, as_json: bool) -> None:
    """`log --webhooks`: every attempt at a webhook delivery, newest first."""
    from columnist.store.deliveries import recent_attempts

    with open_desk(config) as (_settings, engine), engine.connect() as conn:
        rows = recent_attempts(conn, ("webhook",), max(1, count))
    for r in rows:
        if as_json:
            print(json.dumps(r.as_dict(), ensure_ascii=False))
            continue
        d = r.delivery
        answer = f"HTTP {r.status_code}" if r.status_code else "no answer"
        why = f": {r.error}" if r.error else ""
        print(
            f"{r.at:%Y-%m-%d %H:%M:%S} {d.event} post {d.post_id} -> {d.target.split(' ', 1)[1]} "
            f"delivery {d.key} {r.outcome} ({answer}, {r.seconds:.2f}s){why}; "
            f"delivery {d.status}"
        )


def show_social(config: Path | None, count: int, as_json: bool) -> None:
    """`log --social`: each announcement on Mastodon and Bluesky, newest first."""
    from columnist.store.deliveries import recent

    with open_desk(config) as (_settings, engine), engine.connect() as conn:
        rows = recent(conn, ("mastodon", "bluesky"), max(1, count))
    for d in rows:
        if as_json:
            print(json.dumps(d.as_dict(), ensure_ascii=False))
            continue
        result = d.remote if d.status == "sent" else (d.error or "")
        print(
            f"{d.updated:%Y-%m-%d %H:%M:%S} {d.target} post {d.post_id} {d.status} "
            f"after {d.attempts} attempt{'s' if d.attempts != 1 else ''}"
            + (f": {result}" if result else "")
        )


@app.command("eval-writer")
def eval_writer(
    file: Annotated[Path, typer.Argument(help="Stories, one JSON object a line.")],
    config: ConfigOpt = None,
    model: Annotated[str | None, typer.Option(help="Model name or GGUF path.")] = None,
    backend: Annotated[str | None, typer.Option(help=backend_names())] = None,
    base_url: Annotated[
        str | None, typer.Option(help="A server's URL, for a backend that uses one.")
    ] = None,
    words: Annotated[int | None, typer.Option(help="Target words per post.")] = None,
    concurrency: Annotated[int | None, typer.Option(help="Stories at once.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N stories.")] = None,
    store: Annotated[
        Path | None, typer.Option(help="Keep the scratch store here (a new file).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write every post here (JSON lines).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Only the JSON summary.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Write commentaries for a set of stories in a scratch store and measure them.

    Prints the share of posts passing the grounding check, unsupported facts per post,
    the share of openings that repeat and words per post; the desk's store is not used.
    """
    from columnist.commentary.evalset import load_stories
    from columnist.commentary.evaluate import evaluate, write_results

    settings = _eval_settings(config, model, backend, base_url, words, concurrency)
    items = load_stories(file)
    if store is not None and store.exists():
        raise ColumnistError(f"{store} already exists; eval-writer writes only a new store")
    with stage("eval", quiet) as progress:
        report = evaluate(items, settings, store=store, limit=limit, progress=progress)
    if out:
        write_results(report, out)
    if not as_json:
        for line in report.lines():
            console.print(line, highlight=False, markup=False)
    print(json.dumps(report.as_dict()))


@app.command("eval-verifier")
def eval_verifier(
    cases: Annotated[Path, typer.Argument(help="Labelled sentences, one JSON object a line.")],
    stories: Annotated[
        Path, typer.Option(help="The story set the cases refer to by title.")
    ] = Path("tests/data/writer_eval.jsonl"),
    config: ConfigOpt = None,
    model: Annotated[
        bool, typer.Option("--model/--rules", help="Also ask the writing model (yes/no).")
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Precision and recall of the claim verifier on hand-labelled sentences."""
    from columnist.commentary.backends import make_backend
    from columnist.commentary.verify_eval import evaluate_verifier, load_cases

    loaded = load_cases(cases, stories)
    backend = (
        make_backend(_eval_settings(config, None, None, None, None, None).writer) if model else None
    )
    try:
        with stage("verify", quiet) as progress:
            report = evaluate_verifier(loaded, backend, progress)
    finally:
        if backend:
            backend.close()
    d = report.as_dict()
    console.print(
        f"eval-verifier ({d['mode']}): {d['cases']} cases in {d['seconds']}s; "
        f"precision {d['precision']:.0%}, recall {d['recall']:.0%}; twisted claims passed "
        f"{d['twisted_passed']:.0%}; true sentences flagged {d['true_flagged']:.0%}; "
        f"acted on by the writer: precision {d['acted_precision']:.0%}, "
        f"recall {d['acted_recall']:.0%}",
        highlight=False,
    )
    for kind, text in d["by_kind"].items():
        console.print(f"  {kind:16} {text}", highlight=False)
    if d["per_post"]:
        pp = d["per_post"]
        console.print(
            f"  per post ({pp['posts']} posts, every sentence labelled): "
            f"{pp['unsupported']:.2f} unsupported by the labels; the verifier flags "
            f"{pp['flagged']:.2f} ({pp['unsupported_flagged']:.2f} of them unsupported) and the "
            f"writer acts on {pp['acted_on']:.2f}",
            highlight=False,
        )
    print(json.dumps(d))


def _eval_settings(
    config: Path | None,
    model: str | None,
    backend: str | None,
    base_url: str | None,
    words: int | None,
    concurrency: int | None,
) -> config_mod.Settings:
    """The desk's settings (or defaults), with the command line's overrides validated."""
    if model and Path(model).expanduser().is_file():  # a GGUF path relative to here
        model = str(Path(model).expanduser().resolve())
    writer: dict[str, object] = {
        "model": model,
        "backend": backend,
        "words": words,
        "concurrency": concurrency,
    }
    if base_url:  # into the table of each backend that talks to servers
        for info in BACKENDS.values():
            if info.server_key:
                writer[info.name] = {info.server_key: [base_url]}
                # the flag wins over an old flat key for the same option too (as it
                # does over the table's key); the file alone still notes its move
                flat = info.options_class().FLAT_KEYS
                writer |= {old: config_mod.UNSET for old, new in flat.items()
                           if new == info.server_key}  # fmt: skip
    if config is not None:
        config_mod.load(config)  # the file alone first: its own errors name its keys
    try:
        if config is None:
            data = config_mod.overridden({}, {"writer": writer})
            return config_mod.parse_settings(data, Path.cwd() / config_mod.CONFIG_NAME)
        return config_mod.load(config, overrides={"writer": writer})
    except ColumnistError as exc:
        raise ColumnistError(f"{exc} (after the command-line options)") from None
