"""The women plugin's hot paths: a county's rights-cases queue (维权待办) against raw SQL in the same run,
and 1,000 concurrent votes on one 最美家庭 selection keeping exactly one vote per person.

Seeds ``--processes`` open processes (default 20 000: half rights cases, half other processes) over a
county federation's subtree (200 village federations) into an empty database, then times
``GET /api/v1/processes/queue?type=women.rights_case``'s service call for a county cadre holding
``women.rights.handle`` and ``women.rights.read`` — the reach and sensitive-type filters included — against
the same page fetched with one hand-written SQL query and encoded with msgspec (rounds interleaved, so
load on the shared machine weighs on both alike). Then ``--voters`` persons (default 500) each send two
votes for one candidate at once (1,000 concurrent casts, each in its own write transaction) and the bench
checks exactly one vote per person was counted::

    QUNTUAN_DATABASE_URL=postgresql://…/scratch QUNTUAN_SECRET_KEY=… python -m bench.women

Prints the figures and the ratio (target ≥ 0.8); it does not pass or fail. Use a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import msgspec

import plugins.women.hooks
from bench.principals import SubtreeCadre
from core.identity.tables import Person
from core.kernel.db import Database
from core.kernel.errors import Problem
from core.kernel.migrations import migrate
from core.kernel.pagination import PageRequest
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import load_settings
from core.kernel.vault import Vault
from core.orgs.tables import Org
from core.processes import services
from core.processes.machine import Env
from core.processes.tables import Process
from core.selections import campaigns, nominations, votes
from core.selections import schemas as SS
from core.selections.common import Env as SelectionEnv
from core.selections.common import load_campaign
from core.selections.tables import Nomination, Vote

RIGHTS = "women.rights_case"
RAW = (
    "SELECT * FROM core_process WHERE status = {} AND handler_path >= {} AND handler_path < {} AND type = {}"
    " ORDER BY due_at, id LIMIT 21"
)


async def seed(n: int) -> tuple[dict[str, Any], list[uuid.UUID]]:
    county = {"id": uuid.uuid4(), "path": "w00000"}
    await Org.insert(
        Org(
            id=county["id"],
            path=county["path"],
            depth=1,
            kind="women.federation",
            level="county",
            name="县妇联",
        )
    ).run()
    orgs = [county]
    for i in range(200):
        org = {"id": uuid.uuid4(), "path": county["path"] + f"{i:06d}"}
        await Org.insert(
            Org(
                id=org["id"],
                parent=county["id"],
                path=org["path"],
                depth=2,
                kind="women.grassroots",
                level="village",
                name=f"村妇联{i}",
            )
        ).run()
        orgs.append(org)
    persons = [uuid.uuid4() for _ in range(1000)]
    await Person.insert(*[Person(id=p, name="群众", home_org=county["id"]) for p in persons]).run()
    now = datetime.now(UTC)
    rng = random.Random(23)
    for start in range(0, n, 1000):
        rows = []
        for i in range(min(1000, n - start)):
            org = rng.choice(orgs)
            opened = now - timedelta(days=rng.uniform(0, 30))
            rights = (start + i) % 2 == 0
            rows.append(
                Process(
                    id=uuid.uuid4(),
                    type=RIGHTS if rights else "core.join",
                    org=org["id"],
                    org_path=org["path"],
                    handler_org=org["id"],
                    handler_path=org["path"],
                    applicant=rng.choice(persons),
                    opened_by=uuid.uuid4(),
                    state="handling" if rights else "submitted",
                    status="open",
                    form={"category": "domestic_violence", "channel": "hotline_12338", "summary": "王*****"}
                    if rights
                    else {},
                    due_at=opened + timedelta(days=15),
                    state_since=opened,
                    opened_at=opened,
                    updated_at=opened,
                )
            )
        await Process.insert(*rows).run()
    return county, persons


def _p(times: list[float], q: float) -> float:
    times = sorted(times)
    return times[max(0, int(len(times) * q) - 1)]


async def queue_bench(env: Env, county: dict[str, Any], rounds: int) -> None:
    cadre = SubtreeCadre(county["path"], ("women.rights.handle", "women.rights.read"))
    encoder = msgspec.json.Encoder()

    async def ours() -> int:
        out = await services.queue(
            env,
            cadre,
            PageRequest(limit=20),
            org_path=None,
            subtree=True,
            type_code=RIGHTS,
            state=None,
            overdue=None,
            mine=False,
        )
        return len(encoder.encode(out))

    async def raw() -> int:
        rows = await Process.raw(RAW, "open", county["path"], county["path"] + "~", RIGHTS).run()
        return len(encoder.encode(rows[:20]))

    for _ in range(5):
        await ours()
        await raw()
    mine: list[float] = []
    base: list[float] = []
    for i in range(rounds):
        order = (raw, ours, ours, raw) if i % 2 == 0 else (ours, raw, raw, ours)
        for fn in order:
            t0 = time.perf_counter()
            await fn()
            (base if fn is raw else mine).append((time.perf_counter() - t0) * 1000)
    m, b = statistics.median(mine), statistics.median(base)
    print(f"rights queue (20 of a county's cases): quntuan p50 {m:.2f} ms p95 {_p(mine, 0.95):.2f} ms")
    print(f"raw SQL + msgspec baseline:           p50 {b:.2f} ms p95 {_p(base, 0.95):.2f} ms")
    print(f"ratio (baseline / quntuan, target ≥ 0.8): {b / m:.2f}")


class Voter:
    kind = "account"

    def __init__(self, person_id: uuid.UUID) -> None:
        self.id = uuid.uuid4()
        self.person_id = person_id

    def has_permission(self, code: str) -> bool:
        return False

    def reach(self, code: str) -> list[Any]:
        return []


async def vote_bench(
    db: Database, registry: Any, county: dict[str, Any], persons: list[uuid.UUID], voters: int
) -> None:
    env = SelectionEnv(registry, SimpleNamespace(registry=registry))
    boss = SubtreeCadre(county["path"])
    async with db.transaction():
        camp = await campaigns.create(
            env,
            boss,
            SS.CampaignCreate(
                type="women.best_family",
                org_id=county["id"],
                title="最美家庭（压测）",
                honor_title="最美家庭",
                year=2026,
                levels=[SS.LevelQuota(quota=3)],
            ),
        )
    async with db.transaction():
        nomination = await nominations.file(
            env,
            boss,
            camp,
            SS.NominationCreate(
                source="org",
                nominee_kind="family",
                org_id=county["id"],
                nominee_person_id=persons[0],
                nominee_name="张家",
                form={"summary": "孝老爱亲"},
            ),
        )
    for stage in ("reviewing", "voting"):
        async with db.transaction():
            row = await load_campaign(camp["id"])
            await campaigns.advance(env, boss, row, SS.StageChange(stage=stage), f'"{row["version"]}"')
    people = persons[:voters]

    async def cast(person: uuid.UUID) -> int:
        try:
            async with db.transaction():
                row = await load_campaign(camp["id"])
                await votes.cast(env, Voter(person), row, nomination["id"])
            return 201
        except Problem as exc:
            return exc.problem.status

    t0 = time.perf_counter()
    statuses = await asyncio.gather(*[cast(p) for p in people for _ in range(2)])
    elapsed = time.perf_counter() - t0
    counted = await Vote.count().where(Vote.campaign == camp["id"]).run()
    distinct = len(
        {r["voter"] for r in await Vote.select(Vote.voter).where(Vote.campaign == camp["id"]).run()}
    )
    tally = (
        await Nomination.select(Nomination.votes).where(Nomination.id == nomination["id"]).first().run()
    )["votes"]
    accepted = statuses.count(201)
    print(
        f"{len(statuses)} concurrent votes by {len(people)} persons in {elapsed:.1f}s: {accepted} counted, "
        f"{statuses.count(409)} refused (one vote per person); vote rows {counted}, distinct voters {distinct}, tally {tally}"
    )
    exact = accepted == counted == distinct == tally == len(people)
    print("exactly one vote per person:", "yes" if exact else "NO")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--voters", type=int, default=500)
    args = parser.parse_args()
    settings = load_settings()
    pm = make_plugin_manager(settings, plugins={"women": plugins.women.hooks})
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    try:
        await migrate(db)
        started = time.perf_counter()
        county, persons = await seed(args.processes)
        print(f"seeded {args.processes} open processes in {time.perf_counter() - started:.1f}s")
        if not db.is_sqlite:
            await Process.raw("ANALYZE core_process").run()
        env = Env(pm.registry, pm, Vault.from_settings(settings))
        await queue_bench(env, county, args.rounds)
        await vote_bench(db, pm.registry, county, persons, args.voters)
    finally:
        await db.stop()


if __name__ == "__main__":
    asyncio.run(main())
