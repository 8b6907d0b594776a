"""columnist.toml -> typed settings.

Validation is hand-written rather than schema-generated so that every error names the
exact key (`sources[2].url`, `writer.words`) and the file it came from.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from columnist.errors import ConfigError

CONFIG_NAME = "columnist.toml"


@dataclass(slots=True)
class SiteSettings:
    title: str = "Columnist"
    description: str = "Machine-written commentary on the news, organised by topic."
    base_url: str = "http://127.0.0.1:8000/"
    output: Path = Path("site")
    language: str = "en"
    posts_per_page: int = 10
    excerpt_words: int = 55


@dataclass(slots=True)
class DatabaseSettings:
    url: str = "sqlite:///columnist.db"


@dataclass(slots=True)
class SourceSettings:
    name: str
    url: str  # http(s) URL, or an absolute local path after loading


@dataclass(slots=True)
class TopicSettings:
    name: str
    slug: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


@dataclass(slots=True)
class WriterSettings:
    backend: str = "embedded"  # "embedded" | "openai"
    model: str = "qwen2.5-coder-1.5b-instruct"  # a known model name, or a path to a GGUF
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    words: int = 300
    persona: str = (
        "a thoughtful independent columnist who reads widely, writes plainly, weighs "
        "both sides and says what they think"
    )
    threads: int | None = None
    context: int = 4096
    temperature: float = 0.7
    max_tokens: int | None = None  # default: derived from `words`
    timeout: float = 300.0
    max_attempts: int = 3  # tries before a failing commentary is kept as a draft
    strict: bool = True  # False: publish even when checks fail (machinery tests)
    seed: int | None = None


@dataclass(slots=True)
class FetchSettings:
    timeout: float = 20.0
    max_bytes: int = 10_000_000
    allow_private: bool = False
    user_agent: str = "columnist/0.1 (+https://github.com/columnist/columnist)"
    concurrency: int = 8


@dataclass(slots=True)
class StorySettings:
    window_days: float = 3.0
    same_event_threshold: float = 0.5
    topic_threshold: float = 0.18


@dataclass(slots=True)
class Settings:
    path: Path  # the config file; relative paths in it resolve against its folder
    site: SiteSettings
    database: DatabaseSettings
    sources: list[SourceSettings]
    topics: list[TopicSettings]
    writer: WriterSettings
    fetch: FetchSettings
    stories: StorySettings

    @property
    def root(self) -> Path:
        return self.path.parent


def slugify(text: str) -> str:
    """URL slug: lowercase ASCII words joined by hyphens."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "item"


class _Reader:
    """Reads one TOML table, naming `prefix.key` in every error."""

    def __init__(self, data: Any, prefix: str, file: Path) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{file}: `{prefix}` must be a table")
        self.data, self.prefix, self.file = data, prefix, file

    def _fail(self, key: str, why: str) -> ConfigError:
        return ConfigError(f"{self.file}: `{self.prefix}.{key}` {why}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., *, min_value=None):
        if key not in self.data:
            if default is ...:
                raise self._fail(key, "is required")
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise self._fail(key, f"must be {names}, not {type(value).__name__} {value!r}")
        if isinstance(value, str) and str in kinds and not value.strip() and default is ...:
            raise self._fail(key, "must not be empty")
        if min_value is not None and value < min_value:
            raise self._fail(key, f"must be at least {min_value}, not {value}")
        return value

    def strings(self, key: str) -> list[str]:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) for v in value):
            raise self._fail(key, "must be a list of strings")
        return list(value)

    def reject_unknown(self, known: set[str]) -> None:
        for key in self.data:
            if key not in known:
                raise self._fail(key, f"is not a known key (known: {', '.join(sorted(known))})")


def _resolve(root: Path, value: str) -> Path:
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else (root / path).resolve()


