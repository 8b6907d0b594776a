"""Story sets in JSON lines, and seeding a store with them.

A line is one story: {"title", "sources": [{"title", "text", "outlet"}], "topic"?}.
`eval-writer`, the bench and the tests put such stories into a scratch store as if
ingest and assign had filed them (`columnist.store.seed.seed_store`), then run the real
write stage over it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from columnist.config import slugify
from columnist.errors import ColumnistError

DEFAULT_TOPIC = "general"


@dataclass(slots=True)
class EvalSource:
    title: str
    text: str
    outlet: str = "Wire"
    url: str | None = None


@dataclass(slots=True)
class EvalStory:
    title: str
    sources: list[EvalSource] = field(default_factory=list)
    topic: str = DEFAULT_TOPIC  # a topic slug

    @property
    def source_text(self) -> str:
        """The text that grounds a commentary on this story, as the writer builds it."""
        from columnist.commentary.compose import grounding_text

        return grounding_text(self.title, [(s.outlet, s.title, s.text) for s in self.sources])


def _text(item: dict, key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ColumnistError(f"{where}: `{key}` must be a non-empty string")
    return value.strip()


def parse_story(item: object, where: str) -> EvalStory:
    if not isinstance(item, dict):
        raise ColumnistError(f"{where}: a story must be a JSON object")
    raw_sources = item.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ColumnistError(f"{where}: `sources` must be a non-empty list")
    found = []
    for i, src in enumerate(raw_sources):
        at = f"{where}: sources[{i}]"
        if not isinstance(src, dict):
            raise ColumnistError(f"{at} must be an object")
        outlet = src.get("outlet", "Wire")
        url = src.get("url")
        found.append(
            EvalSource(
                title=_text(src, "title", at),
                text=_text(src, "text", at),
                outlet=outlet if isinstance(outlet, str) and outlet.strip() else "Wire",
                url=url if isinstance(url, str) else None,
            )
        )
    topic = item.get("topic")
    return EvalStory(
        title=_text(item, "title", where),
        sources=found,
        topic=slugify(topic) if isinstance(topic, str) and topic.strip() else DEFAULT_TOPIC,
    )


def load_stories(path: Path) -> list[EvalStory]:
    """Stories from a JSON-lines file; a bad line is named by its number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ColumnistError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ColumnistError(f"{path}: not UTF-8 text") from None
    found = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ColumnistError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        found.append(parse_story(item, f"{path}:{n}"))
    if not found:
        raise ColumnistError(f"{path}: holds no stories")
    return found
