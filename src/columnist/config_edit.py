"""Changing a user's columnist.toml in place, keeping its comments and layout.

Commands that learn something worth keeping (`topics tune`'s answers) write it back to
the config with tomlkit, which round-trips a TOML file byte for byte outside the values
it is told to change. The new text is read back as Settings before the file is replaced,
so a command never leaves a config the next command cannot load, and the file is
replaced atomically (a crash leaves the old file or the new, never half of one).
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from pathlib import Path

from columnist.config import parse_settings, slugify
from columnist.errors import ColumnistError


def write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_topic_examples(
    path: Path,
    slug: str,
    examples: list[str],
    counter_examples: list[str],
    threshold: float | None = None,
) -> None:
    """Append headlines to the `examples` / `counter_examples` of the [[topics]] table
    whose slug is `slug` (arrays created after the table's last key when missing), and
    set its `threshold` when one is given (calibrated by `topics tune`)."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        raise ColumnistError(f"{path}: cannot be updated: {exc}") from None
    tables = doc.get("topics")
    table = None
    for candidate in tables if isinstance(tables, list) else []:
        if slugify(str(candidate.get("slug", candidate.get("name", "")))) == slug:
            table = candidate
            break
    if table is None:
        raise ColumnistError(f"{path}: no [[topics]] table for the topic {slug!r}")
    for key, new in (("examples", examples), ("counter_examples", counter_examples)):
        if not new:
            continue
        if key not in table:
            table[key] = tomlkit.array()
        array = table[key]
        have = {str(x).casefold() for x in array}
        for headline in new:
            if headline.casefold() not in have:
                have.add(headline.casefold())
                array.append(headline)
        array.multiline(True)
    if threshold is not None:
        value = tomlkit.item(round(float(threshold), 3))
        value.comment("calibrated by `columnist topics tune` from the answers")
        table["threshold"] = value
    text = tomlkit.dumps(doc)
    try:
        parse_settings(tomllib.loads(text), path)
    except (tomllib.TOMLDecodeError, ColumnistError) as exc:
        raise ColumnistError(f"{path}: cannot save the answers: {exc}") from None
    write_atomically(path, text)
