"""A real HTTP server on 127.0.0.1 serving a Media RSS feed, article pages and images
(real bytes made with Pillow), and the bad cases: a 20 MB "image", an SVG with a script,
a redirect to a private address, an image that never comes.

Routes:

    /feed.xml                the feed (see FEED: one item per case)
    /article/<n>             an article page; /article/4 has an og:image
    /img/<name>.<jpg|png|webp|gif>?w=&h=   an image of that size and format
    /big[?length=0]          20 MB of bytes typed image/jpeg (declared unless length=0)
    /evil.svg                an SVG with a script
    /private                 302 to http://169.254.169.254/latest/photo.jpg
    /hang                    sends headers, then nothing for 30 s
"""

from __future__ import annotations

import contextlib
import functools
import io
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from PIL import Image

BIG = 20_000_000
HOSTILE = '"><script>alert(1)</script>'
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
    b"<script>alert(document.cookie)</script><rect width='800' height='600'/></svg>"
)
FORMATS = {
    "jpg": ("JPEG", "image/jpeg"),
    "png": ("PNG", "image/png"),
    "webp": ("WEBP", "image/webp"),
    "gif": ("GIF", "image/gif"),
}

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Pictures Daily</title><link>{base}/</link><description>d</description>
<item><title>Media content story</title><link>{base}/article/1</link>
<description>A harbour crane lifted containers all morning.</description>
<media:content url="{base}/img/crane.jpg?w=800&amp;h=600" medium="image"
 type="image/jpeg" width="800" height="600">
<media:credit role="photographer">Ann Lens &lt;script&gt;x&lt;/script&gt;</media:credit>
<media:description>A crane over the harbour</media:description>
</media:content>
<media:thumbnail url="{base}/img/crane-small.jpg?w=120&amp;h=90"/>
</item>
<item><title>Thumbnail story</title><link>{base}/article/2</link>
<description>The council met about the bridge.</description>
<media:thumbnail url="{base}/img/bridge.png?w=400&amp;h=300"/>
</item>
<item><title>Enclosure story</title><link>{base}/article/3</link>
<description>A new library opened on the square.</description>
<enclosure url="{base}/img/library.webp?w=300&amp;h=200" type="image/webp" length="1000"/>
</item>
<item><title>Article image story</title><link>{base}/article/4</link>
<description>Farmers brought the harvest in early.</description>
</item>
<item><title>Huge image story</title><link>{base}/article/5</link>
<description>A museum reopened after repairs.</description>
<media:content url="{base}/big" medium="image" type="image/jpeg"/>
</item>
<item><title>SVG story</title><link>{base}/article/6</link>
<description>The choir sang at the station.</description>
<media:content url="{base}/evil.svg" type="image/svg+xml"/>
<enclosure url="{base}/evil.svg" type="image/png" length="10"/>
</item>
<item><title>Private redirect story</title><link>{base}/article/7</link>
<description>Cyclists rode across the valley.</description>
<media:content url="{base}/private" medium="image" type="image/jpeg"/>
</item>
<item><title>Hanging image story</title><link>{base}/article/8</link>
<description>The ferry ran late in the fog.</description>
<media:content url="{base}/hang" medium="image" type="image/jpeg"/>
</item>
</channel></rss>
"""

ARTICLE = """<!doctype html><html><head><title>Article {n}</title>{meta}</head>
<body><article><p>{text}</p></article></body></html>"""
OG = (
    '<meta property="og:image" content="/img/harvest.jpg?w=1000&amp;h=500">'
    '<meta property="og:image:alt" content="Tractors in a field at dusk">'
)


@functools.cache
def image_bytes(fmt: str, width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(out, fmt)
    return out.getvalue()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.server.requests.append(parts.path)  # type: ignore[attr-defined]
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(parts.path, query)

    def _send(self, status: int, body: bytes, kind: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _route(self, path: str, query: dict[str, str]) -> None:
        base = self.server.base  # type: ignore[attr-defined]
        if path == "/feed.xml":
            self._send(200, FEED.format(base=base).encode(), "application/rss+xml")
        elif path.startswith("/article/"):
            n = path.rsplit("/", 1)[1]
            text = " ".join(["The full article says a great deal more about it."] * 20)
            page = ARTICLE.format(n=n, meta=OG if n == "4" else "", text=text)
            self._send(200, page.encode(), "text/html; charset=utf-8")
        elif path.startswith("/img/"):
            fmt, kind = FORMATS[path.rsplit(".", 1)[1]]
            data = image_bytes(fmt, int(query.get("w", 640)), int(query.get("h", 480)))
            self._send(200, data, kind)
        elif path == "/big":
            self._big(declared=query.get("length") != "0")
        elif path == "/evil.svg":
            self._send(200, SVG, query.get("type", "image/svg+xml"))
        elif path == "/private":
            self._send(302, b"", "text/plain", {"Location": "http://169.254.169.254/photo.jpg"})
        elif path == "/hang":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.end_headers()
            self.wfile.flush()
            time.sleep(30)
        else:
            self._send(404, b"not found", "text/plain")

    def _big(self, declared: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        if declared:
            self.send_header("Content-Length", str(BIG))
        self.end_headers()
        self.wfile.write(image_bytes("JPEG", 64, 64))  # a real JPEG start, then padding
        chunk = b"\0" * 65536
        for _ in range(BIG // len(chunk)):
            self.wfile.write(chunk)


class ImageServer:
    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False  # the hanging handler is left behind
        self.httpd.requests = []  # type: ignore[attr-defined]
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.httpd.base = self.base  # type: ignore[attr-defined]

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests  # type: ignore[attr-defined]


@contextlib.contextmanager
def serving() -> Iterator[ImageServer]:
    server = ImageServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
