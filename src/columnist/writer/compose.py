"""Writing one commentary: attempts, checks, the grounding repair pass, the best draft.

This is the writer without the store, so the write stage, `eval-writer` and the bench
share it. Per attempt: render the prompt, call the model, tidy the text, check it. A
draft whose only fault is a few facts not in the sources gets a second pass that drops
the sentences holding them; if that does not pass, the model is asked again with
feedback naming what was wrong (appended last, so the prompt prefix stays cached).
After `writer.max_attempts` calls the best candidate is kept, with its problems.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime

from jinja2 import Environment

from columnist.config import PersonaSettings, Settings
from columnist.errors import ModelError
from columnist.writer.backends.base import Backend, Completion
from columnist.writer.checks import CheckResult, check_commentary, length_bounds
from columnist.writer.grounding import Support, instruction_sentences, remove_claims
from columnist.writer.openings import (
    OPENING_STYLES,
    RecentOpenings,
    _clip,
    trim_stock_opening,
)
from columnist.writer.prompts import (
    build_messages,
    paragraph_count,
    prompt_version,
    source_texts,
)
from columnist.writer.text import clean_body

SOURCE_BUDGET_WORDS = 1400
AVOID_SHOWN = 4  # recent openings quoted in the prompt


@dataclass(slots=True)
class StoryInput:
    headline: str
    sources: list[tuple[str, str, str, datetime | None]]  # (outlet, title, text, published)
    topics: list[str] = field(default_factory=list)  # slugs, the strongest first
    story_id: int | None = None

    @property
    def source_text(self) -> str:
        """All that grounds the commentary: headline, then each source's outlet, title, text."""
        return "\n".join([self.headline, *(f"{o}\n{t}\n{x}" for o, t, x, _ in self.sources)])


@dataclass(slots=True)
class Call:
    """One model call, as the log keeps it."""

    attempt: int
    purpose: str  # "commentary" | "rewrite"
    completion: Completion | None
    problems: list[str] = field(default_factory=list)
    outcome: str = "rejected"  # "ok" (its text was kept) | "rejected" | "error"
    error: str | None = None


@dataclass(slots=True)
class Candidate:
    body: str
    check: CheckResult
    call: Call
    removed: list[str] = field(default_factory=list)  # sentences the repair pass dropped


@dataclass(slots=True)
class Draft:
    body: str
    check: CheckResult
    first: CheckResult  # the first raw reply's checks: what the model did unaided
    calls: list[Call]
    removed: list[str]
    persona: str
    prompt_version: str
    words: int
    source_instructions: list[str]

    def checks_dict(self) -> dict:
        """What `columnist posts --json` shows under "checks"."""
        return self.check.as_dict() | {
            "attempts": len(self.calls),
            "persona": self.persona,
            "target_words": self.words,
            "removed": self.removed,
            "first_draft": {
                "passed": self.first.passed,
                "problems": self.first.problems,
                "unsupported": [c.as_dict() for c in self.first.claims],
            },
            "source_instructions": self.source_instructions,
        }


def persona_for(settings: Settings, topics: list[str]) -> PersonaSettings:
    """The persona of the story's strongest topic that names one, else `writer.persona`."""
    by_name = {p.name: p for p in settings.personas}
    by_topic = {t.slug: t.persona for t in settings.topics if t.persona}
    for slug in topics:
        if slug in by_topic:
            return by_name[by_topic[slug]]
    return by_name[settings.writer.persona]


def feedback_for(check: CheckResult, words: int) -> list[str]:
    """What to tell the model about its previous draft, one line per fault."""
    low, high = length_bounds(words)
    lines = ["Your previous draft could not be used, so write the column again from scratch."]
    if check.words and not low <= check.words <= high:
        lines.append(
            f"It had {check.words} words: this time write between {low} and {high} words, "
            f"in {paragraph_count(words)} paragraphs of four to six sentences each."
        )
    if any(p == "a single paragraph" for p in check.problems):
        lines.append("Separate the paragraphs with a blank line.")
    if check.claims:
        shown = "; ".join(dict.fromkeys(c.text for c in check.claims))
        lines.append(
            f"It used details that are not in the sources: {shown}. Leave them out: use "
            "only names, numbers, dates and quotations that appear in the sources."
        )
    if check.opening:
        lines.append(f"Its opening will not do ({check.opening}): begin in another way.")
    if any(("meta-text" in p or "markdown" in p or "refusal" in p) for p in check.problems):
        lines.append(
            "Write only the column itself: no remarks about the writing, no title, "
            "headings, lists or markdown."
        )
    return lines


