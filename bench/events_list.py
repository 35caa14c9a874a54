"""The event list, the hottest path: latency of one page, and the plan the database chooses.

Seeds ``--events`` events over a small org tree into an empty database, then times the first page and a
deep page of ``GET /api/v1/events``'s query for a caller with a subtree reach, filtered by org subtree::

    QUNTUAN_DATABASE_URL=postgresql://…/scratch QUNTUAN_SECRET_KEY=… python -m bench.events_list

Prints figures (and on PostgreSQL the query plan); it does not pass or fail. Use a scratch database.
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
from core.events import services
from core.events.permissions import EVENT_MANAGE, EVENT_READ
from core.events.tables import Event, EventOrganizer
from core.kernel.db import Database
from core.kernel.migrations import migrate
from core.kernel.pagination import PageRequest
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import load_settings
from core.orgs.tables import Org


async def seed(events: int) -> list[dict[str, object]]:
    orgs = []
    for i in range(50):
        parent = orgs[i // 7] if i else None
        path = (str(parent["path"]) if parent else "") + f"{i:06d}"
        org = {"id": uuid.uuid4(), "path": path}
        await Org.insert(
            Org(
                id=org["id"],
                path=path,
                depth=len(path) // 6,
                kind="party.committee",
                level="county",
                name=f"组织{i}",
            )
        ).run()
        orgs.append(org)
    start = datetime(2030, 1, 1, tzinfo=UTC)
    rng = random.Random(7)
    for chunk in range(0, events, 1000):
        rows, organizers = [], []
        for _ in range(min(1000, events - chunk)):
            org = rng.choice(orgs)
            event_id = uuid.uuid4()
            starts = start + timedelta(minutes=rng.randrange(0, 525600))
            rows.append(
                Event(
                    id=event_id,
                    type="core.activity",
                    title="活动",
                    org=org["id"],
                    org_path=org["path"],
                    organizer_ids=[str(org["id"])],
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    timezone="Asia/Shanghai",
                    status="published",
                    visibility=rng.choice(["public", "subtree"]),
                )
            )
            organizers.append(EventOrganizer(event=event_id, org=org["id"], org_path=org["path"], lead=True))
        await Event.insert(*rows).run()
        await EventOrganizer.insert(*organizers).run()
    return orgs


def timed(samples: list[float]) -> str:
    samples.sort()
    return f"median {statistics.median(samples):.2f} ms, p95 {samples[int(len(samples) * 0.95) - 1]:.2f} ms"


async def main(events: int, runs: int) -> None:
    settings = load_settings()
    db = Database(settings, make_plugin_manager(settings).registry.piccolo_apps)
    await db.start()
    try:
        await migrate(db)
        orgs = await seed(events)
        if not db.is_sqlite:
            await db.engine.run_ddl("ANALYZE")
        reader = SubtreeCadre(str(orgs[1]["path"]), (EVENT_READ, EVENT_MANAGE))
        filters = services.EventFilters(org_path=str(orgs[0]["path"]))
        first, deep = [], []
        cursor_page = PageRequest(limit=20)
        for _ in range(runs):
            t = time.perf_counter()
            await services.list_events(reader, filters, PageRequest(limit=20))
            first.append((time.perf_counter() - t) * 1000)
        for _ in range(runs):
            t = time.perf_counter()
            _, cursor = await services.list_events(reader, filters, cursor_page)
            deep.append((time.perf_counter() - t) * 1000)
            if cursor:
                from core.kernel.pagination import decode_cursor

                cursor_page = PageRequest(limit=20, after=decode_cursor(cursor))
        print(f"{events} events, backend {'sqlite' if db.is_sqlite else 'postgresql'}")
        print(f"first page: {timed(first)}")
        print(f"successive pages ({runs} deep): {timed(deep)}")
        if not db.is_sqlite:
            query = Event.select(*services.EVENT_COLUMNS).where(services.visible_clause(reader))
            sql = str(query.order_by(Event.starts_at, Event.id).limit(21))
            plan = await db.engine._run_in_new_connection("EXPLAIN ANALYZE " + sql)
            print("\n".join(row["QUERY PLAN"] for row in plan))
    finally:
        await db.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.runs))
