"""Outbound HTTP to webhook receivers, safe against SSRF.

A webhook URL is checked when it is subscribed and again before every attempt: ``https`` only (plain
``http`` only to loopback, and only when ``QUNTUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK`` is set), on port 443 or
one of ``QUNTUAN_WEBHOOK_ALLOWED_PORTS`` (a public address's SSH or database port is no receiver), and every
address the host resolves to must be public unless it lies in ``QUNTUAN_WEBHOOK_ALLOWED_NETWORKS``.
The connection then goes to the very address that was checked (the URL's host is kept for ``Host``
and TLS SNI/certificate checks), so a DNS answer that changes between check and connect — DNS
rebinding — cannot reach an internal address. Redirects are not followed; timeouts and a response size
cap bound what a receiver can cost us. Connections are pooled per destination (:class:`Senders`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import ssl
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit

import h11

from core.kernel.settings import Settings

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
    port = port or (443 if scheme == "https" else 80)
    # Plain http reaches loopback only, in development: any port there.
    if scheme == "https" and port != 443 and port not in settings.webhook_allowed_ports:
        raise OutboundRefused("port_not_allowed")
    return scheme, parts.hostname, port


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


class _Connection:
    """One HTTP/1.1 connection to a vetted address (h11 keeps the protocol state)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.protocol = h11.Connection(our_role=h11.CLIENT)
        self.idle_since = time.monotonic()

    def reusable(self) -> bool:
        return (
            not self.reader.at_eof()
            and not self.writer.is_closing()
            and time.monotonic() - self.idle_since < KEEPALIVE_SECONDS
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


Destination = tuple[str, str, str, int]


class Senders:
    """Connections for webhook traffic, kept alive per destination: (scheme, URL host, vetted address, port).

    Every connection goes to the address that was vetted (never to a name resolved again), with TLS
    server name and certificate checked against the URL's host. An idle connection is only reused for
    the very host name and address it was opened for, so one subscription's request never rides on a
    connection (or TLS session) made for another host. Redirects are never followed (a 3xx is an
    answer like any other); connect and read timeouts and a response size cap bound what a receiver
    can cost. Idle connections of the least recently used destinations beyond
    :data:`MAX_DESTINATIONS` are closed.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._idle: OrderedDict[Destination, list[_Connection]] = OrderedDict()
        self._tls: ssl.SSLContext | None = None

    def destinations(self) -> list[Destination]:
        """Destinations with idle connections kept, least recently used first."""
        return list(self._idle)

    def _take(self, key: Destination) -> _Connection | None:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if conn.reusable():
                return conn
            conn.close()
        return None

    def _give_back(self, key: Destination, conn: _Connection) -> None:
        conn.idle_since = time.monotonic()
        idle = self._idle.setdefault(key, [])
        self._idle.move_to_end(key)
        if len(idle) >= self.settings.webhook_concurrency:
            conn.close()
        else:
            idle.append(conn)
        while len(self._idle) > MAX_DESTINATIONS:
            _, dropped = self._idle.popitem(last=False)
            for old in dropped:
                old.close()

    async def _open(self, target: Target) -> _Connection:
        tls = None
        if target.scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            tls = self._tls
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                str(target.address),
                target.port,
                ssl=tls,
                server_hostname=target.host if tls is not None else None,
            ),
            timeout=self.settings.webhook_connect_timeout,
        )
        return _Connection(reader, writer)

    async def exchange(
        self, target: Target, body: bytes, headers: list[tuple[str, str]]
    ) -> tuple[int, bytes]:
        """POST once (on a kept-alive connection if there is one); returns status and capped body."""
        key = (target.scheme, target.host, str(target.address), target.port)
        conn = self._take(key)
        if conn is not None:
            try:
                return await self._exchange(key, conn, target, body, headers)
            except _NothingReceived:
                pass  # the receiver had closed the idle connection: once more on a new one
        conn = await self._open(target)
        try:
            return await self._exchange(key, conn, target, body, headers)
        except _NothingReceived:
            raise h11.RemoteProtocolError("connection closed without a response") from None

    async def _exchange(
        self, key: Destination, conn: _Connection, target: Target, body: bytes, headers: list[tuple[str, str]]
    ) -> tuple[int, bytes]:
        settings = self.settings
        path = urlsplit(target.url)
        request_target = (path.path or "/") + (f"?{path.query}" if path.query else "")
        protocol = conn.protocol
        try:
            conn.writer.write(
                protocol.send(h11.Request(method="POST", target=request_target, headers=headers))
                + protocol.send(h11.Data(data=body))
                + protocol.send(h11.EndOfMessage())
            )
            await asyncio.wait_for(conn.writer.drain(), timeout=settings.webhook_read_timeout)
            status: int | None = None
            received = bytearray()
            capped = False
            cap = settings.webhook_max_response_bytes
            anything = False
            while True:
                event = protocol.next_event()
                if event is h11.NEED_DATA:
                    chunk = await asyncio.wait_for(
                        conn.reader.read(65536), timeout=settings.webhook_read_timeout
                    )
                    if not chunk and not anything:
                        raise _NothingReceived
                    anything = anything or bool(chunk)
                    protocol.receive_data(chunk)
                elif isinstance(event, h11.Response):
                    status = event.status_code
                elif isinstance(event, h11.Data):
                    received.extend(event.data[: cap - len(received)])
                    if len(received) >= cap:
                        capped = True  # the rest is not read: this connection cannot be reused
                        break
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise h11.RemoteProtocolError("closed mid-response")
        except BaseException:
            conn.close()
            raise
        assert status is not None
        if not capped and protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()
            self._give_back(key, conn)
        else:
            conn.close()
        return status, bytes(received)

    async def aclose(self) -> None:
        idle, self._idle = list(self._idle.values()), OrderedDict()
        for conns in idle:
            for conn in conns:
                conn.close()

    async def __aenter__(self) -> Senders:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


class _NothingReceived(Exception):
    """The connection ended before a single byte of the response."""


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


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host and not target.host.startswith("[") else target.host
    default_port = 443 if target.scheme == "https" else 80
    return host if target.port == default_port else f"{host}:{target.port}"


async def send(
    senders: Senders, target: Target, body: bytes, headers: dict[str, str], settings: Settings
) -> Outcome:
    """POST ``body`` to ``target`` (vetted just before): pinned address, no redirects, capped answer."""
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    fields = [
        ("host", _host_header(target)),
        *((k, v) for k, v in headers.items() if k.lower() not in ("host", "content-length")),
        ("content-length", str(len(body))),
    ]
    try:
        status, received = await senders.exchange(target, body, fields)
    except TimeoutError:
        return Outcome(status_code=None, latency_ms=elapsed(), error="timeout")
    except (h11.ProtocolError, ssl.SSLError) as exc:
        error = "tls" if isinstance(exc, ssl.SSLError) else "protocol"
        return Outcome(status_code=None, latency_ms=elapsed(), error=error)
    except OSError:
        return Outcome(status_code=None, latency_ms=elapsed(), error="connect")
    error = None if 200 <= status < 300 else f"http_{status}"
    excerpt = received[:256].decode("utf-8", "replace")
    return Outcome(status_code=status, latency_ms=elapsed(), error=error, excerpt=excerpt)
