"""Logging in, tokens and their refusal: forged, tampered, expired, revoked; refresh rotation and reuse."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from litestar import Litestar

from core.identity.tables import RefreshToken
from tests.conftest import SECRET, ApiClient, open_client
from tests.helpers import problem
from tests.identity_helpers import bearer, make_account, make_org, token

TOKEN = "/api/v1/auth/token"


@pytest.fixture
async def client(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    async for c in open_client(make_app(plugins={})):
        yield c


async def _account(client: ApiClient, **kw: object) -> tuple[str, str]:
    org = await make_org()
    return await make_account(client.app.state.db, grants=[(org["path"], ["core.person.read"], True)], **kw)


async def test_password_login_and_me(client: ApiClient) -> None:
    username, password = await _account(client)
    body = await token(client, username, password)
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900 and body["refresh_token"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200, me.text
    assert me.json()["kind"] == "account" and me.json()["permissions"] == ["core.person.read"]
    assert me.json()["name"] == username


async def test_login_by_phone(client: ApiClient) -> None:
    org = await make_org()
    admin = await bearer(
        client,
        *await make_account(
            client.app.state.db, grants=[(org["path"], ["core.person.write", "core.account.manage"], True)]
        ),
    )
    person = await client.post(
        "/api/v1/persons",
        json={"name": "李·明", "home_org": str(org["id"]), "phone": "138 0013 8000"},
        headers=admin,
    )
    assert person.status_code == 201, person.text
    created = await client.post(
        "/api/v1/accounts",
        json={"username": "liming", "password": "correct horse battery", "person": person.json()["id"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    body = await token(client, "+86 13800138000", "correct horse battery")
    assert body["access_token"]


async def test_unknown_user_and_wrong_password_get_the_same_answer(client: ApiClient) -> None:
    username, _ = await _account(client)
    wrong = problem(
        await client.post(
            TOKEN, json={"grant_type": "password", "username": username, "password": "nope-nope-nope"}
        ),
        401,
    )
    unknown = problem(
        await client.post(
            TOKEN, json={"grant_type": "password", "username": "ghost", "password": "nope-nope-nope"}
        ),
        401,
    )
    for body in (wrong, unknown):
        body.pop("request_id")
    assert wrong == unknown
    assert wrong["type"] == "/api/v1/problems/invalid-credentials"


async def test_missing_fields_per_grant_type(client: ApiClient) -> None:
    body = problem(await client.post(TOKEN, json={"grant_type": "password", "username": "x"}), 422)
    assert body["errors"][0]["pointer"] == "/password"
    problem(await client.post(TOKEN, json={"grant_type": "magic"}), 422)
    problem(
        await client.post(
            TOKEN, json={"grant_type": "password", "username": "x", "password": "y", "role": "admin"}
        ),
        422,
    )


def _forge(claims: dict[str, object], key: str = SECRET, alg: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=alg)


async def test_forged_tampered_expired_tokens_are_refused(client: ApiClient) -> None:
    username, password = await _account(client)
    good = (await token(client, username, password))["access_token"]
    claims = jwt.decode(good, SECRET, algorithms=["HS256"], audience="quntuan-api")
    header = (
        base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=").decode()
    )
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    alg_none = f"{header}.{payload}."
    wrong_key = _forge(claims, key="another-secret-key-of-sufficient-length-xx")
    h, _p, s = good.split(".")
    tampered_claims = {**claims, "sub": "00000000-0000-0000-0000-000000000001"}
    tampered = (
        f"{h}.{base64.urlsafe_b64encode(json.dumps(tampered_claims).encode()).rstrip(b'=').decode()}.{s}"
    )
    now = datetime.now(UTC)
    expired = _forge({**claims, "iat": now - timedelta(hours=2), "exp": now - timedelta(hours=1)})
    hs512 = _forge(claims, alg="HS512")
    for bad in (alg_none, wrong_key, tampered, expired, hs512, "garbage", good + "x"):
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        body = problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert body["type"] == "/api/v1/problems/unauthenticated"
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {good}"})).status_code == 200
    problem(await client.get("/api/v1/me"), 401)


async def test_refresh_rotates_and_reuse_revokes_the_family(client: ApiClient) -> None:
    username, password = await _account(client)
    first = await token(client, username, password)
    second = await client.post(
        TOKEN, json={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert second.status_code == 200, second.text
    second_rt = second.json()["refresh_token"]
    assert second_rt != first["refresh_token"]
    # The first token again: someone replayed it; the whole family dies, including the fresh one.
    body = problem(
        await client.post(
            TOKEN, json={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
        ),
        400,
    )
    assert body["type"] == "/api/v1/problems/invalid-grant"
    problem(await client.post(TOKEN, json={"grant_type": "refresh_token", "refresh_token": second_rt}), 400)
    assert await RefreshToken.count().where(RefreshToken.revoked_at.is_null()).run() == 0
    # Another login is a new family and works.
    third = await token(client, username, password)
    ok = await client.post(
        TOKEN, json={"grant_type": "refresh_token", "refresh_token": third["refresh_token"]}
    )
    assert ok.status_code == 200
    problem(
        await client.post(TOKEN, json={"grant_type": "refresh_token", "refresh_token": "not-a-token"}), 400
    )


async def test_logout_revokes_access_and_refresh_tokens(client: ApiClient) -> None:
    username, password = await _account(client)
    one = await token(client, username, password)
    two = await token(client, username, password)
    auth = {"Authorization": f"Bearer {one['access_token']}"}
    assert (await client.post("/api/v1/auth/logout", headers=auth)).status_code == 204
    for access in (one["access_token"], two["access_token"]):
        problem(await client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"}), 401)
    for refresh in (one["refresh_token"], two["refresh_token"]):
        problem(await client.post(TOKEN, json={"grant_type": "refresh_token", "refresh_token": refresh}), 400)


async def test_password_change_revokes_sessions(client: ApiClient) -> None:
    username, password = await _account(client)
    session = await token(client, username, password)
    auth = {"Authorization": f"Bearer {session['access_token']}"}
    bad = problem(
        await client.post(
            "/api/v1/me/password",
            json={"current_password": "wrong-wrong", "new_password": "a new long password"},
            headers=auth,
        ),
        422,
    )
    assert bad["errors"][0]["pointer"] == "/current_password"
    short = problem(
        await client.post(
            "/api/v1/me/password", json={"current_password": password, "new_password": "short"}, headers=auth
        ),
        422,
    )
    assert short["errors"][0]["pointer"] == "/new_password"
    ok = await client.post(
        "/api/v1/me/password",
        json={"current_password": password, "new_password": "a new long password"},
        headers=auth,
    )
    assert ok.status_code == 204, ok.text
    problem(await client.get("/api/v1/me", headers=auth), 401)
    problem(
        await client.post(
            TOKEN, json={"grant_type": "refresh_token", "refresh_token": session["refresh_token"]}
        ),
        400,
    )
    problem(
        await client.post(TOKEN, json={"grant_type": "password", "username": username, "password": password}),
        401,
    )
    assert await token(client, username, "a new long password")


async def test_disabled_account_tokens_stop_working(client: ApiClient) -> None:
    org = await make_org()
    admin = await bearer(
        client,
        *await make_account(client.app.state.db, grants=[(org["path"], ["core.account.manage"], True)]),
    )
    username, password = await make_account(client.app.state.db, home_org=org["path"])
    victim = await bearer(client, username, password)
    accounts = (await client.get("/api/v1/accounts", headers=admin)).json()["items"]
    target = next(a for a in accounts if a["username"] == username)
    assert (await client.post(f"/api/v1/accounts/{target['id']}/disable", headers=admin)).json()[
        "status"
    ] == "disabled"
    problem(await client.get("/api/v1/me", headers=victim), 401)
    problem(
        await client.post(TOKEN, json={"grant_type": "password", "username": username, "password": password}),
        401,
    )
