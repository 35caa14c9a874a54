"""Places: create, change, share, read (public and managed lists, "near me"), resources and usage.

Reach: a place belongs to its owner org; ``core.place.manage`` over that org's subtree edits it, its
shares, resources and photos; ``core.place.read`` sees non-public places. Public places (``public`` and
``active``) are listed without a token. A place outside the caller's reach answers 404.

"Near me" is a bounding box on the indexed ``(lat, lon)`` — a range scan — then the exact haversine
distance of the few rows inside it, sorted by ``(distance, id)`` and paginated by that key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec

from core.identity import audit
from core.identity.permissions import PERSON_PERSONAL_DATA
from core.integration.signals import emit
from core.kernel import preconditions
from core.kernel.access import Principal, Reach, reach_sql, subtree_bounds, within
from core.kernel.db import fetch
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, encode_cursor
from core.kernel.settings import Locale
from core.kernel.vault import Vault
from core.orgs.contact import mask_contact_phone
from core.orgs.tables import Org
from core.places import problems
from core.places import schemas as S
from core.places import signals as sig
from core.places.permissions import BOOKING_MANAGE, PLACE_MANAGE, PLACE_READ
from core.places.personal_data import CONTACTS_FIELD
from core.places.tables import Place, PlaceService, PlaceShare, Resource

EARTH_RADIUS_M = 6_371_008.8
MAX_RADIUS_KM = 50.0


@dataclass(frozen=True)
class Env:
    """What the services need besides the database: declarations, the vault, the clock's zone, secrets."""

    registry: Any
    plugin_manager: Any
    vault: Vault
    tz: ZoneInfo
    secret: str
    state: Any = None
    locale: Locale = "zh-Hans"

    @classmethod
    def of(cls, state: Any, locale: Locale = "zh-Hans") -> Env:
        settings = state.settings
        return cls(
            registry=state.registry,
            plugin_manager=state.plugin_manager,
            vault=state.identity.vault,
            tz=ZoneInfo(settings.timezone),
            secret=settings.resolved_secret_key(),
            state=state,
            locale=locale,
        )


def now() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


# --- who may do what -----------------------------------------------------------------------------------


def manages(principal: Principal | None, path: str) -> bool:
    return principal is not None and within(path, principal.reach(PLACE_MANAGE))


def reads(principal: Principal | None, path: str) -> bool:
    return principal is not None and (within(path, principal.reach(PLACE_READ)) or manages(principal, path))


def sees_bookings(principal: Principal | None, path: str) -> bool:
    return principal is not None and within(path, principal.reach(BOOKING_MANAGE))


def _reveals_contacts(principal: Principal | None, path: str) -> bool:
    return principal is not None and (
        manages(principal, path) or within(path, principal.reach(PERSON_PERSONAL_DATA))
    )


async def load(place_id: UUID) -> dict[str, Any] | None:
    return await Place.select().where(Place.id == place_id).first().run()  # type: ignore[no-any-return]


async def visible(principal: Principal | None, place_id: UUID) -> dict[str, Any]:
    """The place if the caller may see it (public and active, or within read reach); 404 otherwise."""
    row = await load(place_id)
    if row is None:
        raise Problem("not-found")
    if (row["public"] and row["status"] == "active") or reads(principal, row["org_path"]):
        return row
    raise Problem("not-found")


async def managed(principal: Principal, place_id: UUID) -> dict[str, Any]:
    """The place if the caller manages it; 404 when outside reach (existence does not leak)."""
    row = await load(place_id)
    if row is None or not manages(principal, row["org_path"]):
        raise Problem("not-found")
    return row


# --- output --------------------------------------------------------------------------------------------


async def _services_of(place_ids: Sequence[UUID]) -> dict[UUID, list[str]]:
    if not place_ids:
        return {}
    rows = (
        await PlaceService.select(PlaceService.place, PlaceService.service)
        .where(PlaceService.place.is_in(list(place_ids)))
        .run()
    )
    out: dict[UUID, list[str]] = {}
    for r in rows:
        out.setdefault(r["place"], []).append(r["service"])
    return {k: sorted(v) for k, v in out.items()}


