"""Fetch feeds over HTTP(S) within hard bounds, or read them from local files.

Bounds that hold for every fetch: one wall-clock deadline (``fetch.timeout``) for the
whole exchange including redirects and DNS, a byte cap (``fetch.max_bytes``) on the
decoded body, at most five redirects, and an address policy that keeps a feed URL
from reaching loopback, private, link-local or otherwise non-public addresses unless
``fetch.allow_private`` is set.

The address policy is enforced twice:

* ``check_address_allowed`` runs before every hop (the first request and each
  redirect), so a refusal comes with a clear message whatever client is used;
* clients made by ``make_client`` also check the address they actually connect to,
  inside the connection pool, so a DNS answer that changes between the check and the
  connection (DNS rebinding) cannot slip through.

Rate limiting (HTTP 429 and 503) is reported by raising ``RetryLater``, a FetchError
that carries ``retry_after`` seconds parsed from the Retry-After header (None when the
server gave none). Treating it as an error means a caller that knows nothing of it
still records a failed fetch; a caller that does can back off for that long.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import errno
import importlib.util
import ipaddress
import socket
import ssl
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from columnist.config import FetchSettings
from columnist.errors import FetchError

# httpcore runs `import sniffio` each time it sets up a lock, several times per request.
# When sniffio is not installed, each failed import walks sys.path again (~0.4 ms a
# time, a third of the CPU of a poll that is mostly 304s). Recording its absence once
# makes those imports fail at once, exactly as they would anyway.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

MAX_REDIRECTS = 5
MAX_DRAINED_BYTES = 65_536  # an unused body up to this size is read so the connection is kept
MAX_RETRY_AFTER = 7 * 24 * 3600.0  # a server asking for more than a week is mistaken
# Addresses tried per host name before giving up (IPv6 then IPv4, say).
MAX_CONNECT_ATTEMPTS = 4
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "application/json;q=0.8, */*;q=0.5"
)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_RETRY_LATER = frozenset({429, 503})
# NAT64 (RFC 6052) embeds an IPv4 address in the low 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(slots=True)
class FetchResult:
    """What one fetch returned; `content` is None when `not_modified`."""

    status: int
    content: bytes | None
    etag: str | None
    last_modified: str | None
    final_url: str
    permanent_redirect: bool  # every hop was 301/308: the caller may store final_url
    retry_after: float | None  # seconds, when a successful response still sent one
    content_type: str | None
    not_modified: bool


class RetryLater(FetchError):
    """HTTP 429 or 503: the server asks us to come back later."""

    def __init__(self, message: str, *, status: int, retry_after: float | None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


# --- address policy --------------------------------------------------------------------


def is_public_address(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses.

    IPv6 forms that carry an IPv4 address (IPv4-mapped, 6to4, Teredo, NAT64) are
    judged by the IPv4 address they lead to.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public_address(ip.ipv4_mapped)
        if ip.sixtofour is not None and not is_public_address(ip.sixtofour):
            return False
        if ip.teredo is not None and not all(is_public_address(a) for a in ip.teredo):
            return False
        if ip in _NAT64:
            return is_public_address(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
    )


def _refused(ip: IPAddress) -> FetchError:
    return FetchError(
        f"refused: {ip} is a private address (set fetch.allow_private = true to allow)"
    )


async def _resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses for `host`, resolved off the event loop; FetchError if none."""
    try:
        return [ipaddress.ip_address(host.strip("[]").split("%", 1)[0])]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"name not resolved: {host}") from exc
    except OSError as exc:
        raise FetchError(f"name not resolved: {host} ({exc.strerror or exc})") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        try:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        except ValueError:
            continue
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchError(f"name not resolved: {host}")
    return addresses


def _check_all(addresses: Iterable[IPAddress]) -> None:
    for ip in addresses:
        if not is_public_address(ip):
            raise _refused(ip)


def _split_http_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or FetchError saying why not."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"invalid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "scheme-less"
        raise FetchError(f"refused: {shown} URLs are not fetched (only http and https)")
    if not parts.hostname:
        raise FetchError(f"invalid URL: no host in {url[:200]!r}")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


