"""Fixtures for processes: a union grassroots org under a federation, a women's federation, cadres."""

from __future__ import annotations

import importlib.metadata
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar import Litestar

from core.kernel.access import Reach
from core.kernel.plugin_host import ENTRY_POINT_GROUP
from core.processes.permissions import NOTICE_MANAGE, PROCESS_HANDLE, PROCESS_PERSONAL_DATA, PROCESS_READ
from tests.conftest import ApiClient, open_client
from tests.core.events.conftest import AS, make_org, make_persons, with_principals
from tests.fixtures import process_plugin
from tests.helpers import GrantedPrincipal

REVIEW = process_plugin.REVIEW
APPROVE = process_plugin.APPROVE

__all__ = ["AS", "make_persons"]


@dataclass
class World:
    root: dict[str, Any]
    federation: dict[str, Any]
    grassroots: dict[str, Any]
    women: dict[str, Any]
    principals: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, principal: Any) -> dict[str, str]:
        self.principals[name] = principal
        return {AS: name}


def grant(org: dict[str, Any], *codes: str, person_id: Any = None) -> GrantedPrincipal:
    reach = [Reach(path=org["path"], subtree=True)]
    return GrantedPrincipal(dict.fromkeys(codes, reach), person_id=person_id)


def person(person_id: Any) -> GrantedPrincipal:
    return GrantedPrincipal({}, person_id=person_id)


def plugins() -> dict[str, object]:
    installed = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    return {**{ep.name: ep.load() for ep in installed}, "proctest": process_plugin}


@pytest.fixture
def principals() -> dict[str, Any]:
    return {}


@pytest.fixture
async def api(make_app: Callable[..., Litestar], principals: dict[str, Any]) -> AsyncIterator[ApiClient]:
    process_plugin.APPROVED.clear()
    process_plugin.BREAK_AFTER["on"] = False
    async for client in open_client(with_principals(make_app(plugins=plugins()), principals)):
        yield client


@pytest.fixture
async def world(api: ApiClient, principals: dict[str, Any]) -> World:
    root = await make_org("区委", None, "a00000", "party.committee")
    federation = await make_org("区总工会", root, "u00000", "union.federation")
    grassroots = await make_org("某公司工会", federation, "g00000", "union.grassroots")
    women = await make_org("区妇联", root, "w00000", "women.federation")
    return World(root=root, federation=federation, grassroots=grassroots, women=women, principals=principals)


AID_FORM = {
    "reason": "家中遭遇火灾",
    "amount": "5000",
    "phone": "13800138000",
    "id_number": "11010519491231002X",
}


async def apply(api: ApiClient, headers: dict[str, str], org: dict[str, Any], **form: Any) -> dict[str, Any]:
    body = {"type": "proctest.hardship_aid", "org_id": str(org["id"]), "form": {**AID_FORM, **form}}
    response = await api.post("/api/v1/processes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def act(
    api: ApiClient, headers: dict[str, str], process: dict[str, Any], transition: str, **body: Any
) -> Any:
    return await api.post(
        f"/api/v1/processes/{process['id']}/transitions",
        json={"transition": transition, **body},
        headers={**headers, "If-Match": f'"{process["version"]}"'},
    )


STAFF = (PROCESS_READ, PROCESS_HANDLE, REVIEW, APPROVE, NOTICE_MANAGE)
__all__ += ["PROCESS_PERSONAL_DATA", "STAFF"]
