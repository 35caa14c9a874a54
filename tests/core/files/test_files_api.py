"""Files through HTTP: upload and download with reach enforced by the owner kind, sniffing, limits."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

from core.files.storage import storage_key
from core.files.tables import StoredFile
from core.identity.tables import AuditEntry
from core.integration.tables import OutboxSignal
from tests.conftest import ApiClient
from tests.core.files.conftest import EXE, PDF, png, upload, zip_bytes
from tests.helpers import problem
from tests.identity_helpers import bearer, make_account, make_org

READ, WRITE = "core.org.read", "core.org.update"


async def _tree(client: ApiClient) -> dict[str, Any]:
    """Two sibling orgs under a root; a writer and a reader on the left one, a writer on the right one."""
    db = client.app.state.db
    root = await make_org()
    left, right = await make_org(root), await make_org(root)
    return {
        "left": left,
        "right": right,
        "writer": await bearer(client, *await make_account(db, grants=[(left["path"], [READ, WRITE], True)])),
        "reader": await bearer(client, *await make_account(db, grants=[(left["path"], [READ], True)])),
        "sibling": await bearer(
            client, *await make_account(db, grants=[(right["path"], [READ, WRITE], True)])
        ),
    }


def _stored(client: ApiClient, file_id: str) -> Path:
    from uuid import UUID

    return Path(client.app.state.settings.files_path) / storage_key(UUID(file_id))


def _objects(client: ApiClient) -> list[Path]:
    """Every stored object of the app's local storage (the spool directory aside)."""
    root = Path(client.app.state.settings.files_path)
    return [p for p in root.rglob("*") if p.is_file() and ".incoming" not in p.parts]


async def test_upload_and_download_follow_the_owners_reach(client: ApiClient) -> None:
    t = await _tree(client)
    content = png(300)
    created = await upload(client, t["writer"], "filetest.dossier", t["left"]["id"], content)
    assert created.status_code == 201, created.text
    info = created.json()
    assert info["name"] == "申请书.png" and info["content_type"] == "image/png"
    assert info["size"] == len(content) and info["sha256"] == hashlib.sha256(content).hexdigest()
    assert created.headers["etag"] == f'"{info["sha256"]}"'
    file_id = info["id"]
    assert _stored(client, file_id).read_bytes() == content

    for who in ("writer", "reader"):
        meta = await client.get(f"/api/v1/files/{file_id}", headers=t[who])
        assert meta.status_code == 200 and meta.json() == info
        body = await client.get(f"/api/v1/files/{file_id}/content", headers=t[who])
        assert body.status_code == 200 and body.content == content
        assert body.headers["content-type"] == "image/png"
        assert body.headers["x-content-type-options"] == "nosniff"
        assert body.headers["etag"] == f'"{info["sha256"]}"'
        assert body.headers["content-disposition"] == (
            f"inline; filename=\"___.png\"; filename*=UTF-8''{quote('申请书.png')}"
        )
    cached = await client.get(
        f"/api/v1/files/{file_id}/content", headers={**t["reader"], "If-None-Match": f'"{info["sha256"]}"'}
    )
    assert cached.status_code == 304 and cached.content == b""
    listed = await client.get(
        "/api/v1/files",
        params={"owner_kind": "filetest.dossier", "owner_id": str(t["left"]["id"])},
        headers=t["reader"],
    )
    assert listed.status_code == 200 and [f["id"] for f in listed.json()["items"]] == [file_id]

    # A caller of the sibling subtree learns nothing: every route answers 404, as for an absent file.
    sibling = t["sibling"]
    problem(await client.get(f"/api/v1/files/{file_id}", headers=sibling), 404)
    problem(await client.get(f"/api/v1/files/{file_id}/content", headers=sibling), 404)
    problem(
        await client.get(
            "/api/v1/files",
            params={"owner_kind": "filetest.dossier", "owner_id": str(t["left"]["id"])},
            headers=sibling,
        ),
        404,
    )
    problem(await upload(client, sibling, "filetest.dossier", t["left"]["id"], png()), 404)
    problem(await client.delete(f"/api/v1/files/{file_id}", headers=sibling), 404)
    # Who may see but not write: 403 on upload and delete.
    problem(await upload(client, t["reader"], "filetest.dossier", t["left"]["id"], png()), 403)
    problem(await client.delete(f"/api/v1/files/{file_id}", headers=t["reader"]), 403)

    deleted = await client.delete(f"/api/v1/files/{file_id}", headers=t["writer"])
    assert deleted.status_code == 204, deleted.text
    assert not _stored(client, file_id).exists()
    problem(await client.get(f"/api/v1/files/{file_id}", headers=t["writer"]), 404)

    actions = (
        await AuditEntry.select(AuditEntry.action, AuditEntry.changes)
        .where(AuditEntry.resource_id == file_id)
        .run()
    )
    assert sorted(a["action"] for a in actions) == ["file.deleted", "file.uploaded"]
    assert "申请书" not in str(actions)  # file names may name people: never in the audit log
    signals = (
        await OutboxSignal.select(OutboxSignal.name, OutboxSignal.payload)
        .where(OutboxSignal.resource_id == file_id)
        .run()
    )
    assert sorted(s["name"] for s in signals) == ["file.deleted", "file.uploaded"]
    assert "申请书" not in str(signals)


