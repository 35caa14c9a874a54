"""Bookings per second against a raw-SQL baseline in the same run, and "places near me" over 50k places.

Bookings: each round books one night of a bed (a resource of 500 beds, the nights spread over 60 days)
through :func:`core.places.bookings.book` — resource and place read, eligibility, window and rules
checked, the taken units read, one claim inserted (``ON CONFLICT DO NOTHING``), the booking row, an audit
entry with its hash chain and an outbox signal, one transaction. The baseline writes the same rows with
hand-written SQL in one transaction per booking: claim insert, booking insert, audit entry (reading the
chain's head and hashing), outbox insert. Runs alternate (baseline, quntuan, …) on the same pool.

Near me: 50,000 public places spread over a province (27°–31° N, 118°–123° E, about 450 × 500 km);
each query asks for the places within 5 km of a random point, nearest first, first page of 20, through
:func:`core.places.services.public_list` (bounding box on the ``(lat, lon)`` index, exact haversine,
the page's rows and services read and rendered). Prints p50/p95 latency::

    QUNTUAN_DATABASE_URL=postgresql://…/scratch QUNTUAN_SECRET_KEY=… python -m bench.places

Prints figures; it does not pass or fail. Use a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.identity.tables import AuditEntry, Person
from core.kernel.db import Database
from core.kernel.migrations import migrate
from core.kernel.pagination import PageRequest
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import load_settings
from core.kernel.vault import Vault
from core.orgs.tables import Org
from core.places import bookings, services
from core.places import schemas as S
from core.places.tables import Place, PlaceService, Resource


class Guest:
    """A signed-in person (the bed's rule is ``signed_in``)."""

    kind = "account"

    def __init__(self, person_id: uuid.UUID) -> None:
        self.id = uuid.uuid4()
        self.person_id = person_id

    def has_permission(self, code: str) -> bool:
        return False

    def reach(self, code: str) -> list[object]:
        return []


_CLAIM = (
    "INSERT INTO core_booking_claim (id, resource, slot, unit, booking) VALUES ({}, {}, {}, {}, {})"
    " ON CONFLICT (resource, slot, unit) DO NOTHING RETURNING unit"
)
_BOOKING = (
    "INSERT INTO core_booking (id, resource, place, org_path, person, booked_by, status, mode, starts_at,"
    " ends_at, first_night, nights, attendees, purpose, version, created_at, decided_at)"
    " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)
_OUTBOX = (
    "INSERT INTO core_outbox (id, name, resource_type, resource_id, org_path, payload, occurred_at)"
    " VALUES ({}, {}, {}, {}, {}, {}, {})"
)
_AUDIT = (
    "INSERT INTO core_audit (id, at, actor_kind, actor_id, action, resource_type, resource_id, org_path,"
    " changes, prev_hash, hash) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)


async def raw_booking(
    db: Database, resource: dict[str, object], path: str, person: uuid.UUID, night: date, unit: int
) -> None:
    booking_id = uuid.uuid4()
    now = datetime.now(UTC)
    key = (night - date(1970, 1, 1)).days
    async with db.transaction():
        done = await AuditEntry.raw(_CLAIM, uuid.uuid4(), resource["id"], key, unit, booking_id).run()
        if not done:
            raise RuntimeError("the baseline's unit was taken")
        await AuditEntry.raw(
            _BOOKING, booking_id, resource["id"], resource["place"], path, person, uuid.uuid4(), "confirmed",
            "night", now, now, night, 1, 1, "", 1, now, now,
        ).run()  # fmt: skip
        if not db.is_sqlite:
            await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", 7_042_001).run()
        last = await AuditEntry.raw("SELECT hash FROM core_audit ORDER BY seq DESC LIMIT 1").run()
        prev = last[0]["hash"] if last else "0" * 64
        body = json.dumps({"status": "confirmed"}, sort_keys=True)
        digest = hashlib.sha256((prev + "booking.confirm" + str(booking_id) + body).encode()).hexdigest()
        await AuditEntry.raw(
            _AUDIT, uuid.uuid4(), now, "account", str(uuid.uuid4()), "booking.confirm", "booking",
            str(booking_id), path, body, prev, digest,
        ).run()  # fmt: skip
        await AuditEntry.raw(
            _OUTBOX, uuid.uuid4(), "booking.confirmed", "booking", str(booking_id), path, "{}", now
        ).run()


async def seed_places(org_id: uuid.UUID, path: str, n: int) -> None:
    rng = random.Random(19)
    kinds = ("youth.hostel", "union.workers_home", "women.womens_home", "core.service_center")
    for start in range(0, n, 1000):
        rows = [
            Place(
                id=uuid.uuid4(),
                kind=kinds[i % 4],
                org=org_id,
                org_path=path,
                name=f"阵地{i}",
                address=f"某街道{i}号",
                region_code=f"33{i % 11 + 1:02d}{i % 9 + 1:02d}",
                lat=rng.uniform(27.0, 31.0),
                lon=rng.uniform(118.0, 123.0),
                contacts=[{"name": "管理员", "phone": "138****8000"}],
            )
            for i in range(start, min(n, start + 1000))
        ]
        await Place.insert(*rows).run()
        await PlaceService.insert(*[PlaceService(place=r.id, service="reading") for r in rows[::3]]).run()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300, help="bookings per run")
    parser.add_argument("--runs", type=int, default=5, help="alternating runs of each side")
    parser.add_argument("--places", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--near-only", action="store_true", help="skip the bookings; reuse seeded places")
    args = parser.parse_args()
    settings = load_settings()
    pm = make_plugin_manager(settings)
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    try:
        await migrate(db)
        org_id, path = uuid.uuid4(), f"p{uuid.uuid4().hex[:5]}"
        await Org.insert(
            Org(id=org_id, path=path, depth=1, kind="youth.committee", level="province", name="基准团省委")
        ).run()
        guests = [uuid.uuid4() for _ in range(200)]
        await Person.insert(*[Person(id=p, name="求职青年") for p in guests]).run()
        env = services.Env(
            registry=pm.registry,
            plugin_manager=pm,
            vault=Vault.from_settings(settings),
            tz=ZoneInfo(settings.timezone),
            secret=settings.resolved_secret_key(),
        )
        place_id = uuid.uuid4()
        await Place.insert(
            Place(id=place_id, kind="youth.hostel", org=org_id, org_path=path, name="基准驿站")
        ).run()
        resource = {"id": uuid.uuid4(), "place": place_id}
        await Resource.insert(
            Resource(id=resource["id"], place=place_id, kind="bed", name="床位", capacity=500, mode="night",
                     who="signed_in", horizon_days=120),
        ).run()  # fmt: skip
        baseline = {"id": uuid.uuid4(), "place": place_id}
        await Resource.insert(
            Resource(id=baseline["id"], place=place_id, kind="bed", name="床位", capacity=500, mode="night"),
        ).run()
        today = datetime.now(ZoneInfo(settings.timezone)).date() + timedelta(days=1)
        rates: dict[str, list[float]] = {"raw SQL": [], "quntuan": []}
        done = {"raw SQL": 0, "quntuan": 0}
        for _ in range(0 if args.near_only else args.runs):
            for label in ("raw SQL", "quntuan"):
                started = time.perf_counter()
                for _ in range(args.rounds):
                    i = done[label]
                    night, unit = today + timedelta(days=i % 60), i // 60
                    guest = guests[i % len(guests)]
                    if label == "raw SQL":
                        await raw_booking(db, baseline, path, guest, night, unit)
                    else:
                        async with db.transaction():
                            await bookings.book(
                                env,
                                Guest(guest),
                                resource["id"],
                                S.BookingCreate(first_night=night),  # type: ignore[arg-type]
                            )
                    done[label] += 1
                rates[label].append(args.rounds / (time.perf_counter() - started))
        backend = "sqlite" if db.is_sqlite else "postgresql"
        print(f"backend: {backend}")
        if not args.near_only:
            raw, ours = statistics.median(rates["raw SQL"]), statistics.median(rates["quntuan"])
            print(f"{args.runs} runs of {args.rounds} bookings (one night of a bed each)")
            print(
                f"raw SQL baseline: {raw:.0f} bookings/s (claim, booking, audit, outbox; 1 transaction each)"
            )
            print(f"quntuan bookings: {ours:.0f} bookings/s")
            print(f"ratio quntuan/raw: {ours / raw:.2f}")

        present = await Place.count().where(Place.name.like("阵地%")).run()
        if present < args.places:
            started = time.perf_counter()
            await seed_places(org_id, path, args.places - present)
            if not db.is_sqlite:
                await Place.raw("ANALYZE core_place").run()
            print(f"seeded {args.places - present} places in {time.perf_counter() - started:.1f} s")
        rng = random.Random(7)
        timings, found, sql_timings = [], [], []
        page = PageRequest(limit=20)
        for _ in range(args.queries):
            lat, lon = rng.uniform(27.2, 30.8), rng.uniform(118.2, 122.8)
            t0 = time.perf_counter()
            items, _ = await services.public_list(
                env,
                None,
                page,
                kind=None,
                region=None,
                service=None,
                org_path=None,
                near=(lat, lon),
                radius_km=5,
            )
            timings.append((time.perf_counter() - t0) * 1000)
            found.append(len(items))
            # The baseline: the same bounding box as one hand-written query, no distance, no rendering.
            box = services.bounding_box(lat, lon, 5000)
            t0 = time.perf_counter()
            await Place.raw(
                "SELECT id, name, lat, lon FROM core_place WHERE lat >= {} AND lat <= {} AND lon >= {} AND lon <= {}",
                *box,
            ).run()
            sql_timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        p50, p95 = statistics.median(timings), timings[int(len(timings) * 0.95) - 1]
        print(
            f"near me (5 km, first page of 20) over {args.places} places: p50 {p50:.2f} ms, p95 {p95:.2f} ms,"
            f" {statistics.mean(found):.1f} places found on average"
        )
        print(f"raw bounding-box query alone: p50 {statistics.median(sql_timings):.2f} ms")
    finally:
        await db.stop()


if __name__ == "__main__":
    asyncio.run(main())
