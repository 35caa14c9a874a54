"""Benchmarks of quntuan's hot paths against a baseline measured in the same run.

    .venv/bin/python -m bench.run            # PostgreSQL + Redis on this machine, large demo data

Starts the platform on PostgreSQL + Redis with ``quntuan demo seed --scale large`` data (seeded once, then
reused), with one and with two worker processes; drives load with wrk from a separate process on loopback;
checks every response's status (a run with errors is reported as an error, not a result). Read paths are
compared with ``bench/baseline.py`` (asyncpg + msgspec, same SQL and token check) under the same number
of workers. Prints a table and writes Markdown and JSON under ``bench/results/``. It does not pass or fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import servers
from bench.wrk import LoadResult, ensure_wrk, run_wrk

RESULTS = Path(__file__).parent / "results"
DATABASE_URL = os.environ.get(
    "QUNTUAN_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/quntuan_bench"
)
REDIS_URL = os.environ.get("QUNTUAN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
ADMIN, PASSWORD = "benchadmin", "bench-password-1"
ENV = {
    "QUNTUAN_DATABASE_URL": DATABASE_URL,
    "QUNTUAN_REDIS_URL": REDIS_URL,
    "QUNTUAN_SECRET_KEY": SECRET,
    "QUNTUAN_ACCESS_TOKEN_TTL": "7200",
}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=servers.ROOT,
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        check=False,
    )


async def prepare() -> dict[str, str]:
    """Create, migrate and seed the benchmark database once; return the ids the scenarios use."""
    server_dsn, _, name = DATABASE_URL.rpartition("/")
    conn = await asyncpg.connect(server_dsn + "/postgres")
    if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
        await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    migrated = _cli("migrate")
    if migrated.returncode != 0:
        raise RuntimeError(migrated.stdout + migrated.stderr)
    conn = await asyncpg.connect(DATABASE_URL)
    try:
        if await conn.fetchval("SELECT count(*) FROM core_org") < 100_000:
            print("seeding the large demo region (once; about two minutes)…", flush=True)
            started = time.perf_counter()
            seeded = _cli("demo", "seed", "--scale", "large")
            if seeded.returncode != 0:
                raise RuntimeError(seeded.stdout + seeded.stderr)
            print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
        if not await conn.fetchval("SELECT 1 FROM core_account WHERE username = $1", ADMIN):
            created = _cli("admin", "create", "--username", ADMIN, "--password", PASSWORD)
            if created.returncode != 0:
                raise RuntimeError(created.stdout + created.stderr)
        district = await conn.fetchval(
            "SELECT o.id FROM core_org o WHERE o.level = 'county' AND o.kind = 'party.committee' ORDER BY o.path LIMIT 1"
        )
        root = await conn.fetchval("SELECT id FROM core_org WHERE parent IS NULL ORDER BY path LIMIT 1")
        return {"district": str(district), "root": str(root)}
    finally:
        await conn.close()


def token(base: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token",
        json={"grant_type": "password", "username": ADMIN, "password": PASSWORD},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _row(name: str, workers: int, result: LoadResult, baseline: LoadResult | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "path": name,
        "workers": workers,
        "ok": result.ok,
        "requests": result.requests,
        "rps": round(result.rps, 1),
        "p50_ms": round(result.p50_ms, 2),
        "p99_ms": round(result.p99_ms, 2),
        "statuses": result.statuses,
    }
    if baseline is not None:
        row["baseline_rps"] = round(baseline.rps, 1)
        row["baseline_ok"] = baseline.ok
        row["ratio"] = round(result.rps / baseline.rps, 3) if baseline.rps else None
    return row


def coverage_latency(base: str, headers: dict[str, str], org: str, runs: int = 30) -> dict[str, float]:
    timings = []
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        client.get(f"/api/v1/orgs/{org}/coverage").raise_for_status()  # warm
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(f"/api/v1/orgs/{org}/coverage")
            timings.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10, help="load duration of each read scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    ensure_wrk()
    ids = asyncio.run(prepare())
    rows: list[dict[str, Any]] = []
    process: list[dict[str, Any]] = []
    coverage: list[dict[str, Any]] = []
    for workers in args.workers:
        with servers.quntuan(ENV, workers) as q:
            process.append(
                {
                    "workers": workers,
                    "startup_s": round(q.startup_seconds, 2),
                    "rss_mb": [round(x, 1) for x in q.worker_rss_mb()],
                }
            )
            headers = {"Authorization": f"Bearer {token(q.url)}"}
            events_url = f"/api/v1/events?org={ids['district']}&scope=subtree&limit=20"
            run_wrk(q.url + events_url, seconds=2, connections=4, headers=headers)  # warm-up
            with servers.baseline(ENV, workers) as b:
                base = run_wrk(
                    f"{b.url}/events?org={ids['district']}",
                    seconds=args.seconds,
                    connections=args.connections,
                    headers=headers,
                )
            ours = run_wrk(
                q.url + events_url, seconds=args.seconds, connections=args.connections, headers=headers
            )
            rows.append(_row("GET /api/v1/events (district subtree, 20)", workers, ours, base))
            for label, org in (("district", ids["district"]), ("root", ids["root"])):
                coverage.append({"workers": workers, "org": label, **coverage_latency(q.url, headers, org)})
            issued = run_wrk(
                q.url + "/api/v1/auth/token",
                seconds=min(args.seconds, 5),
                connections=2,
                method="POST",
                bodies=[json.dumps({"grant_type": "password", "username": ADMIN, "password": PASSWORD})],
            )
            rows.append(_row("POST /api/v1/auth/token (argon2id)", workers, issued))

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stamp}.json").write_text(
        json.dumps({"rows": rows, "process": process, "coverage": coverage}, ensure_ascii=False, indent=2)
    )
    lines = [
        "| path | workers | ok | req/s | p50 ms | p99 ms | baseline req/s | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['path']} | {r['workers']} | {'yes' if r['ok'] else 'ERRORS ' + str(r['statuses'])} | "
            f"{r['rps']} | {r['p50_ms']} | {r['p99_ms']} | {r.get('baseline_rps', '—')} | {r.get('ratio', '—')} |"
        )
    lines += ["", "| coverage roll-up | workers | p50 ms | p99 ms |", "|---|---|---|---|"]
    lines += [f"| {c['org']} | {c['workers']} | {c['p50_ms']} | {c['p99_ms']} |" for c in coverage]
    lines += ["", "| workers | start-up s (to /health/live) | RSS per worker MB |", "|---|---|---|"]
    lines += [f"| {p['workers']} | {p['startup_s']} | {', '.join(map(str, p['rss_mb']))} |" for p in process]
    table = "\n".join(lines) + "\n"
    (RESULTS / f"{stamp}.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