async def test_disguised_files_are_refused_and_nothing_is_kept(client: ApiClient) -> None:
    t = await _tree(client)
    owner = t["left"]["id"]
    cases = [
        (zip_bytes(), "photo.png", "image/png", "file-type-not-allowed"),  # a ZIP declared as a PNG
        (EXE, "证明材料.pdf", "application/pdf", "file-type-not-allowed"),  # an .exe renamed .pdf
        (PDF, "scan.png", "image/png", "file-type-mismatch"),  # a real PDF declared as a PNG
        (PDF, "scan.pdf", "image/png", "file-type-mismatch"),  # the declared type alone disagrees
        (png(), "scan.pdf", "application/octet-stream", "file-type-mismatch"),  # a PNG named .pdf
        (png(), "scan", "image/png", "file-type-mismatch"),  # no extension to agree with
        (b"just some text", "note.png", "image/png", "file-type-not-allowed"),  # nothing recognisable
    ]
    for content, name, declared, code in cases:
        body = problem(
            await upload(
                client, t["writer"], "filetest.dossier", owner, content, name=name, content_type=declared
            ),
            415,
        )
        assert body["type"].endswith(code), (name, body)
    english = await client.post(
        "/api/v1/files",
        data={"owner_kind": "filetest.dossier", "owner_id": str(owner)},
        files={"file": ("photo.png", zip_bytes(), "image/png")},
        headers={**t["writer"], "Accept-Language": "en"},
    )
    assert "not among the accepted types" in problem(english, 415)["detail"]
    # The per-kind list narrows the platform's: a PDF is fine for a dossier, not for a photo.
    problem(
        await upload(
            client, t["writer"], "filetest.photo", owner, PDF, name="a.pdf", content_type="application/pdf"
        ),
        415,
    )
    accepted = await upload(
        client, t["writer"], "filetest.dossier", owner, PDF, name="a.pdf", content_type="application/pdf"
    )
    assert accepted.status_code == 201, accepted.text
    assert await StoredFile.count().run() == 1
    incoming = Path(client.app.state.settings.files_path) / ".incoming"
    assert list(incoming.iterdir()) == []


