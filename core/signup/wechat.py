"""WeChat mini-program login: the ``code2session`` exchange (``wx.login()``'s code → openid, unionid).

Errors of the WeChat API become problems a client can act on, never a 500: an invalid or used code
(40029, 40163) → 400 ``wechat-code-invalid``; WeChat's rate limit (45011) → 429 with Retry-After;
WeChat busy (-1), unreachable or answering nonsense → 503 with Retry-After; anything else → 502.
The ``session_key`` is not kept: the platform uses its own tokens.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import msgspec

from core.kernel.errors import Problem
from core.kernel.settings import Settings
from core.signup.problems import WECHAT_CODE_INVALID, WECHAT_FAILED

log = logging.getLogger("quntuan.wechat")

#: Seconds a client is told to wait after WeChat's rate limit or while it is busy.
WECHAT_RETRY_AFTER = 10


class WeChatSession(msgspec.Struct, frozen=True, kw_only=True):
    openid: str
    unionid: str | None = None


class WeChatClient:
    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        self.app_id = settings.wechat_app_id
        self.secret = settings.wechat_app_secret
        self.base = settings.wechat_api_base.rstrip("/")
        self.http = http

    @property
    def enabled(self) -> bool:
        return bool(self.app_id and self.secret)

    async def code2session(self, code: str) -> WeChatSession:
        assert self.app_id
        assert self.secret
        params = {
            "appid": self.app_id,
            "secret": self.secret,
            "js_code": code,
            "grant_type": "authorization_code",
        }
        try:
            response = await self.http.get(f"{self.base}/sns/jscode2session", params=params)
            # WeChat answers JSON labelled text/plain.
            body: Any = msgspec.json.decode(response.content)
        except (httpx.HTTPError, msgspec.DecodeError) as exc:
            log.warning("code2session failed: %s", type(exc).__name__)
            raise _busy() from exc
        if not isinstance(body, dict) or response.status_code != 200:
            raise _busy()
        errcode = body.get("errcode") or 0
        if errcode in (40029, 40163, 40226):
            raise Problem(WECHAT_CODE_INVALID)
        if errcode == 45011:
            raise Problem(
                "rate-limited",
                headers={"Retry-After": str(WECHAT_RETRY_AFTER)},
                retry_after=WECHAT_RETRY_AFTER,
            )
        if errcode == -1:
            raise _busy()
        openid = body.get("openid")
        if errcode or not isinstance(openid, str) or not openid or len(openid) > 128:
            log.warning("code2session answered errcode %s", errcode)
            raise Problem(WECHAT_FAILED)
        unionid = body.get("unionid")
        return WeChatSession(
            openid=openid, unionid=unionid if isinstance(unionid, str) and 0 < len(unionid) <= 128 else None
        )


def _busy() -> Problem:
    return Problem("service-unavailable", headers={"Retry-After": str(WECHAT_RETRY_AFTER)})
