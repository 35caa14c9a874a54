"""Fixtures for announcements: the events' org tree and per-request callers, and a few helpers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from core.announcements.permissions import ANNOUNCEMENT_MANAGE, ANNOUNCEMENT_READ
from core.announcements.tables import Announcement
from core.kernel.access import Reach
from core.members.tables import Membership
from tests.conftest import ApiClient
from tests.core.events.conftest import World, api, make_persons, person, principals, world
from tests.helpers import GrantedPrincipal

__all__ = ["World", "api", "make_persons", "person", "principals", "world"]

URL = "/api/v1/announcements"


def manager(org: dict[str, Any], person_id: uuid.UUID | None = None) -> GrantedPrincipal:
    """A cadre reading and managing the announcements of ``org``'s subtree."""
    reach = [Reach(path=org["path"], subtree=True)]
    return GrantedPrincipal({ANNOUNCEMENT_READ: reach, ANNOUNCEMENT_MANAGE: reach}, person_id=person_id)


def reader(org: dict[str, Any]) -> GrantedPrincipal:
    return GrantedPrincipal({ANNOUNCEMENT_READ: [Reach(path=org["path"], subtree=True)]})


def later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


async def draft(
    api: ApiClient, headers: dict[str, str], org: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    body = {
        "org_id": str(org["id"]),
        "title": "关于开展职工体检的通知",
        "body": "请各单位按时组织。",
        **fields,
    }
    created = await api.post(URL, json=body, headers=headers)
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


async def published(
    api: ApiClient, headers: dict[str, str], org: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    made = await draft(api, headers, org, **fields)
    done = await api.post(f"{URL}/{made['id']}/publish", headers=headers)
    assert done.status_code == 200, done.text
    return done.json()  # type: ignore[no-any-return]


async def member(org: dict[str, Any], *, status: str = "active") -> uuid.UUID:
    """A new person with a membership of ``org``."""
    (pid,) = await make_persons(1)
    await Membership.insert(Membership(org=org["id"], person=pid, status=status)).run()
    return pid


async def shift(announcement_id: str, **columns: datetime) -> None:
    """Move an announcement's times as if the clock had run on (``publish_at``, ``expire_at``); a new
    ``publish_at`` moves its place in the lists too, as publishing at that time would have."""
    if "publish_at" in columns:
        columns["sort_at"] = columns["publish_at"]
    await (
        Announcement.update({getattr(Announcement, k): v for k, v in columns.items()})
        .where(Announcement.id == uuid.UUID(announcement_id))
        .run()
    )


async def titles(api: ApiClient, url: str, headers: dict[str, str] | None = None, **params: Any) -> list[str]:
    response = await api.get(url, params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]