async def test_size_limits_answer_413_while_streaming(
    client: ApiClient, make_app: Any, files_settings: Any
) -> None:
    t = await _tree(client)
    owner = t["left"]["id"]
    # The photo kind allows 1 KiB: the limit is known before the file part arrives and stops it.
    body = problem(await upload(client, t["writer"], "filetest.photo", owner, png(2000)), 413)
    assert body["type"].endswith("file-too-large") and "1024" in body["detail"]
    small = await upload(client, t["writer"], "filetest.photo", owner, png(100))
    assert small.status_code == 201, small.text
    assert await StoredFile.count().run() == 1
    incoming = Path(client.app.state.settings.files_path) / ".incoming"
    assert list(incoming.iterdir()) == []


async def test_platform_size_limit(make_app: Any, files_settings: Any) -> None:
    import msgspec

    from tests.conftest import open_client
    from tests.core.files.conftest import PLUGINS

    settings = msgspec.structs.replace(files_settings, files_max_size=4096)
    async for client in open_client(make_app(plugins=PLUGINS, settings_=settings)):
        t = await _tree(client)
        body = problem(
            await upload(client, t["writer"], "filetest.dossier", t["left"]["id"], png(10_000)), 413
        )
        assert "4096" in body["detail"]
        ok = await upload(client, t["writer"], "filetest.dossier", t["left"]["id"], png(3000))
        assert ok.status_code == 201, ok.text


async def test_bad_input_is_a_4xx_problem(client: ApiClient) -> None:
    t = await _tree(client)
    owner, headers = str(t["left"]["id"]), t["writer"]
    problem(await client.post("/api/v1/files", json={"owner_kind": "filetest.dossier"}, headers=headers), 415)
    missing_file = await client.post(
        "/api/v1/files",
        data={"owner_kind": "filetest.dossier", "owner_id": owner},
        files={"x": ("a", b"1")},
        headers=headers,
    )
    assert problem(missing_file, 422)["errors"][0]["pointer"] in ("/file", "/x")
    body = problem(
        await client.post("/api/v1/files", files={"file": ("a.png", png(), "image/png")}, headers=headers),
        422,
    )
    assert {e["pointer"] for e in body["errors"]} == {"/owner_kind", "/owner_id"}
    body = problem(await upload(client, headers, "filetest.dossier", "not-a-uuid", png()), 422)
    assert body["errors"][0]["pointer"] == "/owner_id"
    body = problem(
        await upload(client, headers, "filetest.dossier", owner, png(), extra={"colour": "red"}), 422
    )
    assert body["errors"][0] == {
        "pointer": "/colour",
        "code": "unknown_field",
        "message": body["errors"][0]["message"],
    }
    problem(await upload(client, headers, "nobody.kind", owner, png()), 404)  # unknown kind: as hidden
    problem(
        await upload(client, headers, "filetest.dossier", "00000000-0000-4000-8000-000000000000", png()), 404
    )
    truncated = await client.post(
        "/api/v1/files",
        content=b'--b\r\nContent-Disposition: form-data; name="owner_kind"\r\n\r\nfiletest.dossier\r\n--b\r\nContent-Dis',
        headers={**headers, "Content-Type": "multipart/form-data; boundary=b"},
    )
    problem(truncated, 400)
    problem(await upload(client, headers, "filetest.dossier", owner, png(), name="..."), 422)
    problem(await upload(client, {}, "filetest.dossier", owner, png()), 401)
    problem(
        await client.get("/api/v1/files", params={"owner_kind": "filetest.dossier"}, headers=headers), 400
    )
    problem(await client.get("/api/v1/files/not-a-uuid", headers=headers), 404)
    assert await StoredFile.count().run() == 0


async def test_idempotency_key_stores_one_file(client: ApiClient) -> None:
    t = await _tree(client)
    headers = {**t["writer"], "Idempotency-Key": "upload-1"}
    first = await upload(client, headers, "filetest.dossier", t["left"]["id"], png())
    again = await upload(client, headers, "filetest.dossier", t["left"]["id"], png())
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    assert await StoredFile.count().run() == 1
    assert len(_objects(client)) == 1
    other = await upload(client, headers, "filetest.dossier", t["left"]["id"], png(5))
    problem(other, 422)
