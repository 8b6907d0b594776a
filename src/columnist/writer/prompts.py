"""Building the chat messages for one commentary from Jinja2 templates.

Templates ship in `prompts/`; a file of the same name in the user's
`templates/prompts/` folder overrides one, so a publisher can change the voice without
touching code. PROMPT_VERSION is stored with each post and each model call so that a
change of prompt can be told apart in the logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from columnist.writer.backends.base import Message

PROMPT_VERSION = "commentary-1"
PROMPTS = Path(__file__).parent / "prompts"
SOURCE_WORDS = 350  # per source; keeps a 6-source story inside a 4k context


@dataclass(slots=True)
class SourceText:
    outlet: str
    title: str
    text: str
    date: str | None


def clip_words(text: str, limit: int) -> str:
    words = text.split()
    return " ".join(words[:limit]) + (" …" if len(words) > limit else "")


def fence(text: str) -> str:
    """Keep source text from closing its own <source> fence."""
    return text.replace("</source", "</ source").replace("<source", "< source")


def environment(override_dir: Path | None = None) -> Environment:
    loaders = [FileSystemLoader(str(PROMPTS))]
    if override_dir and override_dir.is_dir():
        loaders.insert(0, FileSystemLoader(str(override_dir)))
    return Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


def source_texts(
    items: list[tuple[str, str, str, datetime | None]], budget_words: int
) -> list[SourceText]:
    """(outlet, title, text, published) -> fenced, clipped source texts."""
    per_source = max(60, min(SOURCE_WORDS, budget_words // max(1, len(items))))
    return [
        SourceText(
            outlet=fence(o),
            title=fence(t),
            text=fence(clip_words(x, per_source)),
            date=p.date().isoformat() if p else None,
        )
        for o, t, x, p in items
    ]


def build_messages(
    env: Environment,
    *,
    persona: str,
    words: int,
    headline: str,
    sources: list[SourceText],
    avoid_openings: list[str] | None = None,
) -> list[Message]:
    paragraphs = "Three" if words < 250 else "Four" if words < 450 else "Five or six"
    params = dict(
        persona=persona,
        words=words,
        paragraphs=paragraphs.lower(),
        headline=fence(headline),
        sources=sources,
        avoid_openings=avoid_openings or [],
    )
    return [
        {"role": "system", "content": env.get_template("commentary.system.j2").render(params)},
        {"role": "user", "content": env.get_template("commentary.user.j2").render(params)},
    ]
