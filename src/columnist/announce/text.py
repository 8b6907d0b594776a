"""The words of a social post: headline, a one-line opening, the link; cut to fit.

Mastodon counts 500 characters (a link as 23); Bluesky 300 graphemes, and wants the
link marked as a facet by its UTF-8 byte offsets. A character is never more than one
grapheme, so counting characters keeps a post within Bluesky's limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from columnist.commentary.openings import opening

MASTODON_LIMIT = 500
MASTODON_LINK = 23  # every link counts as this many characters
BLUESKY_LIMIT = 300
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class SocialText:
    text: str
    link: str
    link_start: int  # UTF-8 byte offsets of the link in `text` (Bluesky facets)
    link_end: int


def _cut(text: str, room: int) -> str:
    """`text` within `room` characters, cut at a word with an ellipsis if it must be."""
    text = " ".join(text.split())
    if len(text) <= room:
        return text
    if room <= len(ELLIPSIS):
        return ""
    cut = text[: room - len(ELLIPSIS)]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + ELLIPSIS


def social_text(title: str, body: str, link: str, limit: int, link_counts: int) -> SocialText:
    """Headline, blank line, opening, blank line, link; the opening (then the headline)
    is shortened to fit `limit`, the link counting `link_counts` characters."""
    room = limit - link_counts - 4  # two blank lines between three parts
    head = _cut(title, min(len(title), room))
    line = _cut(opening(body), room - len(head) - 2)
    parts = [p for p in (head, line) if p]
    before = "\n\n".join(parts) + "\n\n"
    start = len(before.encode("utf-8"))
    return SocialText(before + link, link, start, start + len(link.encode("utf-8")))


def mastodon_text(title: str, body: str, link: str) -> SocialText:
    return social_text(title, body, link, MASTODON_LIMIT, MASTODON_LINK)


def bluesky_text(title: str, body: str, link: str) -> SocialText:
    return social_text(title, body, link, BLUESKY_LIMIT, len(link))
