"""Where in a post its checks found something: the spans a reviewer should look at.

The writer stores what it flagged as text (a sentence the verifier could not support,
with the source passage that should have; a name or figure the sources lack), not as
offsets, and an edit moves everything; so the spans are found again in the body by
their text. The result is plain segments; the admin's template escapes each one.
"""

from __future__ import annotations

from dataclasses import dataclass

from columnist.commentary.text import paragraphs


@dataclass(slots=True)
class Flag:
    text: str  # as it stands in the body
    why: str  # what the check found
    passage: str = ""  # the source passage that should support it, if the verifier found one


@dataclass(slots=True)
class Segment:
    text: str
    flag: Flag | None = None


def borrowed_why(found: dict) -> str:
    """What a sentence using a speaker's quoted words is flagged for, naming the speaker
    when the sources do."""
    speaker = found.get("speaker", "")
    whose = f"{speaker}'s quotation" if speaker else "a quotation in the sources"
    return f"words of {whose} used as the writer's own: “{found.get('words', '')}”"


def flags(checks: dict) -> list[Flag]:
    """The verifier's sentences first (they come with a passage), then unsupported facts,
    then sentences using a speaker's words as the writer's own (with the quotation as
    their passage): a fact's span keeps its mark inside such a sentence."""
    found = [
        Flag(v.get("sentence", ""), v.get("reason", "") or "not supported", v.get("passage", ""))
        for v in checks.get("unverified", [])
    ]
    found += [
        Flag(c.get("text", ""), f"{c.get('kind', 'fact')} not in the sources")
        for c in checks.get("unsupported", [])
    ]
    found += [
        Flag(b.get("sentence", ""), borrowed_why(b), f"“{b.get('quotation', '')}”")
        for b in checks.get("borrowed", [])
    ]
    return [f for f in found if f.text.strip()]


def marked(body: str, checks: dict) -> list[list[Segment]]:
    """The body's paragraphs as segments, each flagged span its own segment (the first
    flag to claim a stretch of text keeps it; overlapping later ones are left out)."""
    wanted = flags(checks)
    out = []
    for para in paragraphs(body):
        spans: list[tuple[int, int, Flag]] = []
        for flag in wanted:
            start = para.find(flag.text)
            while start >= 0:
                end = start + len(flag.text)
                if all(end <= s or start >= e for s, e, _ in spans):
                    spans.append((start, end, flag))
                start = para.find(flag.text, end)
        spans.sort(key=lambda s: s[0])
        segments, at = [], 0
        for start, end, flag in spans:
            if start > at:
                segments.append(Segment(para[at:start]))
            segments.append(Segment(para[start:end], flag))
            at = end
        if at < len(para):
            segments.append(Segment(para[at:]))
        out.append(segments)
    return out
