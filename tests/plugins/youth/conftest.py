"""The testkit builds the app with the core and the youth plugin only; helpers for League trees."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

import plugins.youth.hooks
from tests.identity_helpers import bearer, make_account


@pytest.fixture(scope="module")
def quntuan_plugins() -> dict[str, object]:
    return {"youth": plugins.youth.hooks}


def years_ago(years: int, days: int = 0) -> str:
    today = dt.date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return (day - dt.timedelta(days=days)).isoformat()


@dataclass
class League:
    """A county committee under 测试甲县 with two branches, a committee under 测试乙县 with one, and cadres:
    ``committee`` (the county committee's subtree), ``branch`` (branch ``a1`` only), ``other`` (乙县's)."""

    client: Any
    tree: Any
    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    async def org(self, parent: str, kind: str, level: str, name: str) -> dict[str, Any]:
        parent_id = self.orgs[parent]["id"] if parent in self.orgs else self.tree.orgs[parent]["id"]
        response = await self.client.post(
            "/api/v1/orgs",
            json={"name": name, "kind": kind, "level": level, "parent": str(parent_id)},
            headers=self.tree.headers["platform"],
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def person(self, org: str, birth_date: str, name: str = "团员", **extra: Any) -> str:
        response = await self.client.post(
            "/api/v1/persons",
            json={"name": name, "home_org": str(self.orgs[org]["id"]), "birth_date": birth_date, **extra},
            headers=self.tree.headers["platform"],
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]

    async def member(self, org: str, birth_date: str | None = None, **body: Any) -> dict[str, Any]:
        person = await self.person(org, birth_date or years_ago(20))
        response = await self.client.post(
            "/api/v1/youth/members",
            json={"person": person, "org": str(self.orgs[org]["id"]), "joined_on": years_ago(2), **body},
            headers=self.headers["other" if org in ("other", "b1") else "committee"],
        )
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
async def league(quntuan_client: Any, quntuan_tree: Any) -> League:
    lg = League(client=quntuan_client, tree=quntuan_tree)
    lg.orgs["committee"] = await lg.org("county_a", "youth.committee", "county", "甲县团委")
    lg.orgs["a1"] = await lg.org("committee", "youth.branch", "unit", "甲县一中团支部")
    lg.orgs["a2"] = await lg.org("committee", "youth.branch", "unit", "甲县二中团支部")
    lg.orgs["other"] = await lg.org("county_b", "youth.committee", "county", "乙县团委")
    lg.orgs["b1"] = await lg.org("other", "youth.branch", "unit", "乙县团支部")
    db = quntuan_client.app.state.db
    everything = sorted(quntuan_client.app.state.registry.permissions)
    for name, org, subtree in (
        ("committee", "committee", True),
        ("branch", "a1", False),
        ("other", "other", True),
    ):
        account = await make_account(db, grants=[(uuid.UUID(lg.orgs[org]["id"]), everything, subtree)])
        lg.headers[name] = await bearer(quntuan_client, *account)
    return lg
