"""The work queue (待办) of a county with many open processes: latency of one page, counts included.

Seeds ``--processes`` open processes (default 100 000) over a county's subtree (one county, 200 units
below it) into an empty database, then times ``GET /api/v1/processes/queue``'s service call for a cadre
whose reach is the county — the first page and a deep page (cursor), each with the counts per type::

    QUNTUAN_DATABASE_URL=postgresql://…/scratch QUNTUAN_SECRET_KEY=… python -m bench.process_queue

Prints figures (and on PostgreSQL the page query's plan); it does not pass or fail. Use a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench.principals import SubtreeCadre
from core.identity.tables import Person
from core.kernel.db import Database
from core.kernel.migrations import migrate
from core.kernel.pagination import PageRequest
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import load_settings
from core.kernel.vault import Vault
from core.orgs.tables import Org
from core.processes import services
from core.processes.machine import Env
from core.processes.permissions import PROCESS_HANDLE
from core.processes.tables import Process


async def seed(n: int) -> str:
    county = {"id": uuid.uuid4(), "path": "c00000"}
    orgs = [county]
    await Org.insert(
        Org(id=county["id"], path=county["path"], depth=1, kind="party.committee", level="county", name="县")
    ).run()
    for i in range(200):
        org = {"id": uuid.uuid4(), "path": county["path"] + f"{i:06d}"}
        await Org.insert(
            Org(
                id=org["id"],
                parent=county["id"],
                path=org["path"],
                depth=2,
                kind="party.committee",
                level="unit",
                name=f"单位{i}",
            )
        ).run()
        orgs.append(org)
    persons = [uuid.uuid4() for _ in range(1000)]
    await Person.insert(*[Person(id=p, name="群众") for p in persons]).run()
    now = datetime.now(UTC)
    rng = random.Random(7)
    for start in range(0, n, 1000):
        rows = []
        for _ in range(min(1000, n - start)):
            org = rng.choice(orgs)
            opened = now - timedelta(days=rng.uniform(0, 30))
            rows.append(
                Process(
                    id=uuid.uuid4(),
                    type=rng.choice(["core.join", "core.join"]),
                    org=org["id"],
                    org_path=org["path"],
                    handler_org=org["id"],
                    handler_path=org["path"],
                    applicant=rng.choice(persons),
                    opened_by=uuid.uuid4(),
                    state="submitted",
                    status="open",
                    form={},
                    due_at=opened + timedelta(days=10),
                    state_since=opened,
                    opened_at=opened,
                    updated_at=opened,
                )
            )
        await Process.insert(*rows).run()
    return county["path"]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    settings = load_settings()
    pm = make_plugin_manager(settings)
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    try:
        await migrate(db)
        started = time.perf_counter()
        county = await seed(args.processes)
        print(f"seeded {args.processes} open processes in {time.perf_counter() - started:.1f}s")
        if not db.is_sqlite:
            await Process.raw("ANALYZE core_process").run()
        env = Env(pm.registry, pm, Vault.from_settings(settings))
        cadre = SubtreeCadre(county, (PROCESS_HANDLE,))
        started = time.perf_counter()
        first = await services.queue(
            env,
            cadre,
            PageRequest(limit=20),
            org_path=None,
            subtree=True,
            type_code=None,
            state=None,
            overdue=None,
            mine=False,
            with_counts=True,
        )
        print(
            f"counts {[(c.type, c.open, c.overdue) for c in first.counts]} in {(time.perf_counter() - started) * 1000:.0f} ms"
        )
        for label, page in [("first page", PageRequest(limit=20)), ("deep page", None)]:
            if page is None:
                cursor = first.next_cursor
                from core.kernel.pagination import decode_cursor

                for _ in range(200):
                    out = await services.queue(
                        env,
                        cadre,
                        PageRequest(limit=100, after=decode_cursor(cursor)),
                        org_path=None,
                        subtree=True,
                        type_code=None,
                        state=None,
                        overdue=None,
                        mine=False,
                    )  # type: ignore[arg-type]
                    cursor = out.next_cursor
                page = PageRequest(limit=20, after=decode_cursor(cursor))  # type: ignore[arg-type]
            times = []
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                await services.queue(
                    env,
                    cadre,
                    page,
                    org_path=None,
                    subtree=True,
                    type_code=None,
                    state=None,
                    overdue=None,
                    mine=False,
                )
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            print(
                f"{label}: p50 {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms"
            )
        if not db.is_sqlite:
            plan = await Process.raw(
                "EXPLAIN ANALYZE SELECT * FROM core_process WHERE status = 'open' AND (handler_path >= {} AND handler_path < {})"
                " ORDER BY due_at, id LIMIT 21",
                county,
                county + "~",
            ).run()
            print("\n".join(r["QUERY PLAN"] for r in plan))
    finally:
        await db.stop()


if __name__ == "__main__":
    asyncio.run(main())
