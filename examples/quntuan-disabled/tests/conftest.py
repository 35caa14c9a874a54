"""The testkit (quntuan's ``pytest11`` plugin) builds the app with this plugin; ``federations`` sets up
a 残联 under each county of the testkit's tree."""

from __future__ import annotations

from typing import Any

import pytest
from quntuan_disabled import hooks


@pytest.fixture(scope="module")
def quntuan_plugins() -> dict[str, object]:
    return {"disabled": hooks}


@pytest.fixture
async def federations(quntuan_client: Any, quntuan_tree: Any) -> dict[str, dict[str, str]]:
    """A county 残联 under county A and one under county B, created by the platform administrator."""
    made: dict[str, dict[str, str]] = {}
    for key, name in (("a", "甲县残联"), ("b", "乙县残联")):
        county = quntuan_tree.orgs[f"county_{key}"]
        response = await quntuan_client.post(
            "/api/v1/orgs",
            json={
                "name": name,
                "kind": "disabled.federation",
                "level": "county",
                "parent": str(county["id"]),
            },
            headers=quntuan_tree.headers["platform"],
        )
        assert response.status_code == 201, response.text
        made[key] = response.json()
    return made
