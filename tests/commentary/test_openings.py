"""Openings: stock phrases and echoes of recent posts on the same topic."""

from __future__ import annotations

import threading

from columnist.commentary.openings import (
    RecentOpenings,
    opening,
    opening_problem,
    repeats,
    stock_phrase,
)


def test_stock_phrases_are_caught_near_the_start_or_anywhere_if_cliches() -> None:
    assert stock_phrase("I can’t help but feel that the deal is hollow.") == "can't help but"
    assert stock_phrase("As ministers met, I couldn't help but worry.") == "couldn't help but"
    assert stock_phrase("Honestly, as I reflect on the vote, I wince.") == "As I reflect on"
    assert stock_phrase("In today's world, pipelines are politics.") == "In today's world"
    assert stock_phrase("The vote was close, and as I watch the count I wince.") is None
    assert stock_phrase("Sixty-one metres of ice went in a summer.") is None
    assert stock_phrase("My editor says I overthink.", extra=["My editor says"]) == "My editor says"


def test_repeats_same_first_words_or_mostly_the_same_sentence() -> None:
    assert repeats("The deal in Moscow is a gamble.", "The deal in Beijing was signed.")
    assert repeats(
        "Sixty-one metres of ice vanished from the glacier this summer.",
        "Sixty-one metres of ice vanished from Hardanger this summer.",
    )
    assert not repeats("Sixty-one metres of ice vanished.", "Farmers in Eidfjord are worried.")


def test_opening_problem_names_the_cause() -> None:
    body = "I can't help but feel uneasy.\n\nMore."
    assert "stock phrase" in (opening_problem(body, []) or "")
    recent = ["Farmers in Eidfjord are worried about water."]
    problem = opening_problem("Farmers in Eidfjord are angry.\n\nMore.", recent)
    assert problem and "repeats a recent post" in problem
    assert opening_problem("Water is the story here.\n\nMore.", recent) is None
    assert opening("First one. Second one.\n\nThird.") == "First one."


def test_recent_openings_are_per_topic_newest_first_and_bounded() -> None:
    recent = RecentOpenings(limit=2)
    recent.seed("climate", ["Old one.", "Older one.", "Oldest one."])
    assert recent.recent(["climate"]) == ["Old one.", "Older one."]
    recent.add(["climate", "cities"], "New one.")
    assert recent.recent(["climate"]) == ["New one.", "Old one."]
    assert recent.recent(["cities"]) == ["New one."]
    recent.seed("climate", ["Ignored: already known."])
    assert recent.recent(["climate", "cities"]) == ["New one.", "Old one."]
    threads = [threading.Thread(target=recent.add, args=(["x"], f"S{i}.")) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(recent.recent(["x"])) == 2


def test_a_stock_lead_in_is_named_wherever_the_first_sentence_has_it() -> None:
    assert stock_phrase("As I reflect on the vote in Eidfjord, I think it is right.") == (
        "As I reflect on"
    )
    assert stock_phrase("As I watch the vote, I can't help but feel proud.") == "can't help but"
    assert stock_phrase("Plain start.") is None
