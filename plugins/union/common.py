"""Small helpers the union's routes share: reach checks on orgs, months, money as text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar.params import HeaderParameter

from core.sdk import Org, Principal, Problem, within
from plugins.union.problems import invalid

Month = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Fen = Annotated[int, msgspec.Meta(ge=0, le=10**11)]
IfMatch = Annotated[
    str | None, HeaderParameter(name="If-Match", description="The record's ETag", max_length=64)
]
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


async def org_in_reach(
    principal: Principal,
    permission: str,
    org_id: UUID,
    *,
    kinds: tuple[str, ...] = (),
    code: str = "union_grassroots_only",
) -> dict[str, Any]:
    """The org when ``permission`` reaches it (404 otherwise) and, with ``kinds``, is one of them (422
    with ``code`` otherwise)."""
    org = (
        await Org.select(Org.id, Org.path, Org.kind, Org.name, Org.region_code, Org.status)
        .where(Org.id == org_id)
        .first()
        .run()
    )
    if org is None or org["status"] != "active" or not within(org["path"], principal.reach(permission)):
        raise Problem("not-found")
    if kinds and org["kind"] not in kinds:
        raise invalid("/org_id", code)
    return org


def aware(moment: datetime | None) -> datetime | None:
    """A stored timestamp with its offset (SQLite hands them back naive, in UTC)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def this_month(timezone: str) -> str:
    """This month where the platform is (the settings' zone, Asia/Shanghai by default), not in UTC: from
    16:00 UTC on the last day of a month it is already the next month in China."""
    return datetime.now(ZoneInfo(timezone)).strftime("%Y-%m")


def check_month(value: str | None, pointer: str, *, timezone: str) -> str:
    """A YYYY-MM query value (422 naming ``pointer`` otherwise), or this month when it is absent."""
    if value is None:
        return this_month(timezone)
    if not _MONTH.match(value):
        raise invalid(pointer, "union_month")
    return value


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}
