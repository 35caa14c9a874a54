"""The League's hottest reads against a raw-SQL baseline in the same run.

1. A committee's members with their registration status (``GET /api/v1/youth/members?org_id=…``): one
   page of 50 by member number through :func:`plugins.youth.routes.members_page` (Piccolo query, cursor,
   rendering into ``YouthMemberOut``), and the same with ``registered_in`` — against asyncpg running the
   same SQL and msgspec building the same structs.
2. A branch's transfer queue (``GET /api/v1/processes/queue?type=youth.transfer&org=…``): the first page of
   open ``youth.transfer`` processes handled by one branch through the core's queue service — against
   the same page by hand-written SQL.

Seeds ``--members`` members (default 20 000) over 100 branches of a committee, and ``--transfers`` open
transfers (default 5 000) spread over the branches, into an empty PostgreSQL database::

    QUNTUAN_DATABASE_URL=postgresql://…/scratch QUNTUAN_SECRET_KEY=… python -m bench.youth_reads

Prints p50 latencies and the ratio baseline/quntuan (1.0: as fast as raw SQL); it does not pass or fail.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg
import msgspec

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
from plugins.youth.routes import YouthMemberOut, member_out, members_page
from plugins.youth.tables import YouthMember

MEMBERS_SQL = (
    "SELECT id, person, org, number, status, joined_on, oath_date, party_member, league_post, left_branch_at,"
    " lost_contact, reported_at, registered_year, version FROM youth_member"
    " WHERE org_path >= $1 AND org_path < $2 {extra} ORDER BY number LIMIT $3"
)
QUEUE_SQL = (
    "SELECT * FROM core_process WHERE status = 'open' AND handler_path = $1 AND type = $2"
    " ORDER BY due_at, id LIMIT $3"
)


async def seed(members: int, transfers: int) -> tuple[str, list[dict[str, str]]]:
    committee = {"id": uuid.uuid4(), "path": "y00000"}
    await Org.insert(
        Org(
            id=committee["id"],
            path=committee["path"],
            depth=1,
            kind="youth.committee",
            level="county",
            name="团委",
        )
    ).run()
    branches = []
    for i in range(100):
        branch = {"id": uuid.uuid4(), "path": committee["path"] + f"{i:06d}"}
        await Org.insert(
            Org(
                id=branch["id"],
                parent=committee["id"],
                path=branch["path"],
                depth=2,
                kind="youth.branch",
                level="unit",
                name=f"团支部{i}",
            )
        ).run()
        branches.append(branch)
    rng = random.Random(22)
    now = datetime.now(UTC)
    persons = [uuid.uuid4() for _ in range(1000)]
    await Person.insert(*[Person(id=p, name="团员") for p in persons]).run()
    for start in range(0, members, 1000):
        rows = []
        for n in range(start, min(start + 1000, members)):
            branch = rng.choice(branches)
            rows.append(
                YouthMember(
                    id=uuid.uuid4(),
                    person=uuid.uuid4(),
                    org=branch["id"],
                    org_path=branch["path"],
                    number=f"Y2026{n:06d}",
                    status="active",
                    joined_on=date(2020, 5, 4),
                    registered_year=2026 if rng.random() < 0.6 else 2025,
                    created_at=now,
                    updated_at=now,
                )
            )
        await YouthMember.insert(*rows).run()
    for start in range(0, transfers, 1000):
        rows = []
        for _ in range(min(1000, transfers - start)):
            branch = rng.choice(branches)
            opened = now - timedelta(days=rng.uniform(0, 14))
            rows.append(
                Process(
                    id=uuid.uuid4(),
                    type="youth.transfer",
                    org=branch["id"],
                    org_path=branch["path"],
                    handler_org=branch["id"],
                    handler_path=branch["path"],
                    applicant=rng.choice(persons),
                    opened_by=uuid.uuid4(),
                    state="sending_review",
                    status="open",
                    form={},
                    due_at=opened + timedelta(days=15),
                    state_since=opened,
                    opened_at=opened,
                    updated_at=opened,
                )
            )
        await Process.insert(*rows).run()
    return committee["path"], branches


async def timed(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--transfers", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    settings = load_settings()
    pm = make_plugin_manager(settings)
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    raw = await asyncpg.connect(settings.database_url)
    try:
        await migrate(db)
        committee, branches = await seed(args.members, args.transfers)
        await Process.raw("ANALYZE").run()
        high = committee + "~"

        async def ours() -> None:
            await members_page(committee, PageRequest(limit=50))

        async def ours_registered() -> None:
            await members_page(committee, PageRequest(limit=50), registered_in=2026)

        async def baseline() -> None:
            rows = await raw.fetch(MEMBERS_SQL.format(extra=""), committee, high, 51)
            [msgspec.convert({**dict(r), "retained": False}, YouthMemberOut) for r in rows[:50]]

        async def baseline_registered() -> None:
            rows = await raw.fetch(
                MEMBERS_SQL.format(extra="AND registered_year >= $4"), committee, high, 51, 2026
            )
            [msgspec.convert({**dict(r), "retained": False}, YouthMemberOut) for r in rows[:50]]

        env = Env(pm.registry, pm, Vault.from_settings(settings))
        branch = branches[7]["path"]
        cadre = SubtreeCadre(branch, (PROCESS_HANDLE,))

        async def queue() -> None:
            await services.queue(
                env,
                cadre,
                PageRequest(limit=20),
                org_path=branch,
                subtree=False,
                type_code="youth.transfer",
                state=None,
                overdue=None,
                mine=False,
            )

        async def queue_baseline() -> None:
            rows = await raw.fetch(QUEUE_SQL, branch, "youth.transfer", 21)
            [dict(r) for r in rows[:20]]

        assert member_out  # the same rendering the route uses
        for label, mine, theirs in (
            ("committee members (page of 50)", ours, baseline),
            ("committee members registered this year", ours_registered, baseline_registered),
            ("branch transfer queue (page of 20)", queue, queue_baseline),
        ):
            for fn in (mine, theirs):  # warm both
                await timed(fn, 10)
            quntuan_ms, base_ms = [], []
            for _ in range(5):  # alternate, so both see the same machine
                base_ms.append(await timed(theirs, args.rounds // 5))
                quntuan_ms.append(await timed(mine, args.rounds // 5))
            q, b = statistics.median(quntuan_ms), statistics.median(base_ms)
            print(f"{label}: quntuan p50 {q:.2f} ms, raw SQL p50 {b:.2f} ms, ratio {b / q:.2f}")
    finally:
        await raw.close()
        await db.stop()


if __name__ == "__main__":
    asyncio.run(main())
