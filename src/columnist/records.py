"""Plain records passed between pipeline stages, imported by stages and store alike.

Stages talk to each other through the store; these dataclasses are the shapes that
cross module boundaries (parser -> store, store -> writer, writer -> store, store ->
site) so that no stage depends on another's internals. Rows a single store module
hands back to a single caller (SourceState, PendingEntry, ...) stay beside their query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class ImageCandidate:
    """An image a feed item or its article page offers, not fetched yet (parse -> ingest)."""

    url: str  # canonical, absolute http(s) URL
    alt: str | None = None  # the feed's media:description/title or the page's og:image:alt
    credit: str | None = None  # the feed's media:credit (a photographer, an agency)


@dataclass(slots=True)
class EntryImage:
    """An image fetched and checked at ingest: a raster image Pillow read (ingest -> store).

    `data` is a resized JPEG copy, kept only when the site copies images (`[site] images =
    "copy"`), with `digest` naming it; hotlinked images keep only their URL and size.
    """

    url: str
    width: int
    height: int
    format: str  # "JPEG" | "PNG" | "WEBP" | "GIF"
    alt: str | None = None
    credit: str | None = None
    data: bytes | None = None
    digest: str | None = None


@dataclass(slots=True)
class PostImage:
    """The picture a post shows: its story's best image and whom to credit (store -> site)."""

    entry_id: int
    url: str  # where the image is (hotlinked as it is)
    width: int
    height: int
    alt: str | None
    credit: str | None  # the feed's media:credit, if any
    source_name: str  # the outlet, always credited
    link: str | None  # the source article the image came with
    digest: str | None = None  # a local copy exists (copy mode)


@dataclass(slots=True)
class ParsedEntry:
    """One feed item after parsing and normalising; all HTML already sanitised."""

    guid: str | None
    link: str | None  # canonical, absolute http(s) URL or None
    title: str  # plain text
    summary_html: str  # sanitised HTML, safe to embed
    text: str  # plain text for the models
    published: datetime | None  # timezone-aware UTC
    author: str | None = None
    images: list[ImageCandidate] = field(default_factory=list)  # best first


@dataclass(slots=True)
class ParsedFeed:
    title: str
    link: str | None
    entries: list[ParsedEntry] = field(default_factory=list)


@dataclass(slots=True)
class SourceLink:
    """A source article a post was built from."""

    title: str
    url: str | None
    source_name: str
    published: datetime | None


@dataclass(slots=True)
class TopicView:
    slug: str
    name: str
    description: str
    post_count: int = 0


@dataclass(slots=True)
class PostNote:
    """A dated note on a published post saying what an edit changed (store -> site)."""

    kind: str  # "correction" | "update"
    when: datetime
    text: str


@dataclass(slots=True)
class PostView:
    """A published post as the site renders it."""

    id: int
    slug: str
    title: str
    body: str  # plain text, paragraphs separated by blank lines
    excerpt: str  # plain text, ends at a sentence end
    created: datetime
    updated: datetime
    topics: list[TopicView]
    sources: list[SourceLink]
    model: str
    status: str = "published"
    # Set by the site's loader, which reads bodies and sources only for the pages it
    # renders: a string that changes whenever `body` or `sources` change (which are
    # then left empty), and the number of sources.
    revision: str | None = None
    source_count: int | None = None
    # Who approved it and when (None: published by the checks alone), for the disclosure.
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    notes: list[PostNote] = field(default_factory=list)  # oldest first
    image: PostImage | None = None  # its story's best source image, if any


@dataclass(slots=True)
class StoryRecord:
    """A story as the write stage claims it."""

    id: int
    title: str
    centroid: bytes | None
    entry_count: int
    first_seen: datetime
    last_seen: datetime
    post_id: int | None = None  # set by `needing_posts`: the post to rewrite, if any


