"""`columnist topics ...`: measure and explain topic filing and same-event clustering.

    columnist topics test FILE [-c topics.toml]      precision/recall/F1, threshold sweep
    columnist topics explain ENTRY [--story] [-c ..]  why a story was (not) filed
    columnist topics tune TOPIC [-c ..]              y/n on borderline entries -> examples
    columnist topics events FILE [-c ..]             pairwise and B-cubed clustering scores
    columnist topics refile [--days N] [--dry-run]   file stored stories again, as now

Heavy imports (numpy, the embedding model, the store) happen inside the commands so the
rest of the CLI starts fast. Bad input raises ColumnistError, which `columnist.cli.main`
prints as one line.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from columnist import config as config_mod
from columnist.cli import ConfigOpt, config_option
from columnist.errors import ColumnistError

if TYPE_CHECKING:
    from columnist.stories.evaluate import Counts, TopicScore

app = typer.Typer(
    name="topics",
    no_args_is_help=True,
    help="Measure and explain topic filing and same-event clustering.",
)

TopicsConfigOpt = config_option("columnist.toml, or a TOML file of [[topics]].")


def _out() -> Console:
    """Tables go to stdout; wide enough when piped that columns are not squeezed."""
    return Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else 150)


def _settings(path: Path | None, need_topics: bool) -> config_mod.Settings:
    default = Path(config_mod.CONFIG_NAME)
    if path is None and not need_topics and not default.is_file():
        return config_mod.parse_settings({}, default.resolve())
    settings = config_mod.load(path)
    if need_topics and not settings.topics:
        raise ColumnistError(f"{settings.path}: no [[topics]] to test")
    return settings


def _pct(x: float) -> str:
    return f"{x:.3f}"


def _counts_row(name: str, th: str, gold: int, c: Counts) -> list[str]:
    return [
        name,
        th,
        str(gold),
        str(c.tp + c.fp),
        str(c.tp),
        str(c.fp),
        str(c.fn),
        _pct(c.precision),
        _pct(c.recall),
        _pct(c.f1),
    ]


def _topic_table(title: str, score: TopicScore, settings, assigner) -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("Topic", "Threshold", "Labelled", "Filed", "TP", "FP", "FN"):
        table.add_column(col, justify="left" if col == "Topic" else "right")
    for col in ("Precision", "Recall", "F1"):
        table.add_column(col, justify="right")
    for topic in assigner.topics:
        c = score.per_topic[topic.slug]
        th = f"{assigner.threshold_of(topic):.2f}"
        table.add_row(*_counts_row(topic.name, th, c.tp + c.fn, c))
    m = score.micro
    table.add_section()
    table.add_row(*_counts_row("overall (micro)", "", m.tp + m.fn, m), style="bold")
    p, r, f = score.macro
    table.add_row("overall (macro)", "", "", "", "", "", "", _pct(p), _pct(r), _pct(f))
    return table


@app.command("test")
def topics_test(
    file: Annotated[Path, typer.Argument(help="JSON lines of {title, summary, topics}.")],
    config: TopicsConfigOpt = None,
    errors: Annotated[bool, typer.Option("--errors", help="List the misfiled lines.")] = False,
    check_band: Annotated[
        float | None,
        typer.Option(
            "--check",
            help="Also score with the writing model reading filings less than this above "
            "their threshold (default: [stories] topic_check_band; 0: no check).",
            min=0.0,
        ),
    ] = None,
) -> None:
    """Precision, recall and F1 of topic filing on a labelled file; suggests a threshold."""
    from columnist.stories.embed import shared_embedder
    from columnist.stories.evaluate import (
        TOPIC_SWEEP,
        TopicBench,
        best_topic_threshold,
        load_topic_set,
    )
    from columnist.stories.topics import TopicAssigner

    settings = _settings(config, need_topics=True)
    items = load_topic_set(file, settings.topics)
    embedder = shared_embedder()
    assigner = TopicAssigner(settings.topics, settings.stories, embedder.embed)
    bench = TopicBench(items, assigner, embedder.embed)
    out = _out()
    now = bench.score()
    out.print(
        f"{len(items)} labelled headlines in {file}, {len(settings.topics)} topics "
        f"from {settings.path}; [stories] topic_threshold = "
        f"{settings.stories.topic_threshold:.2f}, topic_second_threshold = "
        f"{settings.stories.topic_second_threshold:.2f}, topic_margin = "
        f"{settings.stories.topic_margin:.2f}"
    )
    out.print(_topic_table("Topic filing at the configured thresholds", now, settings, assigner))

    sweep = bench.sweep(TOPIC_SWEEP)
    best_th, best = best_topic_threshold(sweep)
    table = Table(title="Sweep of [stories] topic_threshold (micro)", title_justify="left")
    for col in ("topic_threshold", "Precision", "Recall", "F1", ""):
        table.add_column(col, justify="right")
    current = settings.stories.topic_threshold
    for value, s in sweep[::2]:
        mark = "best" if value == best_th else ("current" if abs(value - current) < 1e-9 else "")
        table.add_row(
            f"{value:.2f}", _pct(s.micro.precision), _pct(s.micro.recall), _pct(s.micro.f1), mark
        )
    out.print(table)
    out.print(
        f"suggested: [stories] topic_threshold = {best_th:.2f} "
        f"(micro F1 {best.micro.f1:.3f}; configured {current:.2f} gives {now.micro.f1:.3f})"
    )
    a, b = bench.halves()
    for name, choose, check in (("A", a, b), ("B", b, a)):
        th, _ = best_topic_threshold(bench.sweep(TOPIC_SWEEP, choose))
        held = bench.score(replace(settings.stories, topic_threshold=th), check).micro.f1
        out.print(
            f"held-out check: chosen on half {name} ({len(choose)} lines) = {th:.2f}, "
            f"micro F1 on the other half ({len(check)} lines) = {held:.3f}"
        )
    _per_topic_hints(out, bench, assigner)
    band = settings.stories.topic_check_band if check_band is None else check_band
    if band > 0:
        stories = replace(settings.stories, topic_check_band=band)
        _checked(out, bench, assigner, replace(settings, stories=stories), now)
    if errors:
        _print_errors(out, items, now, assigner)


def _checked(out: Console, bench, assigner, settings, before) -> None:
    """The figures with the writing model reading the borderline filings, and its cost."""
    from columnist.progress import stage
    from columnist.stories.evaluate import score_topics
    from columnist.stories.stage import topic_check

    check = topic_check(settings)
    with stage("check") as advance:
        predicted = bench.predict_checked(assigner, check, advance)
    s = score_topics(bench.items, predicted, bench.slugs).micro
    each = check.seconds / check.asked if check.asked else 0.0
    out.print(
        f"with the model check ({settings.stories.topic_check}, band {check.band:.2f}): "
        f"micro precision {s.precision:.3f}, "
        f"recall {s.recall:.3f}, F1 {s.f1:.3f} (without: {before.micro.precision:.3f} / "
        f"{before.micro.recall:.3f} / {before.micro.f1:.3f}); {check.asked} questions for "
        f"{len(bench.items)} items in {check.seconds:.1f}s ({each:.2f}s each)"
    )


def _per_topic_hints(out: Console, bench, assigner) -> None:
    """A per-topic `threshold` that would maximise that topic's own F1, where it helps."""
    from columnist.stories.evaluate import TOPIC_SWEEP

    base = bench.score()
    curves = bench.sweep(TOPIC_SWEEP, every=True)
    hints = []
    for topic in assigner.topics:
        best_v, best_f = None, base.per_topic[topic.slug].f1
        for v, score in curves:
            f = score.per_topic[topic.slug].f1
            if f > best_f + 0.02:
                best_v, best_f = v, f
        if best_v is not None:
            hints.append(
                f"  [[topics]] {topic.name!r}: threshold = {best_v:.2f} "
                f"(F1 {base.per_topic[topic.slug].f1:.3f} -> {best_f:.3f})"
            )
    if hints:
        out.print("per-topic thresholds that would help on this file (beware of overfitting):")
        for line in hints:
            out.print(line)


