"""Start-up refusals, the CAPTCHA hook and username + password sign-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar

from core.identity.tables import Account
from core.kernel.declarations import PluginInfo
from core.kernel.hookspecs import hookimpl
from core.kernel.i18n import Text
from core.kernel.settings import Settings, SettingsError, load_settings
from tests.core.signup.support import ask_code, running, signup_overrides
from tests.helpers import problem


def test_the_log_provider_is_refused_in_production_settings() -> None:
    production = {
        "QUNTUAN_DATABASE_URL": "postgresql://u@db/quntuan",
        "QUNTUAN_SECRET_KEY": "x" * 48,
        "QUNTUAN_SMS_PROVIDER": "log",
    }
    with pytest.raises(SettingsError, match="SMS_PROVIDER: log"):
        load_settings(production, env_file=None)
    assert load_settings({**production, "QUNTUAN_DEBUG": "1"}, env_file=None).sms_provider == "log"
    assert load_settings({"QUNTUAN_SMS_PROVIDER": "log"}, env_file=None).sms_provider == "log"  # SQLite


def test_the_runtime_refuses_it_too(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings]
) -> None:
    """Settings built in code (not from the environment) meet the same refusal when the app is made."""
    from core.kernel.shared import SharedState
    from core.signup.service import SignupRuntime

    settings = make_settings(database_url="postgresql://u@db/x", sms_provider="log", debug=False)
    app = make_app(settings_=make_settings(**signup_overrides()))
    with pytest.raises(SettingsError, match="development only"):
        SignupRuntime(
            settings, SharedState(settings), app.state.db, app.state.identity, app.state.plugin_manager
        )


class _Captcha:
    @hookimpl
    def quntuan_plugin_info(self) -> PluginInfo:
        return PluginInfo(
            slug="captcha", name=Text(zh_hans="验证", en="Captcha"), version="1", core_api=">=0"
        )

    @hookimpl
    async def quntuan_verify_captcha(self, token: str, action: str, client_address: str) -> bool | None:
        return token == f"good-{action}"


def test_required_captchas_need_a_verifier(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings]
) -> None:
    with pytest.raises(SettingsError, match="quntuan_verify_captcha"):
        make_app({}, make_settings(**signup_overrides(captcha_required=True)))


async def test_the_captcha_hook_guards_code_requests(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings]
) -> None:
    app = make_app({"captcha": _Captcha()}, make_settings(**signup_overrides(captcha_required=True)))
    async with running(app) as client:
        missing = await ask_code(client, "13800138000")
        assert problem(missing, 422)["errors"][0]["pointer"] == "/captcha_token"
        bad = await ask_code(client, "13800138000", captcha_token="forged")
        assert problem(bad, 400)["type"].endswith("/captcha-failed")
        wrong_action = await ask_code(client, "13800138000", captcha_token="good-signup")
        assert wrong_action.status_code == 400
        assert (await ask_code(client, "13800138000", captcha_token="good-send_code")).status_code == 202


async def _signup(client: Any, **body: Any) -> Any:
    payload = {"username": "wangwu", "password": "correct horse battery staple", "name": "王五", **body}
    return await client.post("/api/v1/auth/signup", json=payload)


async def test_password_sign_up_only_where_allowed(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings]
) -> None:
    async with running(make_app(settings_=make_settings(**signup_overrides()))) as client:
        assert problem(await _signup(client), 403)["type"].endswith("/signup-closed")
    app = make_app(settings_=make_settings(**signup_overrides(signup_password_enabled=True)))
    async with running(app) as client:
        created = await _signup(client)
        assert created.status_code == 201, created.text
        assert created.json()["account_created"] is True
        headers = {"Authorization": f"Bearer {created.json()['access_token']}"}
        me = (await client.get("/api/v1/me", headers=headers)).json()
        assert me["permissions"] == [] and me["person"]["name"] == "王五"
        assert problem(await _signup(client), 409)["type"].endswith("/duplicate")
        weak = await _signup(client, username="zhaoliu", password="zhaoliu1234")
        assert problem(weak, 422)["errors"][0]["pointer"] == "/password"
        for bad in (
            {"username": "1abc"},
            {"username": "ab"},
            {"name": ""},
            {"password": "short"},
            {"extra": 1},
        ):
            assert (await _signup(client, **bad)).status_code == 422, bad
        login = await client.post(
            "/api/v1/auth/token",
            json={"grant_type": "password", "username": "WangWu", "password": "correct horse battery staple"},
        )
        assert login.status_code == 200
        assert await Account.count().run() == 1