@dataclass(slots=True)
class StoryInput:
    """A story as the writer reads it: its headline, sources and topics (store -> write,
    and the review desk's rewrite)."""

    headline: str
    sources: list[tuple[str, str, str, datetime | None]]  # (outlet, title, text, published)
    topics: list[str] = field(default_factory=list)  # slugs, the strongest first
    story_id: int | None = None
    note: str = ""  # an editor's instruction when a post is written again

    @property
    def editor_note(self) -> str:
        """The note as the prompts quote it: one line, fenced like source text."""
        from columnist.commentary.prompts import fence

        return fence(" ".join(self.note.split()))

    @property
    def source_text(self) -> str:
        """All that grounds the commentary: headline, then each source's outlet, title, text."""
        from columnist.commentary.compose import grounding_text

        return grounding_text(self.headline, [(o, t, x) for o, t, x, _ in self.sources])


@dataclass(slots=True)
class NewPost:
    """A written post, as the write stage hands it to the store."""

    story_id: int
    title: str
    body: str
    excerpt: str
    status: str
    backend: str
    model: str
    prompt_version: str
    checks: dict
    source_count: int


def _problems(checks: dict) -> list[str]:
    """What the checks found, then each sentence the verifier could not support."""
    found = list(checks.get("problems", []))
    for flag in checks.get("unverified", []):
        found.append(f"unverified: {flag.get('sentence', '')}")
    return found


@dataclass(slots=True)
class EditorChange:
    """A person's correction or update of a published text (store -> review): what a
    rewrite written from the sources alone does not carry."""

    kind: str  # "correction" | "update"
    who: str
    when: datetime
    text: str  # the note readers were shown
    version: int  # the post's version it made

    def describe(self) -> str:
        return f'{self.kind} by {self.who} on {self.when:%Y-%m-%d %H:%M} ("{self.text}")'


@dataclass(slots=True)
class PendingRewrite:
    """A published post's new text, written when its story grew and held by the review
    policy: it waits beside the published text until a person decides (store -> review)."""

    status: str  # "held" | "draft": what the policy made of it
    body: str
    excerpt: str
    checks: dict
    source_count: int
    created: datetime
    # Corrections and updates a person made to the published text since the writer
    # wrote it: this text, written from the sources, does not carry them.
    corrections: list[EditorChange] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return _problems(self.checks)


@dataclass(slots=True)
class QueuedPost:
    """A post as a reviewer sees it (store -> review commands and admin)."""

    id: int
    story_id: int
    slug: str
    title: str
    body: str
    status: str  # "held" | "draft" | "published" | "rejected" | "retracted"
    version: int  # raised by every change: a save with an older one is a conflict
    created: datetime
    updated: datetime
    topics: list[str]  # slugs
    source_count: int
    checks: dict  # as the writer stored them (commentary/compose.py Draft.checks_dict)
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_note: str | None = None
    # A published post's rewritten text waiting for review (None: nothing waits).
    pending: PendingRewrite | None = None

    @property
    def problems(self) -> list[str]:
        """What the checks found, then each sentence the verifier could not support."""
        return _problems(self.checks)

    @property
    def waiting_problems(self) -> list[str]:
        """The problems of the text waiting for review: the pending rewrite's, if any."""
        return self.pending.problems if self.pending else self.problems


@dataclass(slots=True)
class Retraction:
    """A retracted post, whose page becomes a dated note (store -> site)."""

    id: int
    slug: str
    title: str
    retracted_at: datetime
    reason: str


@dataclass(slots=True)
class AnnouncedPost:
    """A post as the announce stage tells webhooks and social accounts about it, read
    when it is sent, so a retried delivery carries the text of the moment (store ->
    announce)."""

    id: int
    story_id: int
    slug: str
    title: str
    body: str
    excerpt: str
    status: str
    created: datetime
    updated: datetime
    model: str
    checks: dict
    topics: list[str]  # slugs
    sources: list[SourceLink]
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_note: str | None = None
