"""Problem types of processes and notices: each refusal a client can act on has its own ``type``."""

from __future__ import annotations

from core.kernel.errors import register_problem
from core.kernel.i18n import Text


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


UNKNOWN_TYPE = register_problem(
    "unknown-process-type",
    422,
    _t("未知的办理事项类型", "未知的辦理事項類型", "Unknown process type"),
    _t(
        "办理事项类型 {type} 未由任何已启用的插件声明。",
        "辦理事項類型 {type} 未由任何已啟用的外掛宣告。",
        "Process type {type} is not declared by any enabled plugin.",
    ),
)
WRONG_ORG_KIND = register_problem(
    "process-org-kind",
    422,
    _t("该组织不办理此类事项", "該組織不辦理此類事項", "Org does not run this process type"),
    _t(
        "类型 {type} 的申请不能向此类组织提出。",
        "類型 {type} 的申請不能向此類組織提出。",
        "Processes of type {type} cannot be opened on an org of this kind.",
    ),
)
NO_APPLICANT = register_problem(
    "process-no-applicant",
    422,
    _t("未指定申请人", "未指定申請人", "No applicant"),
    _t(
        "您的账号未关联人员，请指定 applicant_id。",
        "您的帳號未關聯人員，請指定 applicant_id。",
        "Your account belongs to no person; give an applicant_id.",
    ),
)
UNKNOWN_TRANSITION = register_problem(
    "unknown-transition",
    422,
    _t("未知的办理步骤", "未知的辦理步驟", "Unknown transition"),
    _t(
        "此类事项没有名为 {transition} 的步骤。",
        "此類事項沒有名為 {transition} 的步驟。",
        "This process type has no transition named {transition}.",
    ),
)
TRANSITION_NOT_ALLOWED = register_problem(
    "transition-not-allowed",
    409,
    _t("当前状态不能执行此步骤", "目前狀態不能執行此步驟", "Transition not possible now"),
    _t(
        "事项当前状态为 {state}（{status}），不能执行步骤 {transition}。",
        "事項目前狀態為 {state}（{status}），不能執行步驟 {transition}。",
        "The process is in state {state} ({status}); transition {transition} is not possible.",
    ),
)
NOT_YOUR_STEP = register_problem(
    "transition-forbidden",
    403,
    _t("无权执行此步骤", "無權執行此步驟", "Not allowed to take this step"),
    _t(
        "步骤 {transition} 须由申请人或有相应权限、职务的人员执行。",
        "步驟 {transition} 須由申請人或有相應權限、職務的人員執行。",
        "Transition {transition} must be taken by the applicant or someone holding its permission or post.",
    ),
)
PROCESS_CHANGED = register_problem(
    "process-changed",
    412,
    _t("事项已被他人处理", "事項已被他人處理", "Process changed meanwhile"),
    _t(
        "此事项已被修改（当前版本 {version}），请刷新后重试。",
        "此事項已被修改（目前版本 {version}），請重新整理後重試。",
        "The process was changed meanwhile (now version {version}); reload it and try again.",
    ),
)
ACTION_FAILED = register_problem(
    "process-action-failed",
    422,
    _t("办理未能完成", "辦理未能完成", "Step could not be completed"),
    _t(
        "插件 {plugin} 未能完成此步骤的后续处理，事项未作任何改动。",
        "外掛 {plugin} 未能完成此步驟的後續處理，事項未作任何改動。",
        "Plugin {plugin} could not complete this step; nothing was changed.",
    ),
)
REFERRAL_NOT_ACCEPTED = register_problem(
    "referral-not-accepted",
    422,
    _t("目标组织不受理此类事项", "目標組織不受理此類事項", "Target org does not accept this process"),
    _t(
        "目标组织的类型既不办理 {type}，也没有声明可转入的事项类型。",
        "目標組織的類型既不辦理 {type}，也沒有宣告可轉入的事項類型。",
        "The target org's kind neither runs {type} nor declares a type {type} may be referred to.",
    ),
)
REFERRAL_TYPE_MISSING = register_problem(
    "referral-type-missing",
    422,
    _t("转办目标事项类型未安装", "轉辦目標事項類型未安裝", "Referral target type not installed"),
    _t(
        "事项类型 {type} 未由任何已启用的插件声明（提供它的插件未安装或已停用），无法转办。",
        "事項類型 {type} 未由任何已啟用的外掛宣告（提供它的外掛未安裝或已停用），無法轉辦。",
        "Process type {type} is not declared by any enabled plugin (the plugin providing it is not "
        "installed or is disabled); the process cannot be referred to it.",
    ),
)
NOTICE_CLOSED = register_problem(
    "notice-closed",
    409,
    _t("公示期已结束", "公示期已結束", "Notice window closed"),
    _t(
        "此公示不在公示期内，不能再提出异议。",
        "此公示不在公示期內，不能再提出異議。",
        "The notice is outside its window; objections are no longer accepted.",
    ),
)
OBJECTION_RESOLVED = register_problem(
    "objection-resolved",
    409,
    _t("异议已处理", "異議已處理", "Objection already resolved"),
    _t("此异议已经处理过。", "此異議已經處理過。", "This objection was already resolved."),
)
NO_PERSON = register_problem(
    "objection-no-person",
    403,
    _t("须以个人身份提出异议", "須以個人身分提出異議", "Objections come from persons"),
    _t(
        "只有关联了人员的账号可以对公示提出异议。",
        "只有關聯了人員的帳號可以對公示提出異議。",
        "Only an account that belongs to a person may object to a notice.",
    ),
)
