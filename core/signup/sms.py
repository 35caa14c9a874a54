"""Delivery of one-time codes: the provider declaration, the development provider and the adapters of
the two large Chinese SMS clouds (Aliyun dysmsapi, RPC signature v1; Tencent Cloud SMS, TC3-HMAC-SHA256).

Providers are declared through the ``quntuan_sms_providers`` hook (the core declares the three below);
``QUNTUAN_SMS_PROVIDER`` names the one a deployment uses. A provider's ``make(settings, http)`` builds its
sender once per app and refuses missing settings at start-up (:class:`~core.settings.SettingsError`); the
sender's ``send(phone, code)`` delivers or raises :class:`DeliveryFailed`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import httpx
import msgspec

from core.settings import PREFIX, Settings, SettingsError

log = logging.getLogger("quntuan.sms")


class DeliveryFailed(Exception):
    """The provider did not accept the message (answered with an error, or could not be reached)."""


class CodeSender(Protocol):
    async def send(self, phone: str, code: str) -> None: ...


class SmsProvider(msgspec.Struct, frozen=True, kw_only=True):
    """A way to deliver codes. ``name`` is what ``QUNTUAN_SMS_PROVIDER`` says; ``make(settings, http)``
    returns the sender (``http`` is the app's shared ``httpx.AsyncClient``, with the SMS timeout)."""

    name: str
    make: Callable[[Settings, httpx.AsyncClient], CodeSender]
    #: Development only: refused on production settings (PostgreSQL without debug).
    development: bool = False


def _required(settings: Settings, *names: str) -> None:
    missing = [
        f"{PREFIX}{n.upper()}: required with {PREFIX}SMS_PROVIDER={settings.sms_provider}"
        for n in names
        if not getattr(settings, n)
    ]
    if missing:
        raise SettingsError(missing)


# --- development ---------------------------------------------------------------------------------------


class LogSender:
    """Writes the code to the log (``quntuan.sms``, warning level) instead of sending it."""

    async def send(self, phone: str, code: str) -> None:
        log.warning("development SMS provider: code %s for %s", code, phone)


# --- Aliyun --------------------------------------------------------------------------------------------


def aliyun_encode(value: str) -> str:
    """Aliyun's percent-encoding (RFC 3986: only unreserved characters stay, space is %20)."""
    return quote(value, safe="-_.~")


def aliyun_signature(method: str, params: dict[str, str], secret: str) -> str:
    """RPC signature v1: HMAC-SHA1 with ``secret&`` over ``METHOD&%2F&<encoded canonical query>``."""
    canonical = "&".join(f"{aliyun_encode(k)}={aliyun_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{aliyun_encode('/')}&{aliyun_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSender:
    """``SendSms`` of dysmsapi (version 2017-05-25), a signed form POST."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        _required(
            settings,
            "sms_aliyun_access_key_id",
            "sms_aliyun_access_key_secret",
            "sms_aliyun_sign_name",
            "sms_aliyun_template_code",
        )
        self.settings = settings
        self.http = http

    def signed_params(self, phone: str, code: str) -> dict[str, str]:
        s = self.settings
        assert s.sms_aliyun_access_key_id
        assert s.sms_aliyun_access_key_secret
        params = {
            "AccessKeyId": s.sms_aliyun_access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou",
            "SignName": s.sms_aliyun_sign_name or "",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": s.sms_aliyun_template_code or "",
            "TemplateParam": json.dumps({"code": code}),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature("POST", params, s.sms_aliyun_access_key_secret)
        return params

    async def send(self, phone: str, code: str) -> None:
        try:
            response = await self.http.post(
                self.settings.sms_aliyun_endpoint.rstrip("/") + "/", data=self.signed_params(phone, code)
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise DeliveryFailed(f"aliyun: {type(exc).__name__}") from exc
        if not isinstance(body, dict) or body.get("Code") != "OK":
            raise DeliveryFailed(
                f"aliyun: {body.get('Code') if isinstance(body, dict) else response.status_code}"
            )


# --- Tencent Cloud ---------------------------------------------------------------------------------------

TENCENT_VERSION = "2021-01-11"
TENCENT_CONTENT_TYPE = "application/json; charset=utf-8"


def _hmac256(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def tencent_authorization(
    *, secret_id: str, secret_key: str, host: str, payload: bytes, timestamp: int, service: str = "sms"
) -> str:
    """The ``Authorization`` header of TC3-HMAC-SHA256 for a JSON POST to ``/`` signing content-type and host."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical_request = "\n".join(
        (
            "POST",
            "/",
            "",
            f"content-type:{TENCENT_CONTENT_TYPE}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload).hexdigest(),
        )
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(
        ("TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest())
    )
    key = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


class TencentSender:
    """``SendSms`` of Tencent Cloud SMS (API 3.0, version 2021-01-11)."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        _required(
            settings,
            "sms_tencent_secret_id",
            "sms_tencent_secret_key",
            "sms_tencent_sdk_app_id",
            "sms_tencent_sign_name",
            "sms_tencent_template_id",
        )
        self.settings = settings
        self.http = http

    def signed_request(self, phone: str, code: str) -> tuple[bytes, dict[str, str]]:
        s = self.settings
        assert s.sms_tencent_secret_id
        assert s.sms_tencent_secret_key
        payload = json.dumps(
            {
                "PhoneNumberSet": [f"+86{phone}"],
                "SmsSdkAppId": s.sms_tencent_sdk_app_id,
                "SignName": s.sms_tencent_sign_name,
                "TemplateId": s.sms_tencent_template_id,
                "TemplateParamSet": [code],
            },
            ensure_ascii=False,
        ).encode()
        host = urlsplit(s.sms_tencent_endpoint).netloc
        timestamp = int(time.time())
        headers = {
            "Authorization": tencent_authorization(
                secret_id=s.sms_tencent_secret_id,
                secret_key=s.sms_tencent_secret_key,
                host=host,
                payload=payload,
                timestamp=timestamp,
            ),
            "Content-Type": TENCENT_CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": TENCENT_VERSION,
            "X-TC-Region": s.sms_tencent_region,
        }
        return payload, headers

    async def send(self, phone: str, code: str) -> None:
        payload, headers = self.signed_request(phone, code)
        try:
            response = await self.http.post(
                self.settings.sms_tencent_endpoint.rstrip("/") + "/", content=payload, headers=headers
            )
            body: Any = response.json().get("Response", {})
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            raise DeliveryFailed(f"tencent: {type(exc).__name__}") from exc
        if "Error" in body:
            raise DeliveryFailed(f"tencent: {body['Error'].get('Code')}")
        statuses = body.get("SendStatusSet") or [{}]
        if statuses[0].get("Code") != "Ok":
            raise DeliveryFailed(f"tencent: {statuses[0].get('Code')}")


def _log_sender(settings: Settings, http: httpx.AsyncClient) -> CodeSender:
    return LogSender()


BUILTIN_PROVIDERS: tuple[SmsProvider, ...] = (
    SmsProvider(name="log", make=_log_sender, development=True),
    SmsProvider(name="aliyun", make=AliyunSender),
    SmsProvider(name="tencent", make=TencentSender),
)

#: What a sender's ``send`` is, for type checks of plugin providers.
SendFunction = Callable[[str, str], Awaitable[None]]
