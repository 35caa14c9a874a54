"""Problem types of self-service sign-up and login."""

from __future__ import annotations

from core.kernel.errors import register_problem
from core.kernel.i18n import Text

INVALID_CODE = register_problem(
    "invalid-code",
    400,
    Text(zh_hans="验证码错误", zh_hant="驗證碼錯誤", en="Invalid code"),
    Text(
        zh_hans="验证码错误、已过期或已使用，请重新获取。",
        zh_hant="驗證碼錯誤、已過期或已使用，請重新取得。",
        en="The code is wrong, expired or already used; ask for a new one.",
    ),
)
SIGNUP_CLOSED = register_problem(
    "signup-closed",
    403,
    Text(zh_hans="未开放注册", zh_hant="未開放註冊", en="Sign-up is closed"),
    Text(
        zh_hans="本平台未开放自助注册，请联系所在组织开通账号。",
        zh_hant="本平臺未開放自助註冊，請聯絡所在組織開通帳號。",
        en="This platform does not let persons sign up themselves; ask your organization for an account.",
    ),
)
METHOD_DISABLED = register_problem(
    "login-method-disabled",
    403,
    Text(zh_hans="未启用此登录方式", zh_hant="未啟用此登入方式", en="Login method not enabled"),
    Text(
        zh_hans="本平台未启用{method}。",
        zh_hant="本平臺未啟用{method}。",
        en="This platform has not enabled {method}.",
    ),
)
CAPTCHA_FAILED = register_problem(
    "captcha-failed",
    400,
    Text(zh_hans="人机验证未通过", zh_hant="人機驗證未通過", en="CAPTCHA failed"),
    Text(
        zh_hans="人机验证未通过或已过期，请重新验证。",
        zh_hant="人機驗證未通過或已過期，請重新驗證。",
        en="The CAPTCHA was not passed or has expired; try it again.",
    ),
)
DELIVERY_FAILED = register_problem(
    "code-delivery-failed",
    503,
    Text(zh_hans="验证码发送失败", zh_hant="驗證碼發送失敗", en="The code could not be sent"),
    Text(
        zh_hans="短信服务暂不可用，请稍后重试。",
        zh_hant="簡訊服務暫不可用，請稍後重試。",
        en="The SMS service is unavailable; retry later.",
    ),
)
PHONE_AMBIGUOUS = register_problem(
    "phone-ambiguous",
    409,
    Text(zh_hans="手机号对应多个账号", zh_hant="手機號對應多個帳號", en="Phone shared by accounts"),
    Text(
        zh_hans="此手机号登记在多个账号上，请用用户名登录或联系所在组织。",
        zh_hant="此手機號登記在多個帳號上，請用使用者名稱登入或聯絡所在組織。",
        en="This phone is on more than one account; log in with a username or ask your organization.",
    ),
)
WECHAT_CODE_INVALID = register_problem(
    "wechat-code-invalid",
    400,
    Text(zh_hans="微信登录凭证无效", zh_hant="微信登入憑證無效", en="Invalid WeChat login code"),
    Text(
        zh_hans="微信登录凭证无效或已使用，请重新调用 wx.login。",
        zh_hant="微信登入憑證無效或已使用，請重新呼叫 wx.login。",
        en="The WeChat login code is invalid or used; call wx.login again.",
    ),
)
WECHAT_FAILED = register_problem(
    "wechat-failed",
    502,
    Text(zh_hans="微信接口错误", zh_hant="微信介面錯誤", en="WeChat API error"),
    Text(
        zh_hans="微信接口返回了错误，请稍后重试。",
        zh_hant="微信介面傳回了錯誤，請稍後重試。",
        en="The WeChat API answered with an error; retry later.",
    ),
)
WECHAT_BOUND = register_problem(
    "wechat-bound",
    409,
    Text(zh_hans="微信已绑定其他账号", zh_hant="微信已綁定其他帳號", en="WeChat bound elsewhere"),
    Text(
        zh_hans="此微信已绑定另一个账号。",
        zh_hant="此微信已綁定另一個帳號。",
        en="This WeChat user is bound to another account.",
    ),
)