def _print_errors(out: Console, items, score: TopicScore, assigner) -> None:
    names = {t.slug: t.name for t in assigner.topics}
    by_line = {i.line: i for i in items}
    table = Table(title="Misfiled lines", title_justify="left")
    for col in ("Line", "Headline", "Labelled", "Filed"):
        table.add_column(col)
    for line, gold, got in score.errors:
        table.add_row(
            str(line),
            by_line[line].title,
            ", ".join(sorted(names[s] for s in gold)) or "-",
            ", ".join(sorted(names[s] for s in got)) or "-",
        )
    out.print(table)


@app.command("explain")
def topics_explain(
    item: Annotated[int, typer.Argument(metavar="ENTRY", help="Entry id (or story id).")],
    config: TopicsConfigOpt = None,
    story: Annotated[bool, typer.Option("--story", help="ENTRY is a story id.")] = False,
) -> None:
    """Why a story was or wasn't filed under each topic: score, threshold, rule."""
    import numpy as np

    from columnist.store import entries as entry_store
    from columnist.store import stories as story_store
    from columnist.store.db import open_engine
    from columnist.stories.embed import DIM, from_bytes, shared_embedder
    from columnist.stories.stage import entry_text, unit
    from columnist.stories.topics import TopicAssigner

    settings = _settings(config, need_topics=True)
    engine = open_engine(settings.database.url)
    try:
        with engine.connect() as conn:
            if story:
                story_id = item
            else:
                found = story_store.story_of_entry(conn, item)
                if found is None:
                    raise ColumnistError(
                        f"entry {item} is not in {settings.database.url} "
                        "(pass --story if it is a story id)"
                    )
                story_id = found[0]
            if story_id is None:  # not clustered yet: explain the entry on its own
                record = None
                members = [entry_store.by_id(conn, item)]
            else:
                record = story_store.find(conn, story_id)
                if record is None:
                    raise ColumnistError(f"story {story_id} is not in {settings.database.url}")
                members = entry_store.story_entries(conn, story_id)
            filed = story_store.filed_topics(conn, story_id) if story_id is not None else []
    finally:
        engine.dispose()
    embedder = shared_embedder()
    assigner = TopicAssigner(settings.topics, settings.stories, embedder.embed)
    if record is not None and record.centroid and len(record.centroid) == DIM * 4:
        vector = unit(from_bytes(record.centroid))
    else:
        vectors = [
            from_bytes(e.embedding)
            if e.embedding and len(e.embedding) == DIM * 4
            else embedder.embed([entry_text(e.title, e.text)])[0]
            for e in members
        ]
        vector = unit(np.sum(vectors, axis=0))
    hits: set[str] = set()
    for e in members:
        hits |= assigner.text_hits(f"{e.title}\n{e.text}")
    out = _out()
    sources = sorted({e.source_name for e in members})
    if record is not None:
        out.print(
            f"story {record.id}: {record.title!r}, {len(members)} entries from "
            f"{len(sources)} sources ({', '.join(sources)})",
            markup=False,
        )
    else:
        out.print(f"entry {item} ({members[0].title!r}) is not in a story yet")
    names = {t.slug: t.name for t in settings.topics}
    stored = ", ".join(f"{names.get(s, s)} ({rule} {score:.3f})" for s, score, rule in filed)
    out.print(f"filed in the store under: {stored or 'no topic'}")
    table = Table(title="Topic decisions with the current configuration", title_justify="left")
    decisions = assigner.decide(vector, hits)
    tuned = any(d.example or d.counter_example for d in decisions)
    columns = ["Topic", "Score", "Threshold", "Filed", "Rule", "Why", "Closest view"]
    columns += ["Nearest example", "Nearest counter-example"] if tuned else []
    for col in columns:
        table.add_column(col, justify="right" if col in ("Score", "Threshold") else "left")
    for d in decisions:
        row = [
            d.name,
            f"{d.score:.3f}",
            f"{d.threshold:.2f}",
            "yes" if d.filed else "no",
            d.rule,
            d.reason,
            d.view,
        ]
        table.add_row(*row, *([d.example, d.counter_example] if tuned else []))
    out.print(table)


