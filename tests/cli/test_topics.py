"""`columnist topics test | explain | events | refile`, run as a user would (in-process)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from columnist.cli.topics import app as topics_app
from columnist.config import Settings, load
from columnist.errors import ColumnistError
from columnist.store.db import open_engine
from columnist.stories.evaluate import EvalFileError, load_event_set, load_topic_set
from columnist.stories.stage import run_assign
from tests.conftest import desk, invoke, small_writer
from tests.stories.conftest import EVENTS_JSONL, TOPICS_JSONL, add_entries

THREE_TOPICS = r'''
[[topics]]
name = "China-Russia relations"
description = """Relations between China and Russia: summits between Xi Jinping and \
Vladimir Putin, diplomacy between Beijing and Moscow, and Russian gas sales to China."""
keywords = ["Sino-Russian"]
requires = [["China", "Chinese", "Beijing", "Xi"],
            ["Russia", "Russian", "Moscow", "Putin", "Kremlin"]]

[[topics]]
name = "Football"
description = """Association football (soccer): the Premier League, the Champions League \
and the World Cup, clubs, players, managers and transfers."""
keywords = ["Premier League"]
unlike = ["American football and the NFL"]

[[topics]]
name = "Space exploration"
description = """Space exploration: rocket launches, astronauts and space stations, \
missions to the Moon and Mars, NASA and SpaceX."""
keywords = ["SpaceX"]
exclude = ["space-saving"]
'''


def small_eval(tmp_path: Path) -> tuple[Path, Path]:
    """The labelled lines about three topics (or none of the ten), and those topics."""
    config = tmp_path / "topics.toml"
    config.write_text(THREE_TOPICS)
    keep = {"China-Russia relations", "Football", "Space exploration"}
    lines = [json.loads(x) for x in TOPICS_JSONL.read_text().splitlines() if x.strip()]
    picked = [d for d in lines if d["topics"] and set(d["topics"]) <= keep][:24]
    picked += [d for d in lines if not d["topics"]][:8]
    data = tmp_path / "eval.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in picked))
    return data, config


def test_topics_test_prints_scores_per_topic_and_overall_and_a_threshold(tmp_path) -> None:
    data, config = small_eval(tmp_path)
    done = invoke("topics", "test", str(data), "--config", str(config), "--errors")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for name in ("China-Russia relations", "Football", "Space exploration"):
        assert name in out
    for word in ("Precision", "Recall", "F1", "overall (micro)", "overall (macro)"):
        assert word in out
    assert "suggested: [stories] topic_threshold = 0." in out
    assert out.count("held-out check: chosen on half") == 2
    micro = next(line for line in out.splitlines() if "overall (micro)" in line)
    f1 = float(micro.split("│")[-2])
    assert 0.7 <= f1 <= 1.0
    assert "Traceback" not in done.stderr


def test_topics_test_names_the_bad_line_without_a_traceback(tmp_path) -> None:
    config = tmp_path / "topics.toml"
    config.write_text(THREE_TOPICS)
    topics = load(config).topics
    cases = {
        '{"title": "ok", "summary": "", "topics": []}\n{"title": broken\n': ":2: not valid JSON",
        '{"title": "Cricket", "summary": "", "topics": ["Cricket"]}\n': (
            ":1: unknown topic 'Cricket'"
        ),
        '{"title": "x", "summary": "", "topics": "Football"}\n': ":1: `topics` must be a list",
        '{"summary": "no title", "topics": []}\n': ":1: `title` must be a non-empty string",
        "[1, 2]\n": ":1: must be a JSON object",
    }
    for i, (text, message) in enumerate(cases.items()):
        bad = tmp_path / f"bad{i}.jsonl"
        bad.write_text(text)
        with pytest.raises(EvalFileError, match=re.escape(f"{bad}{message}")):
            load_topic_set(bad, topics)
    # and on the command line: one red line, exit status 1
    done = invoke("topics", "test", str(tmp_path / "bad1.jsonl"), "-c", str(config))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"error: {tmp_path / 'bad1.jsonl'}:1: unknown topic 'Cricket' (configured topics: "
        "China-Russia relations, Football, Space exploration)"
    )


def starship_desk(tmp_path: Path, embedder) -> tuple[Path, Settings, list]:
    """A desk of THREE_TOPICS whose store holds one story: three reports of a Starship
    flight, assigned and filed under Space exploration."""
    from tests.stories.test_assign_store import labelled

    config = desk(tmp_path, THREE_TOPICS, sources=[{"name": "Wire 0", "url": "/feeds/0.xml"}])
    settings = load(config)
    engine = open_engine(settings.database.url)
    starship = labelled("starship-flight-2026-11-23")
    add_entries(engine, settings, [(e.title, e.summary, e.published, 0) for e in starship[:3]])
    run_assign(engine, settings, embedder=embedder)
    engine.dispose()
    return config, settings, starship


def test_topics_explain_shows_why_a_story_was_or_was_not_filed(tmp_path, embedder) -> None:
    config, settings, starship = starship_desk(tmp_path, embedder)

    done = invoke("topics", "explain", "1", "-c", str(config))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"story 1: {starship[0].title!r}, 3 entries" in out
    assert "filed in the store under: Space exploration (keyword" in out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if "│" in line}
    assert (
        "yes" in rows["Space exploration"] and "keyword 'SpaceX' found" in rows["Space exploration"]
    )
    assert "no" in rows["China-Russia relations"]
    assert "requires" in rows["China-Russia relations"]  # neither country named
    assert "Score" in out and "Threshold" in out and "Rule" in out

    # the other paths through the topics group alone
    by_story = CliRunner().invoke(topics_app, ["explain", "1", "--story", "-c", str(config)])
    assert by_story.exit_code == 0 and "story 1: " in by_story.output
    # an entry not yet in a story is explained on its own
    engine = open_engine(settings.database.url)
    fourth = starship[3]
    add_entries(engine, settings, [(fourth.title, fourth.summary, fourth.published, 0)])
    engine.dispose()
    lone = CliRunner().invoke(topics_app, ["explain", "4", "-c", str(config)])
    assert lone.exit_code == 0, lone.output
    assert f"entry 4 ({starship[3].title!r}) is not in a story yet" in lone.output
    assert "filed in the store under: no topic" in lone.output
    assert "keyword 'SpaceX' found" in lone.output or "best topic" in lone.output

    missing = CliRunner().invoke(topics_app, ["explain", "999", "-c", str(config)])
    assert isinstance(missing.exception, ColumnistError)  # main() prints it as one line
    assert "entry 999 is not in" in str(missing.exception)
    gone = CliRunner().invoke(topics_app, ["explain", "999", "--story", "-c", str(config)])
    assert "story 999 is not in" in str(gone.exception)


def test_topics_refile_files_the_stored_stories_under_the_topics_as_they_are_now(
    tmp_path, embedder
) -> None:
    """A desk narrows a topic after its stories were filed: refiling takes them off, a
    dry run only says so, and the window in days is honoured."""
    from columnist.store import stories as story_store

    config, settings, starship = starship_desk(tmp_path, embedder)
    engine = open_engine(settings.database.url)

    def filed() -> list[str]:
        with engine.connect() as conn:
            return story_store.topics_of(conn, 1)

    assert filed() == ["space-exploration"]
    narrowed = config.read_text().replace(
        'exclude = ["space-saving"]', 'exclude = ["space-saving", "Starship"]'
    )
    assert narrowed != config.read_text()
    config.write_text(narrowed)

    dry = invoke("topics", "refile", "--days", "0", "--dry-run", "-q", "-c", str(config))
    assert dry.returncode == 0, dry.stderr
    assert f"story 1 {starship[0].title!r}: Space exploration -> no topic" in dry.stdout
    assert "refile: 1 of 1 stories would change topics (space-exploration +0 -1)" in dry.stdout
    assert filed() == ["space-exploration"]  # a dry run stores nothing

    recent = invoke("topics", "refile", "-q", "-c", str(config))  # the last 7 days: none
    assert "refile: 0 of 0 stories changed topics" in recent.stdout
    assert filed() == ["space-exploration"]

    done = invoke("topics", "refile", "--days", "0", "-q", "-c", str(config))
    assert "refile: 1 of 1 stories changed topics" in done.stdout
    assert filed() == []
    again = invoke("topics", "refile", "--days", "0", "-q", "-c", str(config))
    assert "refile: 0 of 1 stories changed topics" in again.stdout

    # with the model check (the small test model), its answers are stored and reused
    config.write_text(
        config.read_text()
        + '\n[stories]\ntopic_check = "about"\ntopic_check_band = 0.5\n\n'
        + small_writer()
    )
    checked = invoke("topics", "refile", "--days", "0", "-q", "-c", str(config))
    assert checked.returncode == 0, checked.stderr
    asked = re.search(r"topic check: (\d+) questions", checked.stdout)
    assert asked and int(asked.group(1)) > 0, checked.stdout
    stored = invoke("topics", "refile", "--days", "0", "-q", "-c", str(config))
    assert "refile: 0 of 1 stories changed topics" in stored.stdout
    assert "topic check" not in stored.stdout, "the stored answers are not asked again"
    engine.dispose()


def test_topics_events_reports_pairwise_and_bcubed_and_a_threshold(tmp_path) -> None:
    lines = EVENTS_JSONL.read_text().splitlines()[:40]
    data = tmp_path / "events.jsonl"
    data.write_text("\n".join(lines) + "\n")
    done = invoke("topics", "events", str(data), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for word in ("Pair P", "Pair R", "Pair F1", "B3 P", "B3 R", "B3 F1", "current", "best"):
        assert word in out
    assert "suggested: [stories] same_event_threshold = 0." in out
    assert "configured 0.400: pairwise P" in out

    bad = tmp_path / "bad.jsonl"
    bad.write_text(lines[0] + "\n" + lines[1].replace('"published": "', '"published": "x') + "\n")
    with pytest.raises(EvalFileError, match=re.escape(f"{bad}:2: `published`")):
        load_event_set(bad)
