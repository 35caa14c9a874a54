"""The region picture (区域一张图) of a province subtree of 100 000 orgs with every bundled plugin.

Seeds into an empty (scratch) PostgreSQL database a province → 10 cities → 100 counties → units tree of
``--orgs`` orgs (default 100 000) spread over the kinds of every installed plugin, ``--members``
memberships and ``--processes`` processes, then times the picture's build (``plugins.joint.picture.build``,
what ``GET /api/v1/joint/picture/{id}?fresh=true`` runs after its reach check) at the province, against
the raw-SQL baseline of the same run: the single ``GROUP BY kind`` scans of orgs and memberships::

    QUNTUAN_DATABASE_URL=postgresql://…/scratch QUNTUAN_SECRET_KEY=… python -m bench.joint_picture

Prints p50/p95 and the ratio to the baseline; it does not pass or fail. The target is p50 ≤ 500 ms.
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

from core.identity.tables import Person
from core.kernel.db import Database
from core.kernel.migrations import migrate
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import load_settings
from core.members.tables import Membership
from core.orgs.tables import Org
from core.processes.tables import Process
from plugins.joint.picture import build

UNIT_KINDS = [
    "party.branch",
    "union.grassroots",
    "union.grassroots",
    "youth.branch",
    "women.grassroots",
    "scitech.enterprise_association",
]
COUNTY_KINDS = ["union.federation", "youth.committee", "women.federation", "scitech.association"]


def _seg(i: int) -> str:
    return f"{i:06d}"


async def seed(n_orgs: int, n_members: int, n_processes: int) -> dict:
    rng = random.Random(11)
    rows: list[Org] = []
    province = {"id": uuid.uuid4(), "path": _seg(1)}
    rows.append(
        Org(
            id=province["id"],
            path=province["path"],
            depth=1,
            kind="party.committee",
            level="province",
            name="省",
        )
    )
    counter = 0

    def child(parent: dict, kind: str, level: str, name: str) -> dict:
        nonlocal counter
        counter += 1
        org = {"id": uuid.uuid4(), "path": parent["path"] + _seg(counter), "kind": kind}
        rows.append(
            Org(
                id=org["id"],
                parent=parent["id"],
                path=org["path"],
                depth=len(org["path"]) // 6,
                kind=kind,
                level=level,
                name=name,
            )
        )
        return org

    counties = []
    for c in range(10):
        city = child(province, "party.committee", "city", f"市{c}")
        for k in range(10):
            county = child(city, "party.committee", "county", f"县{c}{k}")
            counties.append(county)
            for kind in COUNTY_KINDS:
                child(county, kind, "county", kind)
    units = []
    per_county = max(0, (n_orgs - len(rows)) // len(counties))
    for county in counties:
        for u in range(per_county):
            units.append(child(county, UNIT_KINDS[u % len(UNIT_KINDS)], "unit", f"单位{u}"))
    for start in range(0, len(rows), 1000):
        await Org.insert(*rows[start : start + 1000]).run()
    persons = [uuid.uuid4() for _ in range(max(1, n_members // 3))]
    for start in range(0, len(persons), 2000):
        await Person.insert(*[Person(id=p, name="群众") for p in persons[start : start + 2000]]).run()
    for start in range(0, n_members, 2000):
        await Membership.insert(
            *[
                Membership(id=uuid.uuid4(), org=rng.choice(units)["id"], person=rng.choice(persons))
                for _ in range(min(2000, n_members - start))
            ]
        ).run()
    now = datetime.now(UTC)
    for start in range(0, n_processes, 1000):
        batch = []
        for _ in range(min(1000, n_processes - start)):
            org = rng.choice(units)
            opened = now - timedelta(days=rng.uniform(0, 30))
            batch.append(
                Process(
                    id=uuid.uuid4(),
                    type="core.join",
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
        await Process.insert(*batch).run()
    return {"id": province["id"], "path": province["path"], "name": "省", "orgs": len(rows)}


async def baseline(path: str) -> None:
    await Org.raw(
        "SELECT kind, COUNT(*) AS n FROM core_org WHERE path >= {} AND path < {} GROUP BY kind",
        path,
        path + "~",
    ).run()
    await Org.raw(
        "SELECT o.kind, COUNT(*) AS n FROM core_membership m JOIN core_org o ON o.id = m.org "
        "WHERE o.path >= {} AND o.path < {} AND m.status = 'active' GROUP BY o.kind",
        path,
        path + "~",
    ).run()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=300_000)
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep the tree a previous run seeded")
    args = parser.parse_args()
    settings = load_settings()
    pm = make_plugin_manager(settings)
    print("plugins:", ", ".join(pm.registry.plugins))
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    try:
        await migrate(db)
        started = time.perf_counter()
        existing = await Org.select(Org.id, Org.path).where(Org.parent.is_null()).first().run()
        if existing is not None and args.reuse:
            n = await Org.count().run()
            root = {"id": existing["id"], "path": existing["path"], "name": "省", "orgs": n}
        else:
            root = await seed(args.orgs, args.members, args.processes)
        print(
            f"seeded {root['orgs']} orgs, {args.members} members, {args.processes} processes "
            f"in {time.perf_counter() - started:.0f}s"
        )
        if not db.is_sqlite:
            await Org.raw("ANALYZE").run()
        state = SimpleNamespace(registry=pm.registry, plugin_manager=pm)
        pic = await build(state, root)
        print("columns:", [(c.plugin, c.orgs, c.members, c.processes_open) for c in pic.columns])
        ours, base = [], []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            await baseline(root["path"])
            base.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await build(state, root)
            ours.append((time.perf_counter() - t0) * 1000)
        ours.sort()
        base.sort()
        p50, b50 = statistics.median(ours), statistics.median(base)
        print(
            f"picture p50 {p50:.0f} ms, p95 {ours[int(len(ours) * 0.95) - 1]:.0f} ms "
            f"(target p50 ≤ 500 ms: {'met' if p50 <= 500 else 'NOT met'})"
        )
        print(f"baseline (org + membership GROUP BY) p50 {b50:.0f} ms · ratio {p50 / b50:.1f}×")
    finally:
        await db.stop()


if __name__ == "__main__":
    asyncio.run(main())
