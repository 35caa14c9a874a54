"""WeChat mini-program login against a local server speaking the ``code2session`` contract."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from litestar import Litestar

from core.identity.tables import Account
from core.kernel.settings import Settings
from core.signup.tables import ExternalLogin
from tests.core.signup.servers import APP_ID, APP_SECRET, WeChatServer
from tests.core.signup.support import running, sign_up_by_phone, signup_overrides
from tests.helpers import problem


@pytest.fixture
def wechat() -> Iterator[WeChatServer]:
    server = WeChatServer()
    yield server
    server.close()


@pytest.fixture
def app_with(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings], wechat: WeChatServer
) -> Callable[..., Litestar]:
    def make(**overrides: Any) -> Litestar:
        values = signup_overrides(
            wechat_app_id=APP_ID, wechat_app_secret=APP_SECRET, wechat_api_base=wechat.url, sms_timeout=2.0
        )
        values.update(overrides)
        return make_app(settings_=make_settings(**values))

    return make


@pytest.fixture
async def client(app_with: Callable[..., Litestar]) -> AsyncIterator[Any]:
    async with running(app_with()) as c:
        yield c


async def _wx(client: Any, code: str, **extra: Any) -> Any:
    return await client.post("/api/v1/auth/token", json={"grant_type": "wechat", "code": code, **extra})


async def test_wechat_sign_up_then_login(client: Any, wechat: WeChatServer) -> None:
    wechat.codes.update({"c1": ("openid-1", "union-1"), "c2": ("openid-1", "union-1")})
    first = await _wx(client, "c1", name="李四")
    assert first.status_code == 200, first.text
    assert first.json()["account_created"] is True
    assert wechat.requests[0]["query"] == {
        "appid": APP_ID,
        "secret": APP_SECRET,
        "js_code": "c1",
        "grant_type": "authorization_code",
    }
    headers = {"Authorization": f"Bearer {first.json()['access_token']}"}
    me = (await client.get("/api/v1/me", headers=headers)).json()
    assert me["person"]["name"] == "李四" and me["permissions"] == []
    # The code was used: WeChat refuses it a second time (40163) → 400, never 500.
    assert problem(await _wx(client, "c1"), 400)["type"].endswith("/wechat-code-invalid")
    again = await _wx(client, "c2")
    assert again.json()["account_created"] is False
    headers = {"Authorization": f"Bearer {again.json()['access_token']}"}
    assert (await client.get("/api/v1/me", headers=headers)).json()["id"] == me["id"]
    logins = await ExternalLogin.select().run()
    assert len(logins) == 1
    assert (logins[0]["subject"], logins[0]["union_id"], logins[0]["app_id"]) == (
        "openid-1",
        "union-1",
        APP_ID,
    )


async def test_the_unionid_finds_the_account_of_another_app(client: Any, wechat: WeChatServer) -> None:
    wechat.codes.update({"c1": ("openid-a", "union-9"), "c2": ("openid-b", "union-9")})
    first = (await _wx(client, "c1")).json()
    second = (await _wx(client, "c2")).json()
    assert second["account_created"] is False
    assert await Account.count().run() == 1
    assert await ExternalLogin.count().run() == 2
    assert first["access_token"] != second["access_token"]


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("bad", 400, "wechat-code-invalid"),  # 40029
        ("limit", 429, "rate-limited"),  # 45011
        ("busy", 503, "service-unavailable"),  # -1
    ],
)
async def test_wechat_errors_become_problems(client: Any, code: str, status: int, kind: str) -> None:
    response = await _wx(client, code)
    assert problem(response, status)["type"].endswith(f"/{kind}")
    if status in (429, 503):
        assert int(response.headers["Retry-After"]) > 0
    assert await Account.count().run() == 0


async def test_a_wrong_app_secret_is_a_502(app_with: Callable[..., Litestar], wechat: WeChatServer) -> None:
    wechat.codes["c1"] = ("openid-1", None)
    async with running(app_with(wechat_app_secret="wrong")) as client:
        assert problem(await _wx(client, "c1"), 502)["type"].endswith("/wechat-failed")


async def test_wechat_unreachable_is_a_503(app_with: Callable[..., Litestar], wechat: WeChatServer) -> None:
    url = wechat.url
    wechat.close()
    async with running(app_with(wechat_api_base=url)) as client:
        response = await _wx(client, "c1")
        assert problem(response, 503)["type"].endswith("/service-unavailable")


async def test_wechat_login_off_without_an_app(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings]
) -> None:
    async with running(make_app(settings_=make_settings(**signup_overrides()))) as client:
        assert problem(await _wx(client, "c1"), 403)["type"].endswith("/login-method-disabled")


async def test_closed_sign_up_refuses_unknown_wechat_users(
    app_with: Callable[..., Litestar], wechat: WeChatServer
) -> None:
    wechat.codes["c1"] = ("openid-1", None)
    async with running(app_with(signup_enabled=False)) as client:
        assert problem(await _wx(client, "c1"), 403)["type"].endswith("/signup-closed")


async def test_bind_wechat_to_a_phone_account(
    client: Any, wechat: WeChatServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="quntuan.sms")
    wechat.codes.update({"b1": ("openid-7", None), "b2": ("openid-7", None), "x1": ("openid-8", None)})
    tokens = await sign_up_by_phone(client, caplog, "13800138000")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (
        await client.post("/api/v1/auth/wechat/bind", json={"code": "b1"}, headers=headers)
    ).status_code == 204
    login = (await _wx(client, "b2")).json()
    assert login["account_created"] is False
    me = (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {login['access_token']}"})).json()
    assert me["person"]["phone"] == "13800138000"

    # A WeChat user with an account of its own cannot be bound to another.
    await _wx(client, "x1")
    wechat.codes["x2"] = ("openid-8", None)
    taken = await client.post("/api/v1/auth/wechat/bind", json={"code": "x2"}, headers=headers)
    assert problem(taken, 409)["type"].endswith("/wechat-bound")
    # Binding needs a signed-in caller, and a code.
    assert (await client.post("/api/v1/auth/wechat/bind", json={"code": "b1"})).status_code == 401
    assert (await client.post("/api/v1/auth/wechat/bind", json={}, headers=headers)).status_code == 422


async def test_concurrent_sign_ups_of_one_wechat_user_make_one_account(
    client: Any, wechat: WeChatServer
) -> None:
    wechat.codes.update({f"r{i}": ("openid-r", None) for i in range(4)})
    answers = await asyncio.gather(*(_wx(client, f"r{i}") for i in range(4)))
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert sorted(a.json()["account_created"] for a in answers) == [False, False, False, True]
    assert await Account.count().run() == 1
    assert await ExternalLogin.count().run() == 1
