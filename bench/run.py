"""Benchmarks of quntuan's hot paths against a baseline measured in the same run.

    .venv/bin/python -m bench.run                      # everything, 1 and 2 workers
    .venv/bin/python -m bench.run --only person register --workers 1 --seconds 5

Starts the platform on PostgreSQL + Redis with ``quntuan demo seed --scale large`` data (seeded once, then
reused), with one and with two worker processes; drives load from a separate process on loopback (wrk for
reads, ``bench/burst.py`` for a fixed number of registrations); checks every response's status (a run with
errors is printed as an error, not a result). Read paths and registration are compared with
``bench/baseline.py`` (asyncpg + msgspec, same SQL and token check) under the same number of workers, in
the same run (reads interleaved: baseline, quntuan, quntuan, baseline, so a passing load on the shared
machine weighs on both alike). Prints one table with every target and whether it is met, and writes it as Markdown and
JSON under ``bench/results/``. Unmet targets do not fail the run; a scenario that could not be measured
(errors, a crash) makes it exit 1.

Scenarios (``--only``): events, org, children, person, token, coverage, register, webhooks, import,
process (start-up time and RSS per worker).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import fixtures, servers
from bench.burst import run_burst
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


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.kernel.cli", *args],
        cwd=servers.ROOT,
        env={**os.environ, **ENV},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


async def prepare(scale: str = "large") -> dict[str, str]:
    """Create, migrate and seed the benchmark database once; return the ids the scenarios use.

    Also compiles the project's bytecode, as an installed package has it: with PYTHONDONTWRITEBYTECODE
    set (as on these machines) an editable checkout never gets ``__pycache__``, and every start-up
    measured would include compiling ``core/`` and ``plugins/``.
    """
    for package in ("core", "plugins", "bench"):
        compileall.compile_dir(servers.ROOT / package, quiet=1)
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
        if await conn.fetchval("SELECT count(*) FROM core_org") < (100_000 if scale == "large" else 1):
            print(f"seeding the {scale} demo region (once; large takes about two minutes)…", flush=True)
            started = time.perf_counter()
            seeded = _cli("demo", "seed", "--scale", scale)
            if seeded.returncode != 0:
                raise RuntimeError(seeded.stdout + seeded.stderr)
            print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
        if not await conn.fetchval("SELECT 1 FROM core_account WHERE username = $1", ADMIN):
            created = _cli("admin", "create", "--username", ADMIN, "--password-stdin", stdin=PASSWORD + "\n")
            if created.returncode != 0:
                raise RuntimeError(created.stdout + created.stderr)
        district = await conn.fetchval(
            "SELECT o.id FROM core_org o WHERE o.level = 'county' AND o.kind = 'party.committee' ORDER BY o.path LIMIT 1"
        )
        root = await conn.fetchval("SELECT id FROM core_org WHERE parent IS NULL ORDER BY path LIMIT 1")
        return {"district": str(district), "root": str(root)}
    finally:
        await conn.close()


SCENARIOS = (
    "events",
    "org",
    "children",
    "person",
    "token",
    "coverage",
    "register",
    "webhooks",
    "import",
    "process",
)
READ_TARGET = 0.8
REGISTER_TARGET = 0.6
COVERAGE_ROOT_P50_MS = 100.0
IMPORT_ROWS_PER_S = 10_000
WEBHOOKS_PER_S_PER_WORKER = 2_000
STARTUP_S = 1.5
RSS_MB = 150.0


@dataclass
class Row:
    """One line of the results: a figure, what it is compared with, and whether its target is met."""

    scenario: str
    workers: int | None
    #: None when measured cleanly; otherwise why this is not a result.
    error: str | None = None
    value: float | None = None
    unit: str = ""
    p50_ms: float | None = None
    p99_ms: float | None = None
    baseline: float | None = None
    ratio: float | None = None
    target: str = "—"
    #: True/False against the target; None when the row has no target of its own.
    met: bool | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def judge(self, met: bool | None) -> Row:
        self.met = False if self.error else met
        return self


def _load_error(result: LoadResult) -> str | None:
    if result.ok:
        return None
    return f"errors={result.errors} unexpected={result.unexpected} statuses={result.statuses}"


def _read_row(name: str, workers: int, ours: LoadResult, base: LoadResult) -> Row:
    error = _load_error(ours) or (f"baseline: {_load_error(base)}" if not base.ok else None)
    ratio = round(ours.rps / base.rps, 3) if base.rps else None
    row = Row(
        scenario=name,
        workers=workers,
        error=error,
        value=round(ours.rps, 1),
        unit="req/s",
        p50_ms=round(ours.p50_ms, 2),
        p99_ms=round(ours.p99_ms, 2),
        baseline=round(base.rps, 1),
        ratio=ratio,
        target=f"ratio ≥ {READ_TARGET}",
        details={"ours": vars(ours), "baseline": vars(base)},
    )
    return row.judge(ratio is not None and ratio >= READ_TARGET)


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


async def _registrations_in(event_id: str) -> tuple[int, int]:
    """(confirmed_count on the event, registrations stored) — both must equal the places."""
    conn = await asyncpg.connect(DATABASE_URL)
    try:
        event = uuid.UUID(event_id)
        counted = await conn.fetchval("SELECT confirmed_count FROM core_event WHERE id = $1", event)
        stored = await conn.fetchval(
            "SELECT count(*) FROM core_registration WHERE event = $1 AND status = 'confirmed'", event
        )
    finally:
        await conn.close()
    return int(counted), int(stored)


def _burst_check(figures: dict[str, Any], attempts: int, places: int, stored: tuple[int, int]) -> str | None:
    statuses = figures["statuses"]
    accepted, full = statuses.get("201", 0), statuses.get("409", 0)
    problems = []
    if figures["errors"] or figures["requests"] != attempts:
        problems.append(f"{figures['errors']} transport errors, {figures['requests']}/{attempts} answered")
    if set(statuses) - {"201", "409"}:
        problems.append(f"statuses {statuses}")
    if accepted != places or full != attempts - places:
        problems.append(f"{accepted} accepted, {full} refused for {places} places")
    if stored != (places, places):
        problems.append(f"stored: confirmed_count={stored[0]}, registrations={stored[1]}")
    return "; ".join(problems) or None


def registration(
    q: servers.Running,
    b: servers.Running,
    workers: int,
    admin: dict[str, str],
    ids: dict[str, str],
    persons: list[str],
    args: argparse.Namespace,
) -> Row:
    """N registrations of N persons for K places, the same concurrency against quntuan and the baseline."""
    bodies = [json.dumps({"person_id": p}) for p in persons[: args.registrations]]
    results = {}
    for side, url in (
        ("baseline", b.url + "/events/{}/registrations"),
        ("ours", q.url + "/api/v1/events/{}/registrations"),
    ):
        event = asyncio.run(
            fixtures.fresh_event(q.url, admin, ids["root"], args.places, f"{side} {workers}w")
        )
        figures = run_burst(url.format(event), admin, bodies, args.connections)
        error = _burst_check(figures, len(bodies), args.places, asyncio.run(_registrations_in(event)))
        results[side] = (figures, error)
    (ours, ours_error), (base, base_error) = results["ours"], results["baseline"]
    ours_rps = ours["requests"] / ours["seconds"] if ours["seconds"] else 0.0
    base_rps = base["requests"] / base["seconds"] if base["seconds"] else 0.0
    ratio = round(ours_rps / base_rps, 3) if base_rps else None
    row = Row(
        scenario=f"POST /api/v1/events/{{id}}/registrations ({len(bodies)} for {args.places} places)",
        workers=workers,
        error=ours_error or (f"baseline: {base_error}" if base_error else None),
        value=round(ours_rps, 1),
        unit="req/s",
        p50_ms=round(ours["p50_ms"], 2),
        p99_ms=round(ours["p99_ms"], 2),
        baseline=round(base_rps, 1),
        ratio=ratio,
        target=f"ratio ≥ {REGISTER_TARGET}, exactly {args.places} accepted",
        details={"ours": ours, "baseline": base, "concurrency": args.connections},
    )
    return row.judge(ratio is not None and ratio >= REGISTER_TARGET)


def webhooks(args: argparse.Namespace) -> list[Row]:
    """Delivery throughput to a loopback receiver, by ``bench/webhook_throughput.py`` when it exists."""
    try:
        module = importlib.import_module("bench.webhook_throughput")
    except ModuleNotFoundError as exc:
        if exc.name != "bench.webhook_throughput":
            raise
        return [
            Row(
                scenario="webhook delivery",
                workers=None,
                error="not measured: bench/webhook_throughput.py is not in this checkout",
                target=f"≥ {WEBHOOKS_PER_S_PER_WORKER}/s per worker, none lost",
                met=False,
            )
        ]
    rows = []
    for workers in args.workers:
        try:
            result = module.measure(DATABASE_URL, REDIS_URL, signals=args.signals, workers=workers)
        except Exception as exc:
            rows.append(_crashed("webhook delivery", workers, exc))
            continue
        rows.append(_webhook_row(workers, dict(result)))
    return rows


def _first(result: dict[str, Any], *keys: str) -> Any:
    return next((result[k] for k in keys if result.get(k) is not None), None)


def _webhook_row(workers: int, result: dict[str, Any]) -> Row:
    signals = _first(result, "signals", "sent", "emitted")
    delivered = _first(result, "delivered", "received")
    lost = _first(result, "lost", "missing")
    if lost is None and signals is not None and delivered is not None:
        lost = int(signals) - int(delivered)
    rate = _first(result, "per_worker_per_s", "per_worker", "rate_per_worker")
    if rate is None:
        total = _first(result, "per_s", "rate", "throughput", "deliveries_per_s")
        rate = float(total) / workers if total is not None else None
    error = result.get("error") or None
    if error is None and rate is None:
        error = f"unrecognised figures: {sorted(result)}"
    row = Row(
        scenario="webhook delivery (loopback receiver)",
        workers=workers,
        error=error,
        value=round(float(rate), 1) if rate is not None else None,
        unit="deliveries/s per worker",
        p50_ms=_first(result, "p50_ms"),
        p99_ms=_first(result, "p99_ms"),
        target=f"≥ {WEBHOOKS_PER_S_PER_WORKER}/s per worker, none lost",
        details=result,
    )
    return row.judge(rate is not None and rate >= WEBHOOKS_PER_S_PER_WORKER and lost == 0)


def xlsx_import(args: argparse.Namespace) -> Row:
    """The XLSX import in its own process (``bench/xlsx_import.py``), rows per second."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.xlsx_import", "--rows", str(args.import_rows)],
        cwd=servers.ROOT,
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    target = f"≥ {IMPORT_ROWS_PER_S} rows/s"
    name = f"XLSX import of {args.import_rows} members (validated, encrypted)"
    if done.returncode != 0:
        return Row(scenario=name, workers=None, error=done.stderr.strip()[-2000:], target=target, met=False)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    error = None
    if not result["committed"] or result["imported"] != args.import_rows:
        error = f"{result['imported']} of {result['rows']} imported; issues {result['first_issues']}"
    row = Row(
        scenario=name,
        workers=None,
        error=error,
        value=result["rows_per_s"],
        unit="rows/s",
        target=target,
        details=result,
    )
    return row.judge(result["rows_per_s"] >= IMPORT_ROWS_PER_S)


