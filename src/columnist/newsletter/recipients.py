"""The subscriber list: a text file, one address a line, '#' starts a comment.

A line that is not one plain address is reported with its file and line number and
skipped; the others still get the digest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from columnist.errors import ColumnistError

# One address, no display name: what an SMTP RCPT TO takes.
_ADDRESS = re.compile(
    r"[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z]{2,}"
)
MAX_BYTES = 5_000_000


@dataclass(slots=True)
class RecipientList:
    addresses: list[str]
    problems: list[str] = field(default_factory=list)  # "file:line: why", one a bad line


def is_address(text: str) -> bool:
    return _ADDRESS.fullmatch(text) is not None


def check_address(text: str, where: str) -> str:
    """`text` if it is one plain address, else an error naming `where` (e.g. `--to`)."""
    if not is_address(text.strip()):
        raise ColumnistError(f"{where}: not an e-mail address: {text!r}")
    return text.strip()


def read_recipients(path: Path) -> RecipientList:
    """The addresses in `path`, each once, in order; bad lines named in `problems`."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ColumnistError(f"{path}: recipient list larger than {MAX_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ColumnistError(f"{path}: recipient list not found (newsletter.recipients)") from None
    except UnicodeDecodeError:
        raise ColumnistError(f"{path}: recipient list is not UTF-8 text") from None
    except OSError as exc:
        raise ColumnistError(f"{path}: cannot read the recipient list: {exc.strerror}") from None
    found = RecipientList([])
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        value = line.split("#", 1)[0].strip()
        if not value:
            continue
        if not is_address(value):
            found.problems.append(f"{path}:{number}: not an e-mail address: {value!r} (skipped)")
            continue
        if value.lower() not in seen:
            seen.add(value.lower())
            found.addresses.append(value)
    return found
