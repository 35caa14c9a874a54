"""Fixtures for places: an org tree, cadres and persons chosen per request, helpers to create places."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar

from core.identity.permissions import PERSON_PERSONAL_DATA
from core.kernel.access import Reach
from core.members.tables import Membership
from core.places.permissions import BOOKING_FOR_ORG, BOOKING_MANAGE, PLACE_MANAGE, PLACE_READ
from core.processes.permissions import PROCESS_READ
from tests.conftest import ApiClient, open_client
from tests.core.events.conftest import AS, make_org, make_persons, with_principals
from tests.helpers import GrantedPrincipal

__all__ = ["AS", "make_persons"]

TZ = ZoneInfo("Asia/Shanghai")
CADRE = (PLACE_READ, PLACE_MANAGE, BOOKING_MANAGE, BOOKING_FOR_ORG, PROCESS_READ)


@dataclass
class World:
    """A district committee over a League committee (owns the places), a union and a women's federation,
    and a committee of another district (a sibling subtree)."""

    root: dict[str, Any]
    youth: dict[str, Any]
    union: dict[str, Any]
    women: dict[str, Any]
    other: dict[str, Any]
    principals: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, principal: Any) -> dict[str, str]:
        self.principals[name] = principal
        return {AS: name}


def cadre(org: dict[str, Any], *codes: str, person_id: Any = None) -> GrantedPrincipal:
    reach = [Reach(path=org["path"], subtree=True)]
    return GrantedPrincipal(dict.fromkeys(codes or CADRE, reach), person_id=person_id)


def person(person_id: Any) -> GrantedPrincipal:
    return GrantedPrincipal({}, person_id=person_id)


@pytest.fixture
def principals() -> dict[str, Any]:
    return {}


@pytest.fixture
async def api(make_app: Callable[..., Litestar], principals: dict[str, Any]) -> AsyncIterator[ApiClient]:
    async for client in open_client(with_principals(make_app(), principals)):
        yield client


@pytest.fixture
async def world(api: ApiClient, principals: dict[str, Any]) -> World:
    root = await make_org("区委", None, "a00000", "party.committee")
    youth = await make_org("团区委", root, "y00000", "youth.committee")
    union = await make_org("区总工会", root, "u00000", "union.federation")
    women = await make_org("区妇联", root, "w00000", "women.federation")
    other = await make_org("邻区委", None, "b00000", "party.committee")
    return World(root=root, youth=youth, union=union, women=women, other=other, principals=principals)


async def join(person_id: uuid.UUID, org: dict[str, Any]) -> None:
    await Membership.insert(Membership(org=org["id"], person=person_id, status="active")).run()


def place_body(org: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "youth.hostel",
        "org_id": str(org["id"]),
        "name": "西湖青年驿站",
        "address": "杭州市西湖区文三路 1 号",
        "region_code": "330106",
        "lat": 30.2741,
        "lon": 120.1551,
        "services": ["lodging", "job_advice"],
        "contacts": [{"name": "驿站管理员", "phone": "13800138000"}],
    }
    body.update(overrides)
    return body


async def make_place(
    api: ApiClient, headers: dict[str, str], org: dict[str, Any], **overrides: Any
) -> dict[str, Any]:
    response = await api.post("/api/v1/places", json=place_body(org, **overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def make_resource(
    api: ApiClient, headers: dict[str, str], place: dict[str, Any], **body: Any
) -> dict[str, Any]:
    response = await api.post(f"/api/v1/places/{place['id']}/resources", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def tomorrow() -> date:
    return datetime.now(TZ).date() + timedelta(days=1)


def slot(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).isoformat()


def next_slot(minutes: int = 30) -> datetime:
    """The start of the next slot of the grid (at or after now)."""
    moment = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    while int(moment.timestamp() // 60) % minutes:
        moment += timedelta(minutes=1)
    return moment


__all__ += ["PERSON_PERSONAL_DATA"]
