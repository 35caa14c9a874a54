"""The token endpoint as OAuth2 clients use it: form bodies (RFC 6749 §3.2), client credentials by HTTP
Basic (§2.3.1), RFC 6749 error fields beside the problem details, and no 500 for a broken body."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from urllib.parse import quote_plus

import pytest
from litestar import Litestar

from tests.conftest import ApiClient, open_client
from tests.identity_helpers import bearer, make_account, make_org

TOKEN = "/api/v1/auth/token"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def client(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    async for c in open_client(make_app(plugins={})):
        yield c


async def _api_client(client: ApiClient) -> tuple[str, str]:
    admin = await bearer(
        client, *await make_account(client.app.state.db, grants=[(None, ["core.client.manage"], True)])
    )
    created = await client.post("/api/v1/clients", json={"name": "政务服务网", "scopes": []}, headers=admin)
    assert created.status_code == 201, created.text
    return created.json()["client_id"], created.json()["client_secret"]


def _basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


async def test_password_grant_as_a_form(client: ApiClient) -> None:
    org = await make_org()
    username, password = await make_account(
        client.app.state.db, grants=[(org["path"], ["core.person.read"], True)]
    )
    issued = await client.post(
        TOKEN,
        content=f"grant_type=password&username={quote_plus(username)}&password={quote_plus(password)}&scope=x",
        headers=FORM,
    )
    assert issued.status_code == 200, issued.text
    assert issued.json()["token_type"] == "Bearer" and issued.json()["refresh_token"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.json()['access_token']}"})
    assert me.status_code == 200 and me.json()["name"] == username
    refreshed = await client.post(
        TOKEN, data={"grant_type": "refresh_token", "refresh_token": issued.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    # The same refresh token a second time: an RFC 6749 invalid_grant beside the problem details.
    reused = await client.post(
        TOKEN, data={"grant_type": "refresh_token", "refresh_token": issued.json()["refresh_token"]}
    )
    assert reused.status_code == 400
    body = reused.json()
    assert body["error"] == "invalid_grant" and body["error_description"] == body["detail"]
    assert body["type"].endswith("/invalid-grant") and body["status"] == 400 and "request_id" in body
    wrong = await client.post(
        TOKEN, data={"grant_type": "password", "username": username, "password": "nope"}
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_grant"


async def test_json_stays_and_carries_error_fields(client: ApiClient) -> None:
    missing = await client.post(TOKEN, json={"grant_type": "password"})
    assert missing.status_code == 422
    assert missing.json()["error"] == "invalid_request"
    assert {e["pointer"] for e in missing.json()["errors"]} == {"/username", "/password"}
    unknown = await client.post(TOKEN, json={"grant_type": "authorization_code"})
    assert unknown.status_code == 422 and unknown.json()["error"] == "unsupported_grant_type"
    form_unknown = await client.post(TOKEN, data={"grant_type": "implicit"})
    assert form_unknown.status_code == 422 and form_unknown.json()["error"] == "unsupported_grant_type"
    # Other routes' problems do not carry the OAuth2 fields.
    other = await client.get("/api/v1/me")
    assert other.status_code == 401 and "error" not in other.json()


async def test_client_credentials_by_basic_and_by_form(client: ApiClient) -> None:
    client_id, secret = await _api_client(client)
    by_basic = await client.post(
        TOKEN, data={"grant_type": "client_credentials"}, headers=_basic(client_id, secret)
    )
    assert by_basic.status_code == 200, by_basic.text
    assert "refresh_token" not in by_basic.json()
    by_form = await client.post(
        TOKEN, data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert by_form.status_code == 200, by_form.text
    by_json_and_basic = await client.post(
        TOKEN, json={"grant_type": "client_credentials"}, headers=_basic(client_id, secret)
    )
    assert by_json_and_basic.status_code == 200, by_json_and_basic.text
    wrong = await client.post(
        TOKEN, data={"grant_type": "client_credentials"}, headers=_basic(client_id, "nope")
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert wrong.headers["WWW-Authenticate"].startswith("Basic")
    in_body = await client.post(
        TOKEN, data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "nope"}
    )
    assert in_body.status_code == 401 and in_body.json()["error"] == "invalid_client"
    # Basic and body naming different clients: refused, not one silently preferred.
    both = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials", "client_id": "someone-else"},
        headers=_basic(client_id, secret),
    )
    assert both.status_code == 400 and both.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"grant_type=password&grant_type=refresh_token", FORM),  # a parameter twice (§3.1)
        (b"\xff\xfe=\x00", FORM),  # not UTF-8
        (b"grant_type=password&&=&%zz", FORM),  # not a form
        (b"grant_type=client_credentials", {**FORM, "Authorization": "Basic !!!notbase64"}),
        (
            b"grant_type=client_credentials",
            {**FORM, "Authorization": "Basic " + base64.b64encode(b"nocolon").decode()},
        ),
        (b'{"grant_type": "password"', {"Content-Type": "application/json"}),
    ],
)
async def test_malformed_bodies_are_400(client: ApiClient, content: bytes, headers: dict[str, str]) -> None:
    response = await client.post(TOKEN, content=content, headers=headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["error"] == "invalid_request"


async def test_other_media_types_are_415(client: ApiClient) -> None:
    response = await client.post(
        TOKEN, content=b"grant_type=password", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415 and response.json()["error"] == "invalid_request"
    # The detail names what the endpoint does take (forms and JSON), not JSON alone.
    assert "application/x-www-form-urlencoded" in response.json()["detail"]
    assert "application/json" in response.json()["detail"]


async def test_openapi_documents_both_media_types(client: ApiClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    operation = document["paths"]["/api/v1/auth/token"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/x-www-form-urlencoded", "application/json"}
    fields = content["application/x-www-form-urlencoded"]["schema"]["properties"]
    assert {"grant_type", "username", "password", "refresh_token", "client_id", "client_secret"} <= set(
        fields
    )
    assert {"clientBasic": []} in operation["security"]
    assert document["components"]["securitySchemes"]["clientBasic"]["scheme"] == "basic"
    problem = document["components"]["schemas"]["ProblemDetails"]["properties"]
    assert "error" in problem and "error_description" in problem
