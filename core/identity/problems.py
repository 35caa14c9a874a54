"""Problem types of identity and access."""

from __future__ import annotations

from core.errors import register_problem
from core.i18n import Text

INVALID_CREDENTIALS = register_problem(
    "invalid-credentials",
    401,
    Text(zh_hans="账号或密码错误", zh_hant="帳號或密碼錯誤", en="Invalid credentials"),
    Text(
        zh_hans="账号或密码不正确。",
        zh_hant="帳號或密碼不正確。",
        en="The login name or password is not correct.",
    ),
)
INVALID_GRANT = register_problem(
    "invalid-grant",
    400,
    Text(zh_hans="刷新令牌无效", zh_hant="重新整理權杖無效", en="Invalid grant"),
    Text(
        zh_hans="刷新令牌无效、已过期或已被使用，请重新登录。",
        zh_hant="重新整理權杖無效、已過期或已被使用，請重新登入。",
        en="The refresh token is invalid, expired or already used; log in again.",
    ),
)
DUPLICATE = register_problem(
    "duplicate",
    409,
    Text(zh_hans="记录已存在", zh_hant="記錄已存在", en="Already exists"),
    Text(
        zh_hans="已有相同的{what}。",
        zh_hant="已有相同的{what}。",
        en="A record with the same {what} already exists.",
    ),
)
