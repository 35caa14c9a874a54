"""``quntuan serve`` killed (SIGKILL) in the middle of a booking load leaves no half-written booking.

A real server process takes bookings from many concurrent writers — each booking one transaction: the
booking, a claim per night held, its audit entry and its signal — and is killed without warning once
bookings flow. Afterwards every acknowledged booking is there, and every booking there is whole: its
claims, audit entry and signal all present, no claim without its booking, no bed held twice. A new server
on the same database then books on as before (nothing was left locked or half-recovered).
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar

from core.identity.tables import AuditEntry
from core.integration.tables import OutboxSignal
from core.places.permissions import BOOKING_FOR_ORG, BOOKING_MANAGE, PLACE_MANAGE, PLACE_READ
from core.places.tables import Booking, BookingClaim
from tests.core.integration.support import eventually, running
from tests.core.places.conftest import tomorrow
from tests.identity_helpers import bearer, make_account, make_org
from tests.processes import QuntuanProcesses

WRITERS = 20
CAPACITY = 500
NIGHTS = 3
#: Start nights the writers spread over (each booking holds NIGHTS of them, from its first).
DAYS = 20


async def test_sigkill_mid_booking_load_leaves_no_half_written_booking(
    make_app: Callable[..., Litestar], settings: Any, tmp_path: Path
) -> None:
    async with running(make_app(plugins={})) as client:
        org = await make_org(name="团区委")
        cadre = await make_account(
            client.app.state.db,
            grants=[(org["path"], [PLACE_READ, PLACE_MANAGE, BOOKING_MANAGE, BOOKING_FOR_ORG], True)],
        )
        async with QuntuanProcesses(
            tmp_path, settings.database_url, settings.redis_url, QUNTUAN_LOAD_PLUGINS="false"
        ) as procs:
            server = await procs.serve()
            limits = httpx.Limits(max_keepalive_connections=0)
            async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:
                headers = await bearer(http, *cadre)
                place = await http.post(
                    "/api/v1/places",
                    json={"kind": "core.service_center", "org_id": str(org["id"]), "name": "青年驿站"},
                    headers=headers,
                )
                assert place.status_code == 201, place.text
                beds = await http.post(
                    f"/api/v1/places/{place.json()['id']}/resources",
                    json={"kind": "bed", "name": "床位", "capacity": CAPACITY, "who": "signed_in"},
                    headers=headers,
                )
                assert beds.status_code == 201, beds.text
                resource = beds.json()["id"]
                url = f"/api/v1/places/resources/{resource}/bookings"
                acknowledged: list[str] = []
                unexpected: list[str] = []

                async def writer(n: int) -> None:
                    for i in range(10_000):
                        night = tomorrow() + timedelta(days=(n + i * WRITERS) % DAYS)
                        body = {"org_id": str(org["id"]), "first_night": night.isoformat(), "nights": NIGHTS}
                        try:
                            response = await http.post(url, json=body, headers=headers)
                        except httpx.TransportError:
                            return  # killed before an answer: not acknowledged
                        if response.status_code != 201:
                            unexpected.append(f"{response.status_code} {response.text[:200]}")
                            return
                        acknowledged.append(response.json()["id"])

                async def kill_mid_run() -> None:
                    await eventually(lambda: _at_least(acknowledged, 3 * WRITERS), within=120)
                    server.popen.send_signal(signal.SIGKILL)

                await asyncio.gather(kill_mid_run(), *[writer(n) for n in range(WRITERS)])
            assert await server.wait(60) == -signal.SIGKILL
            assert unexpected == []

            # Every acknowledged booking is there; every booking there is whole.
            stored = await Booking.select(Booking.id, Booking.status, Booking.nights).run()
            ids = {str(b["id"]) for b in stored}
            assert set(acknowledged) <= ids
            assert {(b["status"], b["nights"]) for b in stored} == {("confirmed", NIGHTS)}
            claims = await BookingClaim.select(
                BookingClaim.booking, BookingClaim.slot, BookingClaim.unit
            ).run()
            per_booking = Counter(str(c["booking"]) for c in claims)
            assert set(per_booking) == ids, "a claim without its booking, or a booking without claims"
            assert set(per_booking.values()) == {NIGHTS}
            held = Counter((c["slot"], c["unit"]) for c in claims)
            assert max(held.values()) == 1  # no bed held twice on a night
            audited = await AuditEntry.select(AuditEntry.resource_id).where(
                AuditEntry.action == "booking.confirm"
            )
            assert {a["resource_id"] for a in audited} == ids and len(audited) == len(ids)
            signals = await OutboxSignal.select(OutboxSignal.resource_id).where(
                OutboxSignal.name == "booking.confirmed"
            )
            assert {s["resource_id"] for s in signals} == ids and len(signals) == len(ids)

            # A new server on the same database books on: nothing was left locked.
            again = await procs.serve()
            async with httpx.AsyncClient(base_url=again.url, timeout=60) as http:
                headers = await bearer(http, *cadre)
                night = tomorrow() + timedelta(days=DAYS + 1)
                body = {"org_id": str(org["id"]), "first_night": night.isoformat(), "nights": NIGHTS}
                after = await http.post(url, json=body, headers=headers)
                assert after.status_code == 201, after.text
                free = await http.get(
                    f"/api/v1/places/resources/{resource}/availability",
                    params={"from": tomorrow().isoformat(), "days": DAYS + NIGHTS + 1},
                    headers=headers,
                )
                assert free.status_code == 200, free.text
            # What is free is exactly what the stored claims leave, night by night.
            taken = Counter(c["slot"] for c in claims)
            by_night = [s["free"] for s in free.json()["slots"]]
            assert sum(CAPACITY - f for f in by_night) == len(claims) + NIGHTS
            assert max(taken.values()) <= CAPACITY


async def _at_least(items: list[Any], n: int) -> bool:
    return len(items) >= n
