"""Routes of authentication and the caller's own account: ``/auth/token``, ``/auth/logout``, ``/me``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody

from core.identity import auth
from core.identity.oauth import TokenOperation, token_exception_handlers, token_request
from core.identity.persons import to_out
from core.identity.runtime import identity_of
from core.identity.schemas import Me, MeUpdate, PasswordChange, TokenRequest, TokenResponse
from core.identity.tables import Person
from core.kernel.errors import Problem
from core.signup.service import signup_of


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


async def _me(request: Request[Any, Any, Any]) -> Me:
    principal = request.user
    person = None
    if principal.person_id is not None:
        row = await Person.select().where(Person.id == principal.person_id).first().run()
        if row is not None:
            person = to_out(row, identity_of(request.app.state).vault, reveal=True)
    from core.kernel.errors import request_locale
    from core.selfservice import context

    extra = (
        await context.overview(principal.person_id, request.app.state.registry, request_locale(request))
        if person is not None
        else {}
    )
    return Me(
        kind=principal.kind,
        id=principal.id,
        name=getattr(principal, "name", ""),
        person=person,
        permissions=sorted(getattr(principal, "reaches", {}).keys()),
        **extra,
    )


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]  # noqa: RUF012 - Litestar reads it from the class

    @post(
        "/token",
        opt={"policy": "public", "throttled": True, "body": TokenRequest},
        status_code=200,
        summary="获取访问令牌",
        description=(
            "grant_type 为 password（用户名或手机号加密码）、"
            "refresh_token（轮换：每个刷新令牌只能用一次，重复使用会撤销整个系列）或 "
            "client_credentials；phone_code（手机号加 POST "
            "/auth/codes 的验证码）与 wechat（wx.login() 的 code）用于登录，"
            "平台允许时无账号者同时注册。连续失败会锁定（429 并带 Retry-After）；"
            "计数不可用时返回 503。"
            "请求体可为表单（application/x-www-form-urlencoded，RFC 6749）或同字段的 JSON；"
            "客户端也可用 HTTP Basic 发送 client_id 与 client_secret。错误为问题详情，"
            "并带 RFC 6749 的 error 与 error_description（invalid_request、invalid_client、"
            "invalid_grant、unsupported_grant_type）。"
        ),
        summary_en="Get an access token",
        description_en=(
            "grant_type `password` (username or phone + password), `refresh_token` (rotating: each refresh "
            "token works once; reusing one revokes its family) or `client_credentials`. Repeated failures "
            "lock the account out, from one client address and then from all (429 with Retry-After); 503 "
            "while the failure counters cannot be reached. `phone_code` (phone + the code from `POST "
            "/auth/codes`) and `wechat` (`code` from `wx.login()`) log in, and sign up when no account has "
            "the phone or WeChat user and the platform lets persons sign up (`account_created` then says "
            "true). The body is a form (`application/x-www-form-urlencoded`, RFC 6749) or JSON with the same "
            "fields; a client may send `client_id` and `client_secret` by HTTP Basic instead. Errors are problem "
            "details that also carry RFC 6749 `error` and `error_description`."
        ),
        operation_class=TokenOperation,
        exception_handlers=token_exception_handlers(),
    )
    async def token(self, request: Request[Any, Any, Any]) -> TokenResponse:
        data = await token_request(request)
        db = request.app.state.db
        identity = identity_of(request.app.state)
        if data.grant_type == "password":
            return await auth.password_grant(db, identity, data, client_address(request))
        if data.grant_type == "refresh_token":
            return await auth.refresh_grant(db, identity, data)
        if data.grant_type == "phone_code":
            return await signup_of(request.app.state).phone_code_grant(data, client_address(request))
        if data.grant_type == "wechat":
            return await signup_of(request.app.state).wechat_grant(data, client_address(request))
        return await auth.client_credentials_grant(db, identity, data, client_address(request))

    @post(
        "/logout",
        opt={"policy": "self"},
        status_code=204,
        summary="退出登录（结束全部会话）",
        description="结束调用方账号的全部会话。",
        summary_en="End every session of the calling account",
        description_en="Ends every session of the calling account.",
    )
    async def logout(self, request: Request[Any, Any, Any]) -> None:
        principal = request.user
        if principal.kind != "account":
            raise Problem("forbidden")
        await auth.logout(request.app.state.db, principal.id)


class MeController(Controller):
    path = "/me"
    tags = ["auth"]  # noqa: RUF012 - Litestar reads it from the class

    @get(
        "/",
        opt={"policy": "self"},
        summary="当前调用者及其权限",
        description="调用者本人、账号及其在各组织的权限。",
        summary_en="Who is calling, and what they may do",
        description_en="The caller, their account and their permissions on each org.",
    )
    async def me(self, request: Request[Any, Any, Any]) -> Me:
        """The caller; for a person also their memberships, posts, open processes and profile."""
        return await _me(request)

    @patch(
        "/",
        opt={"policy": "self"},
        summary="修改本人信息（昵称、头像、联系方式）",
        description="修改本人可自行维护的信息：昵称、头像、联系方式。",
        summary_en="Edit what the person owns: nickname, avatar, contact ways",
        description_en="Edits what the person owns: nickname, avatar, contact ways.",
    )
    async def update_me(self, request: Request[Any, Any, Any], data: JSONBody[MeUpdate]) -> Me:
        """Name and ID number are not here: ask for a correction (``core.correction``) instead."""
        from core.selfservice import context

        principal = request.user
        if principal.kind != "account" or principal.person_id is None:
            raise Problem("forbidden")
        await context.update_profile(request.app.state.db, principal.person_id, data)
        return await _me(request)

    @post(
        "/password",
        opt={"policy": "self", "throttled": True},
        status_code=204,
        summary="修改密码（全部会话结束）",
        description="修改本人密码，此后全部会话结束。",
        summary_en="Change the password; every session ends",
        description_en="Changes the caller's password; every session ends.",
    )
    async def change_password(self, request: Request[Any, Any, Any], data: JSONBody[PasswordChange]) -> None:
        principal = request.user
        if principal.kind != "account":
            raise Problem("forbidden")
        await auth.change_password(
            request.app.state.db,
            identity_of(request.app.state),
            principal.id,
            data.current_password,
            data.new_password,
            client_address(request),
        )
