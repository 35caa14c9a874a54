"""The union's hottest read: a county's members with their dues status, 20 a page, against raw SQL.

Seeds a county federation with ``--unions`` grassroots unions, ``--members`` members and ``--months``
months of dues into an empty database, then, in the same run and interleaved (baseline, quntuan, quntuan,
baseline), pages through ``GET /api/v1/union/members?org=<county>&month=…`` (20 a page, following the
cursor) in two ways through the same in-process HTTP client:

* quntuan: the app with the core and the union plugin (token check, guards, reach, the route);
* baseline: a minimal ASGI app with asyncpg and msgspec running the same SQL text, verifying the same
  HS256 token once per token and taking the reach from the grant (what the machine allows).

Prints requests per second of both and the ratio (target ≥ 0.8)::

    QUNTUAN_DATABASE_URL=postgresql://…/scratch QUNTUAN_SECRET_KEY=… python -m bench.union_members

It does not pass or fail. Use a scratch database: it is migrated and filled.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import asyncpg
import httpx
import jwt
import msgspec

from core.identity.passwords import hash_password
from core.identity.tables import Account, Grant, Person, Role
from core.kernel.app import create_app
from core.kernel.db import Database, numbered
from core.kernel.migrations import migrate
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import load_settings
from core.members.tables import Membership
from core.orgs.tables import Org
from core.testkit import open_client
from plugins.union.members_routes import LIST_SQL
from plugins.union.tables import UnionDues, UnionMember


async def seed(unions: int, members: int, months: int) -> tuple[dict[str, Any], list[str]]:
    county = {"id": uuid.uuid4(), "path": "u00000"}
    await Org.insert(
        Org(
            id=county["id"],
            path=county["path"],
            depth=1,
            kind="union.federation",
            level="county",
            name="县总工会",
        )
    ).run()
    grassroots = []
    for i in range(unions):
        org = Org(
            id=uuid.uuid4(),
            parent=county["id"],
            path=county["path"] + f"{i:06d}",
            depth=2,
            kind="union.grassroots",
            level="unit",
            name=f"基层工会{i}",
        )
        grassroots.append(org)
    await Org.insert(*grassroots).run()
    month_list = [f"2026-{m:02d}" for m in range(1, months + 1)]
    rng = random.Random(21)
    now = datetime.now(UTC)
    for start in range(0, members, 1000):
        persons, memberships, files, dues = [], [], [], []
        for n in range(start, min(members, start + 1000)):
            org = rng.choice(grassroots)
            pid = uuid.uuid4()
            persons.append(Person(id=pid, name=f"会员{n}", home_org=org.id))
            memberships.append(Membership(org=org.id, person=pid, role="member", status="active"))
            wage = rng.randrange(300000, 1500000)
            files.append(
                UnionMember(
                    person=pid,
                    card_number=f"330100{n:012d}",
                    org=org.id,
                    org_path=org.path,
                    monthly_wage=wage,
                )
            )
            for month in month_list:
                paid = rng.random() < 0.8
                due = wage * 5 // 1000
                dues.append(
                    UnionDues(
                        person=pid,
                        org=org.id,
                        org_path=org.path,
                        month=month,
                        wage=wage,
                        due=due,
                        paid=due if paid else 0,
                        status="paid" if paid else "due",
                        updated_at=now,
                    )
                )
        await Person.insert(*persons).run()
        await Membership.insert(*memberships).run()
        await UnionMember.insert(*files).run()
        for at in range(0, len(dues), 2000):
            await UnionDues.insert(*dues[at : at + 2000]).run()
    return county, month_list


async def cadre(county: dict[str, Any], permissions: list[str]) -> tuple[str, str]:
    person, account, role = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await Person.insert(Person(id=person, name="县总工会干部", home_org=county["id"])).run()
    await Account.insert(
        Account(
            id=account,
            username="unionbench",
            person=person,
            password_hash=await hash_password("bench-password-1"),
        )
    ).run()
    await Role.insert(Role(id=role, code="unionbench", name="工会干部", permissions=permissions)).run()
    await Grant.insert(Grant(role=role, account=account, org=county["id"], subtree=True)).run()
    return "unionbench", "bench-password-1"


def baseline_app(dsn: str, secret: str, county_path: str) -> Any:
    """asyncpg + msgspec: the same SQL, the same HS256 token check (once per token), reach from the grant."""
    state: dict[str, Any] = {}
    verified: dict[str, Any] = {}
    first_sql = numbered(
        LIST_SQL.replace("{reach}", "(u.org_path >= {} AND u.org_path < {})").replace("{after}", "")
    )
    after_sql = numbered(
        LIST_SQL.replace("{reach}", "(u.org_path >= {} AND u.org_path < {})").replace(
            "{after}", " AND u.card_number > {}"
        )
    )
    encoder = msgspec.json.Encoder()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    state["pool"] = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await state["pool"].close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        token = next(v.decode()[7:] for k, v in scope["headers"] if k == b"authorization")
        if token not in verified:
            verified[token] = jwt.decode(
                token, secret, algorithms=["HS256"], audience="quntuan-api", issuer="quntuan"
            )
        query = parse_qs(scope["query_string"].decode())
        month, cursor = query["month"][0], query.get("cursor", [None])[0]
        low, high = county_path, county_path + "~"
        async with state["pool"].acquire() as conn:
            if cursor:
                (last,) = msgspec.json.decode(
                    __import__("base64").urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
                )
                rows = await conn.fetch(after_sql, month, low, high, low, high, last, 21)
            else:
                rows = await conn.fetch(first_sql, month, low, high, low, high, 21)
        items = [
            {
                "person_id": r["person"],
                "name": r["name"],
                "card_number": r["card_number"],
                "org_id": r["org"],
                "org_name": r["org_name"],
                "employment": r["employment"],
                "floating": r["floating"],
                "month": month,
                "dues_status": r["dues_status"] or "unassessed",
                "dues_due": r["due"] or 0,
                "dues_paid": r["paid"] or 0,
                "arrears_months": r["arrears_months"],
                "arrears_amount": r["arrears_amount"],
            }
            for r in rows[:20]
        ]
        nxt = (
            __import__("base64")
            .urlsafe_b64encode(encoder.encode([items[-1]["card_number"]]))
            .rstrip(b"=")
            .decode()
            if len(rows) > 20
            else None
        )
        body = encoder.encode({"items": items, "next_cursor": nxt})
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


async def walk(
    client: httpx.AsyncClient, headers: dict[str, str], county: str, month: str, pages: int
) -> float:
    """Requests per second over ``pages`` pages, following the cursor (starting again at the end)."""
    cursor = None
    started = time.perf_counter()
    for _ in range(pages):
        params = {"org": county, "month": month, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/v1/union/members", params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) == 20 or body["next_cursor"] is None
        cursor = body["next_cursor"]
    return pages / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unions", type=int, default=100)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = load_settings()
    pm = make_plugin_manager(settings)
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    try:
        await migrate(db)
        started = time.perf_counter()
        county, months = await seed(args.unions, args.members, args.months)
        username, password = await cadre(county, ["union.member.read"])
        print(
            f"seeded {args.members} members, {args.members * args.months} dues lines in {time.perf_counter() - started:.1f}s"
        )
        if not db.is_sqlite:
            await Org.raw("ANALYZE").run()
    finally:
        await db.stop()
    app = create_app(settings, make_plugin_manager(settings))
    ours: list[float] = []
    theirs: list[float] = []
    async for client in open_client(app):
        token = (
            await client.post(
                "/api/v1/auth/token",
                json={"grant_type": "password", "username": username, "password": password},
            )
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        base = baseline_app(settings.database_url, settings.secret_key or "", county["path"])
        from asgi_lifespan import LifespanManager

        async with (
            LifespanManager(base),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=base), base_url="http://baseline") as raw,
        ):
            org, month = str(county["id"]), months[-1]
            await walk(client, headers, org, month, 20)  # warm both
            await walk(raw, headers, org, month, 20)
            for _ in range(args.rounds):
                theirs.append(await walk(raw, headers, org, month, args.pages))
                ours.append(await walk(client, headers, org, month, args.pages))
                ours.append(await walk(client, headers, org, month, args.pages))
                theirs.append(await walk(raw, headers, org, month, args.pages))
    q, b = statistics.median(ours), statistics.median(theirs)
    print(f"quntuan  {q:8.1f} pages/s")
    print(f"baseline {b:8.1f} pages/s")
    print(f"ratio    {q / b:8.2f}  (target ≥ 0.8)  {'met' if q / b >= 0.8 else 'NOT met'}")


if __name__ == "__main__":
    asyncio.run(main())
