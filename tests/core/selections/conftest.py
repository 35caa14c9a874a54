"""Fixtures for selections: a county over two townships over grassroots units, cadres and persons."""

from __future__ import annotations

import importlib.metadata
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar import Litestar

from core.kernel.access import Reach
from core.kernel.plugin_host import ENTRY_POINT_GROUP
from core.processes.permissions import NOTICE_MANAGE
from core.selections.permissions import (
    HONOR_MANAGE,
    HONOR_READ,
    SELECTION_MANAGE,
    SELECTION_NOMINATE,
    SELECTION_READ,
    SELECTION_REVIEW,
)
from tests.conftest import ApiClient, open_client
from tests.core.events.conftest import AS, make_org, make_persons, with_principals
from tests.fixtures import selection_plugin
from tests.helpers import GrantedPrincipal

__all__ = ["AS", "make_persons"]

ALL = (
    SELECTION_MANAGE,
    SELECTION_REVIEW,
    SELECTION_NOMINATE,
    SELECTION_READ,
    HONOR_READ,
    HONOR_MANAGE,
    NOTICE_MANAGE,
)


@dataclass
class World:
    county: dict[str, Any]
    t1: dict[str, Any]
    t2: dict[str, Any]
    g11: dict[str, Any]
    g12: dict[str, Any]
    g21: dict[str, Any]
    principals: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, principal: Any) -> dict[str, str]:
        self.principals[name] = principal
        return {AS: name}


def cadre(org: dict[str, Any], *codes: str, person_id: Any = None) -> GrantedPrincipal:
    reach = [Reach(path=org["path"], subtree=True)]
    return GrantedPrincipal(dict.fromkeys(codes or ALL, reach), person_id=person_id)


def person(person_id: Any) -> GrantedPrincipal:
    return GrantedPrincipal({}, person_id=person_id)


def plugins() -> dict[str, object]:
    installed = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    return {**{ep.name: ep.load() for ep in installed}, "seltest": selection_plugin}


@pytest.fixture
def principals() -> dict[str, Any]:
    return {}


@pytest.fixture
async def api(make_app: Callable[..., Litestar], principals: dict[str, Any]) -> AsyncIterator[ApiClient]:
    async for client in open_client(with_principals(make_app(plugins=plugins()), principals)):
        yield client


@pytest.fixture
async def world(api: ApiClient, principals: dict[str, Any]) -> World:
    county = await make_org("某区委", None, "c00000", "party.committee")
    t1 = await make_org("甲街道党工委", county, "t10000", "party.committee")
    t2 = await make_org("乙街道党工委", county, "t20000", "party.committee")
    g11 = await make_org("甲一社区党委", t1, "g11000", "party.committee")
    g12 = await make_org("甲二社区党委", t1, "g12000", "party.committee")
    g21 = await make_org("乙一社区党委", t2, "g21000", "party.committee")
    return World(county=county, t1=t1, t2=t2, g11=g11, g12=g12, g21=g21, principals=principals)


async def campaign(
    api: ApiClient,
    headers: dict[str, str],
    org: dict[str, Any],
    quotas: list[int],
    type: str = "core.generic",
) -> dict[str, Any]:
    body = {
        "type": type,
        "org_id": str(org["id"]),
        "title": "2026年度先进评选",
        "honor_title": "2026年度区级先进个人",
        "year": 2026,
        "levels": [{"quota": q} for q in quotas],
    }
    response = await api.post("/api/v1/selections/campaigns", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def nominate(
    api: ApiClient, headers: dict[str, str], camp: dict[str, Any], org: dict[str, Any], **body: Any
) -> Any:
    payload = {"source": "org", "nominee_kind": "person", "org_id": str(org["id"]), **body}
    payload.setdefault("form", {"summary": "事迹突出"})
    return await api.post(
        f"/api/v1/selections/campaigns/{camp['id']}/nominations", json=payload, headers=headers
    )


async def stage(api: ApiClient, headers: dict[str, str], camp: dict[str, Any], to: str) -> dict[str, Any]:
    current = (await api.get(f"/api/v1/selections/campaigns/{camp['id']}", headers=headers)).json()
    response = await api.post(
        f"/api/v1/selections/campaigns/{camp['id']}/stage",
        json={"stage": to},
        headers={**headers, "If-Match": f'"{current["version"]}"'},
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def review(api: ApiClient, headers: dict[str, str], nomination_id: str, action: str) -> Any:
    return await api.post(
        f"/api/v1/selections/nominations/{nomination_id}/review", json={"action": action}, headers=headers
    )