async def check_address_allowed(url: str, allow_private: bool) -> None:
    """Refuse non-http(s) URLs and, unless `allow_private`, hosts that resolve to a
    loopback, private, link-local, reserved, multicast or unspecified address.

    A host is refused if *any* of its addresses is non-public: a name that mixes
    public and private answers is how DNS rebinding is set up.
    """
    _scheme, host, port = _split_http_url(url)
    if allow_private:
        return
    _check_all(await _resolve(host, port))


class _GuardedBackend:
    """httpcore network backend that applies the address policy at connect time.

    It resolves the host itself, refuses the whole host if any address is not
    public, then connects to the checked address; TLS still verifies the original
    host name, which httpcore passes separately.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> Any:
        addresses = await _resolve(host, port)
        _check_all(addresses)
        error: Exception | None = None
        for ip in addresses[:MAX_CONNECT_ATTEMPTS]:
            try:
                return await self._inner.connect_tcp(
                    str(ip),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except Exception as exc:  # noqa: BLE001 - try the next address, re-raise the last
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(self, path: str, *args: Any, **kwargs: Any) -> Any:
        raise FetchError("refused: unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def make_client(settings: FetchSettings) -> httpx.AsyncClient:
    """An AsyncClient for feeds: our User-Agent, no automatic redirects, bounded pool.

    Proxy environment variables are not honoured: the address policy judges the feed's
    own host, which a proxy would hide. Unless `allow_private`, the pool checks every
    address it connects to (see the module docstring).
    """
    limits = httpx.Limits(
        max_connections=max(4, settings.concurrency * 2),
        max_keepalive_connections=max(1, settings.concurrency),
        keepalive_expiry=30.0,
    )
    transport = httpx.AsyncHTTPTransport(limits=limits, retries=0)
    if not settings.allow_private:
        pool = getattr(transport, "_pool", None)
        if pool is None or not hasattr(pool, "_network_backend"):  # pragma: no cover
            raise RuntimeError("httpx/httpcore changed: cannot install the address guard")
        pool._network_backend = _GuardedBackend(pool._network_backend)
    return httpx.AsyncClient(
        transport=transport,
        headers={"User-Agent": settings.user_agent, "Accept": ACCEPT},
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        trust_env=False,
    )


# --- fetching --------------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(0.0, delta), MAX_RETRY_AFTER)


def _status_text(response: httpx.Response) -> str:
    try:
        phrase = HTTPStatus(response.status_code).phrase
    except ValueError:
        phrase = " ".join(response.reason_phrase.split())[:60]
    return f"HTTP {response.status_code} {phrase}".rstrip()


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (text or type(exc).__name__)[:150]


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and what it wraps, since httpx hides the OSError that says why."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _connect_reason(exc: httpx.ConnectError) -> str:
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate not accepted: {cause.verify_message or _short(cause)}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake failed: {_short(cause)}"
        if isinstance(cause, socket.gaierror):
            return "name not resolved"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return "network unreachable"
    return f"connection failed: {_short(exc)}"


def _network_reason(exc: httpx.HTTPError, timeout: float) -> str:
    """A short, user-facing reason for an httpx failure."""
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g}s"
    if isinstance(exc, httpx.ConnectError):
        return _connect_reason(exc)
    text = _short(exc)
    if isinstance(exc, httpx.DecodingError):
        return "could not decode the response body (bad compression)"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return f"invalid URL: {text}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"protocol error: {text}"
    if isinstance(exc, httpx.NetworkError):
        return f"connection lost: {text}"
    return text


def clean_validator(value: str | None) -> str | None:
    """An ETag / Last-Modified value safe to send back, or None.

    We store these and echo them in later requests; a value with control characters
    or absurd length would make every later request of that feed fail.
    """
    if not value:
        return None
    value = value.strip()
    if not value or len(value) > 512 or not all(" " <= ch <= "~" for ch in value):
        return None
    return value


def _too_large(max_bytes: int) -> FetchError:
    return FetchError(f"response larger than {max_bytes} bytes")


async def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, refusing more than `max_bytes` (declared or actual)."""
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise _too_large(max_bytes)
    return bytes(body)