@app.command("events")
def topics_events(
    file: Annotated[
        Path, typer.Argument(help="JSON lines of {event, title, summary, published, source}.")
    ],
    config: TopicsConfigOpt = None,
) -> None:
    """Same-event clustering on a labelled file: pairwise and B-cubed scores, a threshold."""
    from columnist.stories.embed import shared_embedder
    from columnist.stories.evaluate import (
        best_event_threshold,
        half,
        load_event_set,
        score_events,
        sweep_events,
    )

    settings = _settings(config, need_topics=False)
    entries = load_event_set(file)
    vectors = shared_embedder().embed([e.text for e in entries])
    s = settings.stories
    out = _out()
    out.print(
        f"{len(entries)} labelled entries of {len({e.event for e in entries})} events in "
        f"{file}; [stories] same_event_threshold = {s.same_event_threshold:.3f}, "
        f"window_days = {s.window_days:g}, event_name_weight = {s.event_name_weight:g}, "
        f"event_same_source_penalty = {s.event_same_source_penalty:g}, "
        f"event_crowding = {s.event_crowding:g}, event_cohesion_gap = {s.event_cohesion_gap:g}"
    )
    now = score_events(entries, vectors, s)
    sweep = sweep_events(entries, vectors, s)
    best = best_event_threshold(sweep)
    table = Table(title="Same-event clustering", title_justify="left")
    cols = ("Threshold", "Stories", "Pair P", "Pair R", "Pair F1", "B3 P", "B3 R", "B3 F1")
    for col in (*cols, "X-src R", ""):  # X-src R: pair recall across two sources
        table.add_column(col, justify="right")
    rows = list(sweep)
    if all(abs(x.threshold - now.threshold) > 1e-9 for x in rows):
        rows = sorted([*rows, now], key=lambda x: x.threshold)
    for sc in rows:
        mark = []
        if abs(sc.threshold - s.same_event_threshold) < 1e-9:
            mark.append("current")
        if sc is best:
            mark.append("best")
        table.add_row(
            f"{sc.threshold:.3f}",
            str(sc.stories),
            *map(_pct, sc.pairwise),
            *map(_pct, sc.bcubed),
            _pct(sc.cross_recall),
            ", ".join(mark),
        )
    out.print(table)
    out.print(
        f"configured {s.same_event_threshold:.3f}: pairwise P {now.pairwise[0]:.3f} "
        f"R {now.pairwise[1]:.3f} F1 {now.pairwise[2]:.3f}; B-cubed P {now.bcubed[0]:.3f} "
        f"R {now.bcubed[1]:.3f} F1 {now.bcubed[2]:.3f}; pairs of one event from two sources "
        f"put together {now.cross_recall:.3f}"
    )
    out.print(
        f"suggested: [stories] same_event_threshold = {best.threshold:.3f} "
        f"(B-cubed F1 {best.bcubed[2]:.3f}, pairwise F1 {best.pairwise[2]:.3f})"
    )
    for name in (0, 1):
        pick = [i for i, e in enumerate(entries) if half(e.event) == name]
        rest = [i for i, e in enumerate(entries) if half(e.event) != name]
        if not pick or not rest:
            continue
        chosen = best_event_threshold(
            sweep_events([entries[i] for i in pick], vectors[pick], s)
        ).threshold
        held = score_events([entries[i] for i in rest], vectors[rest], s, chosen)
        out.print(
            f"held-out check: chosen on half {'AB'[name]} ({len(pick)} entries) = "
            f"{chosen:.3f}, B-cubed F1 on the other half ({len(rest)} entries) = "
            f"{held.bcubed[2]:.3f}"
        )


