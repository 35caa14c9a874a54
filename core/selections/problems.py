"""Problem types of selections and honors: each refusal a client can act on has its own ``type``."""

from __future__ import annotations

from core.kernel.errors import register_problem
from core.kernel.i18n import Text


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


UNKNOWN_TYPE = register_problem(
    "unknown-selection-type",
    422,
    _t("未知的评选类型", "未知的評選類型", "Unknown selection type"),
    _t(
        "评选类型 {type} 未由任何已启用的插件声明。",
        "評選類型 {type} 未由任何已啟用的外掛宣告。",
        "Selection type {type} is not declared by any enabled plugin.",
    ),
)
WRONG_STAGE = register_problem(
    "selection-stage",
    409,
    _t("评选当前阶段不允许此操作", "評選目前階段不允許此操作", "Not possible at this stage"),
    _t(
        "评选处于“{stage}”阶段，不能{action}。",
        "評選處於「{stage}」階段，不能{action}。",
        "The campaign is at stage {stage}; {action} is not possible now.",
    ),
)
QUOTA_FULL = register_problem(
    "selection-quota-full",
    409,
    _t("名额已满", "名額已滿", "Quota used up"),
    _t(
        "该组织在本次评选中的名额（{quota} 个）已用完。",
        "該組織在本次評選中的名額（{quota} 個）已用完。",
        "This org has used all {quota} places it has in this campaign.",
    ),
)
NOMINATION_MOVED = register_problem(
    "nomination-changed",
    409,
    _t("推荐已被处理", "推薦已被處理", "Nomination changed meanwhile"),
    _t(
        "此推荐已被处理或已不在本级（当前版本 {version}），请刷新后重试。",
        "此推薦已被處理或已不在本級（目前版本 {version}），請重新整理後重試。",
        "The nomination was handled meanwhile or is no longer at this level (now version {version}).",
    ),
)
DUPLICATE_NOMINEE = register_problem(
    "nominee-duplicate",
    409,
    _t("已被推荐", "已被推薦", "Already nominated"),
    _t(
        "该对象已在本次评选中被推荐。",
        "該對象已在本次評選中被推薦。",
        "This nominee is already nominated in this campaign.",
    ),
)
ALREADY_VOTED = register_problem(
    "vote-duplicate",
    409,
    _t("已投过票", "已投過票", "Already voted"),
    _t(
        "您已为该候选对象投过票。",
        "您已為該候選對象投過票。",
        "You have already voted for this candidate.",
    ),
)
BUDGET_USED = register_problem(
    "vote-budget-used",
    409,
    _t("票数已用完", "票數已用完", "No votes left"),
    _t(
        "您在本次评选中的 {budget} 票已全部投出。",
        "您在本次評選中的 {budget} 票已全部投出。",
        "You have cast all {budget} votes you have in this campaign.",
    ),
)
NO_PERSON = register_problem(
    "selection-no-person",
    403,
    _t("须以个人身份操作", "須以個人身分操作", "Persons only"),
    _t(
        "只有关联了人员的账号可以自荐、推荐他人或投票。",
        "只有關聯了人員的帳號可以自薦、推薦他人或投票。",
        "Only an account that belongs to a person may nominate or vote.",
    ),
)
RESULT_HELD = register_problem(
    "selection-result-held",
    409,
    _t("公示有待处理的异议", "公示有待處理的異議", "Result held by an objection"),
    _t(
        "公示期间收到的异议尚未处理完毕，评选结果暂缓确定。",
        "公示期間收到的異議尚未處理完畢，評選結果暫緩確定。",
        "Objections filed during the notice are not all resolved; the result is held.",
    ),
)
NOTICE_RUNNING = register_problem(
    "selection-notice-running",
    409,
    _t("公示期未满", "公示期未滿", "Notice still running"),
    _t(
        "公示期至 {closes_at} 结束，届满后方可确定结果。",
        "公示期至 {closes_at} 結束，屆滿後方可確定結果。",
        "The notice runs until {closes_at}; the result is decided after it.",
    ),
)
NONE_SELECTED = register_problem(
    "selection-none",
    409,
    _t("没有候选对象", "沒有候選對象", "Nobody to go on with"),
    _t(
        "本级尚无候选（或已选出的）对象，不能进入下一阶段。",
        "本級尚無候選（或已選出的）對象，不能進入下一階段。",
        "There are no candidates (or no one selected) at the campaign's org yet.",
    ),
)
CHECK_FAILED = register_problem(
    "selection-check-failed",
    422,
    _t("推荐未能完成核验", "推薦未能完成核驗", "Nomination could not be checked"),
    _t(
        "插件 {plugin} 未能核验这项推荐，推荐未提交。",
        "外掛 {plugin} 未能核驗這項推薦，推薦未提交。",
        "Plugin {plugin} could not check this nomination; nothing was filed.",
    ),
)
