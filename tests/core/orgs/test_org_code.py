"""An org's own code (组织代码): set on create and update, unique where set, shown, searchable."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from litestar import Litestar

from core.identity.tables import AuditEntry
from core.orgs.search import fold, initials
from core.orgs.tables import Org
from tests.conftest import ApiClient, open_client
from tests.core.orgs.conftest import Tree
from tests.helpers import problem
from tests.identity_helpers import bearer, make_account, make_org


async def _patch(api: ApiClient, org_id: str, body: dict[str, Any]) -> Any:
    """An update as a front end sends it: with the org's current ETag."""
    etag = (await api.get(f"/api/v1/orgs/{org_id}")).headers["etag"]
    return await api.patch(f"/api/v1/orgs/{org_id}", json=body, headers={"If-Match": etag})


async def test_a_code_is_set_stored_upper_case_and_unique(api: ApiClient, tree: Tree) -> None:
    city = await tree.add("city", "party.committee", "city", name="杭州市委", code="hz-0571")
    got = (await api.get(f"/api/v1/orgs/{city}")).json()
    assert got["code"] == "HZ-0571"
    # Orgs without a code are many: null is not a value that collides.
    plain = await tree.add("plain", "party.committee", "county", "city", name="西湖区委")
    other = await tree.add("other", "party.committee", "county", "city", name="上城区委")
    assert (await api.get(f"/api/v1/orgs/{plain}")).json()["code"] is None

    # Taken in any case: 409 on create and on update, and nothing changed.
    taken = await api.post(
        "/api/v1/orgs", json={"name": "x", "kind": "party.committee", "level": "county", "code": "HZ-0571"}
    )
    assert problem(taken, 409)["type"].endswith("/org-code-taken")
    taken = await _patch(api, plain, {"code": "Hz-0571"})
    assert problem(taken, 409)["type"].endswith("/org-code-taken")
    assert (await api.get(f"/api/v1/orgs/{plain}")).json()["code"] is None

    # Set, changed (its own code again is no conflict), removed with null; each change audited.
    changed = await _patch(api, plain, {"code": "xh-1"})
    assert changed.status_code == 200 and changed.json()["code"] == "XH-1"
    same = await _patch(api, plain, {"code": "XH-1", "address": "文三路"})
    assert same.status_code == 200, same.text
    cleared = await _patch(api, plain, {"code": None})
    assert cleared.json()["code"] is None
    assert (await _patch(api, other, {"code": "XH-1"})).json()["code"] == "XH-1"
    entries = await AuditEntry.select(AuditEntry.changes).where(AuditEntry.resource_id == plain).run()
    assert any("code" in str(e["changes"]) for e in entries)

    # Bad codes are 422 problem details naming the field.
    for bad in ("x", "has space", "汉字代码", "-lead", "a" * 33, 7):
        response = await api.post(
            "/api/v1/orgs", json={"name": "x", "kind": "party.committee", "level": "county", "code": bad}
        )
        assert problem(response, 422)["errors"][0]["pointer"] == "/code", bad


