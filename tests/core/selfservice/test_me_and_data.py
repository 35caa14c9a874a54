"""Your own context and your data through HTTP: /me with memberships, posts and open processes, PATCH
/me, your orgs without a grant, a cadre's password reset, export, consents, correction and erasure
requests, who read your data, sessions, closing the account — and nobody else's."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from core.identity.permissions import ACCOUNT_MANAGE
from core.identity.tables import Account, AuditEntry, AuditOrg, Consent, Person, Post
from core.orgs.permissions import MEMBER_MANAGE
from core.processes.permissions import PROCESS_HANDLE, PROCESS_READ
from tests.conftest import ApiClient
from tests.core.selfservice.conftest import cadre_login, id_number, make_org, make_record
from tests.helpers import problem
from tests.identity_helpers import bearer, make_account, token

STAFF = (PROCESS_HANDLE, PROCESS_READ)


async def _step(
    api: ApiClient, headers: dict[str, str], process: dict[str, Any], transition: str, **body: Any
) -> Any:
    current = await api.get(f"/api/v1/processes/{process['id']}", headers=headers)
    assert current.status_code == 200, current.text
    return await api.post(
        f"/api/v1/processes/{process['id']}/transitions",
        json={"transition": transition, **body},
        headers={**headers, "If-Match": current.headers["etag"]},
    )


async def _member(
    api: ApiClient, org: dict[str, Any], *, number: str | None = None
) -> tuple[dict[str, str], uuid.UUID, str, str]:
    """A person whose record the org keeps, with a login and an active membership there."""
    person = await make_record(
        api, name="吴十", number=number or id_number(), phone="13700137000", home_org=org
    )
    username, password = await make_account(api.app.state.db, person=person)
    manager = await cadre_login(api, org, MEMBER_MANAGE)
    joined = await api.post(
        f"/api/v1/orgs/{org['id']}/members", json={"person": str(person)}, headers=manager
    )
    assert joined.status_code == 201, joined.text
    return await bearer(api, username, password), person, username, password


async def test_me_shows_memberships_posts_and_open_processes_and_patch_me(api: ApiClient) -> None:
    org = await make_org(name="某社区妇联", kind="party.committee")
    other = await make_org(name="别的组织")
    me, person, _, _ = await _member(api, org)
    await Post.insert(Post(person=person, org=org["id"], title="执委", start_date=date(2024, 1, 1))).run()
    opened = await api.post(
        "/api/v1/processes", json={"type": "core.join", "org_id": str(other["id"]), "form": {}}, headers=me
    )
    assert opened.status_code == 201

    body = (await api.get("/api/v1/me", headers=me)).json()
    assert [(m["org_name"], m["org_kind"], m["role"]) for m in body["memberships"]] == [
        ("某社区妇联", "party.committee", "member")
    ]
    assert body["memberships"][0]["since"]
    assert [(p["org_name"], p["title"]) for p in body["posts"]] == [("某社区妇联", "执委")]
    assert [(p["type"], p["state_name"], p["org_name"]) for p in body["open_processes"]] == [
        ("core.join", "待审核", "别的组织")
    ]
    assert body["profile"] == {"nickname": "", "avatar": "", "contact_by": []}

    patched = await api.patch(
        "/api/v1/me",
        json={"nickname": "小吴", "avatar": "https://example.org/a.png", "contact_by": ["sms", "sms"]},
        headers=me,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["profile"] == {
        "nickname": "小吴",
        "avatar": "https://example.org/a.png",
        "contact_by": ["sms"],
    }
    # The edit is in the audit log, seen by the person's org: the fields named, never their values.
    edited = await AuditEntry.select().where(AuditEntry.action == "person.profile_updated").run()
    assert [(e["resource_id"], _json(e["changes"])) for e in edited] == [
        (str(person), {"fields": ["avatar", "contact_by", "nickname"]})
    ]
    concerned = await AuditOrg.select(AuditOrg.org_path).where(AuditOrg.seq == edited[0]["seq"]).run()
    assert org["path"] in {c["org_path"] for c in concerned}
    # Name and ID number are not the person's to edit; bad values are refused.
    assert (await api.patch("/api/v1/me", json={"name": "改名"}, headers=me)).status_code in (400, 422)
    assert (await api.patch("/api/v1/me", json={"id_number": id_number()}, headers=me)).status_code in (
        400,
        422,
    )
    assert (
        await api.patch("/api/v1/me", json={"avatar": "javascript:alert(1)"}, headers=me)
    ).status_code == 422
    assert (await api.patch("/api/v1/me", json={"contact_by": ["fax"]}, headers=me)).status_code == 422
    assert (await Person.select(Person.name).where(Person.id == person).first().run())["name"] == "吴十"

    # Their own org, without any grant; any other org answers 404.
    mine = await api.get(f"/api/v1/me/orgs/{org['id']}", headers=me)
    assert mine.status_code == 200 and mine.json()["name"] == "某社区妇联"
    assert (await api.get(f"/api/v1/me/orgs/{other['id']}", headers=me)).status_code == 404
    assert (await api.get(f"/api/v1/orgs/{org['id']}", headers=me)).status_code in (
        403,
        404,
    )  # the cadre route


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def test_a_cadre_reset_forces_a_new_password_at_next_login(api: ApiClient) -> None:
    org = await make_org()
    outside = await make_org()
    me, person, username, password = await _member(api, org)
    admin = await cadre_login(api, org, ACCOUNT_MANAGE)
    stranger = await cadre_login(api, outside, ACCOUNT_MANAGE)
    account_id = (await Account.select(Account.id).where(Account.person == person).first().run())["id"]
    assert (
        await api.post(f"/api/v1/accounts/{account_id}/password-reset", headers=stranger)
    ).status_code == 404
    assert (await api.post(f"/api/v1/accounts/{account_id}/password-reset", headers=me)).status_code == 403
    reset = await api.post(f"/api/v1/accounts/{account_id}/password-reset", headers=admin)
    assert reset.status_code == 200, reset.text
    temporary = reset.json()["temporary_password"]
    # The old sessions ended; the old password is gone; the temporary one does not give a token.
    assert (await api.get("/api/v1/me", headers=me)).status_code == 401
    login = {"grant_type": "password", "username": username}
    assert (await api.post("/api/v1/auth/token", json={**login, "password": password})).status_code == 401
    forced = problem(await api.post("/api/v1/auth/token", json={**login, "password": temporary}), 403)
    assert forced["type"].endswith("password-change-required")
    change = {"username": username, "password": temporary, "new_password": "short"}
    assert (await api.post("/api/v1/auth/password-change", json=change)).status_code == 422
    change["new_password"] = "correct horse battery staple 42"
    wrong = {**change, "password": "not-the-temporary-one"}
    assert (
        problem(await api.post("/api/v1/auth/password-change", json=wrong), 422)["errors"][0]["pointer"]
        == "/password"
    )
    assert (await api.post("/api/v1/auth/password-change", json=change)).status_code == 204
    assert (await token(api, username, change["new_password"]))["access_token"]
    assert (await api.post("/api/v1/auth/token", json={**login, "password": temporary})).status_code == 401


async def test_who_read_my_data_lists_a_cadres_unmasked_reads_by_org(api: ApiClient) -> None:
    """PIPL Art. 44: a cadre's unmasked read of A's record shows in A's view — when, which fields, through
    which org — and nothing of the reader; B's view shows none of it; a masked read is no read."""
    org = await make_org(name="某街道工会")
    a, person_a, _, _ = await _member(api, org)
    b, person_b, _, _ = await _member(api, org)
    assert (await api.get("/api/v1/me/data/readers", headers=a)).json() == []

    masked = await cadre_login(api, org, "core.person.read")
    shown = await api.get(f"/api/v1/persons/{person_a}", headers=masked)
    assert shown.status_code == 200 and "*" in shown.json()["phone"]
    assert (await api.get("/api/v1/me/data/readers", headers=a)).json() == []

    reader_name, reader_password = await make_account(
        api.app.state.db, grants=[(org["id"], ["core.person.read", "core.person.personal_data"], True)]
    )
    reader = await bearer(api, reader_name, reader_password)
    one = await api.get(f"/api/v1/persons/{person_a}", headers=reader)
    assert one.status_code == 200 and one.json()["phone"] == "13700137000"
    readers = (await api.get("/api/v1/me/data/readers", headers=a)).json()
    assert len(readers) == 1, readers
    entry = readers[0]
    assert entry["action"] == "person.personal_data.read" and entry["at"]
    assert entry["fields"] == ["id_number", "phone"] and entry["tables"] == []
    assert entry["orgs"] == [{"id": str(org["id"]), "name": "某街道工会"}]
    assert entry["actor_kind"] == "account" and entry["yourself"] is False
    reader_id = (await Account.select(Account.id).where(Account.username == reader_name).first().run())["id"]
    text = (await api.get("/api/v1/me/data/readers", headers=a)).text
    assert reader_name not in text and str(reader_id) not in text
    assert (await api.get("/api/v1/me/data/readers", headers=b)).json() == []

    # A page of persons read unmasked is one read of each of them, each seeing only their own.
    listed = await api.get("/api/v1/persons", params={"org": str(org["id"])}, headers=reader)
    assert listed.status_code == 200 and {str(person_a), str(person_b)} <= {
        p["id"] for p in listed.json()["items"]
    }
    of_a = (await api.get("/api/v1/me/data/readers", headers=a)).json()
    assert len(of_a) == 2
    of_b = (await api.get("/api/v1/me/data/readers", headers=b)).json()
    assert [(r["action"], r["orgs"][0]["id"]) for r in of_b] == [
        ("person.personal_data.read", str(org["id"]))
    ]
    # The page's entries were written together, in one bulk append (one time, consecutive numbers).
    assert of_a[0]["at"] == of_b[0]["at"]
    reads = (
        await AuditEntry.select(AuditEntry.seq, AuditEntry.at, AuditEntry.resource_id)
        .where(AuditEntry.action == "person.personal_data.read")
        .order_by(AuditEntry.seq)
        .run()
    )
    page = [r for r in reads if r["at"] == reads[-1]["at"]]
    assert {str(person_a), str(person_b)} <= {r["resource_id"] for r in page}
    seqs = [r["seq"] for r in page]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))) and len(page) == len(reads) - 1
    # Reading one's own record is no read to report.
    assert (await api.get("/api/v1/me", headers=a)).status_code == 200
    assert len((await api.get("/api/v1/me/data/readers", headers=a)).json()) == 2


