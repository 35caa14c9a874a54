"""Audit entries reach every org they concern: a person's home org sees what another org did to them, and
an import leaves one ``person.created`` per person it created."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from core.identity.tables import AuditEntry, Person
from core.members.tables import Membership
from tests.conftest import ApiClient
from tests.identity_helpers import bearer, make_account, make_org


async def _entries(client: ApiClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/audit", params={"limit": 100, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def test_the_home_org_sees_its_person_read_changed_and_exported_by_others(client: ApiClient) -> None:
    db = client.app.state.db
    every = sorted(client.app.state.registry.permissions)
    root = await make_org(name="R")
    a, b = await make_org(root, name="A"), await make_org(root, name="B")
    admin_a = await bearer(client, *await make_account(db, grants=[(a["path"], every, True)]))
    auditor_b = await bearer(client, *await make_account(db, grants=[(b["path"], ["core.audit.read"], True)]))
    # A person of B, also a member of A (however they became one).
    person_id = uuid.uuid4()
    async with db.transaction():
        await Person.insert(Person(id=person_id, name="王五", home_org=b["id"])).run()
        await Membership.insert(
            Membership(
                org=a["id"], person=person_id, joined_at=datetime.now(UTC), updated_at=datetime.now(UTC)
            )
        ).run()
    phone = "13600136000"
    changed = await client.patch(f"/api/v1/persons/{person_id}", json={"phone": phone}, headers=admin_a)
    assert changed.status_code == 200 and changed.json()["phone"] == phone  # unmasked for A's admin
    # Export needs custody (the home org B within reach): A's admin is refused, R's admin may.
    assert (await client.get(f"/api/v1/persons/{person_id}/export", headers=admin_a)).status_code == 403
    admin_r = await bearer(client, *await make_account(db, grants=[(root["path"], every, True)]))
    assert (await client.get(f"/api/v1/persons/{person_id}/export", headers=admin_r)).status_code == 200

    seen_by_b = await _entries(client, auditor_b, resource_id=str(person_id))
    actions = {e["action"] for e in seen_by_b}
    assert {"person.updated", "person.personal_data.read", "person.exported"} <= actions, actions
    exported = next(e for e in seen_by_b if e["action"] == "person.exported")
    assert b["path"] in exported["org_paths"] and a["path"] in exported["org_paths"]
    read = next(e for e in seen_by_b if e["action"] == "person.personal_data.read")
    assert read["changes"] == {
        "person_ids": [str(person_id)],
        "fields": ["phone"],
        "via_orgs": [str(a["id"])],
    }
    assert phone not in str(seen_by_b) and "王五" not in str(seen_by_b)
    # An org that neither keeps nor has the person sees none of it.
    c = await make_org(root, name="C")
    auditor_c = await bearer(client, *await make_account(db, grants=[(c["path"], ["core.audit.read"], True)]))
    assert await _entries(client, auditor_c, resource_id=str(person_id)) == []


async def test_reading_ones_own_data_is_not_recorded(client: ApiClient) -> None:
    db = client.app.state.db
    org = await make_org(name="R")
    person_id = uuid.uuid4()
    async with db.transaction():
        await Person.insert(Person(id=person_id, name="赵六", home_org=org["id"])).run()
    headers = await bearer(client, *await make_account(db, person=person_id))
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert await AuditEntry.count().where(AuditEntry.action == "person.personal_data.read").run() == 0


async def test_an_import_records_each_person_it_created(client: ApiClient) -> None:
    db = client.app.state.db
    every = sorted(client.app.state.registry.permissions)
    org = await make_org(name="R")
    admin = await bearer(client, *await make_account(db, grants=[(org["path"], every, True)]))
    rows = "".join(f"{org['id']},成员{i},1380013{i:04d}\n" for i in range(25))
    content = ("org,name,phone\n" + rows).encode()
    imported = await client.post(
        "/api/v1/imports/members", files={"file": ("m.csv", content, "text/csv")}, headers=admin
    )
    assert imported.status_code == 200, imported.text
    persons = {str(r["id"]) for r in await Person.select(Person.id).where(Person.home_org == org["id"]).run()}
    assert len(persons) == 25
    created = await AuditEntry.select().where(AuditEntry.action == "person.created").run()
    assert {e["resource_id"] for e in created} == persons and len(created) == 25
    assert await AuditEntry.count().where(AuditEntry.action == "member.joined").run() == 25
    summary = await _entries(client, admin, action="data.imported")
    assert summary[0]["changes"]["written"] == {"person.created": 25, "member.joined": 25}
    assert "13800130001" not in str(await AuditEntry.select(AuditEntry.changes).run())
    assert (await client.get("/api/v1/audit/verify", headers=admin)).status_code == 403  # not the whole log
    platform = await bearer(client, *await make_account(db, grants=[(None, ["core.audit.read"], True)]))
    verdict = (await client.get("/api/v1/audit/verify", headers=platform)).json()
    # 25 + 25 + the summary, written in bulk and chained alike — beside the start's entry writing the
    # plugins' built-in roles into the role table.
    synced = await AuditEntry.count().where(AuditEntry.action == "role.builtin_synced").run()
    assert verdict["status"] == "intact" and verdict["entries"] == 51 + synced
