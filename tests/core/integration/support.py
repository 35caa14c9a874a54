"""Test support for the integration layer: real HTTP receivers on 127.0.0.1, orgs, signals, waiting."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from core.identity.tables import Account, ApiClient, Grant, Role
from core.integration.signals import emit
from core.orgs.signals import ORG_CREATED, OrgChanged
from core.orgs.tables import Org

#: Test settings: fast polls, quick retries, loopback receivers allowed.
FAST = {
    "relay_interval": 0.05,
    "embedded_worker": True,
    "webhook_retry_delays": (0.05, 0.05, 0.05, 0.05),
    "webhook_allowed_networks": ("127.0.0.1/32", "::1/128"),
    "webhook_allow_http_loopback": True,
    "webhook_connect_timeout": 1.0,
    "webhook_read_timeout": 2.0,
}


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class _Server(ThreadingHTTPServer):
    #: Workers send many requests at once; socketserver's default backlog of 5 would drop connections.
    request_queue_size = 256


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 recording every request; ``responses`` are answered in turn."""

    responses: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    default: tuple[int, dict[str, str]] = (200, {})
    received: list[Received] = field(default_factory=list)
    #: Seconds to wait before answering (a slow receiver), and bytes of body to answer with.
    delay: float = 0.0
    body: bytes = b"ok"

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as most receivers do

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(
                    Received(
                        path=self.path, headers={k.lower(): v for k, v in self.headers.items()}, body=body
                    )
                )
                status, headers = receiver.responses.pop(0) if receiver.responses else receiver.default
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(receiver.body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(receiver.body)

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def make_org(path: str, *, name: str = "测试组织") -> uuid.UUID:
    """An org row at ``path`` (6-character segments), inserted directly."""
    org_id = uuid.uuid4()
    await Org.insert(
        Org(id=org_id, path=path, depth=len(path) // 6, kind="party.committee", level="unit", name=name)
    ).run()
    return org_id


async def persist_owner(principal: Any) -> None:
    """Give a test principal a real API client (or account) and grants in the database (creating the
    orgs of its reaches when missing): the relay loads a subscription owner's reach from there, not from
    the principal a test puts on its requests."""
    if principal is None or await _exists(principal):
        return
    codes = sorted(principal.reaches)
    if principal.kind == "client":
        await ApiClient.insert(ApiClient(id=principal.id, name="test client", scopes=codes)).run()
        owner = {"client": principal.id}
    else:
        await Account.insert(
            Account(id=principal.id, username=f"u{principal.id.hex[:12]}", password_hash="x")
        ).run()
        owner = {"account": principal.id}
    for code, reaches in principal.reaches.items():
        for reach in reaches:
            org = await Org.select(Org.id).where(Org.path == reach.path).first().run()
            org_id = org["id"] if org is not None else await make_org(reach.path)
            role_id = uuid.uuid4()
            await Role.insert(
                Role(id=role_id, code=f"r{role_id.hex[:12]}", name="t", permissions=[code])
            ).run()
            await Grant.insert(Grant(role=role_id, org=org_id, subtree=reach.subtree, **owner)).run()


async def _exists(principal: Any) -> bool:
    table = ApiClient if principal.kind == "client" else Account
    return bool(await table.exists().where(table.id == principal.id))


async def emit_org_created(
    db: Any, org_id: uuid.UUID, org_path: str | None, resource_id: Any = None
) -> uuid.UUID:
    async with db.transaction():
        return await emit(
            ORG_CREATED,
            OrgChanged(org_id=org_id, kind="party.committee"),
            resource_type="org",
            resource_id=resource_id or org_id,
            org_path=org_path,
        )


async def eventually(
    check: Callable[[], Awaitable[Any]], *, within: float = 20.0, every: float = 0.05
) -> Any:
    """Poll ``check`` until it returns something truthy (the behaviour, not a timing, is under test)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within}s (last: {result!r})")
        await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def running(app: Any) -> AsyncIterator[Any]:
    """``async with running(app) as client``: the app started (lifespan) with an HTTP client on it."""
    from tests.conftest import open_client

    async for client in open_client(app):
        yield client


class PrivateRedis:
    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:  # e.g. the port was taken: never talk to another's server
                raise RuntimeError(f"private redis exited with {self.process.returncode} (port {self.port})")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def kill(self) -> None:
        """Redis gone at once (SIGKILL): connections are refused."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def freeze(self) -> None:
        """Redis stalled (SIGSTOP): connections are accepted by the kernel, nothing is answered."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


#: ``quntuan worker`` settings for these tests (``QuntuanProcesses(…, **WORKER_ENV).worker()``): a fast
#: relay, quick retries, loopback receivers allowed.
WORKER_ENV = {
    "QUNTUAN_RELAY_INTERVAL": "0.05",
    "QUNTUAN_WEBHOOK_RETRY_DELAYS": "0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1",
    "QUNTUAN_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32",
    "QUNTUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK": "true",
    "QUNTUAN_WEBHOOK_CONNECT_TIMEOUT": "0.5",
    "QUNTUAN_WEBHOOK_READ_TIMEOUT": "0.5",
}