class Writer:
    """Writes commentaries with one backend; safe to share between the stage's threads."""

    def __init__(
        self,
        settings: Settings,
        backend: Backend,
        env: Environment,
        openings: RecentOpenings | None = None,
    ) -> None:
        self.settings, self.backend, self.env = settings, backend, env
        self.openings = openings or RecentOpenings(settings.writer.recent_openings)

    def max_tokens(self, words: int) -> int:
        return self.settings.writer.max_tokens or int(words * 2) + 64

    def _check(self, body: str, words: int, support: Support, topics: list[str]) -> CheckResult:
        return check_commentary(
            body,
            target_words=words,
            support=support,
            recent_openings=self.openings.recent(topics),
            stock_openings=self.settings.writer.stock_openings,
        )

    def _repair(self, body: str, check: CheckResult) -> tuple[str, list[str]]:
        """The second pass, without the model: drop sentences holding unsupported facts,
        then cut a stock lead-in. Returns the text and what was removed."""
        removed: list[str] = []
        if check.claims:
            body, removed = remove_claims(body, check.claims)
        body, cut = trim_stock_opening(body, self.settings.writer.stock_openings)
        return body, removed + cut

    def write(self, story: StoryInput, calls: list[Call]) -> Draft:
        """Write, check and (if needed) repair or redo; `calls` collects every model call.

        A ModelError propagates after its call is appended, so the caller can log it.
        """
        w = self.settings.writer
        persona = persona_for(self.settings, story.topics)
        words = persona.words or w.words
        support = Support(story.source_text)
        sources = source_texts(story.sources, SOURCE_BUDGET_WORDS)
        style_seed = zlib.crc32(story.headline.encode())
        candidates: list[Candidate] = []
        feedback: list[str] = []
        first: CheckResult | None = None
        for n in range(w.max_attempts):
            recent = self.openings.recent(story.topics)
            messages = build_messages(
                self.env,
                persona=persona,
                words=words,
                headline=story.headline,
                sources=sources,
                opening_style=OPENING_STYLES[(style_seed + n) % len(OPENING_STYLES)],
                avoid_openings=[_clip(o) for o in recent[:AVOID_SHOWN]],
                feedback=feedback,
            )
            purpose = "commentary" if n == 0 else "rewrite"
            try:
                completion = self.backend.complete(
                    messages,
                    max_tokens=self.max_tokens(words),
                    temperature=w.temperature,
                    seed=None if w.seed is None else w.seed + n,
                )
            except ModelError as exc:
                calls.append(Call(n + 1, purpose, None, outcome="error", error=str(exc)))
                raise
            body = clean_body(completion.text)
            check = self._check(body, words, support, story.topics)
            call = Call(n + 1, purpose, completion, problems=check.problems)
            calls.append(call)
            first = first or check
            candidates.append(Candidate(body, check, call))
            if check.passed:
                break
            if check.claims or (check.opening and "stock phrase" in check.opening):
                repaired, removed = self._repair(body, check)
                if repaired:
                    fixed = self._check(repaired, words, support, story.topics)
                    candidates.append(Candidate(repaired, fixed, call, removed))
                    if fixed.passed:
                        break
            feedback = feedback_for(check, words)
        best = min(candidates, key=lambda c: c.check.rank())
        best.call.outcome = "ok"
        return Draft(
            body=best.body,
            check=best.check,
            first=first or best.check,
            calls=calls,
            removed=best.removed,
            persona=persona.name,
            prompt_version=prompt_version(self.env, persona),
            words=words,
            source_instructions=instruction_sentences(story.source_text),
        )
