"""Small helpers the union's routes share: reach checks on orgs, months, money as text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

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


def this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def check_month(value: str | None, pointer: str) -> str:
    if value is None:
        return this_month()
    if not _MONTH.match(value):
        raise invalid(pointer, "union_month")
    return value


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}
