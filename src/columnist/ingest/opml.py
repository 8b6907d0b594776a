"""OPML in and out: the subscription lists feed readers exchange.

Reading is defensive, since an OPML file comes from elsewhere: defusedxml refuses
DTDs, entity declarations and external references before anything is expanded, the
file size is capped, and only http(s) feed URLs are taken (a `file:` or `javascript:`
outline is skipped with a reason). Writing produces OPML 2.0 with ElementTree, which
escapes every attribute.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from columnist.config import SourceSettings
from columnist.errors import ColumnistError
from columnist.ingest.normalise import absolute_url, canonical_url, plain_title

MAX_OPML_BYTES = 5_000_000
MAX_NAME_CHARS = 200
_REFUSED = {
    "DTDForbidden": "a DTD",
    "EntitiesForbidden": "entity declarations",
    "ExternalReferenceForbidden": "an external reference",
}


@dataclass(slots=True)
class OpmlFeed:
    name: str
    url: str


@dataclass(slots=True)
class OpmlImport:
    feeds: list[OpmlFeed] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one reason per outline not taken


def _attr(element: ET.Element, name: str) -> str | None:
    """An attribute by name, ignoring case (xmlUrl is spelled xmlurl by some writers)."""
    for key, value in element.attrib.items():
        if key.lower() == name.lower():
            return value
    return None


def parse_opml(content: bytes, origin: str = "OPML file") -> OpmlImport:
    """The feeds an OPML document lists, at any depth of nesting.

    Raises ColumnistError, naming `origin`, for a document that is too large, unsafe
    or not OPML.
    """
    if len(content) > MAX_OPML_BYTES:
        raise ColumnistError(f"{origin}: larger than {MAX_OPML_BYTES} bytes")
    try:
        root = SafeET.fromstring(content, forbid_dtd=True)
    except DefusedXmlException as exc:
        what = _REFUSED.get(type(exc).__name__, "unsafe XML")
        raise ColumnistError(
            f"{origin}: refused: {what} (possible entity-expansion or external-entity attack)"
        ) from None
    except ET.ParseError as exc:
        raise ColumnistError(f"{origin}: not valid XML: {exc}") from None
    if root.tag.lower() != "opml":
        raise ColumnistError(f"{origin}: not an OPML document (root is <{root.tag}>)")
    result = OpmlImport()
    for outline in root.iter("outline"):
        raw = _attr(outline, "xmlUrl")
        if raw is None:
            continue  # a folder, or a link that is not a feed
        url = raw.strip()
        if absolute_url(url) is None:
            result.skipped.append(f"{url[:200]!r}: not an http(s) URL")
            continue
        label = _attr(outline, "title") or _attr(outline, "text") or ""
        name = plain_title(label, MAX_NAME_CHARS) or url[:MAX_NAME_CHARS]
        result.feeds.append(OpmlFeed(name=name, url=url))
    return result


def _same_url_key(url: str) -> str:
    return canonical_url(url) or url.strip()


def new_feeds(
    feeds: Iterable[OpmlFeed], existing: Iterable[SourceSettings]
) -> tuple[list[OpmlFeed], list[OpmlFeed]]:
    """(feeds to add, duplicates): a feed is a duplicate when a configured source or
    an earlier feed has the same URL. Names are made unique with " (2)", " (3)"."""
    existing = list(existing)
    urls = {_same_url_key(s.url) for s in existing}
    names = {s.name for s in existing}
    added, duplicates = [], []
    for feed in feeds:
        key = _same_url_key(feed.url)
        if key in urls:
            duplicates.append(feed)
            continue
        urls.add(key)
        name, n = feed.name, 1
        while name in names:
            n += 1
            name = f"{feed.name} ({n})"
        names.add(name)
        added.append(OpmlFeed(name=name, url=feed.url))
    return added, duplicates


def _toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are all valid TOML escapes."""
    return json.dumps(value, ensure_ascii=False)


def sources_toml(feeds: Iterable[OpmlFeed], note: str) -> str:
    """[[sources]] tables to append to a config file, after a comment line."""
    lines = [f"\n# {' '.join(note.split())}"]
    for feed in feeds:
        lines += [
            "[[sources]]",
            f"name = {_toml_string(feed.name)}",
            f"url = {_toml_string(feed.url)}",
            "",
        ]
    return "\n".join(lines)


def _xml_url(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else Path(url).as_uri()


def render_opml(feeds: Iterable[OpmlFeed], title: str, now: datetime | None = None) -> bytes:
    """An OPML 2.0 document listing `feeds`; local files appear as file: URIs."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC), True)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        ET.SubElement(
            body,
            "outline",
            type="rss",
            text=feed.name,
            title=feed.name,
            xmlUrl=_xml_url(feed.url),
        )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
