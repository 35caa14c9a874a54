"""Real-name claim through HTTP: by code, without an enumeration oracle, throttled, and by review."""

from __future__ import annotations

from typing import Any

from core.identity.tables import Account, Person
from core.processes.permissions import PROCESS_HANDLE, PROCESS_READ
from tests.conftest import ApiClient
from tests.core.selfservice.conftest import cadre_login, id_number, make_org, make_record, person_login
from tests.helpers import problem


async def _me(api: ApiClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await api.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_claim_by_code_links_the_record_and_one_record_has_one_account(
    api: ApiClient, sent: Any
) -> None:
    org = await make_org()
    number = id_number()
    record = await make_record(api, name="张 三", number=number, phone="13800138000", home_org=org)
    me = await person_login(api)
    stub = (await _me(api, me))["person"]["id"]

    started = await api.post("/api/v1/me/claims", json={"name": "张 三", "id_number": number}, headers=me)
    assert started.status_code == 202, started.text
    claim_id = started.json()["claim_id"]
    assert sent[-1][0] == "13800138000" and sent[-1][2] == "claim"
    code = sent[-1][1]

    wrong = "000000" if code != "000000" else "111111"
    failed = problem(
        await api.post(f"/api/v1/me/claims/{claim_id}/confirmation", json={"code": wrong}, headers=me), 422
    )
    assert failed["type"].endswith("claim-failed")
    ok = await api.post(f"/api/v1/me/claims/{claim_id}/confirmation", json={"code": code}, headers=me)
    assert ok.status_code == 200, ok.text
    assert ok.json()["person_id"] == str(record)
    mine = await _me(api, me)
    assert mine["person"]["id"] == str(record)
    # The account's stub person is left erased; the code cannot be used twice.
    assert (await Person.select(Person.erased_at).where(Person.id == stub).first().run())[
        "erased_at"
    ] is not None
    again = await api.post(f"/api/v1/me/claims/{claim_id}/confirmation", json={"code": code}, headers=me)
    assert problem(again, 409)["type"].endswith("already-claimed")

    # Another account trying the same record gets the same answer as for any miss, and no code is sent.
    other = await person_login(api)
    count = len(sent)
    second = await api.post("/api/v1/me/claims", json={"name": "张 三", "id_number": number}, headers=other)
    assert second.status_code == 202 and set(second.json()) == {"claim_id", "expires_at"}
    assert len(sent) == count
    refused = problem(
        await api.post(
            f"/api/v1/me/claims/{second.json()['claim_id']}/confirmation", json={"code": code}, headers=other
        ),
        422,
    )
    assert refused["type"].endswith("claim-failed")
    assert await Account.count().where(Account.person == record).run() == 1


async def test_a_failed_claim_answers_alike_for_existing_and_unknown_numbers(
    api: ApiClient, sent: Any
) -> None:
    org = await make_org()
    known = id_number()
    await make_record(api, name="李四", number=known, phone="13900139000", home_org=org)
    me = await person_login(api)
    answers = []
    for name, number in (("李四四", known), ("王五", id_number())):  # a near-miss on a real record; none
        started = await api.post("/api/v1/me/claims", json={"name": name, "id_number": number}, headers=me)
        assert started.status_code == 202
        assert set(started.json()) == {"claim_id", "expires_at"}
        confirm = await api.post(
            f"/api/v1/me/claims/{started.json()['claim_id']}/confirmation",
            json={"code": "123456"},
            headers=me,
        )
        body = problem(confirm, 422)
        answers.append({k: body[k] for k in ("type", "title", "detail", "status")})
    assert answers[0] == answers[1]
    assert sent == []  # neither matched exactly, so no code went anywhere

    # Another person's claim id answers like a wrong code.
    started = await api.post("/api/v1/me/claims", json={"name": "李四", "id_number": known}, headers=me)
    intruder = await person_login(api)
    stolen = await api.post(
        f"/api/v1/me/claims/{started.json()['claim_id']}/confirmation",
        json={"code": sent[-1][1]},
        headers=intruder,
    )
    assert problem(stolen, 422)["type"].endswith("claim-failed")


async def test_bad_input_and_the_throttle(api: ApiClient, sent: Any) -> None:
    me = await person_login(api)
    bad = problem(
        await api.post(
            "/api/v1/me/claims", json={"name": "赵六", "id_number": "110105199001010000"}, headers=me
        ),
        422,
    )
    assert bad["errors"][0]["pointer"] == "/id_number"
    assert (await api.post("/api/v1/me/claims", json={"name": "赵六"}, headers=me)).status_code in (400, 422)
    assert (
        await api.post("/api/v1/me/claims", json={"name": "", "id_number": id_number()}, headers=me)
    ).status_code == 422
    extra = await api.post(
        "/api/v1/me/claims", json={"name": "x", "id_number": id_number(), "x": 1}, headers=me
    )
    assert extra.status_code in (400, 422)
    assert (
        await api.post("/api/v1/me/claims/not-a-uuid/confirmation", json={"code": "1"}, headers=me)
    ).status_code in (
        400,
        404,
        422,
    )
    assert (
        await api.post("/api/v1/me/claims", json={"name": "x", "id_number": id_number()})
    ).status_code == 401
    # Guessing is throttled per account and address (the login limits): 5 attempts, then 429.
    statuses = []
    for _ in range(6):
        response = await api.post(
            "/api/v1/me/claims", json={"name": "钱七", "id_number": id_number()}, headers=me
        )
        statuses.append(response.status_code)
    assert 429 in statuses
    assert "retry-after" in {
        k.lower()
        for k in (
            await api.post("/api/v1/me/claims", json={"name": "钱七", "id_number": id_number()}, headers=me)
        ).headers
    }


async def test_a_claim_that_cannot_be_matched_goes_to_review_by_a_cadre(api: ApiClient, sent: Any) -> None:
    county = await make_org(name="县总工会")
    branch = await make_org(county, name="某厂工会")
    elsewhere = await make_org(name="别处")
    number = id_number()
    record = await make_record(api, name="孙八", number=number, phone=None, home_org=branch)  # no phone
    me = await person_login(api)
    started = await api.post("/api/v1/me/claims", json={"name": "孙八", "id_number": number}, headers=me)
    assert started.status_code == 202 and sent == []

    opened = await api.post(
        "/api/v1/me/claims/reviews",
        json={"org_id": str(county["id"]), "name": "孙八", "id_number": number, "statement": "本人"},
        headers=me,
    )
    assert opened.status_code == 201, opened.text
    process = opened.json()
    assert process["type"] == "core.claim" and process["form"]["id_number"] == number  # the applicant sees it
    listed = (await api.get("/api/v1/me/processes", headers=me)).json()["items"]
    assert [p["id"] for p in listed] == [process["id"]]

    outsider = await cadre_login(api, elsewhere, PROCESS_HANDLE, PROCESS_READ)
    assert (await api.get(f"/api/v1/processes/{process['id']}", headers=outsider)).status_code == 404
    cadre = await cadre_login(api, county, PROCESS_HANDLE, PROCESS_READ)
    seen = await api.get(f"/api/v1/processes/{process['id']}", headers=cadre)
    assert seen.status_code == 200 and seen.json()["form"]["id_number"] != number  # masked for the cadre
    confirmed = await api.post(
        f"/api/v1/processes/{process['id']}/transitions",
        json={"transition": "confirm"},
        headers={**cadre, "If-Match": seen.headers["etag"]},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert (await _me(api, me))["person"]["id"] == str(record)
    # The confirmed claim now belongs to the record, still in the person's progress view.
    listed = (await api.get("/api/v1/me/processes", headers=me)).json()["items"]
    assert [(p["id"], p["state"]) for p in listed] == [(process["id"], "confirmed")]


async def test_review_of_a_number_outside_the_org_cannot_be_confirmed(api: ApiClient) -> None:
    county = await make_org(name="县总工会")
    other = await make_org(name="别处")
    number = id_number()
    await make_record(api, name="周九", number=number, phone=None, home_org=other)
    me = await person_login(api)
    opened = await api.post(
        "/api/v1/me/claims/reviews",
        json={"org_id": str(county["id"]), "name": "周九", "id_number": number},
        headers=me,
    )
    assert opened.status_code == 201
    cadre = await cadre_login(api, county, PROCESS_HANDLE, PROCESS_READ)
    refused = await api.post(
        f"/api/v1/processes/{opened.json()['id']}/transitions",
        json={"transition": "confirm"},
        headers={**cadre, "If-Match": opened.headers["etag"]},
    )
    assert problem(refused, 422)["errors"][0]["pointer"] == "/form/id_number"
    rejected = await api.post(
        f"/api/v1/processes/{opened.json()['id']}/transitions",
        json={"transition": "reject", "comment": "本单位无此人"},
        headers={**cadre, "If-Match": opened.headers["etag"]},
    )
    assert rejected.status_code == 200, rejected.text


async def test_a_match_and_a_miss_answer_in_similar_time_even_with_a_slow_sms_provider(
    api: ApiClient,
) -> None:
    import asyncio
    import time

    from core.selfservice import codes

    delivered: list[str] = []

    async def slow(phone: str, code: str, purpose: str) -> None:
        await asyncio.sleep(1.0)
        delivered.append(code)

    previous = codes.set_code_sender(slow)
    try:
        org = await make_org()
        number = id_number()
        await make_record(api, name="郑十一", number=number, phone="13600136000", home_org=org)
        me = await person_login(api)
        timings = {}
        for label, body in (
            ("match", {"name": "郑十一", "id_number": number}),
            ("miss", {"name": "郑十一", "id_number": id_number()}),
        ):
            started = time.perf_counter()
            response = await api.post("/api/v1/me/claims", json=body, headers=me)
            timings[label] = time.perf_counter() - started
            assert response.status_code == 202
        assert timings["match"] < 0.8, timings  # the answer did not wait for the provider
        assert abs(timings["match"] - timings["miss"]) < 0.3, timings
        await asyncio.sleep(1.2)
        assert len(delivered) == 1  # the code still went out, in the background
    finally:
        codes.set_code_sender(previous)
