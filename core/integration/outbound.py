"""Outbound HTTP to webhook receivers, safe against SSRF.

A webhook URL is checked when it is subscribed and again before every attempt: ``https`` only (plain
``http`` only to loopback, and only when ``QUNTUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK`` is set), and every
address the host resolves to must be public unless it lies in ``QUNTUAN_WEBHOOK_ALLOWED_NETWORKS``.
The connection then goes to the very address that was checked (the URL's host is kept for ``Host``
and TLS SNI/certificate checks), so a DNS answer that changes between check and connect — DNS
rebinding — cannot reach an internal address. Redirects are not followed; timeouts and a response size
cap bound what a receiver can cost us. Connections are pooled per destination (:class:`Senders`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from core.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Idle seconds a kept-alive connection to a receiver stays open.
KEEPALIVE_SECONDS = 30.0
#: Destinations with a client (and its pooled connections) kept at once.
MAX_DESTINATIONS = 256


class OutboundRefused(Exception):
    """The URL may not be called; ``code`` says why (``scheme_not_allowed``, ``address_not_allowed``…)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class Target:
    """A vetted URL: where it points and the address the connection must go to."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to. ``error`` is a stable code, never the receiver's text."""

    status_code: int | None
    latency_ms: int
    error: str | None
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _networks(settings: Settings) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in settings.webhook_allowed_networks]


def address_allowed(address: IPAddress, settings: Settings) -> bool:
    """Public unicast addresses, and anything inside an allow-listed network."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if any(address in net for net in _networks(settings)):
        return True
    return address.is_global and not address.is_multicast


def parse_url(url: str, settings: Settings) -> tuple[str, str, int]:
    """Scheme, host and port of an acceptable webhook URL (raises :class:`OutboundRefused`)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise OutboundRefused("invalid_url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise OutboundRefused("scheme_not_allowed")
    if scheme == "http" and not settings.webhook_allow_http_loopback:
        raise OutboundRefused("scheme_not_allowed")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise OutboundRefused("invalid_url")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundRefused("unresolvable") from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OutboundRefused("unresolvable")
    return addresses


async def vet(url: str, settings: Settings) -> Target:
    """Check ``url`` now: syntax, scheme, and every address its host resolves to."""
    scheme, host, port = parse_url(url, settings)
    addresses = await resolve(host, port)
    if not all(address_allowed(a, settings) for a in addresses):
        raise OutboundRefused("address_not_allowed")
    if scheme == "http" and not all(a.is_loopback for a in addresses):
        raise OutboundRefused("scheme_not_allowed")
    return Target(url=url, scheme=scheme, host=host, port=port, address=addresses[0])


def _pinned_url(target: Target) -> str:
    parts = urlsplit(target.url)
    literal = f"[{target.address}]" if target.address.version == 6 else str(target.address)
    return urlunsplit((target.scheme, f"{literal}:{target.port}", parts.path or "/", parts.query, ""))


def make_client(settings: Settings) -> httpx.AsyncClient:
    """A client for one destination: no redirects, no proxies from the environment, bounded time."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(
            connect=settings.webhook_connect_timeout,
            read=settings.webhook_read_timeout,
            write=settings.webhook_read_timeout,
            pool=settings.webhook_connect_timeout,
        ),
        limits=httpx.Limits(
            max_connections=settings.webhook_concurrency,
            max_keepalive_connections=settings.webhook_concurrency,
            keepalive_expiry=KEEPALIVE_SECONDS,
        ),
    )


class Senders:
    """HTTP clients for webhook traffic, one per destination: (scheme, URL host, vetted address, port).

    Connections are kept alive for reuse, but only ever for the very host name and address they were
    opened for: a request to another host name (even at the same address) gets its own pool, so it never
    rides on a connection, SNI or certificate check made for someone else. Least recently used clients
    beyond :data:`MAX_DESTINATIONS` are closed.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._clients: OrderedDict[tuple[str, str, str, int], httpx.AsyncClient] = OrderedDict()
        self._closing: set[asyncio.Task[None]] = set()

    def client_for(self, target: Target) -> httpx.AsyncClient:
        key = (target.scheme, target.host, str(target.address), target.port)
        client = self._clients.get(key)
        if client is not None:
            self._clients.move_to_end(key)
            return client
        client = self._clients[key] = make_client(self.settings)
        while len(self._clients) > MAX_DESTINATIONS:
            _, old = self._clients.popitem(last=False)
            task = asyncio.get_running_loop().create_task(old.aclose())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        return client

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), OrderedDict()
        await asyncio.gather(*(c.aclose() for c in clients), *self._closing, return_exceptions=True)

    async def __aenter__(self) -> Senders:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


async def post(
    senders: Senders, url: str, body: bytes, headers: dict[str, str], settings: Settings
) -> Outcome:
    """Vet ``url`` now and POST ``body`` to the vetted address; never raises for network trouble."""
    started = time.perf_counter()
    try:
        target = await vet(url, settings)
    except OutboundRefused as exc:
        return Outcome(
            status_code=None, latency_ms=int((time.perf_counter() - started) * 1000), error=exc.code
        )
    return await send(senders, target, body, headers, settings)


async def send(
    senders: Senders, target: Target, body: bytes, headers: dict[str, str], settings: Settings
) -> Outcome:
    """POST ``body`` to ``target`` (vetted just before): pinned address, no redirects, capped answer."""
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    client = senders.client_for(target)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    if ":" in target.host and not target.host.startswith("["):
        host_header = f"[{target.host}]" if target.port == default_port else f"[{target.host}]:{target.port}"
    request = client.build_request(
        "POST",
        _pinned_url(target),
        content=body,
        headers={**headers, "host": host_header},
        extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
    )
    cap = settings.webhook_max_response_bytes
    try:
        response = await client.send(request, stream=True)
        try:
            received = bytearray()
            async for chunk in response.aiter_raw():
                received.extend(chunk[: cap - len(received)])
                if len(received) >= cap:
                    break
        finally:
            await response.aclose()
    except httpx.TimeoutException:
        return Outcome(status_code=None, latency_ms=elapsed(), error="timeout")
    except httpx.ConnectError:
        return Outcome(status_code=None, latency_ms=elapsed(), error="connect")
    except httpx.HTTPError:
        return Outcome(status_code=None, latency_ms=elapsed(), error="protocol")
    status = response.status_code
    error = None if 200 <= status < 300 else f"http_{status}"
    excerpt = bytes(received[:256]).decode("utf-8", "replace")
    return Outcome(status_code=status, latency_ms=elapsed(), error=error, excerpt=excerpt)
