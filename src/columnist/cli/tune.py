"""The session behind `columnist topics tune TOPIC` (the command is in cli/topics.py): a
topic made precise by answering y/n on borderline items.

    columnist topics tune "Middle East" [-c columnist.toml] [--questions 30]

Shows the desk's own stored entries that the topic is least sure about, one at a time
(headline, outlet, date, score against the threshold), asks whether each belongs, and
saves the answers as the topic's `examples` / `counter_examples` in columnist.toml
(comments and layout kept) and in a labelled set beside it (topics_labelled.jsonl,
usable with `columnist topics test`). Answers are read line by line from the terminal,
or from standard input when it is not one (`printf 'y\\nn\\n' | columnist topics tune X`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from columnist import config as config_mod
from columnist.errors import ColumnistError

if TYPE_CHECKING:
    from columnist.stories.tune import Tally, TuneSession

ANSWERS = {"y": True, "yes": True, "n": False, "no": False, "s": None, "skip": None}
LEAD_WORDS = 40


def _find_topic(settings: config_mod.Settings, wanted: str) -> config_mod.TopicSettings:
    key, slug = wanted.strip().casefold(), config_mod.slugify(wanted)
    for topic in settings.topics:
        if key == topic.name.casefold() or slug == topic.slug:
            return topic
    names = ", ".join(repr(t.name) for t in settings.topics) or "none configured"
    raise ColumnistError(f"{settings.path}: no topic {wanted!r} (topics: {names})")


def _candidates(settings: config_mod.Settings, limit: int):
    """The newest stored entries, as candidates with their embeddings (stored ones reused)."""
    import numpy as np

    from columnist.store import entries as entry_store
    from columnist.store.db import open_engine
    from columnist.stories.embed import DIM, from_bytes, shared_embedder
    from columnist.stories.stage import entry_text
    from columnist.stories.tune import Candidate

    engine = open_engine(settings.database.url)
    try:
        with engine.connect() as conn:
            records = entry_store.newest(conn, limit)
    finally:
        engine.dispose()
    if not records:
        raise ColumnistError(
            f"{settings.database.url}: no stored entries to ask about "
            "(run `columnist ingest` first)"
        )
    embedder = shared_embedder()
    vectors = np.zeros((len(records), DIM), dtype=np.float32)
    missing = []
    for i, r in enumerate(records):
        if r.embedding is not None and len(r.embedding) == DIM * 4:
            vectors[i] = from_bytes(r.embedding)
        else:
            missing.append(i)
    if missing:
        vectors[missing] = embedder.embed(
            [entry_text(records[i].title, records[i].text) for i in missing]
        )
    candidates = [
        Candidate(str(r.id), r.title, r.text, r.source_name, r.published, r.story_id)
        for r in records
    ]
    return candidates, vectors, embedder


def _question(session: TuneSession, index: int, number: int, total: int) -> Panel:
    c = session.candidates[index]
    score = float(session.scores()[index])
    now = "filed now" if score >= session.threshold else "not filed now"
    meta = Text(style="dim")
    meta.append(
        " · ".join(x for x in (c.source, f"{c.published:%Y-%m-%d}" if c.published else "") if x)
    )
    meta.append(f" · score {score:.3f}, threshold {session.threshold:.2f} ({now})")
    body = [Text(c.title, style="bold"), meta]
    lead = " ".join(c.text.split()[:LEAD_WORDS])
    if lead:
        body.append(Text(lead + (" …" if len(c.text.split()) > LEAD_WORDS else "")))
    title = Text(f"{number}/{total} · {session.topic.name}")
    return Panel(Group(*body), title=title, title_align="left")


def _ask(console: Console, topic: str) -> bool | None | str:
    """y/n/s, or "quit" (q, or the end of the input)."""
    while True:
        try:
            reply = console.input(Text(f"Does it belong in {topic!r}? [y]es/[n]o/[s]kip/[q]uit: "))
        except EOFError:
            console.print()
            return "quit"
        if not sys.stdin.isatty():
            console.print(Text(reply.strip()), soft_wrap=True)  # piped answers, shown in the log
        reply = reply.strip().casefold()
        if reply in ("q", "quit"):
            return "quit"
        if reply in ANSWERS:
            return ANSWERS[reply]
        console.print(Text("please answer y, n, s or q"), soft_wrap=True)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _tally_line(name: str, t: Tally) -> str:
    return (
        f"{name}: precision {t.precision:.3f}, recall {t.recall:.3f}, F1 {t.f1:.3f} "
        f"({t.tp} right, {t.fp} wrongly filed, {t.fn} missed, {t.tn} rightly left out)"
    )


def tune(settings: config_mod.Settings, topic: str, questions: int, entries: int) -> None:
    """Ask y/n about the stored entries a topic is least sure of; save them as examples."""
    from columnist.config_edit import add_topic_examples
    from columnist.stories.topics import TopicAssigner
    from columnist.stories.tune import LABELS_NAME, TuneSession, save_labels

    chosen = _find_topic(settings, topic)
    candidates, vectors, embedder = _candidates(settings, entries)
    assigner = TopicAssigner(settings.topics, settings.stories, embedder.embed)
    session = TuneSession(assigner, chosen.slug, candidates, vectors, embedder.embed)
    console = Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else 100)

    def say(text: str) -> None:
        console.print(text, soft_wrap=True)  # a line kept whole, for reading and for grep

    say(
        f"{chosen.name}: up to {questions} questions on the stored entries nearest its "
        f"threshold ({session.threshold:.2f}), from {len(candidates)} entries; "
        "answer y (belongs), n (does not), s (skip) or q (stop and save)"
    )
    for number in range(1, questions + 1):
        index = session.next()
        if index is None:
            say("no more borderline entries to ask about")
            break
        console.print(_question(session, index, number, questions))  # a panel
        reply = _ask(console, chosen.name)
        if reply == "quit":
            break
        session.answer(index, reply)
    answered = session.answered
    if not answered:
        say(f"no answers: {settings.path} is unchanged")
        return
    tuned = session.tuned_topic()
    yes = tuned.examples[len(chosen.examples) :]
    no = tuned.counter_examples[len(chosen.counter_examples) :]
    calibrated = tuned.threshold if tuned.threshold != chosen.threshold else None
    add_topic_examples(settings.path, chosen.slug, yes, no, calibrated)
    labels = settings.path.parent / LABELS_NAME
    save_labels(labels, chosen.name, session)
    say(
        f"{settings.path}: {chosen.name!r} has {_n(len(yes), 'new example')} and "
        f"{_n(len(no), 'new counter-example')} ({len(tuned.examples)} and "
        f"{len(tuned.counter_examples)} in all); {_n(len(answered), 'answer')} in {labels}"
    )
    if calibrated is not None:
        say(
            f"threshold {session.threshold:.3f} -> {calibrated:.3f}, calibrated from the "
            "answers ([stories] tune_calibrate = false keeps it)"
        )
    before, after = session.tallies()
    say(f"on the {len(answered)} answered entries:")
    say("  " + _tally_line("before", before))
    say("  " + _tally_line("after ", after) + " (each judged by the other answers)")
    say(
        "stories already stored keep their topics until they grow; "
        "`columnist topics refile` files the last week's again now"
    )
