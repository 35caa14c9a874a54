"""Consent, export (PIPL Art. 45), erasure (Art. 47), key rotation, and a scan for plaintext leaks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from litestar import Litestar

from core.identity.keys import reencrypt_persons
from core.identity.tables import Account, Consent, Person, Post
from core.kernel.vault import Vault
from tests.conftest import ApiClient, open_client
from tests.helpers import problem
from tests.identity_helpers import bearer, make_account, make_org

ID = "11010119900307125X"
PHONE = "13912345678"
ALL = [
    "core.person.read",
    "core.person.write",
    "core.person.export",
    "core.person.erase",
    "core.person.personal_data",
    "core.post.manage",
    "core.account.manage",
    "core.audit.read",
]


@pytest.fixture
async def client(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    async for c in open_client(make_app(plugins={})):
        yield c


async def _person(client: ApiClient, headers: dict[str, str], org: dict[str, Any]) -> str:
    response = await client.post(
        "/api/v1/persons",
        json={
            "name": "欧阳·娜娜",
            "home_org": str(org["id"]),
            "id_number": ID,
            "phone": PHONE,
            "address": "某路 8 号",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_consent_export_and_erasure(client: ApiClient) -> None:
    db = client.app.state.db
    root = await make_org()
    left, right = await make_org(root), await make_org(root)
    admin = await bearer(client, *await make_account(db, grants=[(root["path"], ALL, True)]))
    other = await bearer(client, *await make_account(db, grants=[(right["path"], ALL, True)]))
    person_id = await _person(client, admin, left)
    consent = await client.post(
        f"/api/v1/persons/{person_id}/consents", json={"purpose": "member_registration"}, headers=admin
    )
    assert consent.status_code == 201, consent.text
    withdrawn = await client.post(
        f"/api/v1/persons/{person_id}/consents/{consent.json()['id']}/withdrawal", headers=admin
    )
    assert withdrawn.json()["withdrawn_at"] is not None
    problem(
        await client.post(
            f"/api/v1/persons/{person_id}/consents", json={"purpose": "Bad Purpose!"}, headers=admin
        ),
        422,
    )
    post = await client.post(
        "/api/v1/posts",
        json={"person": person_id, "org": str(left["id"]), "title": "妇联主席", "start_date": "2024-01-01"},
        headers=admin,
    )
    assert post.status_code == 201
    account = await client.post(
        "/api/v1/accounts",
        json={"username": "ouyang", "password": "long enough password", "person": person_id},
        headers=admin,
    )
    assert account.status_code == 201, account.text

    exported = await client.get(f"/api/v1/persons/{person_id}/export", headers=admin)
    assert exported.status_code == 200, exported.text
    tables = exported.json()["tables"]
    assert tables["core_person"][0]["id_number"] == ID and tables["core_person"][0]["phone"] == PHONE
    assert "phone_index" not in tables["core_person"][0]
    assert len(tables["core_consent"]) == 1 and len(tables["core_post"]) == 1
    assert (
        tables["core_account"][0]["username"] == "ouyang" and "password_hash" not in tables["core_account"][0]
    )
    problem(await client.get(f"/api/v1/persons/{person_id}/export", headers=other), 404)
    problem(await client.delete(f"/api/v1/persons/{person_id}", headers=other), 404)

    assert (await client.delete(f"/api/v1/persons/{person_id}", headers=admin)).status_code == 204
    row = await Person.select().where(Person.id == person_id).first().run()
    assert row["name"] == "（已删除）" and row["erased_at"] is not None
    assert row["id_number_enc"] is None and row["phone_index"] is None and row["address"] is None
    assert await Account.count().where(Account.person == person_id).run() == 0
    assert await Post.count().where(Post.person == person_id).run() == 1  # kept: legal hold
    assert await Consent.count().where(Consent.person == person_id).run() == 1
    problem(await client.get(f"/api/v1/persons/{person_id}", headers=admin), 404)
    problem(
        await client.post(
            "/api/v1/auth/token",
            json={"grant_type": "password", "username": "ouyang", "password": "long enough password"},
        ),
        401,
    )
    # The ID number is free again.
    assert await _person(client, admin, left)


async def test_key_rotation_reencrypts_with_the_current_key(
    client: ApiClient, make_settings: Callable[..., Any]
) -> None:
    db = client.app.state.db
    org = await make_org()
    admin = await bearer(client, *await make_account(db, grants=[(org["path"], ALL, True)]))
    person_id = await _person(client, admin, org)
    old_vault: Vault = client.app.state.identity.vault
    new_key = "k2:" + "A" * 43
    rotated = Vault.from_settings(make_settings(personal_data_keys=(new_key,)))
    assert rotated.current == "k2"
    assert await reencrypt_persons(db, rotated) == 1
    row = await Person.select().where(Person.id == person_id).first().run()
    assert (
        row["id_number_enc"].startswith("v1.k2.") and rotated.decrypt("id_number", row["id_number_enc"]) == ID
    )
    assert await reencrypt_persons(db, rotated) == 0
    assert old_vault.blind_index("phone", PHONE) == rotated.blind_index("phone", PHONE)


async def test_no_plaintext_id_number_or_phone_in_database_logs_or_outbox(
    client: ApiClient, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    db = client.app.state.db
    root = await make_org()
    admin = await bearer(client, *await make_account(db, grants=[(root["path"], ALL, True)]))
    person_id = await _person(client, admin, root)
    await client.patch(
        f"/api/v1/persons/{person_id}",
        json={"phone": "+86 139 1234 5678", "address": "新地址"},
        headers=admin,
    )
    await client.post("/api/v1/persons/lookup", json={"id_number": ID}, headers=admin)
    await client.post(
        "/api/v1/persons", json={"name": "x", "home_org": str(root["id"]), "id_number": ID}, headers=admin
    )  # 409
    await client.post(
        "/api/v1/persons",
        json={"name": "x", "home_org": str(root["id"]), "phone": "1391234567X"},
        headers=admin,
    )
    await client.get(f"/api/v1/persons/{person_id}/export", headers=admin)
    await client.post(
        "/api/v1/auth/token", json={"grant_type": "password", "username": PHONE, "password": "wrong password"}
    )

    engine = Person._meta.db
    if engine.engine_type == "postgres":
        names = [
            r["tablename"]
            for r in await Person.raw(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).run()
        ]
    else:
        names = [
            r["name"] for r in await Person.raw("SELECT name FROM sqlite_master WHERE type = 'table'").run()
        ]
    assert "core_outbox" in names and "core_audit" in names
    dump = []
    for name in names:
        dump.append(repr(await Person.raw(f'SELECT * FROM "{name}"').run()))
    text = "\n".join(dump) + caplog.text + capsys.readouterr().out
    for secret in (ID, ID.lower(), PHONE, "139 1234 5678", "1391234567X"):
        assert secret not in text, secret


async def test_memberships_and_event_rows_are_covered_by_export_and_erasure(client: ApiClient) -> None:
    """Every core table naming a person is declared: memberships and event rows are exported and kept."""
    import uuid

    from core.members.tables import Membership

    declared = {decl.table._meta.tablename for decl in client.app.state.plugin_manager.registry.personal_data}
    assert {
        "core_membership",
        "core_registration",
        "core_checkin",
        "core_feedback",
        "core_event_invitee",
    } <= declared

    db = client.app.state.db
    org = await make_org()
    admin = await bearer(client, *await make_account(db, grants=[(org["path"], ALL, True)]))
    person_id = await _person(client, admin, org)
    async with db.transaction():
        await Membership.insert(Membership(id=uuid.uuid4(), org=org["id"], person=person_id)).run()
    tables = (await client.get(f"/api/v1/persons/{person_id}/export", headers=admin)).json()["tables"]
    assert [row["org"] for row in tables["core_membership"]] == [str(org["id"])]
    erased = await client.delete(f"/api/v1/persons/{person_id}", headers=admin)
    assert erased.status_code in (200, 204), erased.text
    assert (
        await Membership.count().where(Membership.person == person_id).run() == 1
    )  # kept under a legal hold
