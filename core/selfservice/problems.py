"""Problem types of self-service: each refusal a front end can act on has its own ``type``."""

from __future__ import annotations

from core.kernel.errors import register_problem
from core.kernel.i18n import Text


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


CLAIM_FAILED = register_problem(
    "claim-failed",
    422,
    _t("认领未成功", "認領未成功", "Claim not confirmed"),
    _t(
        "验证码不正确、已过期，或信息无法自动核验。可提交人工审核。",
        "驗證碼不正確、已過期，或資訊無法自動核驗。可提交人工審核。",
        "The code is wrong or expired, or the details cannot be checked automatically; you may ask "
        "for a review.",
    ),
)
ALREADY_CLAIMED = register_problem(
    "already-claimed",
    409,
    _t("账号已完成实名认证", "帳號已完成實名認證", "Account already verified"),
    _t(
        "您的账号已关联有身份证号的人员档案。",
        "您的帳號已關聯有身分證號的人員檔案。",
        "Your account already belongs to a person record with an ID number.",
    ),
)
NO_PERSON = register_problem(
    "self-no-person",
    409,
    _t("账号未关联人员", "帳號未關聯人員", "No person record"),
    _t(
        "请先完成实名认领。",
        "請先完成實名認領。",
        "Claim your person record first.",
    ),
)
INVITATION_INVALID = register_problem(
    "invitation-invalid",
    410,
    _t("邀请已失效", "邀請已失效", "Invitation no longer valid"),
    _t(
        "邀请不存在、已过期、已撤销或已用完。",
        "邀請不存在、已過期、已撤銷或已用完。",
        "The invitation does not exist, has expired, was revoked or is used up.",
    ),
)
INVITATION_USED = register_problem(
    "invitation-used",
    409,
    _t("已使用过此邀请", "已使用過此邀請", "Invitation already used"),
    _t("您已使用过此邀请。", "您已使用過此邀請。", "You have used this invitation already."),
)
NOT_A_MEMBER = register_problem(
    "not-a-member",
    409,
    _t("不是该组织成员", "不是該組織成員", "Not a member"),
    _t(
        "只能转出您现有的有效会籍。",
        "只能轉出您現有的有效會籍。",
        "Only an active membership of yours can be transferred.",
    ),
)
NO_CONTROLLER = register_problem(
    "no-data-controller",
    409,
    _t("没有管理您档案的组织", "沒有管理您檔案的組織", "No org keeps your record"),
    _t(
        "您的人员档案不属于任何组织，请先完成实名认领。",
        "您的人員檔案不屬於任何組織，請先完成實名認領。",
        "Your person record is kept by no org; claim your record first.",
    ),
)
