"""A burst of self-service sign-ups and logins by phone code, in process over HTTP (ASGI), with peak RSS.

Three phases, each ``--concurrency`` clients at once, every person from an address of their own (as a
crowd of phones is; the per-address limits are the platform's, left as configured):

1. **sign-up** — ``--count`` persons each ask for a code (``POST /auth/codes``, the development provider
   hands it over through the log) and enter it (``grant_type=phone_code``): a person and an account are
   created, tokens issued;
2. **login** — the same persons log in again the same way;
3. **password** — ``--password-count`` persons sign up by code *with a password* (argon2id hash) and then
   log in with it (``grant_type=password``, argon2id verify): the phase where memory is at stake. Hashing
   is bounded by :data:`core.identity.passwords.HASHES_AT_ONCE` (64 MiB each), whatever the concurrency.

Prints JSON: per phase the number of flows, seconds, flows per second, p50/p99 of each request, statuses,
and the peak RSS sampled every 20 ms (and the process's VmHWM at the end)::

    python -m bench.signup_burst --count 10000 --password-count 1000

Uses a fresh SQLite file unless ``QUNTUAN_DATABASE_URL`` names a scratch PostgreSQL database (then
``QUNTUAN_DEBUG=1`` lets the development SMS provider run there).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from typing import Any

import httpx
import msgspec
from asgi_lifespan import LifespanManager

from core.identity.passwords import HASHES_AT_ONCE
from core.kernel.app import create_app
from core.kernel.db import Database
from core.kernel.migrations import migrate
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import load_settings

PASSWORD = "correct horse battery staple 42"


class _Codes(logging.Handler):
    """Collects the codes the development provider logs: phone → code."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        code, phone = record.args  # type: ignore[misc]
        self.codes[str(phone)] = str(code)


def _rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


class _Peak:
    def __init__(self) -> None:
        self.peak = 0.0
        self.running = True

    async def sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, _rss_mb())
            await asyncio.sleep(0.02)


def _phone(i: int) -> str:
    return f"1{3 + i // 10_000_000 % 7}{i % 100_000_000:09d}"[:11]


def _address(i: int) -> str:
    return f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 2)


async def _phase(
    app: Any, codes: _Codes, name: str, people: range, concurrency: int, *, password: bool
) -> dict[str, Any]:
    latencies: dict[str, list[float]] = {"code": [], "token": [], "password_login": []}
    statuses: Counter[str] = Counter()
    queue = list(reversed(people))
    peak = _Peak()
    sampler = asyncio.create_task(peak.sample())

    async def timed(client: httpx.AsyncClient, kind: str, body: dict[str, Any], path: str) -> httpx.Response:
        started = time.perf_counter()
        response = await client.post(path, json=body)
        latencies[kind].append((time.perf_counter() - started) * 1000)
        statuses[f"{kind}:{response.status_code}"] += 1
        return response

    async def person(i: int) -> None:
        phone = _phone(i)
        transport = httpx.ASGITransport(app=app, client=(_address(i), 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            sent = await timed(client, "code", {"phone": phone}, "/api/v1/auth/codes")
            if sent.status_code != 202:
                return
            body: dict[str, Any] = {"grant_type": "phone_code", "phone": phone, "code": codes.codes[phone]}
            if password:
                body["password"] = PASSWORD
            await timed(client, "token", body, "/api/v1/auth/token")
            if password:
                login = {"grant_type": "password", "username": phone, "password": PASSWORD}
                await timed(client, "password_login", login, "/api/v1/auth/token")

    async def worker() -> None:
        while queue:
            await person(queue.pop())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    peak.running = False
    await sampler
    flows = len(people)
    return {
        "phase": name,
        "flows": flows,
        "seconds": round(seconds, 2),
        "flows_per_second": round(flows / seconds, 1),
        "requests_per_second": round(sum(len(v) for v in latencies.values()) / seconds, 1),
        "latency_ms": {
            k: {"p50": round(statistics.median(v), 2), "p99": _pct(v, 0.99), "max": round(max(v), 2)}
            for k, v in latencies.items()
            if v
        },
        "statuses": dict(sorted(statuses.items())),
        "peak_rss_mb": round(peak.peak, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="persons signing up and logging in by code")
    parser.add_argument("--password-count", type=int, default=1000, help="persons signing up with a password")
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="quntuan-signup-bench-")
    env = {"QUNTUAN_DATABASE_URL": f"sqlite:///{scratch}/bench.db", **os.environ}
    base = load_settings(env, env_file=None)
    settings = msgspec.structs.replace(
        base,
        signup_enabled=True,
        sms_provider="log",
        debug=True if not base.is_sqlite else base.debug,
        login_code_resend_seconds=1,
        login_code_max_per_day=max(base.login_code_max_per_day, 4 * (args.count + args.password_count)),
        auto_migrate=False,
    )
    pm = make_plugin_manager(settings)
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    try:
        with contextlib.redirect_stdout(sys.stderr):  # Piccolo prints each migration: keep stdout JSON
            await migrate(db)
    finally:
        await db.stop()

    codes = _Codes()
    sms_log = logging.getLogger("quntuan.sms")
    sms_log.addHandler(codes)
    sms_log.propagate = False
    sms_log.setLevel(logging.WARNING)
    logging.getLogger("quntuan.signup").setLevel(logging.ERROR)

    app = create_app(settings, pm)
    results: list[dict[str, Any]] = []
    rss_start = _rss_mb()
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=60):
        results.append(
            await _phase(app, codes, "sign-up", range(args.count), args.concurrency, password=False)
        )
        await asyncio.sleep(1.1)  # past the resend window of every phone
        results.append(await _phase(app, codes, "login", range(args.count), args.concurrency, password=False))
        extra = range(args.count, args.count + args.password_count)
        results.append(await _phase(app, codes, "password", extra, args.concurrency, password=True))
    print(
        json.dumps(
            {
                "backend": "sqlite" if settings.is_sqlite else "postgresql",
                "redis": bool(settings.redis_url),
                "concurrency": args.concurrency,
                "hashes_at_once": HASHES_AT_ONCE,
                "rss_at_start_mb": round(rss_start, 1),
                "vm_hwm_mb": round(_rss_mb("VmHWM"), 1),
                "phases": results,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
