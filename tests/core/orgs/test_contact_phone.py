"""An org's contact phone: encrypted at rest, masked unless ``core.person.personal_data`` reaches the org."""

from __future__ import annotations

import importlib
import io
import logging
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from python_calamine import CalamineWorkbook

from core.kernel.access import Reach
from core.kernel.vault import Vault
from core.orgs.contact import FIELD, Reveal, mask_contact_phone, reencrypt_contact_phones
from core.orgs.exports import export_rows
from core.orgs.tables import Org
from tests.conftest import ApiClient, open_client
from tests.core.orgs.conftest import Tree
from tests.helpers import GrantedPrincipal, problem, with_principal

MOBILE, LANDLINE = "13800138000", "0571-87654321"
READ, PD = "core.org.read", "core.person.personal_data"


@pytest.mark.parametrize(
    ("entered", "masked"),
    [
        ("", ""),
        ("13800138000", "138****8000"),
        ("+86 138 0013 8000", "138****8000"),
        ("１３８００１３８０００", "138****8000"),
        ("010-12345678", "010-****5678"),
        ("0571-87654321转123", "0571-****4321"),
        ("(0571) 8765 4321", "0571-****4321"),
        ("87654321", "****4321"),
        ("400-123-4567", "******4567"),
        ("12345", "****5"),
        ("王书记", "****"),
    ],
)
def test_masking_keeps_at_most_the_area_code_and_four_last_digits(entered: str, masked: str) -> None:
    assert mask_contact_phone(entered) == masked


async def _paths(tree: Tree) -> dict[str, str]:
    rows = await Org.select(Org.id, Org.path).run()
    by_id = {str(r["id"]): r["path"] for r in rows}
    return {key: by_id[org_id] for key, org_id in tree.ids.items()}


async def _two_districts(tree: Tree) -> dict[str, str]:
    await tree.add("city", "party.committee", "city", name="杭州市委", contact_phone="0571-80000000")
    await tree.add("a", "party.committee", "county", "city", name="西湖区委", contact_phone=MOBILE)
    await tree.add("b", "party.committee", "county", "city", name="上城区委", contact_phone=LANDLINE)
    await tree.add("none", "party.committee", "county", "city", name="拱墅区委")
    return await _paths(tree)


async def test_stored_encrypted_and_shown_in_full_only_within_the_reach_of_personal_data(
    api: ApiClient, tree: Tree, make_app: Callable[..., Litestar]
) -> None:
    paths = await _two_districts(tree)
    vault: Vault = api.app.state.identity.vault
    stored = {
        str(r["id"]): r
        for r in await Org.raw("SELECT id, contact_phone_enc, contact_phone_masked FROM core_org").run()
    }
    a = stored[tree.ids["a"]]
    assert MOBILE not in a["contact_phone_enc"] and vault.decrypt(FIELD, a["contact_phone_enc"]) == MOBILE
    assert a["contact_phone_masked"] == "138****8000"
    assert vault.decrypt(FIELD, stored[tree.ids["b"]]["contact_phone_enc"]) == LANDLINE
    assert stored[tree.ids["none"]]["contact_phone_enc"] is None
    # The caller who may do anything (personal data everywhere) sees them in full.
    assert (await api.get(f"/api/v1/orgs/{tree.ids['a']}")).json()["contact_phone"] == MOBILE

    everywhere = [Reach(path="", subtree=True)]
    reader = GrantedPrincipal({READ: everywhere})
    seer = GrantedPrincipal({READ: everywhere, PD: [Reach(path=paths["a"], subtree=True)]})
    expected = {
        "reader": {"a": "138****8000", "b": "0571-****4321", "city": "0571-****0000", "none": ""},
        "seer": {"a": MOBILE, "b": "0571-****4321", "city": "0571-****0000", "none": ""},
    }
    for who, principal in (("reader", reader), ("seer", seer)):
        async for client in open_client(with_principal(make_app(), principal)):
            for key, phone in expected[who].items():
                one = await client.get(f"/api/v1/orgs/{tree.ids[key]}")
                assert one.json()["contact_phone"] == phone, (who, key)
            listed = await client.get("/api/v1/orgs", params={"limit": 100})
            by_id = {o["id"]: o["contact_phone"] for o in listed.json()["items"]}
            assert {k: by_id[tree.ids[k]] for k in expected[who]} == expected[who], who
            children = await client.get("/api/v1/orgs", params={"org": tree.ids["city"], "scope": "children"})
            assert {o["id"]: o["contact_phone"] for o in children.json()["items"]}[tree.ids["a"]] == (
                expected[who]["a"]
            )


