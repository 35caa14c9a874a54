"""The Aliyun and Tencent Cloud SMS adapters against local servers that recompute their signatures."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar

from core.kernel.settings import Settings
from tests.core.signup.servers import (
    ALIYUN_KEY_ID,
    ALIYUN_SECRET,
    TENCENT_ID,
    TENCENT_KEY,
    AliyunServer,
    TencentServer,
)
from tests.core.signup.support import ask_code, code_login, running, signup_overrides
from tests.helpers import problem

PHONE = "13800138000"


def _aliyun(url: str, secret: str = ALIYUN_SECRET) -> dict[str, Any]:
    return signup_overrides(
        sms_provider="aliyun",
        sms_aliyun_endpoint=url,
        sms_aliyun_access_key_id=ALIYUN_KEY_ID,
        sms_aliyun_access_key_secret=secret,
        sms_aliyun_sign_name="群团平台",
        sms_aliyun_template_code="SMS_123456",
        sms_timeout=2.0,
    )


def _tencent(url: str, secret: str = TENCENT_KEY) -> dict[str, Any]:
    return signup_overrides(
        sms_provider="tencent",
        sms_tencent_endpoint=url,
        sms_tencent_secret_id=TENCENT_ID,
        sms_tencent_secret_key=secret,
        sms_tencent_sdk_app_id="1400000000",
        sms_tencent_sign_name="群团平台",
        sms_tencent_template_id="449739",
        sms_timeout=2.0,
    )


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
async def test_codes_go_out_signed_and_log_in(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings], provider: str
) -> None:
    server = AliyunServer() if provider == "aliyun" else TencentServer()
    try:
        values = _aliyun(server.url) if provider == "aliyun" else _tencent(server.url)
        async with running(make_app(settings_=make_settings(**values))) as client:
            sent = await ask_code(client, PHONE)
            assert sent.status_code == 202, sent.text
            assert len(server.sent) == 1
            to, code = server.sent[0]
            assert to == (PHONE if provider == "aliyun" else f"+86{PHONE}")
            assert re.fullmatch(r"\d{6}", code)
            login = await code_login(client, PHONE, code)
            assert login.status_code == 200 and login.json()["account_created"] is True
    finally:
        server.close()


async def test_aliyun_request_carries_the_documented_parameters(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings]
) -> None:
    server = AliyunServer()
    try:
        async with running(make_app(settings_=make_settings(**_aliyun(server.url)))) as client:
            await ask_code(client, PHONE)
        query, headers = server.requests[0]["query"], server.requests[0]["headers"]
        assert headers["x-acs-action"] == "SendSms" and headers["x-acs-version"] == "2017-05-25"
        assert query["SignName"] == "群团平台" and query["TemplateCode"] == "SMS_123456"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", headers["x-acs-date"])
        assert headers["authorization"].startswith(
            f"ACS3-HMAC-SHA256 Credential={ALIYUN_KEY_ID},SignedHeaders=host;x-acs-action;"
            "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature="
        )
        assert server.sent and server.sent[0][0] == PHONE
    finally:
        server.close()


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
async def test_a_wrong_signature_is_refused_and_answered_503(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings], provider: str
) -> None:
    # The server knows another secret than the platform signs with: the signature cannot match.
    server = AliyunServer(secret="other") if provider == "aliyun" else TencentServer(secret_key="other")
    try:
        values = _aliyun(server.url) if provider == "aliyun" else _tencent(server.url)
        async with running(make_app(settings_=make_settings(**values))) as client:
            response = await ask_code(client, PHONE)
            assert problem(response, 503)["type"].endswith("/code-delivery-failed")
            assert "Retry-After" in response.headers
        assert server.requests and not server.sent
    finally:
        server.close()


async def test_an_unreachable_gateway_is_a_503(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings]
) -> None:
    server = TencentServer()
    url = server.url
    server.close()
    async with running(make_app(settings_=make_settings(**_tencent(url)))) as client:
        assert problem(await ask_code(client, PHONE), 503)["type"].endswith("/code-delivery-failed")


def test_missing_provider_settings_stop_start_up(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings]
) -> None:
    from core.kernel.settings import SettingsError

    with pytest.raises(SettingsError, match="SMS_ALIYUN_ACCESS_KEY_SECRET"):
        make_app(
            settings_=make_settings(**{**_aliyun("http://127.0.0.1:1"), "sms_aliyun_access_key_secret": None})
        )
    with pytest.raises(SettingsError, match="unknown provider"):
        make_app(settings_=make_settings(sms_provider="nosuch"))