async def test_export_consents_readers_and_cross_person(api: ApiClient) -> None:
    org = await make_org()
    number = id_number()
    a, person_a, _, _ = await _member(api, org, number=number)
    b, person_b, _, _ = await _member(api, org)
    assert person_b != person_a
    exported = await api.get("/api/v1/me/export", headers=a)
    assert exported.status_code == 200, exported.text
    tables = exported.json()["tables"]
    assert tables["core_person"][0]["id_number"] == number
    assert [m["org"] for m in tables["core_membership"]] == [str(org["id"])]
    assert exported.json()["person_id"] == str(person_a)
    # B's export is B's: nothing of A in it; the cadre route to A's export is closed to B.
    assert str(person_a) not in (await api.get("/api/v1/me/export", headers=b)).text
    assert (await api.get(f"/api/v1/persons/{person_a}/export", headers=b)).status_code == 403

    readers = (await api.get("/api/v1/me/data/readers", headers=a)).json()
    assert [(r["action"], r["yourself"], r["orgs"]) for r in readers] == [("person.exported", True, [])]
    exporter = await cadre_login(api, org, "core.person.export", "core.person.read")
    assert (await api.get(f"/api/v1/persons/{person_a}/export", headers=exporter)).status_code == 200
    readers = (await api.get("/api/v1/me/data/readers", headers=a)).json()
    assert [(r["action"], r["yourself"]) for r in readers] == [
        ("person.exported", False),
        ("person.exported", True),
    ]
    assert readers[0]["orgs"] == [{"id": str(org["id"]), "name": "测试组织"}]
    assert "core_person" in readers[0]["tables"]

    consent_id = uuid.uuid4()
    await Consent.insert(Consent(id=consent_id, person=person_a, purpose="publicity_photos")).run()
    listed = (await api.get("/api/v1/me/consents", headers=a)).json()["items"]
    assert [(c["purpose"], c["withdrawn_at"]) for c in listed] == [("publicity_photos", None)]
    assert (await api.get("/api/v1/me/consents", headers=b)).json()["items"] == []
    assert (await api.post(f"/api/v1/me/consents/{consent_id}/withdrawal", headers=b)).status_code == 404
    withdrawn = await api.post(f"/api/v1/me/consents/{consent_id}/withdrawal", headers=a)
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    summary = (await api.get("/api/v1/me/data", headers=a)).json()
    held = {t["table"]: t for t in summary["tables"]}
    assert held["core_consent"]["on_erasure"] == "keep" and held["core_consent"]["retention"]
    assert held["core_person"]["on_erasure"] == "anonymise"


