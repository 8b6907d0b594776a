"""bench/reader_labels.py: a hand reading is kept and counted again, and the sheet is blind."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("reader_labels", ROOT / "bench/reader_labels.py")
labels_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(labels_tool)

STORY = {
    "title": "Council approves the library",
    "topic": "local",
    "sources": [
        {"outlet": "Gazette", "title": "Council approves the library",
         "text": "The council voted 9 to 2 on Monday to build a library."}
    ],
}  # fmt: skip
OPENING = "I think the library is worth it. The council voted 9 to 2."
INVENTED = "I am glad the mayor wept. The vote came after years of protest."


def _run(path: Path, *bodies: str, status: str = "published") -> Path:
    rows = [{"title": STORY["title"], "status": status, "body": "\n\n".join(bodies)}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_a_reading_is_recorded_once_and_scores_every_run_that_wrote_the_same_paragraphs(
    tmp_path: Path,
) -> None:
    stories = tmp_path / "stories.jsonl"
    stories.write_text(json.dumps(STORY) + "\n")
    labels = tmp_path / "labels.jsonl"
    first = _run(tmp_path / "first.jsonl", OPENING, INVENTED)
    second = _run(tmp_path / "second.jsonl", OPENING)
    held = _run(tmp_path / "held.jsonl", "I think nothing.", status="draft")
    sheet = tmp_path / "sheet.md"

    assert labels_tool.sheet([first, second, held], stories, sheet, labels, seed=1) == 2
    text = sheet.read_text()
    assert "voted 9 to 2 on Monday" in text, "the sources are on the sheet"
    assert "first.jsonl" not in text and "I think nothing" not in text, "blind; drafts left"
    ids = {line.split(":")[0]: line.split(": ", 1)[1] for line in text.splitlines()
           if line.startswith("S1.")}  # fmt: skip
    wept = next(i for i, s in ids.items() if "mayor wept" in s)
    years = next(i for i, s in ids.items() if "years of protest" in s)
    marks = tmp_path / "unsupported.txt"
    marks.write_text(f"{wept} {years}\n")

    assert labels_tool.record(sheet, marks, "a test, blind", labels) == 4
    assert labels_tool.record(sheet, marks, "again", labels) == 0, "a reading is kept once"
    assert labels_tool.score(first, labels_tool.load_labels(labels))["unsupported_per_post"] == 2
    assert labels_tool.score(second, labels_tool.load_labels(labels))["unsupported_per_post"] == 0
    assert labels_tool.sheet([first, second], stories, sheet, labels, seed=1) == 0

    third = _run(tmp_path / "third.jsonl", OPENING, "I doubt it will open on time.")
    scored = labels_tool.score(third, labels_tool.load_labels(labels))
    assert scored["labelled_posts"] == 0 and scored["paragraphs_to_read"] == 1


def test_a_mark_that_names_no_sentence_of_the_sheet_is_refused(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.md"
    sheet.write_text("# Story 1: A\n\n### S1.1\n\nS1.1.1: I think so.\n")
    marks = tmp_path / "unsupported.txt"
    marks.write_text("S1.1.2\n")
    labels = tmp_path / "labels.jsonl"
    try:
        labels_tool.record(sheet, marks, "a test", labels)
    except SystemExit as stop:
        assert "S1.1.2" in str(stop) and str(marks) in str(stop)
    else:
        raise AssertionError("an unknown id was recorded")
    assert not labels.exists(), "nothing is written"
