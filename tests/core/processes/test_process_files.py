"""Attachments of processes and notices through HTTP: the core's ``process`` and ``notice`` owner kinds.

Up and down with reach enforced (the applicant, the handler, a cadre of another subtree), a disguised file
refused, no new attachment by the applicant once the process is closed, the applicant as the files'
subject (exported and erased with them), and a notice's attachments public while it is published.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from core.files.tables import StoredFile
from tests.conftest import ApiClient
from tests.core.processes.conftest import REVIEW, STAFF, World, act, apply, grant, make_persons, person
from tests.helpers import problem

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "not a document")
    return buffer.getvalue()


async def _upload(
    api: ApiClient,
    headers: dict[str, str],
    kind: str,
    owner_id: Any,
    content: bytes = PDF,
    name: str = "证明材料.pdf",
    content_type: str = "application/pdf",
) -> Any:
    return await api.post(
        "/api/v1/files",
        data={"owner_kind": kind, "owner_id": str(owner_id)},
        files={"file": (name, content, content_type)},
        headers=headers,
    )


async def test_process_attachments_follow_the_process(api: ApiClient, world: World) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    base = world.add("base", grant(world.grassroots, REVIEW))
    stranger = world.add("stranger", grant(world.women, *STAFF))
    nobody = world.add("nobody", person((await make_persons(1))[0]))
    process = await apply(api, me, world.grassroots)

    uploaded = await _upload(api, me, "process", process["id"])
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]
    row = await StoredFile.select().where(StoredFile.id == file_id).first().run()
    assert row["subject"] == pid and row["owner_kind"] == "process"  # the applicant's personal data

    # The handler sees and downloads it; a cadre of another subtree and another person get 404.
    listed = await api.get(
        "/api/v1/files", params={"owner_kind": "process", "owner_id": process["id"]}, headers=base
    )
    assert [f["id"] for f in listed.json()["items"]] == [file_id]
    content = await api.get(f"/api/v1/files/{file_id}/content", headers=base)
    assert content.status_code == 200 and content.content == PDF
    for outsider in (stranger, nobody):
        assert (await api.get(f"/api/v1/files/{file_id}", headers=outsider)).status_code == 404
        assert (await _upload(api, outsider, "process", process["id"])).status_code == 404
        hidden = await api.get(
            "/api/v1/files", params={"owner_kind": "process", "owner_id": process["id"]}, headers=outsider
        )
        assert hidden.status_code == 404

    # A ZIP declared as a PDF is refused, whoever sends it.
    disguised = await _upload(api, me, "process", process["id"], content=_zip())
    assert problem(disguised, 415)["status"] == 415

    # The handler attaches too; once the process is closed the applicant may no longer add files.
    assert (await _upload(api, base, "process", process["id"], name="核查记录.pdf")).status_code == 201
    withdrawn = await act(api, me, process, "withdraw")
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "closed"
    assert (await _upload(api, me, "process", process["id"])).status_code == 403
    # …but still reads what was attached.
    assert (await api.get(f"/api/v1/files/{file_id}/content", headers=me)).status_code == 200


async def test_notice_attachments_are_public_while_published(api: ApiClient, world: World) -> None:
    manager = world.add("manager", grant(world.federation, "core.notice.manage"))
    reader = world.add("reader", person((await make_persons(1))[0]))
    published = await api.post(
        "/api/v1/notices",
        json={"org_id": str(world.federation["id"]), "title": "年度评优公示", "body": "名单如下", "days": 5},
        headers=manager,
    )
    assert published.status_code == 201, published.text
    notice_id = published.json()["id"]

    assert (await _upload(api, reader, "notice", notice_id)).status_code == 403  # may see, not add
    uploaded = await _upload(api, manager, "notice", notice_id, name="评优名单.pdf")
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]
    row = await StoredFile.select(StoredFile.subject).where(StoredFile.id == file_id).first().run()
    assert row["subject"] is None  # the organization's record, nobody's personal data
    assert (await api.get(f"/api/v1/files/{file_id}/content", headers=reader)).status_code == 200

    withdrawn = await api.post(f"/api/v1/notices/{notice_id}/withdraw", headers=manager)
    assert withdrawn.status_code == 200, withdrawn.text
    assert (await api.get(f"/api/v1/files/{file_id}", headers=reader)).status_code == 404
    assert (await api.get(f"/api/v1/files/{file_id}", headers=manager)).status_code == 200
    assert (await api.delete(f"/api/v1/files/{file_id}", headers=manager)).status_code == 204


async def test_a_published_notice_is_in_the_portal_feeds(api: ApiClient, world: World) -> None:
    manager = world.add("manager", grant(world.federation, "core.notice.manage"))
    published = await api.post(
        "/api/v1/notices",
        json={
            "org_id": str(world.federation["id"]),
            "title": "困难帮扶名单公示",
            "body": "名单如下",
            "days": 5,
        },
        headers=manager,
    )
    assert published.status_code == 201, published.text
    feed = await api.get(f"/api/v1/feeds/orgs/{world.root['id']}/feed.json")  # no token: a portal polls it
    assert feed.status_code == 200, feed.text
    assert "困难帮扶名单公示" in feed.text
    atom = await api.get(f"/api/v1/feeds/orgs/{world.root['id']}/feed.atom")
    assert "困难帮扶名单公示" in atom.text
    # A sibling subtree's feed does not carry it.
    other = await api.get(f"/api/v1/feeds/orgs/{world.women['id']}/feed.json")
    assert "困难帮扶名单公示" not in other.text
