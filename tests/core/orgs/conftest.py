"""Fixtures of the organizations tests: an app with every installed plugin, and tree builders."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from litestar import Litestar

from tests.conftest import ApiClient, open_client
from tests.helpers import AllowAll, with_principal


@pytest.fixture
async def api(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    """A client acting as a principal who may do anything anywhere."""
    async for c in open_client(with_principal(make_app(), AllowAll())):
        yield c


class Tree:
    """Builds orgs through the API and remembers them by a short name."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.ids: dict[str, str] = {}

    async def add(self, key: str, kind: str, level: str, parent: str | None = None, **fields: Any) -> str:
        body = {"name": fields.pop("name", key), "kind": kind, "level": level, **fields}
        if parent:
            body["parent"] = self.ids[parent]
        response = await self.client.post("/api/v1/orgs", json=body)
        assert response.status_code == 201, response.text
        self.ids[key] = response.json()["id"]
        return self.ids[key]


@pytest.fixture
def tree(api: ApiClient) -> Tree:
    return Tree(api)
