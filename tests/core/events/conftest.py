"""Fixtures for events: an org tree, persons, and an app whose caller is chosen per request."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar

from core.events.permissions import CHECKIN_MANAGE, EVENT_MANAGE, EVENT_READ, REGISTRATION_MANAGE
from core.identity.tables import Person
from core.kernel.access import Reach
from core.orgs.permissions import ORG_READ
from core.orgs.tables import Org
from tests.conftest import ApiClient, open_client
from tests.helpers import GrantedPrincipal

AS = "x-test-principal"


@dataclass
class World:
    """Orgs (a party committee over a union, a league committee and a women's federation) and people."""

    root: dict[str, Any]
    union: dict[str, Any]
    youth: dict[str, Any]
    women: dict[str, Any]
    other: dict[str, Any]
    principals: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, principal: Any) -> dict[str, str]:
        self.principals[name] = principal
        return {AS: name}


def with_principals(app: Litestar, principals: dict[str, Any]) -> Litestar:
    """Put the principal named by the ``x-test-principal`` header on the request (none without it)."""
    inner = app.asgi_handler

    async def handler(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            name = headers.get(AS.encode())
            if name is not None:
                scope["user"] = principals[name.decode()]
        await inner(scope, receive, send)

    app.asgi_handler = handler
    return app


async def make_org(name: str, parent: dict[str, Any] | None, segment: str, kind: str) -> dict[str, Any]:
    path = (parent["path"] if parent else "") + segment
    org_id = uuid.uuid4()
    await Org.insert(
        Org(
            id=org_id,
            parent=parent["id"] if parent else None,
            path=path,
            depth=len(path) // 6,
            kind=kind,
            level="county",
            name=name,
        )
    ).run()
    return {"id": org_id, "path": path, "name": name}


async def make_persons(n: int, home: dict[str, Any] | None = None) -> list[uuid.UUID]:
    """``n`` persons, their files kept by ``home`` (none: they are within no cadre's reach)."""
    ids = [uuid.uuid4() for _ in range(n)]
    home_id = home["id"] if home else None
    for start in range(0, n, 500):
        await Person.insert(
            *[Person(id=i, name=f"群众{k}", home_org=home_id) for k, i in enumerate(ids[start : start + 500])]
        ).run()
    return ids


def cadre(
    org: dict[str, Any], person_id: uuid.UUID | None = None, sees: dict[str, Any] | None = None
) -> GrantedPrincipal:
    """A cadre of ``org`` holding every events permission over its subtree (and with ``sees``, reading
    the orgs of that subtree: the orgs it may name as co-organizers)."""
    reach = [Reach(path=org["path"], subtree=True)]
    reaches = {EVENT_READ: reach, EVENT_MANAGE: reach, REGISTRATION_MANAGE: reach, CHECKIN_MANAGE: reach}
    if sees is not None:
        reaches[ORG_READ] = [Reach(path=sees["path"], subtree=True)]
    return GrantedPrincipal(reaches, person_id=person_id)


def person(person_id: uuid.UUID) -> GrantedPrincipal:
    """An ordinary person's account: no grants, just themselves."""
    return GrantedPrincipal({}, person_id=person_id)


@pytest.fixture
def principals() -> dict[str, Any]:
    return {}


@pytest.fixture
async def api(make_app: Callable[..., Litestar], principals: dict[str, Any]) -> AsyncIterator[ApiClient]:
    """A client for an app with every installed plugin; choose the caller with ``world.add(...)`` headers."""
    async for client in open_client(with_principals(make_app(), principals)):
        yield client


@pytest.fixture
async def world(api: ApiClient, principals: dict[str, Any]) -> World:
    """Created once the app started, so the tables are bound to this test's database."""
    root = await make_org("区委", None, "a00000", "party.committee")
    union = await make_org("区总工会", root, "u00000", "union.federation")
    youth = await make_org("团区委", root, "y00000", "youth.committee")
    women = await make_org("区妇联", root, "w00000", "women.federation")
    other = await make_org("邻区委", None, "b00000", "party.committee")
    return World(root=root, union=union, youth=youth, women=women, other=other, principals=principals)


def soon(days: float = 7, hours: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(days=days, hours=hours)).isoformat()


def event_body(org: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "core.activity",
        "title": "学雷锋志愿服务活动",
        "org_id": str(org["id"]),
        "starts_at": soon(7),
        "ends_at": soon(7, 3),
        "place": "区职工之家",
    }
    body.update(overrides)
    return body


async def published_event(
    api: ApiClient, headers: dict[str, str], org: dict[str, Any], **overrides: Any
) -> dict[str, Any]:
    created = await api.post("/api/v1/events", json=event_body(org, **overrides), headers=headers)
    assert created.status_code == 201, created.text
    published = await api.post(f"/api/v1/events/{created.json()['id']}/publish", headers=headers)
    assert published.status_code == 200, published.text
    return published.json()  # type: ignore[no-any-return]
