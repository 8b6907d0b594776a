"""The column's plan: read from the model's labelled lines, and checked against the sources
before any prose is written from it."""

from __future__ import annotations

from columnist.commentary.grounding import Support
from columnist.commentary.plan import (
    MAX_POINTS,
    PLAN_LEAD,
    Plan,
    check_plan,
    hypothetical,
    parse_plan,
    view_problem,
)

SOURCE = (
    "Council approves new library in Eidfjord\nFjord Post\nEidfjord gets a library\n"
    "The Eidfjord council voted 9 to 2 on Monday to build a library costing 14 million "
    "kroner. Mayor Anja Nygaard said it would open in 2027."
)
BODY = (
    "Point: The council voted 9 to 2 on Monday.\n"
    "Point: Mayor Anja Nygaard said it would open in 2027.\n"
    "Other side: Some would say the money should go to roads."
)
EXPECTED = Plan(
    view="I think the library is worth its price.",
    points=[
        "The council voted 9 to 2 on Monday.",
        "Mayor Anja Nygaard said it would open in 2027.",
    ],
    other_side="Some would say the money should go to roads.",
)


def test_a_reply_begun_with_the_lead_is_read_with_it() -> None:
    assert PLAN_LEAD == "View: I"
    reply = " think the library is worth its price.\n" + BODY  # the lead is not returned
    assert parse_plan(reply) == EXPECTED
    assert parse_plan(PLAN_LEAD + reply) == EXPECTED, "a backend that returns the lead too"
    assert parse_plan("  view: I think the library is worth its price.\n" + BODY) == EXPECTED


def test_labels_may_be_numbered_cased_or_quoted_and_text_around_them_is_ignored() -> None:
    reply = (
        " think the library is worth its price.\nHere are my points.\n"
        'POINT 1: "The council voted 9 to 2 on Monday."\n'
        "point 2 :  Mayor Anja Nygaard said it would open in 2027.  \n"
        "Other Side: Some would say the money should go to roads.\n"
        "View: a second view is ignored.\nOther side: so is a second objection."
    )
    assert parse_plan(reply) == EXPECTED


def test_a_reply_missing_a_line_is_no_plan() -> None:
    lead = " think the library is worth its price.\n"
    assert parse_plan(lead + BODY.split("\nOther side")[0]) is None, "no other side"
    assert parse_plan(lead + "Other side: Some would say the money should go to roads.") is None
    assert parse_plan("Sure! Here is my column about the library.") is None
    assert parse_plan("") is None
    assert parse_plan(":\n" + BODY, lead="") is None, "no view at all"


def test_at_most_three_points_are_kept() -> None:
    points = "".join(f"Point: Reason number {n} for the library.\n" for n in range(1, 6))
    plan = parse_plan(" like it.\n" + points + "Other side: Roads.")
    assert plan is not None and MAX_POINTS == 3
    assert plan.points == [f"Reason number {n} for the library." for n in (1, 2, 3)]


def test_the_plan_reads_back_as_the_model_wrote_it() -> None:
    assert EXPECTED.text() == "View: I think the library is worth its price.\n" + BODY
    assert parse_plan(EXPECTED.text()) == EXPECTED
    assert EXPECTED.as_dict() == {
        "view": EXPECTED.view,
        "points": EXPECTED.points,
        "other_side": EXPECTED.other_side,
    }
    fallback = Plan.fallback("Council approves new library in Eidfjord")
    assert fallback.view == "I think this matters: Council approves new library in Eidfjord."
    assert len(fallback.points) == 1 and fallback.other_side


def test_a_point_the_sources_do_not_support_is_dropped() -> None:
    invented = "Councillor Per Olsen voted against it."
    wrong_figure = "The library will cost 20 million kroner."
    sweeping = "Every councillor voted for the library."  # the sources say 9 to 2
    plan = Plan(
        view=EXPECTED.view,
        points=[EXPECTED.points[0], invented, wrong_figure, sweeping, EXPECTED.points[1]],
        other_side=EXPECTED.other_side,
    )
    kept, dropped = check_plan(plan, Support(SOURCE))
    assert kept == EXPECTED, "the view, the other side and the supported points stay"
    assert dropped == [invented, wrong_figure, sweeping]
    assert check_plan(EXPECTED, Support(SOURCE)) == (EXPECTED, [])


def test_an_other_side_voiced_by_people_the_news_does_not_have_becomes_hypothetical() -> None:
    voiced = "Some people worry that the library will cost too much."
    plan = Plan(EXPECTED.view, EXPECTED.points, voiced)
    kept, _ = check_plan(plan, Support(SOURCE))
    assert kept.other_side == "One might worry that the library will cost too much."
    assert hypothetical("Some criticize the council for it.", SOURCE) == (
        "One might criticize the council for it."
    )
    split = SOURCE + " Two councillors objected that roads come first."
    assert hypothetical(voiced, split) == voiced, "someone in the news does see it otherwise"
    assert hypothetical(EXPECTED.other_side, SOURCE) == EXPECTED.other_side


def test_violence_wished_on_someone_never_stays_in_a_plan() -> None:
    """The Fico plan's other side (stories 31-40 at 8ef1527): "I think Robert Fico should
    have been killed immediately after the shooting"."""
    harm = "I think Robert Fico should have been killed immediately after the shooting."
    kept, dropped = check_plan(Plan(EXPECTED.view, EXPECTED.points, harm), Support(SOURCE))
    assert kept.other_side == "One might say it changes little." and harm in dropped
    point = "Anja Nygaard deserved to die for the vote."
    kept, dropped = check_plan(Plan(EXPECTED.view, [point], ""), Support(SOURCE))
    assert kept.points == [] and dropped == [point]
    violent_view = Plan("think the councillors should be shot.", [], "")
    assert view_problem(violent_view, Support(SOURCE)) == (
        "the view: wishes violence on someone (“should be shot”)"
    )


def test_a_view_that_misstates_the_news_is_a_problem() -> None:
    assert view_problem(EXPECTED, Support(SOURCE)) is None
    wrong = Plan("think the council voted 9 to 2 because Anja Nygaard resigned.", [], "")
    assert view_problem(wrong, Support(SOURCE)).startswith("the view: ")
