"""A rights case referred to the real union plugin's legal aid (转办), both bundled plugins installed.

(``test_legal_aid_referral.py`` checks the same referral against a minimal stand-in of the union, which
documents exactly what the women plugin needs of it; this one runs it against ``plugins.union``.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

import plugins.union.hooks
import plugins.women.hooks
from tests.plugins.women.conftest import Women, etag, make_org, make_person
from tests.plugins.women.test_rights import open_case, step


@pytest.fixture(scope="module")
def quntuan_plugins() -> Mapping[str, object]:
    return {"women": plugins.women.hooks, "union": plugins.union.hooks}


async def test_a_rights_case_is_taken_by_the_union_federations_legal_aid(
    quntuan_client: Any, women: Women
) -> None:
    client, admin = quntuan_client, women.admin_a
    county_a = women.tree.orgs["county_a"]["id"]
    federation = await make_org(
        client, women.headers["platform"], county_a, "union.federation", "county", "甲县总工会"
    )
    victim = await make_person(client, admin, county_a, "钱某")
    case = (
        await open_case(
            client,
            admin,
            women.orgs["county_a_fed"]["id"],
            applicant_id=victim,
            form={"category": "employment_discrimination", "contact_phone": "13900139001"},
        )
    ).json()
    assert (await step(client, admin, case, "accept", form={})).status_code == 200
    current = await client.get(f"/api/v1/processes/{case['id']}", headers=admin)
    referred = await client.post(
        f"/api/v1/processes/{case['id']}/referrals",
        json={
            "org_id": federation["id"],
            "type": "union.legal_aid",
            "comment": "就业性别歧视，请提供法律援助",
        },
        headers={**admin, **etag(current)},
    )
    assert referred.status_code == 200, referred.text
    source = referred.json()
    aid = (await client.get(f"/api/v1/processes/{source['referred_to']}", headers=admin)).json()
    assert aid["type"] == "union.legal_aid" and aid["state"] == "received"
    assert aid["referred_from"] == case["id"] and aid["org_id"] == federation["id"]
    assert aid["form"]["category"] == "employment_discrimination"  # the union's form takes it as it is
