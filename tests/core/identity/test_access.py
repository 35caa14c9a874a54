"""Roles, grants (no escalation), posts whose grants end with them, API clients, audit chain."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta

import pytest
from litestar import Litestar

from core.identity.audit import verify_chain
from core.identity.tables import AuditEntry
from tests.conftest import ApiClient, open_client
from tests.helpers import problem
from tests.identity_helpers import bearer, make_account, make_org

TOKEN = "/api/v1/auth/token"


@pytest.fixture
async def client(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    async for c in open_client(make_app(plugins={})):
        yield c


async def _me(client: ApiClient, headers: dict[str, str]) -> list[str]:
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["permissions"]  # type: ignore[no-any-return]


async def test_roles_grants_and_no_escalation(client: ApiClient) -> None:
    db = client.app.state.db
    root = await make_org()
    left, right = await make_org(root), await make_org(root)
    platform = await bearer(
        client,
        *await make_account(
            db, grants=[(None, ["core.role.manage", "core.grant.manage", "core.person.read"], True)]
        ),
    )
    local = await bearer(
        client,
        *await make_account(db, grants=[(left["path"], ["core.grant.manage", "core.person.read"], True)]),
    )
    target_user, target_pw = await make_account(db, home_org=left["path"])
    target = await bearer(client, target_user, target_pw)
    target_id = (await client.get("/api/v1/me", headers=target)).json()["id"]
    stranger = await bearer(client, *await make_account(db, home_org=right["path"]))
    stranger_id = (await client.get("/api/v1/me", headers=stranger)).json()["id"]

    reader = await client.post(
        "/api/v1/roles",
        json={"code": "reader", "name": "查阅员", "permissions": ["core.person.read"]},
        headers=platform,
    )
    assert reader.status_code == 201, reader.text
    problem(
        await client.post(
            "/api/v1/roles",
            json={"code": "bad", "name": "x", "permissions": ["no.such.permission"]},
            headers=platform,
        ),
        422,
    )
    problem(
        await client.post(
            "/api/v1/roles", json={"code": "reader", "name": "x", "permissions": []}, headers=platform
        ),
        409,
    )
    problem(
        await client.post("/api/v1/roles", json={"code": "x", "name": "x", "permissions": []}, headers=local),
        403,
    )
    admin_role = await client.post(
        "/api/v1/roles",
        json={"code": "admin", "name": "管理员", "permissions": ["core.role.manage"]},
        headers=platform,
    )

    grant = {"role": reader.json()["id"], "org": str(left["id"]), "subtree": True, "account": target_id}
    created = await client.post("/api/v1/grants", json=grant, headers=local)
    assert created.status_code == 201, created.text
    assert await _me(client, target) == ["core.person.read"]
    # An account whose person's file is kept outside the granter's reach answers as one that does not exist.
    outside = await client.post("/api/v1/grants", json={**grant, "account": stranger_id}, headers=local)
    absent = await client.post("/api/v1/grants", json={**grant, "account": str(uuid.uuid4())}, headers=local)
    assert problem(outside, 404) == {**problem(absent, 404), "request_id": outside.json()["request_id"]}
    assert await _me(client, stranger) == []
    # Outside the granter's subtree: 404; a role with permissions the granter lacks: 403.
    problem(await client.post("/api/v1/grants", json={**grant, "org": str(right["id"])}, headers=local), 404)
    problem(
        await client.post("/api/v1/grants", json={**grant, "role": admin_role.json()["id"]}, headers=local),
        403,
    )
    # Lists show only grants within reach; revocation takes effect at once.
    visible = (await client.get("/api/v1/grants", headers=local)).json()["items"]
    assert created.json()["id"] in {g["id"] for g in visible}
    assert {g["org"] for g in visible} == {str(left["id"])}  # its own grant and the new one, nothing else
    assert (await client.delete(f"/api/v1/grants/{created.json()['id']}", headers=local)).status_code == 204
    assert await _me(client, target) == []


async def test_post_grants_end_with_the_post(client: ApiClient) -> None:
    db = client.app.state.db
    org = await make_org()
    manager = await bearer(
        client,
        *await make_account(
            db,
            grants=[
                (
                    org["path"],
                    [
                        "core.post.manage",
                        "core.grant.manage",
                        "core.person.read",
                        "core.person.write",
                        "core.audit.read",
                    ],
                    True,
                )
            ],
        ),
    )
    username, password = await make_account(db, home_org=org["path"])
    holder = await bearer(client, username, password)
    person_id = (await client.get("/api/v1/me", headers=holder)).json()["person"]["id"]
    chair = await client.post(
        "/api/v1/posts",
        json={
            "person": person_id,
            "org": str(org["id"]),
            "title": "工会主席",
            "start_date": str(date.today() - timedelta(days=30)),
        },
        headers=manager,
    )
    assert chair.status_code == 201, chair.text
    secretary = await client.post(
        "/api/v1/posts",
        json={
            "person": person_id,
            "org": str(org["id"]),
            "title": "党支部书记",
            "start_date": str(date.today() - timedelta(days=30)),
        },
        headers=manager,
    )
    assert secretary.status_code == 201  # 一肩挑: two posts at once
    role = (
        await client.post(
            "/api/v1/roles",
            json={"code": "chair", "name": "主席", "permissions": ["core.person.read"]},
            headers=await bearer(
                client, *await make_account(db, grants=[(None, ["core.role.manage"], True)])
            ),
        )
    ).json()
    granted = await client.post(
        "/api/v1/grants",
        json={"role": role["id"], "org": str(org["id"]), "post": chair.json()["id"]},
        headers=manager,
    )
    assert granted.status_code == 201, granted.text
    assert await _me(client, holder) == ["core.person.read"]
    ended = await client.patch(
        f"/api/v1/posts/{chair.json()['id']}",
        json={"end_date": str(date.today() - timedelta(days=1))},
        headers=manager,
    )
    assert ended.status_code == 200, ended.text
    assert await _me(client, holder) == []
    posts = (await client.get("/api/v1/posts", params={"person": person_id}, headers=manager)).json()["items"]
    assert {p["title"] for p in posts} == {"工会主席", "党支部书记"}
    problem(
        await client.patch(
            f"/api/v1/posts/{chair.json()['id']}", json={"person": person_id}, headers=manager
        ),
        422,
    )


async def test_api_client_credentials_scopes_and_rotation(client: ApiClient) -> None:
    db = client.app.state.db
    org = await make_org()
    platform = await bearer(
        client,
        *await make_account(
            db,
            grants=[
                (
                    None,
                    [
                        "core.client.manage",
                        "core.grant.manage",
                        "core.role.manage",
                        "core.person.read",
                        "core.person.write",
                    ],
                    True,
                )
            ],
        ),
    )
    created = await client.post(
        "/api/v1/clients", json={"name": "政务服务网", "scopes": ["core.person.read"]}, headers=platform
    )
    assert created.status_code == 201, created.text
    client_id, secret = created.json()["client_id"], created.json()["client_secret"]
    role = (
        await client.post(
            "/api/v1/roles",
            json={"code": "rw", "name": "读写", "permissions": ["core.person.read", "core.person.write"]},
            headers=platform,
        )
    ).json()
    assert (
        await client.post(
            "/api/v1/grants",
            json={"role": role["id"], "org": str(org["id"]), "client": client_id},
            headers=platform,
        )
    ).status_code == 201
    issued = await client.post(
        TOKEN, json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert issued.status_code == 200, issued.text
    assert "refresh_token" not in issued.json()
    headers = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    me = (await client.get("/api/v1/me", headers=headers)).json()
    assert me["kind"] == "client" and me["permissions"] == ["core.person.read"]  # write is outside its scopes
    problem(
        await client.post("/api/v1/persons", json={"name": "x", "home_org": str(org["id"])}, headers=headers),
        403,
    )
    assert (await client.get("/api/v1/clients", headers=platform)).json()["items"][0]["last_used_at"]
    # Rotation: the old secret keeps working during the overlap; with no overlap it stops at once.
    rotated = await client.post(
        f"/api/v1/clients/{client_id}/secrets", json={"overlap_seconds": 3600}, headers=platform
    )
    new_secret = rotated.json()["client_secret"]
    for s in (secret, new_secret):
        assert (
            await client.post(
                TOKEN, json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": s}
            )
        ).status_code == 200
    newest = (
        await client.post(
            f"/api/v1/clients/{client_id}/secrets", json={"overlap_seconds": 0}, headers=platform
        )
    ).json()["client_secret"]
    for s in (secret, new_secret):
        problem(
            await client.post(
                TOKEN, json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": s}
            ),
            401,
        )
    assert (
        await client.post(
            TOKEN, json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": newest}
        )
    ).status_code == 200
    problem(
        await client.post(
            TOKEN, json={"grant_type": "client_credentials", "client_id": "nope", "client_secret": "x"}
        ),
        401,
    )
    assert (await client.post(f"/api/v1/clients/{client_id}/disable", headers=platform)).status_code == 200
    problem(await client.get("/api/v1/me", headers=headers), 401)


async def test_audit_log_is_chained_append_only_and_filtered(client: ApiClient) -> None:
    db = client.app.state.db
    root = await make_org()
    left, right = await make_org(root), await make_org(root)
    admin = await bearer(
        client,
        *await make_account(
            db, grants=[(None, ["core.person.write", "core.person.read", "core.audit.read"], True)]
        ),
    )
    local = await bearer(client, *await make_account(db, grants=[(left["path"], ["core.audit.read"], True)]))
    for org in (left, right):
        r = await client.post(
            "/api/v1/persons",
            json={"name": "张三", "home_org": str(org["id"]), "phone": "13800138000"},
            headers=admin,
        )
        assert r.status_code == 201
    entries = (await client.get("/api/v1/audit", params={"action": "person.created"}, headers=admin)).json()[
        "items"
    ]
    assert len(entries) == 2 and entries[0]["seq"] > entries[1]["seq"]
    assert entries[0]["actor_kind"] == "account" and entries[0]["changes"]["phone"] == "<changed>"
    assert "13800138000" not in str(entries) and "张三" not in str(entries)
    local_entries = (await client.get("/api/v1/audit", headers=local)).json()["items"]
    assert [e["org_path"] for e in local_entries] == [left["path"]]
    problem(await client.get("/api/v1/audit/verify", headers=local), 403)
    verdict = (await client.get("/api/v1/audit/verify", headers=admin)).json()
    assert verdict["intact"] is True and verdict["status"] == "intact" and verdict["broken_at"] is None
    # The database refuses updates and deletes.
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.update({AuditEntry.action: "x"}).where(AuditEntry.seq == entries[1]["seq"]).run()
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.delete().where(AuditEntry.seq == entries[1]["seq"]).run()
    # Someone who drops the protection and edits an entry is caught by the chain.
    engine = AuditEntry._meta.db
    if engine.engine_type == "postgres":
        await engine.run_ddl("ALTER TABLE core_audit DISABLE TRIGGER core_audit_append_only")
    else:
        await engine.run_ddl("DROP TRIGGER core_audit_no_update")
    try:
        await (
            AuditEntry.update({AuditEntry.resource_id: "forged"})
            .where(AuditEntry.seq == entries[1]["seq"])
            .run()
        )
        assert await verify_chain() == entries[1]["seq"]
    finally:
        if engine.engine_type == "postgres":
            await engine.run_ddl("ALTER TABLE core_audit ENABLE TRIGGER core_audit_append_only")
