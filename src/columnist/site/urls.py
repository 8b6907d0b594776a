"""Where every page lives, as a file path, a site-relative link and an absolute URL.

All links inside pages start with the path of `base_url` ("/" or "/desk/"), so the same
output works when the site is served at a host's root and when it is served under a
sub-path; feeds, the sitemap and canonical links use the absolute form.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from columnist.config import slugify

_SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SAFE_HREF = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def safe_slug(slug: str) -> str:
    """A slug that can only name one folder (no '/', '..' or odd characters)."""
    return slug if _SAFE_SLUG.fullmatch(slug) else slugify(slug)


def safe_href(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL with a host, else None (render no link)."""
    if not url:
        return None
    url = url.strip()
    if not _SAFE_HREF.fullmatch(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


class Urls:
    """The URL scheme of one site, derived from its base_url."""

    __slots__ = ("base_url", "base_path", "host")

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        path = quote(parts.path or "/", safe="/%-._~")
        if not path.endswith("/"):
            path += "/"
        self.base_path = path
        self.base_url = f"{parts.scheme}://{parts.netloc}{path}"
        self.host = parts.hostname or "localhost"

    # Output file paths, relative to the output folder (always "/"-separated).
    @staticmethod
    def post_file(slug: str) -> str:
        return f"posts/{slug}/index.html"

    @staticmethod
    def topic_file(slug: str, page: int = 1) -> str:
        return f"topics/{slug}/index.html" if page <= 1 else f"topics/{slug}/page/{page}/index.html"

    # Site-relative paths (without the base path); the file path minus "index.html".
    @staticmethod
    def post_path(slug: str) -> str:
        return f"posts/{slug}/"

    @staticmethod
    def topic_path(slug: str, page: int = 1) -> str:
        return f"topics/{slug}/" if page <= 1 else f"topics/{slug}/page/{page}/"

    def link(self, path: str = "") -> str:
        """Link used inside pages: base path + site-relative path."""
        return self.base_path + path

    def absolute(self, path: str = "") -> str:
        """Absolute URL for feeds, the sitemap and canonical links."""
        return self.base_url + path
