"""Routes of self-service sign-up: ``/auth/codes``, ``/auth/signup``, ``/auth/wechat/bind``.

Logging in by code or WeChat goes through the one token endpoint (``grant_type`` ``phone_code`` and
``wechat`` of ``POST /auth/token``), which signs up as well where the platform allows it.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.params import JSONBody

from core.identity.api_auth import client_address
from core.identity.schemas import CodeRequest, CodeSent, PasswordSignup, TokenResponse, WeChatBind
from core.kernel.errors import Problem
from core.signup.service import signup_of


class SignupController(Controller):
    path = "/auth"
    tags = ["auth"]  # noqa: RUF012 - Litestar reads it from the class

    @post(
        "/codes",
        opt={"policy": "public"},
        status_code=202,
        security=[],
        summary="发送手机验证码",
        description=(
            "对合法手机号总是回答 code_sent，不透露是否有账号。每手机号有重发间隔和每日上限，"
            "每个客户端地址每小时、平台每日也有上限（429 并带 Retry-After）。验证码用于 "
            "POST /auth/token grant_type=phone_code。"
            "平台要求时须带人机验证令牌。"
        ),
        summary_en="Send a one-time code to a phone",
        description_en=(
            "Always answers `code_sent` for a valid phone, whether or not an account has it. Limits: one "
            "code per phone per `resend_after` seconds, a daily number per phone, an hourly number per "
            "client address and a daily number for the platform (429 with Retry-After). The code is then "
            "entered with `POST /auth/token` `grant_type=phone_code`. A CAPTCHA token is required when the "
            "platform says so."
        ),
    )
    async def send_code(self, request: Request[Any, Any, Any], data: JSONBody[CodeRequest]) -> CodeSent:
        return await signup_of(request.app.state).request_code(data, client_address(request))

    @post(
        "/signup",
        opt={"policy": "public"},
        status_code=201,
        security=[],
        summary="用户名密码注册",
        description=(
            "仅在平台允许时可用（QUNTUAN_SIGNUP_PASSWORD_ENABLED），否则 403 "
            "signup-closed。新建一个人员和一个无任何授权的账号，并返回令牌。"
        ),
        summary_en="Sign up with a username and password",
        description_en=(
            "Only where the platform allows it (`QUNTUAN_SIGNUP_PASSWORD_ENABLED`); otherwise 403 "
            "`signup-closed`. Creates a person and an account holding no grant and answers its tokens."
        ),
    )
    async def signup(self, request: Request[Any, Any, Any], data: JSONBody[PasswordSignup]) -> TokenResponse:
        return await signup_of(request.app.state).password_signup(data, client_address(request))

    @post(
        "/wechat/bind",
        opt={"policy": "self"},
        status_code=204,
        summary="绑定微信登录",
        description=("code 取自 wx.login()；该微信用户已绑定其他账号时返回 409 wechat-bound。"),
        summary_en="Add WeChat login to the calling account",
        description_en="`code` from `wx.login()`; 409 `wechat-bound` when that WeChat user has another account.",
    )
    async def bind_wechat(self, request: Request[Any, Any, Any], data: JSONBody[WeChatBind]) -> None:
        principal = request.user
        if principal.kind != "account":
            raise Problem("forbidden")
        await signup_of(request.app.state).bind_wechat(principal.id, data.code, client_address(request))