async def test_two_orgs_racing_for_one_code_one_wins(api: ApiClient, tree: Tree) -> None:
    await tree.add("city", "party.committee", "city", name="杭州市委")
    answers = await asyncio.gather(
        *(
            api.post(
                "/api/v1/orgs",
                json={"name": f"区委{i}", "kind": "party.committee", "level": "county", "code": "RACE-1"},
            )
            for i in range(6)
        )
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 5, [a.text for a in answers]


async def test_the_list_finds_an_org_by_its_code(api: ApiClient, tree: Tree) -> None:
    await tree.add("city", "party.committee", "city", name="杭州市委", code="ZJ-HZ")
    await tree.add("union", "union.federation", "city", "city", name="杭州市总工会", code="ZGH-330100")
    await tree.add("women", "women.federation", "city", "city", name="杭州市妇联")

    def names(response: object) -> list[str]:
        return [o["name"] for o in response.json()["items"]]  # type: ignore[attr-defined]

    assert names(await api.get("/api/v1/orgs", params={"q": "zgh-330100"})) == ["杭州市总工会"]
    assert names(await api.get("/api/v1/orgs", params={"q": "ZGH"})) == ["杭州市总工会"]
    assert names(await api.get("/api/v1/orgs", params={"q": "ZJ-HZ"})) == ["杭州市委"]
    # Name search is as before.
    assert names(await api.get("/api/v1/orgs", params={"q": "妇联"})) == ["杭州市妇联"]


async def test_an_import_sets_codes_and_names_parents_by_code(api: ApiClient, tree: Tree) -> None:
    await tree.add("city", "party.committee", "city", name="杭州市委", code="HZ-0571")
    csv = (
        "ref,name,kind,level,parent,组织代码\n"
        "s1,西湖街道党工委,party.committee,township,hz-0571,xh-01\n"
        "s2,上城街道党工委,party.committee,township,s1,\n"
    ).encode()
    report = await api.post("/api/v1/imports/orgs", files={"file": ("orgs.csv", csv)})
    assert report.status_code == 200, report.text
    listed = (await api.get("/api/v1/orgs", params={"q": "XH-01"})).json()["items"]
    assert [(o["name"], o["code"], o["parent"]) for o in listed] == [
        ("西湖街道党工委", "XH-01", tree.ids["city"])
    ]
    # A code taken (in the table or earlier in the file) or malformed is reported by row; nothing written.
    csv = (
        "name,kind,level,parent,组织代码\n"
        "甲,party.committee,township,HZ-0571,xh-01\n"
        "乙,party.committee,township,HZ-0571,NEW-1\n"
        "丙,party.committee,township,HZ-0571,new-1\n"
        "丁,party.committee,township,HZ-0571,坏代码\n"
    ).encode()
    refused = await api.post("/api/v1/imports/orgs", files={"file": ("orgs.csv", csv)})
    body = refused.json()
    assert refused.status_code == 422, refused.text
    assert [(e["pointer"], e["code"]) for e in body["errors"]] == [
        ("/rows/2/code", "duplicate"),
        ("/rows/4/code", "duplicate"),
        ("/rows/5/code", "invalid"),
    ]
    assert (await api.get("/api/v1/orgs", params={"q": "NEW-1"})).json()["items"] == []


async def _org(parent: dict[str, Any] | None, name: str, **values: Any) -> dict[str, Any]:
    """An org inserted as the API would store it (its search name folded)."""
    made = await make_org(parent, name=name, kind="union.federation")
    values = {"search_name": fold(name), "initials": initials(name), **values}
    await Org.update({getattr(Org, k): v for k, v in values.items()}).where(Org.id == made["id"]).run()
    return made


async def test_anyone_signed_in_finds_an_org_by_code_or_name(make_app: Callable[..., Litestar]) -> None:
    async for api in open_client(make_app()):
        city = await _org(None, "杭州市总工会", code="ZGH-0571")
        await _org(city, "西湖区总工会")
        await _org(city, "旧区总工会", status="dissolved", code="ZGH-OLD")
        # A self-signed-up person: no grant, no org.
        me = await bearer(api, *await make_account(api.app.state.db))

        found = await api.get("/api/v1/orgs/directory", params={"q": "zgh-0571"}, headers=me)
        assert found.status_code == 200, found.text
        assert found.json() == [
            {
                "id": str(city["id"]),
                "name": "杭州市总工会",
                "kind": "union.federation",
                "level": "county",
                "code": "ZGH-0571",
                "region_code": "",
            }
        ]
        by_name = await api.get("/api/v1/orgs/directory", params={"q": "總工會"}, headers=me)
        assert [o["name"] for o in by_name.json()] == ["杭州市总工会", "西湖区总工会"]
        # Nothing of the org's people, no dissolved org, no partial code, nothing without a token.
        assert "contact_phone" not in by_name.text and "path" not in by_name.json()[0]
        for q in ("ZGH-OLD", "旧区", "ZGH"):
            assert (await api.get("/api/v1/orgs/directory", params={"q": q}, headers=me)).json() == [], q
        assert (await api.get("/api/v1/orgs/directory", params={"q": "总工会"})).status_code == 401
        for params, status in (({"q": "x"}, 422), ({}, 400), ({"q": "总工会", "limit": 21}, 422)):
            problem(await api.get("/api/v1/orgs/directory", params=params, headers=me), status)
