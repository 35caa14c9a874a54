"""Demo data: a realistic synthetic region, the same for the same seed (``quntuan demo seed``).

Province → cities → districts → streets → communities, each with its Party committee and the
federations of every installed plugin; two-new units, buildings and parks in the communities, with the
grassroots orgs that cover some of them; persons and memberships. ``small`` is for front-end developers
(a few hundred orgs, seconds); ``large`` is about 100k orgs and 1M persons, for benchmarks.

Rows are written in bulk (PostgreSQL ``COPY``, batched inserts on SQLite), without signals: a seed is a
load, not a sequence of events. Coverage figures are computed by the plugins' own rules, as for any unit.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from faker import Faker
from faker.providers.address.zh_CN import Provider as Address
from faker.providers.company.zh_CN import Provider as Company

from core.kernel.db import Database
from core.kernel.plugin_host import PluginManager
from core.orgs.coverage import coverage_rules, facts_of
from core.orgs.paths import ALPHABET, SEGMENT_WIDTH
from core.orgs.search import fold, initials
from core.orgs.validators import credit_code_check, id_number_check

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Scale:
    cities: int
    districts: int
    streets: int
    communities: int
    units: int
    persons: int


SCALES = {
    "small": Scale(cities=1, districts=2, streets=2, communities=3, units=5, persons=1_000),
    "large": Scale(cities=11, districts=9, streets=15, communities=6, units=6, persons=1_000_000),
}

#: Federations each territorial level gets, by plugin prefix: (kind, name suffix).
FEDERATIONS = {
    "union": ("union.federation", "总工会"),
    "youth": ("youth.committee", "团委"),
    "women": ("women.federation", "妇联"),
    "scitech": ("scitech.association", "科协"),
}
#: Community-level orgs by plugin: (kind, name suffix).
COMMUNITY_ORGS = {
    "union": ("union.grassroots", "社区工会联合会"),
    "youth": ("youth.branch", "社区团支部"),
    "women": ("women.grassroots", "社区妇联"),
}
#: The org a plugin sets up in a unit it covers: (kind, name suffix, share of required units covered).
UNIT_ORGS = {
    "union.formation": ("union.grassroots", "工会", 0.72),
    "youth.formation": ("youth.branch", "团支部", 0.45),
    "women.formation": ("women.grassroots", "妇联", 0.4),
    "scitech.formation": ("scitech.enterprise_association", "科协", 0.3),
}
PROVINCES = (("浙江省", "33"), ("江苏省", "32"), ("福建省", "35"), ("广东省", "44"), ("四川省", "51"))
BASE_TIME = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass
class Batch:
    """Rows to write, per table, in insertion order."""

    orgs: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    requirements: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    #: Street and community Party committees that host a demo event: (org id, place name).
    event_hosts: list[tuple[uuid.UUID, str]] = field(default_factory=list)


@dataclass
class SeedResult:
    scale: str
    seed: int
    root: uuid.UUID
    orgs: int
    units: int
    persons: int
    memberships: int
    requirements: int
    events: int
    seconds: float


class _Gen:
    def __init__(self, seed: int, pm: PluginManager) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.batch = Batch()
        self.kinds = set(pm.registry.org_kinds)
        self.plugins = {k.partition(".")[0] for k in self.kinds}
        self.rules = coverage_rules(pm)
        self.names = [self.fake.name() for _ in range(4000)]

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def segment(self) -> str:
        return "".join(self.rng.choice(ALPHABET) for _ in range(SEGMENT_WIDTH))

    def org(
        self, parent: dict[str, Any] | None, kind: str, level: str, name: str, region: str, **extra: Any
    ) -> dict[str, Any]:
        path = (parent["path"] if parent else "") + self.segment()
        row = {
            "id": self.uuid(),
            "parent": parent["id"] if parent else None,
            "path": path,
            "depth": len(path) // SEGMENT_WIDTH,
            "kind": kind,
            "level": level,
            "name": name,
            "status": "active",
            "created_at": BASE_TIME,
            "updated_at": BASE_TIME,
            "region_code": region,
            "two_new": extra.get("two_new", ""),
            "place": extra.get("place", ""),
            "address": extra.get("address", ""),
            "contact_name": "",
            "contact_phone_enc": None,
            "contact_phone_masked": "",
            "search_name": fold(name),
            "initials": initials(name),
            "dissolved_at": None,
        }
        self.batch.orgs.append(row)
        return row

    def territory(self, parent: dict[str, Any] | None, level: str, name: str, region: str) -> dict[str, Any]:
        """A Party committee and the federation of each installed plugin at one place."""
        committee = self.org(parent, "party.committee", level, f"中共{name}委员会", region)
        for plugin, (kind, suffix) in FEDERATIONS.items():
            if plugin in self.plugins and kind in self.kinds:
                committee.setdefault("federations", {})[plugin] = self.org(
                    committee, kind, level, f"{name}{suffix}", region
                )
        return committee

    def credit_code(self, region: str) -> str:
        body = "91" + region + "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        return body + credit_code_check(body)

    def id_number(self, region: str, birth: date) -> str:
        body = f"{region}{birth:%Y%m%d}{self.rng.randrange(1000):03d}"
        return body + id_number_check(body)


def generate(pm: PluginManager, scale: Scale, seed: int) -> tuple[Batch, uuid.UUID]:
    """Every row of the demo region, deterministic for ``seed``."""
    g = _Gen(seed, pm)
    rng = g.rng
    province_name, code = PROVINCES[seed % len(PROVINCES)]
    province = g.territory(None, "province", province_name, code + "0000")
    member_orgs: list[dict[str, Any]] = []
    cities = rng.sample(Address.cities, scale.cities)
    for ci, city_name in enumerate(cities, start=1):
        city_region = f"{code}{ci:02d}00"
        city = g.territory(province, "city", f"{city_name}市", city_region)
        for di, district_name in enumerate(rng.sample(Address.districts, scale.districts), start=1):
            region = f"{code}{ci:02d}{di:02d}"
            district = g.territory(city, "county", f"{district_name}区", region)
            for si in range(scale.streets):
                street_name = (
                    f"{g.fake.last_name()}{rng.choice(('家桥', '溪', '湖', '山', '塘', '浦', '湾'))}街道"
                )
                street = g.territory(district, "township", street_name, region)
                g.batch.event_hosts.append((street["id"], street_name))
                for mi in range(scale.communities):
                    community_name = f"{rng.choice(Company.company_prefixes)}社区"
                    community = g.org(street, "party.committee", "village", f"{community_name}党委", region)
                    for plugin, (kind, suffix) in COMMUNITY_ORGS.items():
                        if plugin in g.plugins and kind in g.kinds:
                            member_orgs.append(
                                g.org(community, kind, "village", f"{community_name}{suffix}", region)
                            )
                    for ui in range(scale.units):
                        _unit(g, street, community, region, f"{si}-{mi}-{ui}", member_orgs)
    _persons(g, scale, member_orgs, code)
    return g.batch, province["id"]


def _unit(
    g: _Gen,
    street: dict[str, Any],
    community: dict[str, Any],
    region: str,
    tag: str,
    member_orgs: list[dict[str, Any]],
) -> None:
    rng = g.rng
    roll = rng.random()
    if roll < 0.62:
        kind, name = (
            "non_public_enterprise",
            f"{rng.choice(Company.company_prefixes)}{rng.choice(Company.company_suffixes)}",
        )
    elif roll < 0.8:
        kind, name = (
            "social_organization",
            f"{rng.choice(Company.company_prefixes)}{rng.choice(('协会', '服务中心', '促进会', '基金会'))}",
        )
    elif roll < 0.9:
        kind, name = "building", f"{rng.choice(Company.company_prefixes)}大厦"
    elif roll < 0.95:
        kind, name = "park", f"{rng.choice(Company.company_prefixes)}产业园"
    else:
        kind, name = "public_enterprise", f"{rng.choice(Company.company_prefixes)}集团"
    employees = int(rng.lognormvariate(3.3, 1.1)) if kind not in ("building", "park") else 0
    unit = {
        "id": g.uuid(),
        "name": name,
        "search_name": fold(name),
        "kind": kind,
        "credit_code": g.credit_code(region) if employees else None,
        "employees": employees,
        "female_employees": int(employees * rng.uniform(0.2, 0.6)),
        "youth_employees": int(employees * rng.uniform(0.1, 0.5)),
        "region_code": region,
        "area": community["id"],
        "area_path": community["path"],
        "address": f"{community['name'].removesuffix('党委')}{rng.randrange(1, 300)}号",
        "status": "active",
        "created_at": BASE_TIME,
        "updated_at": BASE_TIME,
    }
    g.batch.units.append(unit)
    facts = facts_of(unit)
    two_new = kind if kind in ("non_public_enterprise", "social_organization") else ""
    place = kind if kind in ("building", "park") else ""
    if rng.random() < 0.25:
        g.org(community, "party.branch", "unit", f"{name}党支部", region, two_new=two_new, place=place)
    for code, registered in sorted(g.rules.items()):
        if not registered.rule.applies(facts):
            continue
        covered = False
        spec = UNIT_ORGS.get(code)
        if spec and spec[0] in g.kinds and rng.random() < spec[2]:
            plugin = code.partition(".")[0]
            parent = street.get("federations", {}).get(plugin) or community
            org = g.org(parent, spec[0], "unit", f"{name}{spec[1]}", region, two_new=two_new, place=place)
            g.batch.links.append(
                {"id": g.uuid(), "unit": unit["id"], "org": org["id"], "created_at": BASE_TIME}
            )
            member_orgs.append(org)
            covered = True
        g.batch.requirements.append(
            {
                "id": g.uuid(),
                "unit": unit["id"],
                "rule": code,
                "area_path": community["path"],
                "region_code": region,
                "covered": covered,
            }
        )


def _persons(g: _Gen, scale: Scale, member_orgs: Sequence[dict[str, Any]], code: str) -> None:
    rng = g.rng
    today = date(2026, 6, 30)
    for _ in range(scale.persons):
        person_id = g.uuid()
        age = rng.randrange(16, 70)
        birth = today - timedelta(days=age * 365 + rng.randrange(365))
        org = rng.choice(member_orgs)
        g.batch.persons.append(
            {
                "id": person_id,
                "name": rng.choice(g.names),
                "gender": rng.choice(("male", "female")),
                "birth_date": birth,
                "home_org": org["id"],
                "created_at": BASE_TIME,
                "updated_at": BASE_TIME,
            }
        )
        kind = org["kind"]
        if kind.startswith("youth.") and not 14 <= age <= 28:
            continue
        if kind.startswith("women.") and rng.random() < 0.5:
            continue
        extra: dict[str, Any] = {}
        if kind.startswith("youth."):
            extra["birth_date"] = birth.isoformat()
        elif kind.startswith("union."):
            extra["card_number"] = f"{rng.randrange(10**11, 10**12)}"
        joined = BASE_TIME + timedelta(days=rng.randrange(540))
        g.batch.memberships.append(
            {
                "id": g.uuid(),
                "org": org["id"],
                "person": person_id,
                "role": "member",
                "status": "active",
                "extra": json.dumps(extra),
                "joined_at": joined,
                "left_at": None,
                "previous": None,
                "updated_at": joined,
            }
        )


# --- writing --------------------------------------------------------------------------------------------

TABLES = (
    ("core_org", "orgs"),
    ("core_person", "persons"),
    ("core_unit", "units"),
    ("core_coverage_requirement", "requirements"),
    ("core_coverage_link", "links"),
    ("core_membership", "memberships"),
)
_ORG_COLUMNS = (
    "id", "parent", "path", "depth", "kind", "level", "name", "status", "created_at", "updated_at", "region_code",
    "two_new", "place", "address", "contact_name", "contact_phone_enc", "contact_phone_masked", "search_name",
    "initials", "dissolved_at",
)  # fmt: skip


def _columns(attr: str, rows: list[dict[str, Any]]) -> tuple[str, ...]:
    return _ORG_COLUMNS if attr == "orgs" else tuple(rows[0])


def _chunks(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def write(db: Database, batch: Batch, progress: Progress | None = None) -> None:
    """Write all rows in one transaction: COPY on PostgreSQL, executemany on SQLite."""
    if db.is_sqlite:
        await _write_sqlite(db, batch, progress)
    else:
        await _write_postgres(db, batch, progress)


async def _write_postgres(db: Database, batch: Batch, progress: Progress | None) -> None:
    import asyncpg

    conn = await asyncpg.connect(db.settings.database_url.replace("postgres://", "postgresql://", 1))
    try:
        async with conn.transaction():
            for table, attr in TABLES:
                rows = getattr(batch, attr)
                if not rows:
                    continue
                columns = _columns(attr, rows)
                done = 0
                for chunk in _chunks(rows, 50_000):
                    await conn.copy_records_to_table(
                        table,
                        records=[tuple(r.get(c) for c in columns) for r in chunk],
                        columns=list(columns),
                    )
                    done += len(chunk)
                    if progress:
                        progress(table, done, len(rows))
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


async def _write_sqlite(db: Database, batch: Batch, progress: Progress | None) -> None:
    async with db.transaction():
        for table, attr in TABLES:
            rows = getattr(batch, attr)
            if not rows:
                continue
            columns = _columns(attr, rows)
            done = 0
            for chunk in _chunks(rows, 400):
                marks = ", ".join("(" + ", ".join("{}" for _ in columns) + ")" for _ in chunk)
                values = [_sqlite_value(r.get(c)) for r in chunk for c in columns]
                await db.engine.run_querystring(
                    _query(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {marks}", values)  # noqa: S608
                )
                done += len(chunk)
                if progress:
                    progress(table, done, len(rows))


def _query(template: str, values: list[Any]) -> Any:
    from piccolo.querystring import QueryString

    return QueryString(template, *values)


async def seed(
    db: Database,
    pm: PluginManager,
    scale: str = "small",
    seed: int = 1,
    progress: Progress | None = None,
) -> SeedResult:
    """Generate and write the demo region; refuses to seed the same seed twice (same ids)."""
    from core.orgs.coverage import take_snapshot
    from core.orgs.tables import Org

    started = time.perf_counter()
    batch, root = generate(pm, SCALES[scale], seed)
    if await Org.exists().where(Org.id == root).run():
        raise FileExistsError(f"the demo region of seed {seed} is already there")
    await write(db, batch, progress)
    events = await _events(db, pm, batch.event_hosts, seed, progress)
    root_row = await Org.select(Org.path).where(Org.id == root).first().run()
    if root_row is not None:
        from core.kernel.plugin_host import call_runtime_hook

        await call_runtime_hook(
            pm, "quntuan_demo_seeded", root_path=root_row["path"], seed=seed, plugin_manager=pm
        )
    await take_snapshot(db)
    return SeedResult(
        scale=scale,
        seed=seed,
        root=root,
        orgs=len(batch.orgs),
        units=len(batch.units),
        persons=len(batch.persons),
        memberships=len(batch.memberships),
        requirements=len(batch.requirements),
        events=events,
        seconds=round(time.perf_counter() - started, 2),
    )


# --- events ---------------------------------------------------------------------------------------------

EVENT_TITLES = (
    "邻里文化节",
    "普法宣传进社区",
    "职工健步走",
    "青年志愿服务日",
    "科普讲座：家庭用电安全",
    "亲子阅读会",
    "“最美家庭”故事分享会",
    "两新组织党群工作交流会",
)


class _Operator:
    """The seeding operator: may manage events anywhere (the seed runs from the shell, not a request)."""

    kind = "account"
    id = uuid.UUID(int=0)
    person_id = None

    def has_permission(self, code: str) -> bool:
        return True

    def reach(self, code: str) -> list[Any]:
        from core.kernel.access import Reach

        return [Reach(path="", subtree=True)]


async def _events(
    db: Database,
    pm: PluginManager,
    hosts: Sequence[tuple[uuid.UUID, str]],
    seed: int,
    progress: Progress | None,
) -> int:
    """One published event per street, created through the events service like any other."""
    from core.events.schemas import EventCreate
    from core.events.services import change_status, create_event

    types = pm.registry.event_types
    usable = sorted(code for code, t in types.items() if t.details is None) or sorted(types)
    if not usable:
        return 0
    rng = random.Random(seed * 7919)
    operator = _Operator()
    done = 0
    for chunk in _chunks(list(hosts), 200):
        async with db.transaction():
            for org_id, place in chunk:
                starts = datetime(2026, 7, 1, 1, tzinfo=UTC) + timedelta(
                    days=rng.randrange(180), hours=rng.randrange(10)
                )
                created = await create_event(
                    operator,  # type: ignore[arg-type]
                    EventCreate(
                        type=rng.choice(usable),
                        title=rng.choice(EVENT_TITLES),
                        org_id=org_id,
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=2),
                        place=f"{place}党群服务中心",
                        capacity=rng.choice((None, 30, 50, 100)),
                    ),
                    event_types=types,
                    default_timezone=db.settings.timezone,
                    locale="zh-Hans",
                    event_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                )
                await change_status(operator, created["id"], "published")  # type: ignore[arg-type]
        done += len(chunk)
        if progress:
            progress("core_event", done, len(hosts))
    return done
