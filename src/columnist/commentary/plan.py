"""The column's plan: my view, two or three points from the sources, the other side.

Asked for in short labelled lines (a 1.5B model keeps that form reliably when the reply
is begun for it with "View: I"), and checked before any prose is written from it: a
point carrying a name, figure or quotation the sources lack is dropped, since every
paragraph written from it would carry the same invention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from columnist.commentary.grounding import Support, find_claims
from columnist.commentary.text import split_sentences
from columnist.commentary.verify import Passages, rule_verdict

PLAN_LEAD = "View: I"
PLAN_LABELS = ("View", "Point", "Other", "Other side")
_LINE = re.compile(r"^\s*(view|point|other side)\s*\d*\s*:\s*(.+?)\s*$", re.IGNORECASE | re.M)
MAX_POINTS = 3


@dataclass(slots=True)
class Plan:
    view: str
    points: list[str] = field(default_factory=list)
    other_side: str = ""

    def text(self) -> str:
        """The plan as the model wrote it, for its own assistant turn."""
        lines = [f"View: {self.view}", *(f"Point: {p}" for p in self.points)]
        return "\n".join([*lines, f"Other side: {self.other_side}"])

    def as_dict(self) -> dict:
        return {"view": self.view, "points": self.points, "other_side": self.other_side}

    @classmethod
    def fallback(cls, headline: str) -> Plan:
        """When no plan came back in form: write from the headline alone."""
        return cls(
            view=f"I think this matters: {headline}.",
            points=["What happened, and who it affects."],
            other_side="Some will say it changes little.",
        )


def parse_plan(text: str, lead: str = PLAN_LEAD) -> Plan | None:
    """The labelled lines of a reply (begun with `lead`), or None if the form is missing."""
    full = text if text.lstrip().lower().startswith("view") else lead + text
    view, points, other = "", [], ""
    for label, value in _LINE.findall(full):
        value = value.strip().strip('"')
        label = label.lower()
        if label == "view" and not view:
            view = value
        elif label == "point" and len(points) < MAX_POINTS:
            points.append(value)
        elif label == "other side" and not other:
            other = value
    if not view or not points or not other:
        return None
    return Plan(view, points, other)


def check_plan(plan: Plan, support: Support) -> tuple[Plan, list[str]]:
    """The plan without points the sources do not support, and those points.

    A point fails on a name or figure the sources lack (grounding) or on what the
    verifier's rules catch (a sweeping word, a moved figure, an invented cause, a dropped
    negation; commentary/verify.py), which is where they are precise enough to act on.
    """
    passages = Passages.of(support.text)
    kept, dropped = [], []
    for point in plan.points:
        ok = not find_claims(point, support) and all(
            v.supported
            for v in (rule_verdict(s, passages, support) for s in split_sentences(point))
        )
        (kept if ok else dropped).append(point)
    return Plan(plan.view, kept, plan.other_side), dropped