@app.command("tune")
def topics_tune(
    topic: Annotated[str, typer.Argument(help="The topic's name (or slug).")],
    config: ConfigOpt = None,
    questions: Annotated[
        int, typer.Option("--questions", "-n", min=1, help="At most this many questions.")
    ] = 30,
    entries: Annotated[
        int, typer.Option("--entries", min=1, help="Ask about the newest N stored entries.")
    ] = 3000,
) -> None:
    """Ask y/n about the stored entries a topic is least sure of; save them as examples."""
    from columnist.cli.tune import tune

    tune(config_mod.load(config), topic, questions, entries)


@app.command("refile")
def topics_refile(
    config: TopicsConfigOpt = None,
    days: Annotated[
        float,
        typer.Option("--days", min=0, help="Stories seen in the last N days (0: every story)."),
    ] = 7,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; store nothing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """File stored stories again under the topics as configured now (after `topics tune`)."""
    from datetime import UTC, datetime, timedelta

    from columnist.progress import stage
    from columnist.store.db import open_engine
    from columnist.stories.refile import ALL_STORIES, run_refile

    settings = _settings(config, need_topics=True)
    since = datetime.now(UTC) - timedelta(days=days) if days else ALL_STORIES
    engine = open_engine(settings.database.url)
    try:
        with stage("refile", quiet) as progress:
            report = run_refile(engine, settings, since, dry_run=dry_run, progress=progress)
    finally:
        engine.dispose()
    out = _out()
    names = {t.slug: t.name for t in settings.topics}
    for r in report.changed:
        before = ", ".join(names.get(s, s) for s in r.before) or "no topic"
        after = ", ".join(names.get(s, s) for s in r.after) or "no topic"
        out.print(f"story {r.story_id} {r.title!r}: {before} -> {after}", soft_wrap=True)
    out.print(report.summary(), soft_wrap=True)