async def shares_of(place_id: UUID) -> list[S.Share]:
    rows = (
        await PlaceShare.select(PlaceShare.org, PlaceShare.org.name, PlaceShare.purposes)
        .where(PlaceShare.place == place_id)
        .order_by(PlaceShare.org_path)
        .run()
    )
    return [
        S.Share(org_id=r["org"], org_name=r["org.name"], purposes=list(_json(r["purposes"]) or []))
        for r in rows
    ]


def _contacts(env: Env, row: Mapping[str, Any], reveal: bool) -> list[S.Contact]:
    shown = list(_json(row["contacts"]) or [])
    if reveal and row.get("contacts_enc"):
        clear = msgspec.json.decode(env.vault.decrypt(CONTACTS_FIELD, row["contacts_enc"]))
        return [S.Contact(name=c["name"], phone=p) for c, p in zip(shown, clear, strict=False)]
    return [S.Contact(name=c["name"], phone=c["phone"]) for c in shown]


def to_place(
    env: Env,
    row: Mapping[str, Any],
    services: list[str],
    principal: Principal | None,
    *,
    distance: float | None = None,
    shares: list[S.Share] | None = None,
) -> S.Place:
    kind = env.registry.place_kinds.get(row["kind"])
    return S.Place(
        id=row["id"],
        kind=row["kind"],
        kind_name=kind.name.get(env.locale) if kind is not None else row["kind"],
        org_id=row["org"],
        name=row["name"],
        description=row["description"],
        address=row["address"],
        region_code=row["region_code"],
        lat=row["lat"],
        lon=row["lon"],
        distance_m=None if distance is None else round(distance, 1),
        services=services,
        opening_hours=msgspec.convert(_json(row["opening_hours"]) or [], list[S.Hours]),
        hours_exceptions=msgspec.convert(_json(row["hours_exceptions"]) or [], list[S.HoursException]),
        contacts=_contacts(env, row, _reveals_contacts(principal, row["org_path"])),
        public=bool(row["public"]),
        status=row["status"],
        version=row["version"],
        shares=shares,
    )


async def detail(env: Env, principal: Principal | None, row: Mapping[str, Any]) -> S.Place:
    services = (await _services_of([row["id"]])).get(row["id"], [])
    shares = await shares_of(row["id"]) if reads(principal, row["org_path"]) else None
    return to_place(env, row, services, principal, shares=shares)


# --- writing -------------------------------------------------------------------------------------------


def _seal_contacts(env: Env, contacts: Sequence[S.ContactIn]) -> tuple[list[dict[str, str]], str | None]:
    shown = [{"name": c.name, "phone": mask_contact_phone(c.phone)} for c in contacts]
    token = (
        env.vault.encrypt(CONTACTS_FIELD, msgspec.json.encode([c.phone for c in contacts]).decode())
        if contacts
        else None
    )
    return shown, token


def _check_point(lat: float | None, lon: float | None, locale: Locale) -> None:
    if (lat is None) != (lon is None):
        raise Problem.invalid(("/lon" if lon is None else "/lat", "required"), locale=locale)


def _check_hours(hours: Sequence[S.Hours], exceptions: Sequence[S.HoursException], locale: Locale) -> None:
    for i, h in enumerate(hours):
        if h.opens >= h.closes:
            raise Problem.invalid((f"/opening_hours/{i}/closes", "invalid"), locale=locale)
    seen: set[date] = set()
    for i, e in enumerate(exceptions):
        if e.date in seen:
            raise Problem.invalid((f"/hours_exceptions/{i}/date", "duplicate"), locale=locale)
        seen.add(e.date)
        if not e.closed and (e.opens is None or e.closes is None or e.opens >= e.closes):
            raise Problem.invalid((f"/hours_exceptions/{i}/closes", "invalid"), locale=locale)


async def _set_services(place_id: UUID, services: Sequence[str]) -> None:
    await PlaceService.delete().where(PlaceService.place == place_id).run()
    unique = sorted(set(services))
    if unique:
        await PlaceService.insert(*[PlaceService(place=place_id, service=s) for s in unique]).run()


def _payload(row: Mapping[str, Any]) -> sig.PlaceSignal:
    return sig.PlaceSignal(
        place_id=row["id"], kind=row["kind"], org_id=row["org"], status=row["status"], version=row["version"]
    )


