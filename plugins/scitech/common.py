"""What every scitech controller shares: reach checks on an org, If-Match, problems and field codes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response
from litestar.params import HeaderParameter

from core.sdk import (
    Org,
    Problem,
    Text,
    current_principal,
    person_visible,
    register_field_code,
    register_problem,
    within,
)

IfMatch = Annotated[
    str | None, HeaderParameter(name="If-Match", description="The resource's ETag (required)", max_length=64)
]

CHANGED = register_problem(
    "scitech-changed",
    412,
    Text(zh_hans="记录已被修改", zh_hant="記錄已被修改", en="The record changed"),
    Text(
        zh_hans="该记录在您读取之后已被修改（当前版本 {version}），请重新获取。",
        zh_hant="該記錄在您讀取之後已被修改（當前版本 {version}），請重新取得。",
        en="The record changed since you read it (now version {version}); fetch it again.",
    ),
)
WRONG_KIND = register_field_code(
    "scitech_wrong_org_kind",
    Text(
        zh_hans="该组织的类型不适用于此记录",
        zh_hant="該組織的類型不適用於此記錄",
        en="Wrong kind of org for this",
    ),
)


#: The platform's default zone (``QUNTUAN_TIMEZONE``'s default), for code that runs without a request.
DEFAULT_ZONE = "Asia/Shanghai"

UNKNOWN_PERSON = register_field_code(
    "scitech_unknown_person",
    Text(
        zh_hans="不是您权限范围内的人员",
        zh_hant="不是您權限範圍內的人員",
        en="Not a person within your reach",
    ),
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_today(zone: str = DEFAULT_ZONE) -> dt.date:
    """Today's date where the platform's users are (the settings' zone), not the machine's UTC date."""
    return dt.datetime.now(ZoneInfo(zone)).date()


def local_date(at: dt.datetime, zone: str = DEFAULT_ZONE) -> dt.date:
    """The day ``at`` falls on where the platform's users are: an event at 07:00 in Beijing is held that
    day, though it is still the day before in UTC."""
    return at.astimezone(ZoneInfo(zone)).date()


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(row: Mapping[str, Any], if_match: str | None) -> None:
    if if_match is None:
        raise Problem("precondition-required")
    tag = etag(row["version"])
    if if_match.strip() not in (tag, "W/" + tag, "*"):
        raise Problem(CHANGED, version=row["version"])


async def update_version(table: Any, row: Mapping[str, Any], values: Mapping[Any, Any]) -> None:
    """Write ``values`` (columns of ``table``) to ``row`` and move it to the next version, only if it is
    still at the version the caller checked ``If-Match`` against: of two changes read at one version
    exactly one lands, the other is a 412 (inside the caller's write transaction)."""
    updated = await (
        table.update({**values, table.version: row["version"] + 1})
        .where((table.id == row["id"]) & (table.version == row["version"]))
        .returning(table.id)
        .run()
    )
    if not updated:
        raise Problem("precondition-failed")


def tagged(content: Any, version: int, status: int = 200) -> Response[Any]:
    return Response(content, status_code=status, headers={"ETag": etag(version)})


def reaches(request: Request[Any, Any, Any], permission: str) -> list[Any]:
    return list(current_principal(request).reach(permission))


async def org_within(
    request: Request[Any, Any, Any],
    org_id: UUID,
    permission: str,
    *,
    kinds: tuple[str, ...] = (),
    pointer: str = "/org",
) -> dict[str, Any]:
    """The org (id, path, kind, name, level) if the caller holds ``permission`` on it; 404 otherwise (an
    org out of reach is answered like a missing one). ``kinds`` limits the org kinds (422 otherwise)."""
    org = (
        await Org.select(Org.id, Org.path, Org.kind, Org.name, Org.level, Org.status)
        .where(Org.id == org_id)
        .first()
        .run()
    )
    if org is None or not within(org["path"], reaches(request, permission)):
        raise Problem("not-found")
    if kinds and org["kind"] not in kinds:
        raise Problem.invalid((pointer, WRONG_KIND))
    return org


async def check_person(
    request: Request[Any, Any, Any], permission: str, person_id: UUID, pointer: str
) -> None:
    """A person linked to a record must be one the caller sees through ``permission`` (their home org, a
    membership or a post within reach, as the core's person routes judge); one outside or unknown is a
    422 naming the field, alike, so the link tells nothing of persons elsewhere."""
    principal = current_principal(request)
    if not await person_visible(principal, permission, person_id, request.app.state.settings.timezone):
        raise Problem.invalid((pointer, UNKNOWN_PERSON))


def loads(raw: str | None) -> list[Any]:
    return list(json.loads(raw or "[]"))


def dumps(values: list[Any]) -> str:
    return json.dumps(values, ensure_ascii=False)


def name_schemas(namespace: dict[str, Any]) -> None:
    """Give every Struct a module defines its OpenAPI name with the plugin's prefix (``Expert`` →
    ``ScitechExpert``), so the document's schema names stay unique beside the core's and other plugins'."""
    module = namespace["__name__"]
    for name, value in list(namespace.items()):
        if isinstance(value, type) and issubclass(value, msgspec.Struct) and value.__module__ == module:
            prefixed = name if name.startswith("Scitech") else "Scitech" + name
            value.__schema_name__ = prefixed  # type: ignore[attr-defined]
            value.__qualname__ = prefixed  # Litestar groups component names by the qualified name
