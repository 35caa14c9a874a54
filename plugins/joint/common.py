"""Small helpers the joint plugin's routes share: the caller, today, ETags, orgs in reach."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.params import HeaderParameter

from core.sdk import Membership, Org, Person, Principal, Problem, current_principal, within
from plugins.joint.problems import CHANGED

IfMatch = Annotated[
    str | None, HeaderParameter(name="If-Match", description="The record's ETag (required)", max_length=64)
]


def principal(request: Request[Any, Any, Any]) -> Principal:
    caller = current_principal(request)
    assert caller is not None  # the guard answered 401 already
    return caller  # type: ignore[no-any-return]


def today(request: Request[Any, Any, Any]) -> date:
    """Today in the platform's time zone (which decides whether a task is overdue)."""
    return datetime.now(ZoneInfo(request.app.state.settings.timezone)).date()


def etag(version: int) -> str:
    return f'"{version}"'


def tagged(body: Any, version: int, status_code: int = 200) -> Response[Any]:
    return Response(body, status_code=status_code, headers={"ETag": etag(version)})


def check_if_match(row: Mapping[str, Any], if_match: str | None) -> None:
    if if_match is None:
        raise Problem("precondition-required")
    if if_match.strip() not in (etag(row["version"]), "W/" + etag(row["version"]), "*"):
        raise Problem(CHANGED, version=row["version"])


async def org_in_reach(org_id: UUID, caller: Principal, permission: str) -> dict[str, Any]:
    """The active org ``org_id`` (id, path, kind, name, depth) if ``permission`` reaches it; else 404."""
    row = (
        await Org.select(Org.id, Org.path, Org.kind, Org.name, Org.depth, Org.status)
        .where(Org.id == org_id)
        .first()
        .run()
    )
    if row is None or not within(row["path"], caller.reach(permission)):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


async def person_places(person_id: UUID | None) -> list[dict[str, Any]]:
    """Where a person is in the tree: their home org first (``home``: True), then every org they are an
    active member of — each with id, path and depth."""
    if person_id is None:
        return []
    places: list[dict[str, Any]] = []
    home = (
        await Person.select(Person.home_org.id, Person.home_org.path, Person.home_org.depth)
        .where(Person.id == person_id)
        .first()
        .run()
    )
    if home is not None and home["home_org.id"] is not None:
        places.append(
            {
                "id": home["home_org.id"],
                "path": home["home_org.path"],
                "depth": home["home_org.depth"],
                "home": True,
            }
        )
    rows = (
        await Membership.select(Membership.org.id, Membership.org.path, Membership.org.depth)
        .where((Membership.person == person_id) & (Membership.status == "active"))
        .run()
    )
    places += [
        {"id": r["org.id"], "path": r["org.path"], "depth": r["org.depth"], "home": False} for r in rows
    ]
    return places


def ancestors(places: list[dict[str, Any]]) -> set[str]:
    """Every org path at or above the given places (paths are one fixed-width segment per level)."""
    found: set[str] = set()
    for place in places:
        path, depth = place["path"], max(int(place["depth"] or 1), 1)
        width = len(path) // depth
        found.update(path[:i] for i in range(width, len(path) + 1, width))
    return found


def member_within(places: list[dict[str, Any]], path: str) -> bool:
    """Whether one of the person's memberships lies in the subtree at ``path``."""
    return any(not p["home"] and p["path"].startswith(path) for p in places)