async def create(env: Env, principal: Principal, data: S.PlaceCreate) -> dict[str, Any]:
    """A new place of ``data.org_id`` (inside the caller's transaction); returns its row."""
    kind = env.registry.place_kinds.get(data.kind)
    if kind is None:
        raise Problem(problems.UNKNOWN_KIND, kind=data.kind)
    org = await Org.select(Org.id, Org.path, Org.kind, Org.status).where(Org.id == data.org_id).first().run()
    if org is None or not manages(principal, org["path"]):
        raise Problem("not-found")
    if org["status"] != "active":
        raise Problem.invalid(("/org_id", "invalid"), locale=env.locale)
    if kind.org_kinds and org["kind"] not in kind.org_kinds:
        raise Problem(problems.WRONG_ORG_KIND, kind=data.kind)
    _check_point(data.lat, data.lon, env.locale)
    _check_hours(data.opening_hours, data.hours_exceptions, env.locale)
    shown, token = _seal_contacts(env, data.contacts)
    moment = now()
    row: dict[str, Any] = {
        "id": uuid4(),
        "kind": data.kind,
        "org": org["id"],
        "org_path": org["path"],
        "name": data.name,
        "description": data.description,
        "address": data.address,
        "region_code": data.region_code,
        "lat": data.lat,
        "lon": data.lon,
        "opening_hours": msgspec.to_builtins(data.opening_hours),
        "hours_exceptions": msgspec.to_builtins(data.hours_exceptions),
        "contacts": shown,
        "contacts_enc": token,
        "public": data.public,
        "status": "active",
        "created_by": principal.id,
        "version": 1,
        "created_at": moment,
        "updated_at": moment,
    }
    await Place.insert(Place(**row)).run()
    await _set_services(row["id"], data.services)
    await audit.record(
        "place.create",
        resource_type="place",
        resource_id=row["id"],
        org_path=row["org_path"],
        changes={"kind": data.kind, "name": data.name, "public": data.public},
        actor=principal,
    )
    await emit(
        sig.PLACE_CREATED,
        _payload(row),
        resource_type="place",
        resource_id=row["id"],
        org_path=row["org_path"],
    )
    return row


def check_if_match(row: Mapping[str, Any], if_match: str | None) -> None:
    preconditions.check_if_match(
        etag(row["version"]), if_match, changed=problems.PLACE_CHANGED, version=row["version"]
    )


etag = preconditions.version_etag


async def update(
    env: Env, principal: Principal, place_id: UUID, data: S.PlaceUpdate, if_match: str | None
) -> dict[str, Any]:
    row = await managed(principal, place_id)
    check_if_match(row, if_match)
    changes: dict[Any, Any] = {}
    simple = ("name", "description", "address", "region_code", "lat", "lon", "public", "status")
    for name in simple:
        value = getattr(data, name)
        if value is not msgspec.UNSET:
            changes[getattr(Place, name)] = value
    lat = changes.get(Place.lat, row["lat"])
    lon = changes.get(Place.lon, row["lon"])
    _check_point(lat, lon, env.locale)
    hours = data.opening_hours if data.opening_hours is not msgspec.UNSET else None
    exceptions = data.hours_exceptions if data.hours_exceptions is not msgspec.UNSET else None
    _check_hours(hours or [], exceptions or [], env.locale)
    if hours is not None:
        changes[Place.opening_hours] = msgspec.to_builtins(hours)
    if exceptions is not None:
        changes[Place.hours_exceptions] = msgspec.to_builtins(exceptions)
    if data.contacts is not msgspec.UNSET:
        shown, token = _seal_contacts(env, data.contacts)
        changes[Place.contacts] = shown
        changes[Place.contacts_enc] = token
    changes[Place.version] = row["version"] + 1
    changes[Place.updated_at] = now()
    done = await (
        Place.update(changes)
        .where((Place.id == place_id) & (Place.version == row["version"]))
        .returning(*Place.all_columns())
        .run()
    )
    if not done:
        current = await load(place_id)
        raise Problem(problems.PLACE_CHANGED, version=current["version"] if current else row["version"])
    if data.services is not msgspec.UNSET:
        await _set_services(place_id, data.services)
    new: dict[str, Any] = done[0]
    await audit.record(
        "place.update",
        resource_type="place",
        resource_id=place_id,
        org_path=new["org_path"],
        changes={c._meta.name: "…" if c is Place.contacts_enc else None for c in changes}
        | {"version": new["version"]},
        actor=principal,
    )
    await emit(
        sig.PLACE_UPDATED,
        _payload(new),
        resource_type="place",
        resource_id=place_id,
        org_path=new["org_path"],
    )
    return new


