"""An app with the core and joint alone: no plugin assumed."""

from __future__ import annotations

import pytest

import plugins.joint.hooks
from core.testkit import assert_problem

API = "/api/v1/joint"


@pytest.fixture(scope="module")
def quntuan_plugins():
    return {"joint": plugins.joint.hooks}


async def test_joint_alone(quntuan_client, quntuan_tree):
    c, h = quntuan_client, quntuan_tree.headers["city"]
    county = quntuan_tree.orgs["county_a"]["id"]
    items = (await c.get("/api/v1/plugins")).json()["items"]
    assert [p["slug"] for p in items] == ["joint"]

    council = await c.post(f"{API}/councils", json={"org_id": str(county), "name": "联席会议"}, headers=h)
    assert council.status_code == 201, council.text
    routed = await c.get(
        f"{API}/referrals/route", params={"org_id": str(county), "request_type": "wage_arrears"}, headers=h
    )
    assert "union.*" in assert_problem(routed, 422, "joint-no-owner")["detail"]
    types = (await c.get(f"{API}/request-types", headers=h)).json()
    assert not any(t["installed"] for t in types)

    pic = (await c.get(f"{API}/picture/{quntuan_tree.orgs['city']['id']}", headers=h)).json()
    assert [(col["plugin"], col["orgs"]) for col in pic["columns"]] == [("core", 3), ("joint", 0)]