async def _drain(response: httpx.Response) -> None:
    """Read a small body we will not use (a 304's, a redirect's, an error page's), so
    the keep-alive connection goes back to the pool: closing a response unread closes
    its connection, and the next source would pay for a new one. Called inside the
    fetch deadline, so a body that trickles in cannot hold the fetch past it."""
    declared = response.headers.get("content-length", "").strip()
    small = response.status_code in (204, 304) or (
        declared.isdigit() and int(declared) <= MAX_DRAINED_BYTES
    )
    if small:
        with contextlib.suppress(httpx.HTTPError):
            await response.aread()


async def _fetch(
    client: httpx.AsyncClient,
    url: str,
    settings: FetchSettings,
    etag: str | None,
    last_modified: str | None,
    accept: str = ACCEPT,
) -> FetchResult:
    headers = {"User-Agent": settings.user_agent, "Accept": accept}
    etag, last_modified = clean_validator(etag), clean_validator(last_modified)
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url.strip()
    hops = 0
    all_permanent = True
    while True:
        await check_address_allowed(current, settings.allow_private)
        request = client.build_request("GET", current, headers=headers)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            status = response.status_code
            if not 200 <= status < 300:
                await _drain(response)
            if status in _REDIRECTS:
                location = response.headers.get("location", "").strip()
                if not location:
                    raise FetchError(f"{_status_text(response)} without a Location header")
                hops += 1
                if hops > MAX_REDIRECTS:
                    raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")
                all_permanent = all_permanent and status in _PERMANENT
                try:
                    current = str(response.url.join(location))
                except (httpx.InvalidURL, ValueError) as exc:
                    raise FetchError(f"invalid redirect Location: {_short(exc)}") from None
                continue
            if status in _RETRY_LATER:
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                hint = f" (retry after {retry_after:.0f}s)" if retry_after is not None else ""
                raise RetryLater(
                    f"{_status_text(response)}{hint}", status=status, retry_after=retry_after
                )
            not_modified = status == 304
            if not (200 <= status < 300 or not_modified):
                raise FetchError(_status_text(response))
            content = None if not_modified else await _read_body(response, settings.max_bytes)
            return FetchResult(
                status=status,
                content=content,
                etag=clean_validator(response.headers.get("etag"))
                or (etag if not_modified else None),
                last_modified=clean_validator(response.headers.get("last-modified"))
                or (last_modified if not_modified else None),
                final_url=str(response.url),
                permanent_redirect=hops > 0 and all_permanent,
                retry_after=parse_retry_after(response.headers.get("retry-after")),
                content_type=response.headers.get("content-type"),
                not_modified=not_modified,
            )
        finally:
            await response.aclose()


async def fetch_url(
    client: httpx.AsyncClient,
    url: str,
    settings: FetchSettings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str = ACCEPT,
) -> FetchResult:
    """GET a feed with conditional headers, following up to 5 checked redirects.

    Returns a FetchResult for 2xx and 304; raises RetryLater for 429/503 and
    FetchError, with a one-line reason, for every other failure. The whole call,
    redirects and DNS included, finishes within `settings.timeout` seconds.
    """
    try:
        async with asyncio.timeout(settings.timeout):
            return await _fetch(client, url, settings, etag, last_modified, accept)
    except TimeoutError:
        raise FetchError(f"timed out after {settings.timeout:g}s") from None
    except httpx.HTTPError as exc:
        raise FetchError(_network_reason(exc, settings.timeout)) from None
    except (httpx.InvalidURL, httpx.CookieConflict) as exc:
        raise FetchError(f"invalid URL: {_short(exc)}") from None


def read_local(path: str, max_bytes: int) -> bytes:
    """Bytes of a local feed file, refusing missing, special or oversized files."""
    file = Path(path.removeprefix("file://")).expanduser()
    try:
        info = file.stat()
        if not stat.S_ISREG(info.st_mode):
            raise FetchError(f"{file}: not a regular file")
        if info.st_size > max_bytes:
            raise FetchError(f"{file}: file larger than {max_bytes} bytes")
        with file.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise FetchError(f"{file}: file not found") from None
    except PermissionError:
        raise FetchError(f"{file}: permission denied") from None
    except OSError as exc:
        raise FetchError(f"{file}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # the file grew after stat()
        raise FetchError(f"{file}: file larger than {max_bytes} bytes")
    return data
