"""An output file that has not been rendered yet: where it goes, what it depends on, how.

Generators return Pages; the OutputWriter (output.py) decides from the fingerprint alone
whether to call `render`, which is how an unchanged build avoids rendering anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from columnist.site.model import Entry


@dataclass(slots=True)
class Page:
    path: str  # relative to the output folder, "/"-separated, e.g. "posts/x/index.html"
    fingerprint: str  # digest of every input of the file
    render: Callable[[], str | bytes]
    # Posts whose body and sources `render` shows (read from the store before rendering).
    entries: tuple[Entry, ...] = ()


def fingerprint(*parts: object) -> str:
    """Digest of the string forms of `parts` (post keys, page numbers, settings...)."""
    text = "\x1f".join(p if isinstance(p, str) else repr(p) for p in parts)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def digest(text: str) -> str:
    """Digest of a string already assembled by the caller (for the pages made by the
    thousand, where `fingerprint`'s repr of each part costs more than the hashing)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
