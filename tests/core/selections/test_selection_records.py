"""Nominations' files (the ``nomination`` owner kind), their personal data (exported, erased), and the
declarations the core checks at start-up."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.identity.personal_data import ERASED_NAME
from core.identity.tables import Person
from core.kernel.access import Reach
from core.kernel.declarations.selections import PublicVote, SelectionType, check_selection_type
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import Settings
from core.selections.tables import Nomination, Vote
from tests.conftest import ApiClient
from tests.core.selections.conftest import (
    SELECTION_REVIEW,
    World,
    cadre,
    campaign,
    make_persons,
    nominate,
    person,
    review,
    stage,
)
from tests.fixtures import selection_plugin
from tests.helpers import GrantedPrincipal, problem

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _upload(api: ApiClient, headers: dict[str, str], owner_id: Any) -> Any:
    return await api.post(
        "/api/v1/files",
        data={"owner_kind": "nomination", "owner_id": str(owner_id)},
        files={"file": ("事迹材料.pdf", PDF, "application/pdf")},
        headers=headers,
    )


async def test_nomination_files_follow_the_nomination(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.county))
    g11 = world.add("g11", cadre(world.g11, SELECTION_REVIEW))
    stranger = world.add("stranger", cadre(world.t2))
    nominee_id, nobody_id = await make_persons(2)
    nominee = world.add("nominee", person(nominee_id))
    nobody = world.add("nobody", person(nobody_id))
    camp = await campaign(api, boss, world.county, [1, 1, 1])
    filed = (await nominate(api, boss, camp, world.g11, nominee_person_id=str(nominee_id))).json()

    uploaded = await _upload(api, nominee, filed["id"])
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]
    listed = await api.get(
        "/api/v1/files", params={"owner_kind": "nomination", "owner_id": filed["id"]}, headers=g11
    )
    assert [f["id"] for f in listed.json()["items"]] == [file_id]
    for outsider in (stranger, nobody):
        assert (await api.get(f"/api/v1/files/{file_id}", headers=outsider)).status_code == 404
        assert (await _upload(api, outsider, filed["id"])).status_code == 404
    # Forwarded, the unit's reviewer no longer attaches (it is handled above); the township does.
    assert (await review(api, g11, filed["id"], "forward")).status_code == 200
    assert (await _upload(api, g11, filed["id"])).status_code == 403
    assert (await api.get(f"/api/v1/files/{file_id}", headers=g11)).status_code == 200
    assert (await _upload(api, world.add("t1", cadre(world.t1)), filed["id"])).status_code == 201


async def test_nominations_and_votes_are_exported_and_erased_with_the_person(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.county))
    nominee_id, voter_id = await make_persons(2)
    camp = await campaign(api, boss, world.county, [2], type="seltest.best_family")
    filed = (
        await nominate(
            api, boss, camp, world.county, nominee_person_id=str(nominee_id), form={"summary": "孝老爱亲"}
        )
    ).json()
    await stage(api, boss, camp, "reviewing")
    await stage(api, boss, camp, "voting")
    voter = world.add("voter", person(voter_id))
    voted = await api.post(
        f"/api/v1/selections/campaigns/{camp['id']}/votes", json={"nomination_id": filed["id"]}, headers=voter
    )
    assert voted.status_code == 201, voted.text

    await (
        Person.update({Person.home_org: world.g11["id"]}).where(Person.id.is_in([nominee_id, voter_id])).run()
    )
    root = [Reach(path=world.county["path"], subtree=True)]
    dpo = world.add("dpo", GrantedPrincipal({"core.person.export": root, "core.person.erase": root}))
    exported = (await api.get(f"/api/v1/persons/{nominee_id}/export", headers=dpo)).json()
    (row,) = exported["tables"]["core_selection_nomination"]
    form = json.loads(row["form"]) if isinstance(row["form"], str) else row["form"]
    assert form == {"summary": "孝老爱亲", "deeds": "", "members": 1} and "nominee_key" not in row
    votes = (await api.get(f"/api/v1/persons/{voter_id}/export", headers=dpo)).json()["tables"]
    assert [v["nomination"] for v in votes["core_selection_vote"]] == [filed["id"]]

    assert (await api.delete(f"/api/v1/persons/{nominee_id}", headers=dpo)).status_code == 204
    assert (await api.delete(f"/api/v1/persons/{voter_id}", headers=dpo)).status_code == 204
    kept = await Nomination.select().where(Nomination.id == filed["id"]).first().run()
    assert kept["nominee_name"] == ERASED_NAME and kept["form"] in ({}, "{}") and kept["votes"] == 1
    assert await Vote.count().run() == 0


def _type(**overrides: Any) -> SelectionType:
    values: dict[str, Any] = {
        "code": "x.y",
        "name": selection_plugin.BEST_FAMILY.name,
        "nominee_kinds": ("person",),
    }
    return SelectionType(**{**values, **overrides})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"notice_days": 2}, "notice_days"),
        ({"nominee_kinds": ()}, "nominee_kinds"),
        ({"nominee_kinds": ("org",)}, "self-nomination"),
        ({"public_fields": ("summary",)}, "public field"),
        ({"form": dict}, "form"),
        ({"max_levels": 9}, "max_levels"),
        ({"vote": PublicVote(budget=0)}, "budget"),
        ({"code": "Bad"}, "valid code"),
    ],
)
def test_a_bad_selection_type_is_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_selection_type(_type(**overrides))


def test_a_plugin_declaring_a_bad_type_is_rejected_naming_it() -> None:
    class Broken:
        @staticmethod
        def quntuan_plugin_info():  # type: ignore[no-untyped-def]
            return selection_plugin.INFO

        @staticmethod
        def quntuan_selection_types():  # type: ignore[no-untyped-def]
            return [_type(code="seltest.bad", notice_days=1)]

    from core.kernel.hookspecs import hookimpl

    hookimpl(Broken.quntuan_plugin_info)
    hookimpl(Broken.quntuan_selection_types)
    pm = make_plugin_manager(Settings(), plugins={"seltest": Broken})
    assert "notice_days" in pm.failures[0].reason and "seltest" not in pm.registry.plugins
    ok = make_plugin_manager(Settings(), plugins={"seltest": selection_plugin})
    assert {"core.generic", "seltest.best_family", "seltest.star"} <= set(ok.registry.selection_types)


async def test_types_are_listed_with_their_form_schema(api: ApiClient, world: World) -> None:
    me = world.add("me", person((await make_persons(1))[0]))
    types = {t["code"]: t for t in (await api.get("/api/v1/selections/types", headers=me)).json()}
    family = types["seltest.best_family"]
    assert family["plugin"] == "seltest" and family["vote"]["rule"] == "per_nominee"
    assert "summary" in str(family["form_schema"]) and family["notice_days"] == 3
    assert types["core.generic"]["plugin"] == "core" and types["core.generic"]["vote"] is None
    openapi = (await api.get("/schema/openapi.json")).json()
    operation = openapi["paths"]["/api/v1/selections/campaigns/{campaign_id}/votes"]["post"]
    assert operation["summary"] == "实名投票（限流）"
    assert problem(await api.get("/api/v1/selections/types"), 401)
