"""The chat messages for one commentary, from Jinja2 templates.

A column is written in steps (commentary/compose.py): the system message holds the persona,
the rules and the fenced sources, and stays the same for every step so the model's
prompt cache serves it; then come the plan request and one request per paragraph.

Templates ship in `prompts/`; a file of the same name in the desk's
`templates/prompts/` folder overrides one, file by file, so a publisher can change the
voice without touching code. A persona names its template stem (`<stem>.system.j2`,
`<stem>.plan.j2`, `<stem>.paragraph.j2`); a file the stem lacks falls back to the
shipped `commentary` one.
The prompt version stored with each post and model call is PROMPT_VERSION, plus a hash
of the template text whenever a desk's own templates are in use.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
)
from jinja2 import TemplateError as JinjaError

from columnist.commentary.backends.base import Message
from columnist.config import PersonaSettings
from columnist.errors import ConfigError

PROMPT_VERSION = "column-4"
PROMPTS = Path(__file__).parent  # the .j2 templates sit beside this module
SOURCE_WORDS = 350  # per source; keeps a 6-source story inside a 4k context
DEFAULT_TEMPLATE = "commentary"
PARTS = ("system", "plan", "paragraph")

# Chat-template control sequences a source could use to end our turn and start its own.
_CONTROL = re.compile(
    r"<\|[^|<>]{0,40}\|>|</?s>|\[/?INST\]|<</?SYS>>|<(?:start|end)_of_turn>|</?(?:source|note)\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class SourceText:
    outlet: str
    title: str
    text: str
    date: str | None
    instructions: list[str] = field(default_factory=list)  # text addressed to a model


def clip_words(text: str, limit: int) -> str:
    words = text.split()
    return " ".join(words[:limit]) + (" …" if len(words) > limit else "")


def fence(text: str) -> str:
    """Source text (or an editor's note) as inert data: it cannot close its <source> or
    <note> fence or fake a chat turn."""
    return _CONTROL.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


def environment(override_dir: Path | None = None) -> Environment:
    loaders = [FileSystemLoader(str(PROMPTS))]
    if override_dir and override_dir.is_dir():
        loaders.insert(0, FileSystemLoader(str(override_dir)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    env.globals["override_dir"] = str(override_dir) if override_dir else None
    return env


def template_names(template: str) -> dict[str, list[str]]:
    """Per part, the file names to try in order: the persona's own, then the default."""
    return {part: [f"{template}.{part}.j2", f"{DEFAULT_TEMPLATE}.{part}.j2"] for part in PARTS}


def _templates(env: Environment, template: str) -> dict[str, Template]:
    try:
        return {
            part: env.select_template(names) for part, names in template_names(template).items()
        }
    except JinjaError as exc:
        raise ConfigError(f"prompt template {template!r}: {exc}") from None


def check_template(env: Environment, persona: PersonaSettings) -> None:
    """A persona's template must exist (as at least one file) and compile."""
    if persona.template != DEFAULT_TEMPLATE:
        names = [f"{persona.template}.{part}.j2" for part in PARTS]
        if not any(_exists(env, n) for n in names):
            where = env.globals.get("override_dir") or "templates/prompts/"
            raise ConfigError(
                f"persona {persona.name!r}: template {persona.template!r} has none of "
                f"{', '.join(names)} in {where}"
            )
    _templates(env, persona.template)


def _exists(env: Environment, name: str) -> bool:
    try:
        env.loader.get_source(env, name)  # type: ignore[union-attr]
    except TemplateNotFound:
        return False
    return True


def prompt_version(env: Environment, persona: PersonaSettings) -> str:
    """PROMPT_VERSION, with a hash of the template text when it is not the shipped one."""
    templates = _templates(env, persona.template)
    files = [Path(t.filename or "") for t in templates.values()]
    if all(f.parent == PROMPTS for f in files):
        return PROMPT_VERSION
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files if f.is_file()))
    return f"{PROMPT_VERSION}+{digest.hexdigest()[:8]}"


def source_texts(
    items: list[tuple[str, str, str, datetime | None]], budget_words: int
) -> list[SourceText]:
    """(outlet, title, text, published) -> fenced, clipped source texts."""
    from columnist.commentary.grounding import instruction_sentences

    per_source = max(60, min(SOURCE_WORDS, budget_words // max(1, len(items))))
    return [
        SourceText(
            outlet=fence(o),
            title=fence(t),
            text=fence(clip_words(x, per_source)),
            date=p.date().isoformat() if p else None,
            instructions=[fence(s) for s in instruction_sentences(f"{t}\n{x}")],
        )
        for o, t, x, p in items
    ]


def render(env: Environment, persona: PersonaSettings, part: str, **params: object) -> str:
    """One part of the persona's templates, rendered; a template error names the persona."""
    try:
        return _templates(env, persona.template)[part].render(persona=persona, **params)
    except JinjaError as exc:
        raise ConfigError(f"prompt template {persona.template!r}: {exc}") from None


def system_message(
    env: Environment, persona: PersonaSettings, headline: str, sources: list[SourceText]
) -> Message:
    return {
        "role": "system",
        "content": render(env, persona, "system", headline=fence(headline), sources=sources),
    }