async def test_writes_take_the_full_number_and_answer_masked_without_the_permission(
    api: ApiClient, tree: Tree, make_app: Callable[..., Litestar]
) -> None:
    paths = await _two_districts(tree)
    # The caller with personal data everywhere gets the full number back (other apps are opened after).
    full = await api.patch(
        f"/api/v1/orgs/{tree.ids['none']}", json={"contact_phone": "010-12345678"}, headers={"If-Match": "*"}
    )
    assert full.json()["contact_phone"] == "010-12345678"
    moved = await api.post(f"/api/v1/orgs/{tree.ids['a']}/move", json={"parent": tree.ids["b"]})
    assert moved.status_code == 200 and moved.json()["contact_phone"] == MOBILE
    writer = GrantedPrincipal(
        {READ: [Reach(path=paths["city"], subtree=True)], "core.org.update": [Reach(path=paths["city"])]}
    )
    async for client in open_client(with_principal(make_app(), writer)):
        url = f"/api/v1/orgs/{tree.ids['city']}"
        changed = await client.patch(url, json={"contact_phone": "13912345678"}, headers={"If-Match": "*"})
        assert changed.status_code == 200 and changed.json()["contact_phone"] == "139****5678"
        etag = changed.headers["etag"]
        # The same number again is no change (the stored one is compared in full).
        same = await client.patch(url, json={"contact_phone": "13912345678"}, headers={"If-Match": "*"})
        assert same.headers["etag"] == etag
        too_long = await client.patch(url, json={"contact_phone": "1" * 33}, headers={"If-Match": "*"})
        assert problem(too_long, 422)["errors"][0]["pointer"] == "/contact_phone"
        cleared = await client.patch(url, json={"contact_phone": ""}, headers={"If-Match": "*"})
        assert cleared.json()["contact_phone"] == ""
        row = (
            await Org.select(Org.contact_phone_enc, Org.contact_phone_masked)
            .where(Org.id == tree.ids["city"])
            .first()
        )
        assert row == {"contact_phone_enc": None, "contact_phone_masked": ""}


