"""Places through HTTP: create, share, public listing ("near me"), hours, photos' owner, feeds, reach."""

from __future__ import annotations

from typing import Any

from core.places.tables import Place
from tests.conftest import ApiClient
from tests.core.places.conftest import World, cadre, make_place, make_resource, person
from tests.helpers import problem


async def test_a_cadre_creates_a_place_and_anyone_reads_it_with_phones_masked(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    assert place["kind"] == "youth.hostel" and place["kind_name"] == "青年驿站"
    assert place["contacts"] == [{"name": "驿站管理员", "phone": "13800138000"}]  # the manager sees it
    assert place["services"] == ["job_advice", "lodging"]
    public = await api.get(f"/api/v1/places/{place['id']}")
    assert public.status_code == 200, public.text
    assert public.json()["contacts"] == [{"name": "驿站管理员", "phone": "138****8000"}]
    assert public.json().get("shares") is None
    stored = (
        await Place.select(Place.contacts_enc, Place.contacts).where(Place.id == place["id"]).first().run()
    )
    assert stored is not None and "13800138000" not in (stored["contacts_enc"] or "")
    assert "13800138000" not in str(stored["contacts"])


async def test_a_place_outside_reach_is_404_for_writers_and_hidden_when_not_public(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.youth))
    stranger = world.add("stranger", cadre(world.other))
    place = await make_place(api, boss, world.youth, public=False)
    assert (await api.get(f"/api/v1/places/{place['id']}")).status_code == 404
    assert (await api.get(f"/api/v1/places/{place['id']}", headers=stranger)).status_code == 404
    assert (await api.get(f"/api/v1/places/{place['id']}", headers=boss)).status_code == 200
    patch = await api.patch(
        f"/api/v1/places/{place['id']}", json={"name": "改名"}, headers={**stranger, "If-Match": '"1"'}
    )
    problem(patch, 404)
    created = await api.post(
        "/api/v1/places",
        json={"kind": "youth.hostel", "org_id": str(world.youth["id"]), "name": "x"},
        headers=stranger,
    )
    problem(created, 404)
    managed = await api.get("/api/v1/places/managed", headers=stranger)
    assert managed.json()["items"] == []
    mine = await api.get("/api/v1/places/managed", headers=boss)
    assert [p["id"] for p in mine.json()["items"]] == [place["id"]]


async def test_update_needs_the_current_etag(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    url = f"/api/v1/places/{place['id']}"
    problem(await api.patch(url, json={"name": "新名"}, headers=boss), 428)
    ok = await api.patch(
        url, json={"name": "新名", "services": ["lodging"]}, headers={**boss, "If-Match": '"1"'}
    )
    assert ok.status_code == 200, ok.text
    assert (
        ok.headers["etag"] == '"2"' and ok.json()["name"] == "新名" and ok.json()["services"] == ["lodging"]
    )
    problem(await api.patch(url, json={"name": "再改"}, headers={**boss, "If-Match": '"1"'}), 412)


async def test_bad_input_answers_problem_details(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth))
    body = {"kind": "youth.hostel", "org_id": str(world.youth["id"]), "name": "驿站"}
    problem(await api.post("/api/v1/places", json={**body, "kind": "nobody.kind"}, headers=boss), 422)
    problem(await api.post("/api/v1/places", json={**body, "lat": 30.1}, headers=boss), 422)
    problem(await api.post("/api/v1/places", json={**body, "lat": 91, "lon": 0}, headers=boss), 422)
    problem(await api.post("/api/v1/places", json={**body, "colour": "red"}, headers=boss), 422)
    problem(await api.post("/api/v1/places", json={**body, "region_code": "杭州"}, headers=boss), 422)
    hours = [{"days": [1], "opens": "18:00", "closes": "09:00"}]
    problem(await api.post("/api/v1/places", json={**body, "opening_hours": hours}, headers=boss), 422)
    problem(
        await api.post(
            "/api/v1/places",
            json={**body, "opening_hours": [{"days": [8], "opens": "08:00", "closes": "09:00"}]},
            headers=boss,
        ),
        422,
    )
    problem(await api.get("/api/v1/places?near=abc"), 422)
    problem(await api.get("/api/v1/places?near=30,120&radius_km=500"), 422)
    problem(await api.get("/api/v1/places?cursor=xyz"), 400)
    place = await make_place(api, boss, world.youth)
    problem(
        await api.post(
            f"/api/v1/places/{place['id']}/resources", json={"kind": "tent", "name": "帐篷"}, headers=boss
        ),
        422,
    )
    problem(
        await api.post(
            f"/api/v1/places/{place['id']}/resources",
            json={"kind": "bed", "name": "床", "capacity": 0},
            headers=boss,
        ),
        422,
    )
    problem(
        await api.post(f"/api/v1/places/{place['id']}/resources", json={"kind": "bed", "name": "床"}), 401
    )