async def test_correction_and_erasure_requests_are_processes_of_the_home_org(api: ApiClient) -> None:
    org = await make_org(name="某厂工会")
    a, person_a, username, password = await _member(api, org)
    cadre = await cadre_login(api, org, *STAFF)
    assert (
        await api.post("/api/v1/me/data/corrections", json={"statement": "x"}, headers=a)
    ).status_code == 422
    bad = await api.post("/api/v1/me/data/corrections", json={"id_number": "110105199001010000"}, headers=a)
    assert problem(bad, 422)["errors"][0]["pointer"] == "/form/id_number"
    asked = await api.post(
        "/api/v1/me/data/corrections", json={"name": "吴拾", "statement": "户口本为准"}, headers=a
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["type"] == "core.correction" and asked.json()["org_id"] == str(org["id"])
    done = await _step(api, cadre, asked.json(), "approve")
    assert done.status_code == 200, done.text
    assert (await Person.select(Person.name).where(Person.id == person_a).first().run())["name"] == "吴拾"

    erase = await api.post("/api/v1/me/data/erasure", json={"statement": "不再参加"}, headers=a)
    assert erase.status_code == 201 and erase.json()["type"] == "core.erasure"
    refused = await _step(api, cadre, erase.json(), "refuse")
    assert refused.status_code == 422  # a reason is required
    erased = await _step(api, cadre, erase.json(), "approve")
    assert erased.status_code == 200, erased.text
    row = (
        await Person.select(Person.name, Person.erased_at, Person.id_number_enc)
        .where(Person.id == person_a)
        .first()
        .run()
    )
    assert row["erased_at"] is not None and row["id_number_enc"] is None
    assert not await Account.exists().where(Account.person == person_a).run()
    assert (
        await api.post(
            "/api/v1/auth/token", json={"grant_type": "password", "username": username, "password": password}
        )
    ).status_code == 401

    # A person whose record no org keeps has nobody to ask.
    loose_user, loose_password = await make_account(api.app.state.db)
    loose = await bearer(api, loose_user, loose_password)
    assert problem(await api.post("/api/v1/me/data/erasure", json={}, headers=loose), 409)["type"].endswith(
        "no-data-controller"
    )


async def test_sessions_listed_and_ended_and_the_account_closed(api: ApiClient) -> None:
    org = await make_org()
    _, person, username, password = await _member(api, org)
    first = await token(api, username, password)
    second = await token(api, username, password)
    one = {"Authorization": f"Bearer {first['access_token']}"}
    two = {"Authorization": f"Bearer {second['access_token']}"}
    sessions = (await api.get("/api/v1/me/sessions", headers=one)).json()
    assert len(sessions) >= 2 and sum(s["current"] for s in sessions) == 1
    other_session = next(
        s for s in (await api.get("/api/v1/me/sessions", headers=two)).json() if not s["current"]
    )
    # Another person cannot end it.
    b, _, _, _ = await _member(api, org)
    assert (await api.post(f"/api/v1/me/sessions/{other_session['id']}/end", headers=b)).status_code == 404
    mine_one = next(s for s in sessions if s["current"])
    ended = await api.post(f"/api/v1/me/sessions/{mine_one['id']}/end", headers=two)
    assert ended.status_code == 204
    assert (await api.get("/api/v1/me", headers=one)).status_code == 401
    assert (await api.get("/api/v1/me", headers=two)).status_code == 200
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    assert (await api.post("/api/v1/auth/token", json=refresh)).status_code in (400, 401)  # invalid grant

    assert (await api.post("/api/v1/me/closure", json={"password": "wrong"}, headers=two)).status_code == 422
    assert (await api.post("/api/v1/me/closure", json={"password": password}, headers=two)).status_code == 204
    assert (await api.get("/api/v1/me", headers=two)).status_code == 401
    login = {"grant_type": "password", "username": username, "password": password}
    assert (await api.post("/api/v1/auth/token", json=login)).status_code == 401
    assert await Person.exists().where(Person.id == person).run()  # the record stays with the org