async def set_shares(env: Env, principal: Principal, place_id: UUID, data: S.SharesUpdate) -> list[S.Share]:
    """Replace the partner orgs of a place (any org of the platform may be a partner)."""
    row = await managed(principal, place_id)
    ids = [s.org_id for s in data.shares]
    if len(set(ids)) != len(ids):
        dup = next(i for i, s in enumerate(data.shares) if ids.count(s.org_id) > 1)
        raise Problem.invalid((f"/shares/{dup}/org_id", "duplicate"), locale=env.locale)
    orgs = (
        {r["id"]: r for r in await Org.select(Org.id, Org.path, Org.status).where(Org.id.is_in(ids)).run()}
        if ids
        else {}
    )
    for i, share in enumerate(data.shares):
        org = orgs.get(share.org_id)
        if org is None or org["status"] != "active" or org["id"] == row["org"]:
            raise Problem.invalid((f"/shares/{i}/org_id", "invalid"), locale=env.locale)
    await PlaceShare.delete().where(PlaceShare.place == place_id).run()
    if data.shares:
        await PlaceShare.insert(
            *[
                PlaceShare(
                    place=place_id,
                    org=s.org_id,
                    org_path=orgs[s.org_id]["path"],
                    purposes=sorted(set(s.purposes)),
                )
                for s in data.shares
            ]
        ).run()
    await audit.record(
        "place.share",
        resource_type="place",
        resource_id=place_id,
        org_path=row["org_path"],
        changes={
            "shares": [{"org_id": str(s.org_id), "purposes": sorted(set(s.purposes))} for s in data.shares]
        },
        actor=principal,
    )
    return await shares_of(place_id)


