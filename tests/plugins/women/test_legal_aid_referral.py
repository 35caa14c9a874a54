"""A rights case referred to the union's legal aid (转办) against a minimal stand-in of the union plugin.

The stand-in has slug ``union`` and declares one process type, ``union.legal_aid``, with a form of its
own: exactly what the women plugin needs of the union, so this test keeps that contract visible and
fails if the women plugin starts to depend on more. ``test_legal_aid_with_union.py`` runs the same
referral against the real ``plugins.union``; ``test_rights.py`` covers the answer when no union is
installed.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import msgspec
import pytest

import plugins.women.hooks
from core.sdk import PluginInfo, ProcessType, State, Text, Transition, hookimpl
from core.testkit import assert_problem, signals_emitted
from tests.plugins.women.conftest import Women, etag, make_org, make_person
from tests.plugins.women.test_rights import open_case, step


class LegalAidForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    contact_phone: str | None = None


def _stand_in_union() -> types.ModuleType:
    module = types.ModuleType("women_test_union_stand_in")

    @hookimpl
    def quntuan_plugin_info() -> PluginInfo:
        return PluginInfo(
            slug="union",
            name=Text(zh_hans="工会（测试替身）", en="Union (stand-in)"),
            version="0.0.1",
            core_api=">=1.0,<2",
        )

    @hookimpl
    def quntuan_process_types() -> Sequence[ProcessType]:
        return [
            ProcessType(
                code="union.legal_aid",
                name=Text(zh_hans="法律援助", en="Legal aid"),
                form=LegalAidForm,
                personal_fields=("summary", "contact_phone"),
                initial="received",
                states=(
                    State(code="received", name=Text(zh_hans="已接收", en="Received")),
                    State(
                        code="done", name=Text(zh_hans="已办结", en="Done"), final=True, outcome="approved"
                    ),
                ),
                transitions=(
                    Transition(
                        code="finish",
                        name=Text(zh_hans="办结", en="Finish"),
                        sources=("received",),
                        target="done",
                    ),
                ),
            )
        ]

    module.quntuan_plugin_info = quntuan_plugin_info  # type: ignore[attr-defined]
    module.quntuan_process_types = quntuan_process_types  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return module


@pytest.fixture(scope="module")
def quntuan_plugins() -> Mapping[str, object]:
    return {"women": plugins.women.hooks, "union": _stand_in_union()}


async def test_a_referred_rights_case_carries_only_the_legal_aid_fields_and_takes_no_more_steps(
    quntuan_client: Any, women: Women
) -> None:
    client, admin = quntuan_client, women.admin_a
    county_a = women.tree.orgs["county_a"]["id"]
    union_org = await make_org(
        client, women.headers["platform"], county_a, "party.committee", "county", "甲县总工会法律援助中心"
    )
    victim = await make_person(client, admin, county_a, "赵某")
    case = (
        await open_case(
            client,
            admin,
            women.orgs["county_a_fed"]["id"],
            applicant_id=victim,
            form={"category": "employment_discrimination", "contact_phone": "13900139000"},
        )
    ).json()
    assert (await step(client, admin, case, "accept", form={})).status_code == 200
    current = await client.get(f"/api/v1/processes/{case['id']}", headers=admin)
    referred = await client.post(
        f"/api/v1/processes/{case['id']}/referrals",
        json={"org_id": union_org["id"], "type": "union.legal_aid", "comment": "需要劳动争议法律援助"},
        headers={**admin, **etag(current)},
    )
    assert referred.status_code == 200, referred.text
    source = referred.json()
    assert source["status"] == "referred" and source["referred_to"]
    aid = (await client.get(f"/api/v1/processes/{source['referred_to']}", headers=admin)).json()
    assert aid["type"] == "union.legal_aid" and aid["referred_from"] == case["id"]
    assert "category" not in aid["form"]  # only the fields the legal-aid form takes go across
    assert {"process.referred"} <= {s["name"] for s in await signals_emitted()}

    # The case, once referred, takes no more steps of its own.
    current = await client.get(f"/api/v1/processes/{case['id']}", headers=admin)
    again = await client.post(
        f"/api/v1/processes/{case['id']}/referrals",
        json={"org_id": union_org["id"], "type": "union.legal_aid"},
        headers={**admin, **etag(current)},
    )
    assert_problem(again, 409)