def _crashed(scenario: str, workers: int | None, exc: BaseException) -> Row:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return Row(scenario=scenario, workers=workers, error=f"crashed: {text[-1500:]}", met=False)


def _guard(rows: list[Row], scenario: str, workers: int | None, work: Callable[[], Row | list[Row]]) -> None:
    """Run one scenario; a crash becomes an error row instead of ending the whole run."""
    try:
        result = work()
    except Exception as exc:
        rows.append(_crashed(scenario, workers, exc))
        return
    rows.extend(result if isinstance(result, list) else [result])


def with_workers(
    q: servers.Running,
    b: servers.Running | None,
    workers: int,
    ids: dict[str, str],
    args: argparse.Namespace,
    rows: list[Row],
) -> None:
    only = set(args.only)
    admin = {"Authorization": f"Bearer {fixtures.password_token(q.url, ADMIN, PASSWORD)}"}
    reader = {
        "Authorization": f"Bearer {fixtures.password_token(q.url, fixtures.READER, fixtures.READER_PASSWORD)}"
    }
    reads = {
        "events": (
            "GET /api/v1/events (district subtree, 20)",
            f"/api/v1/events?org={ids['district']}&scope=subtree&limit=20",
            f"/events?org={ids['district']}",
            admin,
        ),
        "org": (
            "GET /api/v1/orgs/{id} (a district)",
            f"/api/v1/orgs/{ids['district']}",
            f"/orgs/{ids['district']}",
            reader,
        ),
        "children": (
            "GET /api/v1/orgs?org={id}&scope=children",
            f"/api/v1/orgs?org={ids['district']}&scope=children",
            f"/orgs?org={ids['district']}&scope=children",
            reader,
        ),
        "person": (
            "GET /api/v1/persons/{id} (masked)",
            f"/api/v1/persons/{ids['person']}",
            f"/persons/{ids['person']}",
            reader,
        ),
    }
    for key, (name, ours_path, base_path, headers) in reads.items():
        if key not in only or b is None:
            continue

        def read(
            name: str = name,
            ours_path: str = ours_path,
            base_path: str = base_path,
            headers: dict[str, str] = headers,
        ) -> Row:
            run_wrk(b.url + base_path, seconds=1, connections=4, headers=headers)  # warm-up
            run_wrk(q.url + ours_path, seconds=2, connections=4, headers=headers)
            # Baseline, ours, ours, baseline (half the time each): a load that comes and goes on this shared
            # machine weighs on both sides alike instead of on whichever ran while it lasted.
            half = max(1, args.seconds // 2)
            runs: dict[str, list[LoadResult]] = {"base": [], "ours": []}
            for side in ("base", "ours", "ours", "base"):
                url = b.url + base_path if side == "base" else q.url + ours_path
                runs[side].append(run_wrk(url, seconds=half, connections=args.connections, headers=headers))
            return _read_row(
                name, workers, LoadResult.merged(*runs["ours"]), LoadResult.merged(*runs["base"])
            )

        _guard(rows, name, workers, read)
    if "register" in only and b is not None:
        persons = asyncio.run(fixtures.registrants(DATABASE_URL, args.registrations))
        _guard(rows, "registration", workers, lambda: registration(q, b, workers, admin, ids, persons, args))
    if "coverage" in only:
        for label in ("district", "root"):

            def rollup(label: str = label) -> Row:
                figures = coverage_latency(q.url, admin, ids[label])
                row = Row(
                    scenario=f"GET /api/v1/orgs/{{id}}/coverage ({label})",
                    workers=workers,
                    value=figures["p50_ms"],
                    unit="ms p50",
                    **figures,
                )
                if label == "root":
                    row.target = f"p50 ≤ {COVERAGE_ROOT_P50_MS:g} ms"
                    return row.judge(figures["p50_ms"] <= COVERAGE_ROOT_P50_MS)
                return row

            _guard(rows, "coverage", workers, rollup)
    if "token" in only:

        def issue() -> Row:
            result = run_wrk(
                q.url + "/api/v1/auth/token",
                seconds=min(args.seconds, 5),
                connections=2,
                method="POST",
                bodies=[json.dumps({"grant_type": "password", "username": ADMIN, "password": PASSWORD})],
            )
            return Row(
                scenario="POST /api/v1/auth/token (argon2id)",
                workers=workers,
                error=_load_error(result),
                value=round(result.rps, 1),
                unit="req/s",
                p50_ms=round(result.p50_ms, 2),
                p99_ms=round(result.p99_ms, 2),
                details=vars(result),
            )

        _guard(rows, "token", workers, issue)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.1f}"
    return str(value)