# --- public listing and "near me" ------------------------------------------------------------------------


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """Latitude and longitude bounds holding every point within ``radius_m`` (wider near the poles)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    cos_lat = math.cos(math.radians(lat))
    dlon = 180.0 if cos_lat < 1e-6 else min(180.0, math.degrees(radius_m / (EARTH_RADIUS_M * cos_lat)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


_LIST_COLUMNS = (
    "id, kind, org, org_path, name, description, address, region_code, lat, lon, opening_hours,"
    " hours_exceptions, contacts, contacts_enc, public, status, version"
)


def _filters(
    where: list[str],
    args: list[Any],
    *,
    kind: str | None,
    region: str | None,
    service: str | None,
    org_path: str | None,
) -> None:
    if kind is not None:
        where.append("kind = {}")
        args.append(kind)
    if region:
        low, high = subtree_bounds(region)
        where.append("region_code >= {} AND region_code < {}")
        args.extend([low, high])
    if service is not None:
        where.append(
            "EXISTS (SELECT 1 FROM core_place_service s WHERE s.place = core_place.id AND s.service = {})"
        )
        args.append(service)
    if org_path is not None:
        low, high = subtree_bounds(org_path)
        where.append("org_path >= {} AND org_path < {}")
        args.extend([low, high])


async def public_list(
    env: Env,
    principal: Principal | None,
    page: PageRequest,
    *,
    kind: str | None,
    region: str | None,
    service: str | None,
    org_path: str | None,
    near: tuple[float, float] | None,
    radius_km: float,
) -> tuple[list[S.Place], str | None]:
    """Public, active places; with ``near`` those within ``radius_km``, nearest first."""
    where = ["public = {}", "status = 'active'"]
    args: list[Any] = [True]
    _filters(where, args, kind=kind, region=region, service=service, org_path=org_path)
    if near is None:
        if page.after is not None:
            if len(page.after) != 1:
                raise Problem("invalid-cursor")
            try:
                after = UUID(str(page.after[0]))
            except ValueError:
                raise Problem("invalid-cursor") from None
            where.append("id > {}")
            args.append(after)
        args.append(page.limit + 1)
        sql = f"SELECT {_LIST_COLUMNS} FROM core_place WHERE " + " AND ".join(where) + " ORDER BY id LIMIT {}"  # noqa: S608
        rows = [dict(r) for r in await fetch(Place, sql, args)]
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        cursor = encode_cursor([str(rows[-1]["id"])]) if more and rows else None
        services = await _services_of([r["id"] for r in rows])
        return [to_place(env, r, services.get(r["id"], []), principal) for r in rows], cursor
    lat, lon = near
    radius_m = radius_km * 1000
    lat_lo, lat_hi, lon_lo, lon_hi = bounding_box(lat, lon, radius_m)
    where.append("lat >= {} AND lat <= {} AND lon >= {} AND lon <= {}")
    args.extend([lat_lo, lat_hi, lon_lo, lon_hi])
    # The box holds a few dozen rows even in a dense city: read them whole, in one query.
    sql = f"SELECT {_LIST_COLUMNS} FROM core_place WHERE " + " AND ".join(where)  # noqa: S608
    found = []
    for r in await fetch(Place, sql, args):
        d = haversine_m(lat, lon, r["lat"], r["lon"])
        if d <= radius_m:
            found.append((d, str(r["id"]), r))
    found.sort(key=lambda f: (f[0], f[1]))
    if page.after is not None:
        try:
            after = (float(page.after[0]), str(page.after[1]))
        except (IndexError, TypeError, ValueError):
            raise Problem("invalid-cursor") from None
        found = [f for f in found if (f[0], f[1]) > after]
    chosen = found[: page.limit]
    cursor = encode_cursor([chosen[-1][0], chosen[-1][1]]) if len(found) > page.limit else None
    services = await _services_of([r["id"] for _, _, r in chosen])
    return [to_place(env, r, services.get(r["id"], []), principal, distance=d) for d, _, r in chosen], cursor


async def managed_list(
    env: Env,
    principal: Principal,
    page: PageRequest,
    *,
    org_path: str | None,
    subtree: bool,
    kind: str | None,
) -> tuple[list[S.Place], str | None]:
    """Every place (public or not) of orgs within the caller's read or manage reach."""
    reaches = [*principal.reach(PLACE_READ), *principal.reach(PLACE_MANAGE)]
    if org_path is not None:
        reaches = [
            Reach(path=org_path, subtree=subtree) if r.covers(org_path) else r
            for r in reaches
            if r.covers(org_path) or (subtree and r.path.startswith(org_path))
        ]
    args: list[Any] = []
    clause = reach_sql("org_path", reaches, args)
    if clause is None:
        return [], None
    where = [f"({clause})"]
    if kind is not None:
        where.append("kind = {}")
        args.append(kind)
    if page.after is not None:
        try:
            after = UUID(str(page.after[0]))
        except ValueError:
            raise Problem("invalid-cursor") from None
        where.append("id > {}")
        args.append(after)
    args.append(page.limit + 1)
    sql = f"SELECT {_LIST_COLUMNS} FROM core_place WHERE " + " AND ".join(where) + " ORDER BY id LIMIT {}"  # noqa: S608
    rows = [dict(r) for r in await fetch(Place, sql, args)]
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    services = await _services_of([r["id"] for r in rows])
    cursor = encode_cursor([str(rows[-1]["id"])]) if more and rows else None
    return [to_place(env, r, services.get(r["id"], []), principal) for r in rows], cursor


def parse_near(raw: str | None) -> tuple[float, float] | None:
    """``"30.2741,120.1551"`` (lat,lon) as floats; 422 naming ``near`` when malformed or out of range."""
    if raw is None:
        return None
    try:
        lat_s, lon_s = raw.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise Problem.invalid(("/near", "invalid")) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or math.isnan(lat) or math.isnan(lon):
        raise Problem.invalid(("/near", "invalid"))
    return lat, lon


async def feed_places(org_path: str, limit: int = 50) -> list[dict[str, Any]]:
    """Public, active places of the subtree, newest change first (for the portal feeds)."""
    low, high = subtree_bounds(org_path)
    rows = await fetch(
        Place,
        "SELECT id, kind, name, address, description, updated_at FROM core_place"
        " WHERE org_path >= {} AND org_path < {} AND public = {} AND status = 'active'"
        " ORDER BY updated_at DESC, id LIMIT {}",
        [low, high, True, limit],
    )
    return [dict(r) for r in rows]


