"""Problem types of identity and access."""

from __future__ import annotations

from core.kernel.errors import register_problem
from core.kernel.i18n import Text

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
ROLE_BUILTIN = register_problem(
    "role-builtin",
    409,
    Text(zh_hans="内置角色不可修改", zh_hant="內建角色不可修改", en="Built-in role"),
    Text(
        zh_hans="该角色由插件 {plugin} 内置，不能修改或删除；请另建角色。",
        zh_hant="該角色由外掛 {plugin} 內建，不能修改或刪除；請另建角色。",
        en="This role is built into the plugin {plugin} and cannot be changed or deleted; define a role of your own.",
    ),
)
ROLE_CODE_RESERVED = register_problem(
    "role-code-reserved",
    422,
    Text(zh_hans="角色代码已保留", zh_hant="角色代碼已保留", en="Reserved role code"),
    Text(
        zh_hans="以“{prefix}.”开头的角色代码留给 {prefix} 的内置角色。",
        zh_hant="以「{prefix}.」開頭的角色代碼留給 {prefix} 的內建角色。",
        en="Role codes starting with “{prefix}.” are reserved for the built-in roles of {prefix}.",
    ),
)
