"""The Jinja environment and the theme: packaged templates/static, overridable per file.

A theme folder may hold `templates/` and `static/`; any file there replaces the packaged
file of the same name. A theme's template can also extend the packaged one it replaces:
"default/base.html" always names the packaged base.html (as Pelican's "!simple/" names its
simple theme), so a theme's base.html may `{% extends "default/base.html" %}` and fill
only the blocks it changes. `theme_version` digests the code and templates that shape the
pages, so changing either makes the next build re-render everything, while static files
are tracked one by one (pages do not embed their contents).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined

from columnist.site.text import disclosure, json_ld, text_node

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
DEFAULT_PREFIX = "default"  # "default/<name>": the packaged template, whatever the theme holds

_ENVIRONMENTS: dict[tuple[str, str], Environment] = {}


def _files(folder: Path) -> dict[str, Path]:
    """Relative "/"-path -> file, for every regular file under folder (none if absent)."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".") and "__pycache__" not in p.parts
    }


def static_files(theme_dir: Path | None) -> dict[str, Path]:
    """Static files to copy: packaged ones, each replaced by the theme's file if any."""
    files = _files(STATIC_DIR)
    if theme_dir is not None:
        files.update(_files(theme_dir / "static"))
    return files


def theme_version(theme_dir: Path | None) -> str:
    """Digest of this package's code and the effective templates."""
    digest = hashlib.blake2b(digest_size=16)
    sources = {
        f"code/{name}": path for name, path in _files(PACKAGE_DIR).items() if path.suffix == ".py"
    }
    templates = _files(TEMPLATES_DIR)
    if theme_dir is not None:
        themed = _files(theme_dir / "templates")
        # A theme's template may extend the packaged one it replaces ("default/base.html").
        sources.update(
            {f"templates/{DEFAULT_PREFIX}/{n}": p for n, p in templates.items() if n in themed}
        )
        templates.update(themed)
    sources.update({f"templates/{name}": path for name, path in templates.items()})
    for name, path in sorted(sources.items()):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def environment(theme_dir: Path | None, version: str) -> Environment:
    """One shared Environment per theme and version, so compiled templates are reused."""
    key = (str(theme_dir.resolve()) if theme_dir else "", version)
    env = _ENVIRONMENTS.get(key)
    if env is None:
        packaged = FileSystemLoader(str(TEMPLATES_DIR))
        loaders = [PrefixLoader({DEFAULT_PREFIX: packaged}), packaged]
        if theme_dir is not None:
            loaders.insert(1, FileSystemLoader(str(theme_dir / "templates")))
        env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            cache_size=-1,
            keep_trailing_newline=True,
        )
        env.filters["json_ld"] = json_ld
        env.filters["text"] = text_node
        env.globals["disclosure"] = disclosure
        _ENVIRONMENTS.clear()  # an old version's compiled templates are useless now
        _ENVIRONMENTS[key] = env
    return env