async def test_never_in_plain_text_in_the_database_logs_or_signals(
    api: ApiClient, tree: Tree, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    await _two_districts(tree)
    await api.patch(
        f"/api/v1/orgs/{tree.ids['none']}", json={"contact_phone": "13698765432"}, headers={"If-Match": "*"}
    )
    await api.post(f"/api/v1/orgs/{tree.ids['none']}/dissolve")
    engine = Org._meta.db
    if engine.engine_type == "postgres":
        sql = "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    names = [r["name"] for r in await Org.raw(sql).run()]
    assert "core_outbox" in names
    dump = [repr(await Org.raw(f'SELECT * FROM "{name}"').run()) for name in names]
    text = "\n".join(dump) + caplog.text + capsys.readouterr().out
    for secret in (MOBILE, "87654321", "13698765432", "80000000"):
        assert secret not in text, secret


async def test_import_encrypts_and_export_masks_unless_revealed(
    api: ApiClient, tree: Tree, make_app: Callable[..., Litestar]
) -> None:
    await tree.add("city", "party.committee", "city", name="杭州市委", region_code="330100")
    csv = (
        "ref,name,kind,level,parent,联系电话\n"
        f"s1,西湖街道党工委,party.committee,township,{tree.ids['city']},{MOBILE}\n"
        f"s2,上城街道党工委,party.committee,township,{tree.ids['city']},{LANDLINE}\n"
    ).encode()
    report = await api.post("/api/v1/imports/orgs", files={"file": ("orgs.csv", csv)})
    assert report.status_code == 200, report.text
    rows = await Org.select(Org.name, Org.path, Org.contact_phone_enc, Org.contact_phone_masked).run()
    imported = {r["name"]: r for r in rows}
    vault: Vault = api.app.state.identity.vault
    assert vault.decrypt(FIELD, imported["西湖街道党工委"]["contact_phone_enc"]) == MOBILE
    assert imported["上城街道党工委"]["contact_phone_masked"] == "0571-****4321"

    # An exporter without personal data gets them masked, in CSV and XLSX alike.
    everywhere = [Reach(path="", subtree=True)]
    exporter = GrantedPrincipal({"core.data.export": everywhere})
    async for client in open_client(with_principal(make_app(), exporter)):
        exported = await client.get("/api/v1/exports/orgs", params={"org": tree.ids["city"]})
        text = exported.content.decode("utf-8-sig")
        assert "138****8000" in text and "0571-****4321" in text and MOBILE not in text
        params = {"org": tree.ids["city"], "format": "xlsx"}
        xlsx = await client.get("/api/v1/exports/orgs", params=params)
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
        phone_column = sheet[0].index("联系电话")  # headers in the caller's language
        assert {r[phone_column] for r in sheet[1:]} == {"", "138****8000", "0571-****4321"}
    api.app.state.db.bind()  # Piccolo binds engines per table class: the first app's is the bound one again
    # The caller whose personal data reaches everywhere gets them in full.
    full = (await api.get("/api/v1/exports/orgs", params={"org": tree.ids["city"]})).content.decode(
        "utf-8-sig"
    )
    assert MOBILE in full and LANDLINE in full

    # Revealed where personal data reaches: one street in full, the other masked.
    reveal = Reveal(vault, (Reach(path=imported["西湖街道党工委"]["path"]),))
    out = [row async for row in export_rows("orgs", everywhere, reveal=reveal)]
    phones = {row[2]: row[10] for row in out}
    assert phones["西湖街道党工委"] == MOBILE and phones["上城街道党工委"] == "0571-****4321"


async def test_key_rotation_reencrypts_contact_phones(
    api: ApiClient, tree: Tree, make_settings: Callable[..., Any]
) -> None:
    await _two_districts(tree)
    db = api.app.state.db
    rotated = Vault.from_settings(make_settings(personal_data_keys=("k2:" + "A" * 43,)))
    assert await reencrypt_contact_phones(db, rotated) == 3
    row = await Org.select(Org.contact_phone_enc).where(Org.id == tree.ids["a"]).first()
    assert row["contact_phone_enc"].startswith("v1.k2.")
    assert rotated.decrypt(FIELD, row["contact_phone_enc"]) == MOBILE
    assert await reencrypt_contact_phones(db, rotated) == 0


async def test_the_data_migration_encrypts_plain_text_phones_and_drops_them(
    api: ApiClient, tree: Tree
) -> None:
    migration = importlib.import_module("core.orgs.piccolo_migrations.orgs_2026_11_21t12_13_49_000000")
    await _two_districts(tree)
    # The table as the previous migration left it: a plain-text column, the new columns still empty.
    await Org.raw("ALTER TABLE core_org ADD COLUMN contact_phone VARCHAR(32) NOT NULL DEFAULT ''").run()
    await Org.raw("UPDATE core_org SET contact_phone_enc = NULL, contact_phone_masked = ''").run()
    await Org.raw("UPDATE core_org SET contact_phone = {} WHERE id = {}", MOBILE, tree.ids["a"]).run()
    await Org.raw("UPDATE core_org SET contact_phone = {} WHERE id = {}", LANDLINE, tree.ids["b"]).run()
    async with api.app.state.db.transaction():  # as `quntuan migrate` runs each migration
        await (await migration.forwards()).run()
    rows = {str(r["id"]): r for r in await Org.raw("SELECT * FROM core_org").run()}
    assert all("contact_phone" not in r for r in rows.values())
    vault: Vault = api.app.state.identity.vault
    assert vault.decrypt(FIELD, rows[tree.ids["a"]]["contact_phone_enc"]) == MOBILE
    assert rows[tree.ids["b"]]["contact_phone_masked"] == "0571-****4321"
    assert rows[tree.ids["none"]]["contact_phone_enc"] is None
    assert (await api.get(f"/api/v1/orgs/{tree.ids['b']}")).json()["contact_phone"] == LANDLINE
