"""Outbound HTTP to webhook receivers, safe against SSRF.

A webhook URL is checked when it is subscribed and again before every attempt: ``https`` only (plain
``http`` only to loopback, and only when ``QUNTUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK`` is set), and every
address the host resolves to must be public unless it lies in ``QUNTUAN_WEBHOOK_ALLOWED_NETWORKS``.
The connection then goes to the very address that was checked (the URL's host is kept for ``Host``
and TLS SNI/certificate checks), so a DNS answer that changes between check and connect — DNS
rebinding — cannot reach an internal address. Redirects are not followed; timeouts and a response size
cap bound what a receiver can cost us.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from core.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


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
    """The client for all webhook traffic: no redirects, no proxies from the environment, bounded time."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(
            connect=settings.webhook_connect_timeout,
            read=settings.webhook_read_timeout,
            write=settings.webhook_read_timeout,
            pool=settings.webhook_connect_timeout,
        ),
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=0),
    )


async def post(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], settings: Settings
) -> Outcome:
    """Vet ``url`` again and POST ``body`` to the vetted address; never raises for network trouble."""
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        target = await vet(url, settings)
    except OutboundRefused as exc:
        return Outcome(status_code=None, latency_ms=elapsed(), error=exc.code)
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
