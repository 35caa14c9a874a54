"""Webhook delivery throughput: ``quntuan worker`` processes against a loopback receiver.

    flock /tmp/quntuan-bench.lock .venv/bin/python -m bench.webhook_throughput \\
        --database-url postgresql://postgres@127.0.0.1:5432/quntuan_wh_bench \\
        --redis-url redis://127.0.0.1:6379/1 --signals 20000 --workers 1

What it does: ``signals`` committed ``org.created`` signals (each its own resource) wait in the outbox of
one subscription owned by a real API client with a real grant; then ``workers`` worker processes start
and relay, sign and POST them to an HTTP/1.1 keep-alive receiver on 127.0.0.1 in a process of its own,
which counts every ``webhook-id`` (and verifies a sample with the reference ``standardwebhooks``).

It prints, and :func:`measure` returns: deliveries per second (first to last receipt, and per worker),
the p50/p99 of the attempts' request latency (from the delivery log), the p50/p99 from commit to
receipt (which includes the backlog: every signal is committed before the workers start), and how many
signals were lost (never received) or duplicated (received more than once).

The database: on PostgreSQL the run always uses the database ``quntuan_wh_bench`` on the server of
``database_url`` (created when missing, its integration tables emptied each run), never the database
named in the URL, so pointing it at a shared benchmark database cannot disturb that database's data.
On SQLite it uses a fresh file in a temporary folder. Loopback plain-HTTP delivery is allowed for the
run (``QUNTUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK``), as in development.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import msgspec

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE = "quntuan_wh_bench"
SECRET_KEY = "bench-webhook-secret-key-long-enough-for-hs256"
ORG_PATH = "whbnch"
#: Receipts a worker may go without before the run is declared stuck.
STALL_SECONDS = 60.0
VERIFIED_SAMPLE = 50


# --- the receiver (its own process) ----------------------------------------------------------------------


def _serve(port_out: Any, count: Any, stop: Any, results: Any) -> None:
    """An HTTP/1.1 keep-alive receiver: answers 204 to every POST and records (webhook-id, time)."""
    received: list[tuple[str, float]] = []
    samples: list[tuple[bytes, dict[str, str]]] = []

    class Receiver(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while True:
                head_end = self.buffer.find(b"\r\n\r\n")
                if head_end < 0:
                    return
                head = self.buffer[:head_end].decode("latin-1").split("\r\n")
                headers = {}
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                if len(self.buffer) < head_end + 4 + length:
                    return
                body = self.buffer[head_end + 4 : head_end + 4 + length]
                self.buffer = self.buffer[head_end + 4 + length :]
                received.append((headers.get("webhook-id", ""), time.time()))
                if len(samples) < VERIFIED_SAMPLE:
                    samples.append((body, headers))
                count.value = len(received)
                self.transport.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Receiver, "127.0.0.1", 0, backlog=1024)
        port_out.send(server.sockets[0].getsockname()[1])
        await loop.run_in_executor(None, stop.wait)  # a multiprocessing event: wait in a thread
        server.close()
        results.send({"received": received, "samples": samples})

    asyncio.run(main())


# --- set-up ----------------------------------------------------------------------------------------------


def _bench_url(database_url: str) -> str:
    parts = urlsplit(database_url.replace("postgres://", "postgresql://", 1))
    return urlunsplit((parts.scheme, parts.netloc, "/" + BENCH_DATABASE, parts.query, ""))


async def _ensure_database(database_url: str) -> None:
    import asyncpg

    try:
        conn = await asyncpg.connect(database_url)
    except asyncpg.InvalidCatalogNameError:
        admin = await asyncpg.connect(_bench_url(database_url).rsplit("/", 1)[0] + "/template1")
        try:
            await admin.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
        finally:
            await admin.close()
        return
    await conn.close()


async def _prepare(settings: Any, signals: int) -> dict[str, Any]:
    """Schema, an org, an API client granted ``core.webhook.manage`` on it, and its subscription."""
    from core.identity.tables import ApiClient, Grant, Role
    from core.integration.signing import new_secret, seal_secret
    from core.integration.tables import OutboxSignal, Webhook, WebhookAttempt, WebhookDelivery
    from core.kernel.db import Database
    from core.kernel.migrations import migrate
    from core.kernel.plugin_host import make_plugin_manager
    from core.kernel.vault import Vault
    from core.orgs.signals import ORG_CREATED, OrgChanged
    from core.orgs.tables import Org

    db = Database(settings, make_plugin_manager(settings).registry.piccolo_apps)
    await db.start()
    try:
        await migrate(db)
        for table in (WebhookAttempt, WebhookDelivery, Webhook, OutboxSignal):
            await table.delete(force=True).run()
        org = await Org.select(Org.id).where(Org.path == ORG_PATH).first().run()
        if org is None:
            org_id = uuid.uuid4()
            await Org.insert(
                Org(id=org_id, path=ORG_PATH, depth=1, kind="party.committee", level="county", name="压测")
            ).run()
            client_id, role_id = uuid.uuid4(), uuid.uuid4()
            await ApiClient.insert(
                ApiClient(id=client_id, name="webhook bench", scopes=["core.webhook.manage"])
            ).run()
            await Role.insert(
                Role(
                    id=role_id,
                    code=f"whbench{role_id.hex[:8]}",
                    name="压测",
                    permissions=["core.webhook.manage"],
                )
            ).run()
            await Grant.insert(Grant(role=role_id, client=client_id, org=org_id, subtree=True)).run()
        else:
            org_id = org["id"]
            client_id = (await Grant.select(Grant.client).where(Grant.org == org_id).first().run())["client"]
        secret = new_secret()
        payload = msgspec.json.encode(OrgChanged(org_id=org_id, kind="party.committee")).decode()
        rows = [
            OutboxSignal(
                id=uuid.uuid4(),
                name=ORG_CREATED.name,
                resource_type="org",
                resource_id=str(uuid.uuid4()),
                org_path=ORG_PATH,
                payload=payload,
                occurred_at=datetime.now(UTC),
            )
            for _ in range(signals)
        ]
        for start in range(0, len(rows), 1000):
            async with db.transaction():
                await OutboxSignal.insert(*rows[start : start + 1000]).run()
        return {
            "org_id": org_id,
            "client_id": client_id,
            "secret": secret,
            "sealed": seal_secret(Vault.from_settings(settings), secret),
        }
    finally:
        await db.stop()


async def _subscribe(settings: Any, prepared: dict[str, Any], url: str) -> None:
    from core.integration.tables import Webhook
    from core.kernel.db import Database
    from core.kernel.plugin_host import make_plugin_manager

    db = Database(settings, make_plugin_manager(settings).registry.piccolo_apps)
    await db.start()
    try:
        await Webhook.insert(
            Webhook(
                owner_kind="client",
                owner_id=prepared["client_id"],
                org_id=prepared["org_id"],
                org_path=ORG_PATH,
                url=url,
                signal_types=json.dumps(["org.created"]),
                secret=prepared["sealed"],
            )
        ).run()
    finally:
        await db.stop()


async def _outcome(settings: Any) -> dict[str, Any]:
    from core.integration.tables import OutboxSignal, WebhookAttempt, WebhookDelivery
    from core.kernel.db import Database
    from core.kernel.plugin_host import make_plugin_manager

    db = Database(settings, make_plugin_manager(settings).registry.piccolo_apps)
    await db.start()
    try:
        latencies = [
            r["latency_ms"]
            for r in await WebhookAttempt.select(WebhookAttempt.latency_ms).run()
            if r["latency_ms"] is not None
        ]
        committed = {
            str(r["id"]): r["occurred_at"].timestamp()
            for r in await OutboxSignal.select(OutboxSignal.id, OutboxSignal.occurred_at).run()
        }
        return {
            "attempts": len(latencies),
            "succeeded": await WebhookDelivery.count().where(WebhookDelivery.status == "succeeded").run(),
            "latencies": latencies,
            "committed": committed,
        }
    finally:
        await db.stop()


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


# --- the run ---------------------------------------------------------------------------------------------


def measure(
    database_url: str,
    redis_url: str | None,
    *,
    signals: int = 20000,
    workers: int = 1,
    timeout: float = 600.0,
    profile: str | None = None,
) -> dict[str, Any]:
    """Deliver ``signals`` webhooks with ``workers`` worker processes; figures as a dict (see module doc).

    ``profile``: a path prefix; each worker then runs under cProfile and writes ``<prefix>.<n>.pstats``.
    """
    from core.kernel.settings import load_settings

    scratch = tempfile.TemporaryDirectory(prefix="quntuan-wh-bench-")
    if database_url.startswith("sqlite:"):
        url = f"sqlite:///{scratch.name}/bench.db"
        if workers > 1 and not redis_url:
            raise ValueError("several workers need Redis")
    else:
        url = _bench_url(database_url)
        asyncio.run(_ensure_database(url))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", tempfile.gettempdir()),
        "QUNTUAN_DATABASE_URL": url,
        "QUNTUAN_SECRET_KEY": SECRET_KEY,
        "QUNTUAN_LOAD_PLUGINS": "false",
        "QUNTUAN_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32",
        "QUNTUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK": "true",
        "QUNTUAN_LOG_LEVEL": "warning",
        "QUNTUAN_RELAY_INTERVAL": "0.1",
        **{k: v for k, v in os.environ.items() if k.startswith("QUNTUAN_WEBHOOK_")},
        **({"QUNTUAN_REDIS_URL": redis_url} if redis_url else {}),
    }
    settings = load_settings(env, env_file=None)
    prepared = asyncio.run(_prepare(settings, signals))

    context = multiprocessing.get_context("spawn")
    port_in, port_out = context.Pipe(duplex=False)
    results_in, results_out = context.Pipe(duplex=False)
    count, stop = context.Value("l", 0), context.Event()
    receiver = context.Process(target=_serve, args=(port_out, count, stop, results_out), daemon=True)
    receiver.start()
    port = port_in.recv()
    asyncio.run(_subscribe(settings, prepared, f"http://127.0.0.1:{port}/hook"))

    processes: list[subprocess.Popen[bytes]] = []
    started = time.time()
    try:
        for n in range(workers):
            command = [sys.executable]
            if profile:
                command += ["-m", "cProfile", "-o", f"{profile}.{n}.pstats"]
            command += ["-m", "core.kernel.cli", "worker"]
            log = open(Path(scratch.name) / f"worker-{n}.log", "wb")  # noqa: SIM115
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log))
        last, last_change = 0, time.time()
        while count.value < signals:
            time.sleep(0.1)
            if count.value != last:
                last, last_change = count.value, time.time()
            if time.time() - last_change > STALL_SECONDS or time.time() - started > timeout:
                break
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        stop.set()
        got = results_in.recv()
        receiver.join(10)
    outcome = asyncio.run(_outcome(settings))
    errors = [
        line
        for n in range(workers)
        for line in (Path(scratch.name) / f"worker-{n}.log").read_text(errors="replace").splitlines()
        if "warning" in line or "error" in line.lower()
    ]
    scratch.cleanup()

    from standardwebhooks import Webhook as Verifier

    verifier = Verifier(prepared["secret"])
    for body, headers in got["samples"]:
        verifier.verify(body, headers)

    received: list[tuple[str, float]] = got["received"]
    ids = [r[0] for r in received]
    distinct = set(ids)
    committed = outcome["committed"]
    times = [t for _, t in received]
    span = (max(times) - min(times)) if len(times) > 1 else None
    per_s = round(len(distinct) / span, 1) if span else None
    end_to_end = [(t - committed[i]) * 1000 for i, t in received if i in committed]
    return {
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "redis": bool(redis_url),
        "workers": workers,
        "signals": signals,
        "delivered": len(distinct & set(committed)),
        "lost": len(set(committed) - distinct),
        "duplicated": len(ids) - len(distinct),
        "recorded_succeeded": outcome["succeeded"],
        "attempts": outcome["attempts"],
        "per_s": per_s,
        "per_worker_per_s": round(per_s / workers, 1) if per_s else None,
        "wall_s_from_worker_start": round(max(times) - started, 2) if times else None,
        "p50_ms": _percentile(outcome["latencies"], 0.50),
        "p99_ms": _percentile(outcome["latencies"], 0.99),
        "commit_to_receipt_p50_ms": _percentile(end_to_end, 0.50),
        "commit_to_receipt_p99_ms": _percentile(end_to_end, 0.99),
        "verified_sample": len(got["samples"]),
        "worker_warnings": errors[:5],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("QUNTUAN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("QUNTUAN_REDIS_URL"))
    parser.add_argument("--signals", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--profile", help="path prefix for a cProfile of each worker")
    args = parser.parse_args()
    result = measure(
        args.database_url, args.redis_url, signals=args.signals, workers=args.workers, profile=args.profile
    )
    print(
        f"{result['delivered']}/{result['signals']} delivered by {result['workers']} worker(s): "
        f"{result['per_s']}/s ({result['per_worker_per_s']}/s per worker); "
        f"request p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms; "
        f"commit→receipt p50 {result['commit_to_receipt_p50_ms']} ms, p99 {result['commit_to_receipt_p99_ms']} ms; "
        f"lost {result['lost']}, duplicated {result['duplicated']}"
    )
    print(json.dumps(dict(result.items()), default=str, indent=2))
    with contextlib.suppress(Exception):
        sys.stdout.flush()


if __name__ == "__main__":
    main()
