"""Files are personal data: exported with the person they concern and their uploader, erased with them."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from core.files.storage import storage_key
from core.files.tables import StoredFile
from core.identity.tables import Account
from tests.conftest import ApiClient
from tests.core.files.conftest import PDF, png, upload
from tests.identity_helpers import bearer, make_account, make_org

PERSONS = ["core.person.read", "core.person.write", "core.person.export", "core.person.erase"]


def _path(client: ApiClient, file_id: str) -> Path:
    return Path(client.app.state.settings.files_path) / storage_key(UUID(file_id))


async def test_export_lists_and_erasure_removes_rows_and_objects(client: ApiClient) -> None:
    db = client.app.state.db
    root = await make_org()
    left = await make_org(root)
    admin = await bearer(client, *await make_account(db, grants=[(root["path"], PERSONS, True)]))
    username, password = await make_account(db, home_org=left["id"])
    applicant = await bearer(client, username, password)
    person = (await Account.select(Account.person).where(Account.username == username).first().run())[
        "person"
    ]

    # The applicant uploads their own 申请书; a cadre adds a 证明材料 about them.
    own = await upload(client, applicant, "filetest.record", person, png(), name="申请书.png")
    assert own.status_code == 201, own.text
    proof = await upload(
        client, admin, "filetest.record", person, PDF, name="证明材料.pdf", content_type="application/pdf"
    )
    assert proof.status_code == 201, proof.text
    # And the cadre keeps a file about another person: it must survive the applicant's erasure.
    other_username, _ = await make_account(db, home_org=left["id"])
    other = (await Account.select(Account.person).where(Account.username == other_username).first().run())[
        "person"
    ]
    kept = await upload(client, admin, "filetest.record", other, png(), name="other.png")
    assert kept.status_code == 201, kept.text
    ids = {own.json()["id"], proof.json()["id"]}
    assert {own.json()["subject_id"], proof.json()["subject_id"]} == {str(person)}

    exported = await client.get(f"/api/v1/persons/{person}/export", headers=admin)
    assert exported.status_code == 200, exported.text
    rows = exported.json()["tables"]["core_file"]
    assert sorted(r["id"] for r in rows) == sorted(ids)  # once each, though declared for two columns
    assert all("storage_key" not in r for r in rows)

    for file_id in ids:
        assert _path(client, file_id).is_file()
    erased = await client.delete(f"/api/v1/persons/{person}", headers=admin)
    assert erased.status_code in (200, 204), erased.text
    assert await StoredFile.count().where(StoredFile.subject == person).run() == 0
    for file_id in ids:
        assert not _path(client, file_id).exists()
    assert _path(client, kept.json()["id"]).is_file()
    assert await StoredFile.count().run() == 1


async def test_erasing_an_uploader_keeps_what_concerns_others(client: ApiClient) -> None:
    db = client.app.state.db
    root = await make_org()
    admin_name, admin_password = await make_account(
        db, grants=[(root["path"], PERSONS, True)], home_org=root["id"]
    )
    admin = await bearer(client, admin_name, admin_password)
    cadre = (await Account.select(Account.person).where(Account.username == admin_name).first().run())[
        "person"
    ]
    subject_name, _ = await make_account(db, home_org=root["id"])
    subject = (await Account.select(Account.person).where(Account.username == subject_name).first().run())[
        "person"
    ]
    created = await upload(client, admin, "filetest.record", subject, png())
    assert created.status_code == 201, created.text
    assert created.json()["uploaded_by"] == str(cadre)
    exported = (await client.get(f"/api/v1/persons/{cadre}/export", headers=admin)).json()["tables"][
        "core_file"
    ]
    assert [r["id"] for r in exported] == [created.json()["id"]]

    erased = await client.delete(f"/api/v1/persons/{cadre}", headers=admin)
    assert erased.status_code in (200, 204), erased.text
    row = await StoredFile.select().where(StoredFile.id == UUID(created.json()["id"])).first().run()
    assert row is not None and row["uploaded_by"] is None and row["subject"] == subject
    assert _path(client, created.json()["id"]).is_file()