def render(rows: list[Row]) -> str:
    lines = [
        "| scenario | workers | result | p50 ms | p99 ms | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r.error:
            result = f"**ERROR** {r.error}".replace("|", "/").replace("\n", " ")
            figures = ["—"] * 4
        else:
            result = f"{_fmt(r.value)} {r.unit}".strip()
            ratio = "—" if r.ratio is None else f"{r.ratio:.3f}"  # as judged: 0.798 is below 0.8
            figures = [_fmt(r.p50_ms), _fmt(r.p99_ms), _fmt(r.baseline), ratio]
        met = {True: "met", False: "not met", None: "—"}[r.met]
        lines.append(
            f"| {r.scenario} | {r.workers or '—'} | {result} | {' | '.join(figures)} | {r.target} | {met} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, default=list(SCENARIOS), metavar="SCENARIO",
                        help=f"run a subset: {', '.join(SCENARIOS)}")  # fmt: skip
    parser.add_argument("--seconds", type=int, default=10, help="load duration of each read scenario")
    parser.add_argument(
        "--connections", type=int, default=32, help="concurrent connections (reads, registration)"
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--registrations", type=int, default=2000, help="registration attempts per run")
    parser.add_argument("--places", type=int, default=200, help="places of each registration event")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the imported XLSX")
    parser.add_argument("--signals", type=int, default=20_000, help="signals of the webhook scenario")
    parser.add_argument(
        "--scale", choices=("large", "small"), default="large", help="demo data (small: to try the runner)"
    )
    args = parser.parse_args()
    only = set(args.only)
    ensure_wrk()
    ids = asyncio.run(prepare(args.scale))
    rows: list[Row] = []
    server_scenarios = only - {"webhooks", "import"}
    for workers in args.workers if server_scenarios else []:
        try:
            with servers.quntuan(ENV, workers) as q:
                if "process" in only:
                    startup = round(q.startup_seconds, 2)
                    rows.append(
                        Row(scenario="start-up to /health/live", workers=workers, value=startup, unit="s",
                            target=f"≤ {STARTUP_S:g} s").judge(startup <= STARTUP_S)
                    )  # fmt: skip
                    rss = [round(x, 1) for x in q.worker_rss_mb()]
                    rows.append(
                        Row(scenario="RSS per worker (after start-up)", workers=workers, value=max(rss), unit="MB (max)",
                            target=f"≤ {RSS_MB:g} MB", details={"rss_mb": rss}).judge(max(rss) <= RSS_MB)
                    )  # fmt: skip
                admin = {"Authorization": f"Bearer {fixtures.password_token(q.url, ADMIN, PASSWORD)}"}
                asyncio.run(fixtures.ensure_reader(DATABASE_URL, q.url, admin, ids["root"]))
                ids["person"] = asyncio.run(
                    fixtures.masked_person(DATABASE_URL, q.url, admin, ids["district"])
                )
                if only & {"events", "org", "children", "person", "register"}:
                    with servers.baseline(ENV, workers) as b:
                        with_workers(q, b, workers, ids, args, rows)
                else:
                    with_workers(q, None, workers, ids, args, rows)
                if "process" in only:
                    rss = [round(x, 1) for x in q.settled_rss_mb()]
                    rows.append(
                        Row(scenario="RSS per worker (after the load)", workers=workers, value=max(rss), unit="MB (max)",
                            target=f"≤ {RSS_MB:g} MB", details={"rss_mb": rss}).judge(max(rss) <= RSS_MB)
                    )  # fmt: skip
        except Exception as exc:
            rows.append(_crashed("server", workers, exc))
    if "webhooks" in only:
        _guard(rows, "webhook delivery", None, lambda: webhooks(args))
    if "import" in only:
        _guard(rows, "import", None, lambda: xlsx_import(args))

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(exist_ok=True)
    table = render(rows)
    (RESULTS / f"{stamp}.json").write_text(
        json.dumps(
            {"at": stamp, "args": vars(args), "ids": ids, "rows": [vars(r) for r in rows]},
            ensure_ascii=False,
            indent=2,
            default=str,
        )
    )
    (RESULTS / f"{stamp}.md").write_text(f"# quntuan benchmark {stamp}\n\n{table}")
    print(table)
    print(f"written: bench/results/{stamp}.md and .json")
    if any(r.error for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