async def test_near_me_lists_places_in_the_radius_nearest_first_page_by_page(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.youth))
    # Around 西湖 (30.2741, 120.1551): 0 m, ~1.1 km north, ~3.3 km east, ~20 km away.
    spots = [
        ("驿站甲", 30.2741, 120.1551),
        ("驿站乙", 30.2841, 120.1551),
        ("驿站丙", 30.2741, 120.1891),
        ("驿站丁", 30.4541, 120.1551),
    ]
    for name, lat, lon in spots:
        await make_place(api, boss, world.youth, name=name, lat=lat, lon=lon)
    await make_place(api, boss, world.youth, name="未公开", public=False)
    response = await api.get("/api/v1/places?near=30.2741,120.1551&radius_km=5")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [p["name"] for p in items] == ["驿站甲", "驿站乙", "驿站丙"]
    assert (
        items[0]["distance_m"] == 0
        and 1000 < items[1]["distance_m"] < 1200
        and 3000 < items[2]["distance_m"] < 3500
    )
    names, cursor = [], None
    while True:
        url = "/api/v1/places?near=30.2741,120.1551&radius_km=25&limit=1" + (
            f"&cursor={cursor}" if cursor else ""
        )
        page = (await api.get(url)).json()
        names += [p["name"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == ["驿站甲", "驿站乙", "驿站丙", "驿站丁"]


async def test_public_listing_filters_by_kind_region_and_service(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.root))
    await make_place(api, boss, world.youth, name="驿站", region_code="330106")
    await make_place(
        api,
        boss,
        world.union,
        kind="union.workers_home",
        name="职工之家",
        region_code="330102",
        services=["legal_aid"],
    )
    await make_place(
        api,
        boss,
        world.root,
        kind="core.service_center",
        name="党群服务中心",
        region_code="110101",
        services=["meeting", "legal_aid"],
    )

    async def names(query: str) -> list[str]:
        response = await api.get("/api/v1/places" + query)
        assert response.status_code == 200, response.text
        return sorted(p["name"] for p in response.json()["items"])

    assert await names("") == ["党群服务中心", "职工之家", "驿站"]
    assert await names("?kind=union.workers_home") == ["职工之家"]
    assert await names("?region=3301") == ["职工之家", "驿站"]
    assert await names("?region=330106") == ["驿站"]
    assert await names("?service=legal_aid") == ["党群服务中心", "职工之家"]
    assert await names("?service=legal_aid&region=33") == ["职工之家"]
    assert await names(f"?org={world.union['id']}") == ["职工之家"]
    kinds = (await api.get("/api/v1/places/kinds")).json()
    assert {"core.service_center", "youth.hostel", "union.workers_home", "women.womens_home"} <= {
        k["code"] for k in kinds
    }


async def test_opening_hours_apply_their_exceptions(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(
        api,
        boss,
        world.youth,
        opening_hours=[{"days": [1, 2, 3, 4, 5], "opens": "09:00", "closes": "17:00"}],
        hours_exceptions=[
            {"date": "2030-10-01", "closed": True, "note": "国庆"},
            {"date": "2030-10-05", "closed": False, "opens": "10:00", "closes": "12:00"},
        ],
    )
    days = (await api.get(f"/api/v1/places/{place['id']}/hours?from=2030-09-30&days=6")).json()
    assert [(d["date"], d["closed"], d["periods"]) for d in days] == [
        ("2030-09-30", False, [["09:00", "17:00"]]),
        ("2030-10-01", True, []),
        ("2030-10-02", False, [["09:00", "17:00"]]),
        ("2030-10-03", False, [["09:00", "17:00"]]),
        ("2030-10-04", False, [["09:00", "17:00"]]),
        ("2030-10-05", False, [["10:00", "12:00"]]),
    ]
    assert days[1]["note"] == "国庆"


async def test_shares_are_set_by_the_owner_and_seen_by_readers(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    url = f"/api/v1/places/{place['id']}/shares"
    ok = await api.put(
        url,
        json={"shares": [{"org_id": str(world.union["id"]), "purposes": ["booking", "events"]}]},
        headers=boss,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json() == [
        {"org_id": str(world.union["id"]), "org_name": "区总工会", "purposes": ["booking", "events"]}
    ]
    again = await api.get(f"/api/v1/places/{place['id']}", headers=boss)
    assert again.json()["shares"][0]["org_id"] == str(world.union["id"])
    dup = {"shares": [{"org_id": str(world.union["id"])}, {"org_id": str(world.union["id"])}]}
    problem(await api.put(url, json=dup, headers=boss), 422)
    problem(await api.put(url, json={"shares": [{"org_id": str(world.youth["id"])}]}, headers=boss), 422)


async def test_places_show_in_the_portal_feed_of_their_subtree_only(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.root))
    await make_place(api, boss, world.youth, name="西湖青年驿站")
    await make_place(api, boss, world.union, kind="union.workers_home", name="未公开之家", public=False)
    feed = (await api.get(f"/api/v1/feeds/orgs/{world.root['id']}/feed.json")).json()
    titles = [i["title"] for i in feed["items"]]
    assert "西湖青年驿站" in titles and "未公开之家" not in titles
    other = (await api.get(f"/api/v1/feeds/orgs/{world.union['id']}/feed.json")).json()
    assert "西湖青年驿站" not in [i["title"] for i in other["items"]]


async def test_photos_are_files_of_the_place_owner_kind(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth))
    someone = world.add("someone", person(None))
    stranger = world.add("stranger", cadre(world.other))
    place = await make_place(api, boss, world.youth)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    files = {"file": ("front.png", png, "image/png")}
    data = {"owner_kind": "place", "owner_id": place["id"]}
    uploaded = await api.post("/api/v1/files", files=files, data=data, headers=boss)
    assert uploaded.status_code == 201, uploaded.text
    problem(await api.post("/api/v1/files", files=files, data=data, headers=stranger), 403)
    listed = await api.get(f"/api/v1/files?owner_kind=place&owner_id={place['id']}", headers=someone)
    assert listed.status_code == 200, listed.text
    assert [f["name"] for f in listed.json()["items"]] == ["front.png"]


def _figure(body: dict[str, Any], code: str) -> Any:
    for f in body.get("figures", body.get("plugins", [])):
        if f["code"] == code:
            return f["value"]
    raise AssertionError(f"{code} not in {body}")


async def test_resources_are_listed_publicly_with_their_rules(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    await make_resource(
        api, boss, place, kind="bed", name="男生宿舍床位", capacity=6, max_nights_per_year=7, who="signed_in"
    )
    await make_resource(api, boss, place, kind="room", name="多功能室", seats=30)
    listed = (await api.get(f"/api/v1/places/{place['id']}/resources")).json()
    assert [(r["name"], r["mode"], r["capacity"]) for r in listed] == [
        ("男生宿舍床位", "night", 6),
        ("多功能室", "slot", 1),
    ]
