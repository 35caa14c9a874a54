"""Delivery of one-time codes: the provider declaration, the development provider and the adapters of
the two large Chinese SMS clouds (Aliyun dysmsapi, signature V3 ACS3-HMAC-SHA256; Tencent Cloud SMS, TC3-HMAC-SHA256).

Providers are declared through the ``quntuan_sms_providers`` hook (the core declares the three below);
``QUNTUAN_SMS_PROVIDER`` names the one a deployment uses. A provider's ``make(settings, http)`` builds its
sender once per app and refuses missing settings at start-up (:class:`~core.kernel.settings.SettingsError`); the
sender's ``send(phone, code)`` delivers or raises :class:`DeliveryFailed`.
"""

from __future__ import annotations

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

from core.kernel.settings import PREFIX, Settings, SettingsError

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


ALIYUN_ALGORITHM = "ACS3-HMAC-SHA256"


def aliyun_canonical_request(
    method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
) -> tuple[str, str]:
    """V3 canonical request and its signed-header list.

    ``METHOD\\nURI\\nsorted encoded query\\nheaders (lowercase name:trimmed value, sorted, each
    ending in a newline)\\nsigned header names joined by ;\\nhex SHA-256 of the body``; the signed headers
    are ``host``, ``content-type`` and every ``x-acs-*``.
    """
    query_string = "&".join(f"{aliyun_encode(k)}={aliyun_encode(v)}" for k, v in sorted(query.items()))
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    names = sorted(n for n in lower if n in ("host", "content-type") or n.startswith("x-acs-"))
    canonical_headers = "".join(f"{n}:{lower[n]}\n" for n in names)
    signed = ";".join(names)
    payload = hashlib.sha256(body).hexdigest()
    return f"{method}\n{path}\n{query_string}\n{canonical_headers}\n{signed}\n{payload}", signed


def aliyun_authorization(
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    body: bytes,
    key_id: str,
    secret: str,
) -> str:
    """``ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<names>,Signature=<hex HMAC-SHA256>`` over
    ``ACS3-HMAC-SHA256\\n<hex SHA-256 of the canonical request>``."""
    canonical, signed = aliyun_canonical_request(method, path, query, headers, body)
    to_sign = f"{ALIYUN_ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{ALIYUN_ALGORITHM} Credential={key_id},SignedHeaders={signed},Signature={signature}"


class AliyunSender:
    """``SendSms`` of dysmsapi (version 2017-05-25), an RPC call signed with ACS3-HMAC-SHA256 (V3)."""

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

    def signed_request(self, phone: str, code: str) -> tuple[str, dict[str, str], dict[str, str]]:
        """(url, query, headers) of one signed ``SendSms``; the parameters travel in the query."""
        s = self.settings
        assert s.sms_aliyun_access_key_id
        assert s.sms_aliyun_access_key_secret
        query = {
            "PhoneNumbers": phone,
            "SignName": s.sms_aliyun_sign_name or "",
            "TemplateCode": s.sms_aliyun_template_code or "",
            "TemplateParam": json.dumps({"code": code}),
        }
        url = s.sms_aliyun_endpoint.rstrip("/") + "/"
        headers = {
            "host": httpx.URL(url).netloc.decode(),
            "x-acs-action": "SendSms",
            "x-acs-version": "2017-05-25",
            "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x-acs-signature-nonce": uuid.uuid4().hex,
            "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
        }
        headers["Authorization"] = aliyun_authorization(
            "POST", "/", query, headers, b"", s.sms_aliyun_access_key_id, s.sms_aliyun_access_key_secret
        )
        return url, query, headers

    async def send(self, phone: str, code: str) -> None:
        url, query, headers = self.signed_request(phone, code)
        encoded = "&".join(f"{aliyun_encode(k)}={aliyun_encode(v)}" for k, v in sorted(query.items()))
        try:
            response = await self.http.post(f"{url}?{encoded}", headers=headers, content=b"")
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