def _database_url(root: Path, url: str) -> str:
    """Make a relative sqlite path absolute against the config folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        return prefix + str(_resolve(root, url[len(prefix) :]))
    return url


def _load_site(t: _Reader, root: Path) -> SiteSettings:
    d = SiteSettings()
    t.reject_unknown(
        {
            "title",
            "description",
            "base_url",
            "output",
            "language",
            "posts_per_page",
            "excerpt_words",
        }
    )
    base_url = t.get("base_url", str, d.base_url)
    if not re.match(r"^https?://", base_url):
        raise t._fail("base_url", f"must start with http:// or https://, not {base_url!r}")
    return SiteSettings(
        title=t.get("title", str, d.title),
        description=t.get("description", str, d.description),
        base_url=base_url.rstrip("/") + "/",
        output=_resolve(root, t.get("output", str, str(d.output))),
        language=t.get("language", str, d.language),
        posts_per_page=t.get("posts_per_page", int, d.posts_per_page, min_value=1),
        excerpt_words=t.get("excerpt_words", int, d.excerpt_words, min_value=10),
    )


def _load_sources(items: Any, file: Path, root: Path) -> list[SourceSettings]:
    if not isinstance(items, list):
        raise ConfigError(f"{file}: `sources` must be an array of tables ([[sources]])")
    sources, seen = [], set()
    for i, item in enumerate(items):
        t = _Reader(item, f"sources[{i}]", file)
        t.reject_unknown({"name", "url"})
        url = t.get("url", str)
        name = t.get("name", str, url)
        if name in seen:
            raise t._fail("name", f"repeats the source name {name!r}")
        seen.add(name)
        if not re.match(r"^https?://", url):
            url = str(_resolve(root, url.removeprefix("file://")))
        sources.append(SourceSettings(name=name, url=url))
    return sources


def _load_topics(items: Any, file: Path) -> list[TopicSettings]:
    if not isinstance(items, list):
        raise ConfigError(f"{file}: `topics` must be an array of tables ([[topics]])")
    topics, seen = [], set()
    for i, item in enumerate(items):
        t = _Reader(item, f"topics[{i}]", file)
        t.reject_unknown({"name", "slug", "description", "keywords", "exclude"})
        name = t.get("name", str)
        slug = slugify(t.get("slug", str, name))
        if slug in seen:
            raise t._fail("name", f"gives the slug {slug!r}, which another topic already has")
        seen.add(slug)
        topics.append(
            TopicSettings(
                name=name,
                slug=slug,
                description=t.get("description", str, ""),
                keywords=t.strings("keywords"),
                exclude=t.strings("exclude"),
            )
        )
    return topics


def _load_writer(t: _Reader) -> WriterSettings:
    d = WriterSettings()
    t.reject_unknown(
        {
            "backend",
            "model",
            "base_url",
            "api_key_env",
            "words",
            "persona",
            "threads",
            "context",
            "temperature",
            "max_tokens",
            "timeout",
            "max_attempts",
            "strict",
            "seed",
        }
    )
    backend = t.get("backend", str, d.backend)
    if backend not in ("embedded", "openai"):
        raise t._fail("backend", f'must be "embedded" or "openai", not {backend!r}')
    base_url = t.get("base_url", str, None)
    if backend == "openai" and not base_url:
        raise t._fail("base_url", 'is required when backend = "openai"')
    return WriterSettings(
        backend=backend,
        model=t.get("model", str, d.model),
        base_url=base_url,
        api_key_env=t.get("api_key_env", str, d.api_key_env),
        words=t.get("words", int, d.words, min_value=30),
        persona=t.get("persona", str, d.persona),
        threads=t.get("threads", int, None, min_value=1),
        context=t.get("context", int, d.context, min_value=512),
        temperature=t.get("temperature", float, d.temperature, min_value=0.0),
        max_tokens=t.get("max_tokens", int, None, min_value=16),
        timeout=t.get("timeout", float, d.timeout, min_value=1.0),
        max_attempts=t.get("max_attempts", int, d.max_attempts, min_value=1),
        strict=t.get("strict", bool, d.strict),
        seed=t.get("seed", int, None),
    )


def _load_fetch(t: _Reader) -> FetchSettings:
    d = FetchSettings()
    t.reject_unknown({"timeout", "max_bytes", "allow_private", "user_agent", "concurrency"})
    return FetchSettings(
        timeout=t.get("timeout", float, d.timeout, min_value=0.1),
        max_bytes=t.get("max_bytes", int, d.max_bytes, min_value=1024),
        allow_private=t.get("allow_private", bool, d.allow_private),
        user_agent=t.get("user_agent", str, d.user_agent),
        concurrency=t.get("concurrency", int, d.concurrency, min_value=1),
    )


def _load_stories(t: _Reader) -> StorySettings:
    d = StorySettings()
    t.reject_unknown({"window_days", "same_event_threshold", "topic_threshold"})
    return StorySettings(
        window_days=t.get("window_days", float, d.window_days, min_value=0.0),
        same_event_threshold=t.get("same_event_threshold", float, d.same_event_threshold),
        topic_threshold=t.get("topic_threshold", float, d.topic_threshold),
    )


def parse_settings(data: dict[str, Any], file: Path) -> Settings:
    """Turn an already-parsed TOML document into Settings (used by tests and `load`)."""
    root = file.parent
    known = {"site", "database", "sources", "topics", "writer", "fetch", "stories"}
    for key in data:
        if key not in known:
            raise ConfigError(
                f"{file}: `{key}` is not a known section (known: {', '.join(sorted(known))})"
            )
    db = _Reader(data.get("database", {}), "database", file)
    db.reject_unknown({"url"})
    return Settings(
        path=file,
        site=_load_site(_Reader(data.get("site", {}), "site", file), root),
        database=DatabaseSettings(
            url=_database_url(root, db.get("url", str, DatabaseSettings().url))
        ),
        sources=_load_sources(data.get("sources", []), file, root),
        topics=_load_topics(data.get("topics", []), file),
        writer=_load_writer(_Reader(data.get("writer", {}), "writer", file)),
        fetch=_load_fetch(_Reader(data.get("fetch", {}), "fetch", file)),
        stories=_load_stories(_Reader(data.get("stories", {}), "stories", file)),
    )


def load(path: Path | str | None = None) -> Settings:
    """Read columnist.toml (default: ./columnist.toml)."""
    file = Path(path or CONFIG_NAME).expanduser().resolve()
    if not file.is_file():
        raise ConfigError(f"{file}: config file not found (create one with `columnist init DIR`)")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text") from None
    return parse_settings(data, file)