# --- resources -----------------------------------------------------------------------------------------


def to_resource(row: Mapping[str, Any]) -> S.Resource:
    return S.Resource(
        id=row["id"],
        place_id=row["place"],
        kind=row["kind"],
        name=row["name"],
        description=row["description"],
        capacity=row["capacity"],
        seats=row["seats"],
        mode=row["mode"],
        slot_minutes=row["slot_minutes"],
        who=row["who"],
        max_nights_per_year=row["max_nights_per_year"],
        lead_hours=row["lead_hours"],
        horizon_days=row["horizon_days"],
        max_hours=row["max_hours"],
        approval=bool(row["approval"]),
        status=row["status"],
    )


async def add_resource(
    env: Env, principal: Principal, place_id: UUID, data: S.ResourceCreate
) -> dict[str, Any]:
    place = await managed(principal, place_id)
    mode = data.mode or ("night" if data.kind == "bed" else "slot")
    if mode == "night" and data.seats is not None:
        raise Problem.invalid(("/seats", "invalid"), locale=env.locale)
    if mode == "slot" and data.max_nights_per_year is not None:
        raise Problem.invalid(("/max_nights_per_year", "invalid"), locale=env.locale)
    row: dict[str, Any] = {
        "id": uuid4(),
        "place": place_id,
        "kind": data.kind,
        "name": data.name,
        "description": data.description,
        "capacity": data.capacity,
        "seats": data.seats,
        "mode": mode,
        "slot_minutes": data.slot_minutes,
        "who": data.who,
        "max_nights_per_year": data.max_nights_per_year,
        "lead_hours": data.lead_hours,
        "horizon_days": data.horizon_days,
        "max_hours": data.max_hours,
        "approval": data.approval,
        "status": "active",
        "version": 1,
        "created_at": now(),
    }
    await Resource.insert(Resource(**row)).run()
    await audit.record(
        "place.resource.create",
        resource_type="place_resource",
        resource_id=row["id"],
        org_path=place["org_path"],
        changes={"place_id": str(place_id), "kind": data.kind, "capacity": data.capacity, "mode": mode},
        actor=principal,
    )
    return row


async def update_resource(
    env: Env, principal: Principal, resource_id: UUID, data: S.ResourceUpdate
) -> dict[str, Any]:
    row = await Resource.select().where(Resource.id == resource_id).first().run()
    if row is None:
        raise Problem("not-found")
    place = await managed(principal, row["place"])
    changes: dict[Any, Any] = {}
    for name in S.ResourceUpdate.__struct_fields__:
        value = getattr(data, name)
        if value is not msgspec.UNSET:
            changes[getattr(Resource, name)] = value
    if Resource.capacity in changes and changes[Resource.capacity] < row["capacity"]:
        from core.places.bookings import slot_key_now

        held = await fetch(
            Resource,
            "SELECT COUNT(*) AS n FROM core_booking_claim WHERE resource = {} AND unit >= {} AND slot >= {}",
            [resource_id, changes[Resource.capacity], slot_key_now(row, env.tz)],
        )
        if int(held[0]["n"]):
            raise Problem.invalid(("/capacity", "too_small"), locale=env.locale)
    if not changes:
        return row  # type: ignore[no-any-return]
    changes[Resource.version] = row["version"] + 1
    done = (
        await Resource.update(changes)
        .where(Resource.id == resource_id)
        .returning(*Resource.all_columns())
        .run()
    )
    await audit.record(
        "place.resource.update",
        resource_type="place_resource",
        resource_id=resource_id,
        org_path=place["org_path"],
        changes={c._meta.name: msgspec.to_builtins(v) for c, v in changes.items()},
        actor=principal,
    )
    return done[0]  # type: ignore[no-any-return]


async def resources_of(place_id: UUID, *, include_retired: bool) -> list[dict[str, Any]]:
    query = Resource.select().where(Resource.place == place_id)
    if not include_retired:
        query = query.where(Resource.status == "active")
    return await query.order_by(Resource.created_at).order_by(Resource.id).run()  # type: ignore[no-any-return]


def day_number(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def day_of(number: int) -> date:
    return date(1970, 1, 1) + timedelta(days=number)
