"""Problem types and field-error codes of the joint plugin, in zh-Hans, zh-Hant and en."""

from __future__ import annotations

from core.sdk import Text, register_field_code, register_problem


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


CHANGED = register_problem(
    "joint-changed",
    412,
    _t("记录已被他人修改", "記錄已被他人修改", "Changed meanwhile"),
    _t(
        "此记录已被修改（当前版本 {version}），请刷新后重试。",
        "此記錄已被修改（目前版本 {version}），請重新整理後重試。",
        "The record was changed meanwhile (now version {version}); reload it and try again.",
    ),
)
MEMBER_EXISTS = register_problem(
    "joint-member-exists",
    409,
    _t("该组织已是成员单位", "該組織已是成員單位", "Already a member"),
    _t(
        "该组织已是此联席会议的成员单位。",
        "該組織已是此聯席會議的成員單位。",
        "The org is already a member of this council.",
    ),
)
COUNCIL_DISSOLVED = register_problem(
    "joint-council-dissolved",
    409,
    _t("联席会议已撤销", "聯席會議已撤銷", "Council dissolved"),
    _t(
        "此联席会议已撤销，不能再开会、议事或增加成员。",
        "此聯席會議已撤銷，不能再開會、議事或增加成員。",
        "The council is dissolved: no more meetings, decisions or members.",
    ),
)
RULE_EXISTS = register_problem(
    "joint-rule-exists",
    409,
    _t("转办规则已存在", "轉辦規則已存在", "Rule exists"),
    _t(
        "该区域已有 {request_type} 的转办规则，请修改它。",
        "該區域已有 {request_type} 的轉辦規則，請修改它。",
        "The region already has a rule for {request_type}; change that one.",
    ),
)
NO_RULE = register_problem(
    "joint-no-rule",
    422,
    _t("没有适用的转办规则", "沒有適用的轉辦規則", "No referral rule"),
    _t(
        "本区域及上级区域都没有 {request_type} 类诉求的转办规则。",
        "本區域及上級區域都沒有 {request_type} 類訴求的轉辦規則。",
        "Neither this region nor any above it has a referral rule for {request_type} requests.",
    ),
)
NO_OWNER = register_problem(
    "joint-no-owner",
    422,
    _t("承办组织未安装", "承辦組織未安裝", "No installed owner"),
    _t(
        "{request_type} 类诉求应由 {target} 承办，但平台未安装该组织的插件；请线下转交或安装后再转办。",
        "{request_type} 類訴求應由 {target} 承辦，但平台未安裝該組織的外掛；請線下轉交或安裝後再轉辦。",
        "{request_type} requests go to {target}, whose plugin is not installed on this platform: "
        "hand the request over outside the platform, or install the plugin.",
    ),
)
NO_TARGET_ORG = register_problem(
    "joint-no-target-org",
    422,
    _t("附近没有承办组织", "附近沒有承辦組織", "No org to take it"),
    _t(
        "{request_type} 类诉求应由 {target} 承办，但该组织所在区域内没有此类组织。",
        "{request_type} 類訴求應由 {target} 承辦，但該組織所在區域內沒有此類組織。",
        "{request_type} requests go to {target}, but there is no such org in the region of this org.",
    ),
)

#: Field-error texts of this plugin by code (for ProcessRejected, which carries its own message).
FIELD_MESSAGES: dict[str, Text] = {}


def _field(code: str, text: Text) -> str:
    FIELD_MESSAGES[code] = text
    return register_field_code(code, text)


NOT_OFFICE = _field(
    "joint_not_office",
    _t(
        "只有联席会议办公室可以办理此步",
        "只有聯席會議辦公室可以辦理此步",
        "Only the council's office may take this step",
    ),
)
NOT_MEMBER = _field(
    "joint_not_member",
    _t("该组织不是此联席会议的成员单位", "該組織不是此聯席會議的成員單位", "Not a member org of the council"),
)
OUTSIDE_COUNCIL = _field(
    "joint_outside_council",
    _t(
        "成员单位须在联席会议所在组织的下级范围内",
        "成員單位須在聯席會議所在組織的下級範圍內",
        "A member org must lie in the subtree of the council's org",
    ),
)
UNKNOWN_TARGET = _field(
    "joint_unknown_target",
    _t(
        "须为组织类型代码（如 union.grassroots）或插件前缀（如 union.*）",
        "須為組織類型代碼（如 union.grassroots）或外掛前綴（如 union.*）",
        "An org kind code (union.grassroots) or a plugin prefix (union.*)",
    ),
)
DUE_PAST = _field(
    "joint_due_past",
    _t("期限不能早于今天", "期限不能早於今天", "The deadline cannot be before today"),
)

# --- the service menu ------------------------------------------------------------------------------------

SERVICE_FULL = register_problem(
    "joint-service-full",
    409,
    _t("本期名额已满", "本期名額已滿", "No places left"),
    _t(
        "此服务 {period} 的 {capacity} 个名额已约满，请下期再点单或选择其他服务。",
        "此服務 {period} 的 {capacity} 個名額已約滿，請下期再點單或選擇其他服務。",
        "All {capacity} places of this service for {period} are taken: order again next period or "
        "choose another service.",
    ),
)
SERVICE_WITHDRAWN = register_problem(
    "joint-service-withdrawn",
    409,
    _t("服务已撤下", "服務已撤下", "Service withdrawn"),
    _t(
        "此服务已撤下，不再接受点单；已点的单照常办理。",
        "此服務已撤下，不再接受點單；已點的單照常辦理。",
        "The service was withdrawn and takes no new orders; orders placed before go on.",
    ),
)
MEMBERS_ONLY = register_problem(
    "joint-members-only",
    403,
    _t("仅面向成员", "僅面向成員", "For members only"),
    _t(
        "此服务（或调查）只面向所在组织及其下级组织的成员。",
        "此服務（或調查）只面向所在組織及其下級組織的成員。",
        "This service (or survey) is only for members of its org and the orgs beneath it.",
    ),
)
NO_PERSON = register_problem(
    "joint-no-person",
    403,
    _t("须由本人办理", "須由本人辦理", "Only a person may"),
    _t(
        "点单、评价和作答须由本人登录办理；接口客户端和没有人员信息的账户不能办理。",
        "點單、評價和作答須由本人登入辦理；介面客戶端和沒有人員資訊的帳戶不能辦理。",
        "Ordering, rating and answering surveys are done by the person, signed in; API clients and "
        "accounts without a person cannot.",
    ),
)
NOT_DONE = register_problem(
    "joint-order-not-done",
    409,
    _t("服务尚未完成", "服務尚未完成", "Not done yet"),
    _t(
        "服务完成后才能评价（当前状态：{state}）。",
        "服務完成後才能評價（目前狀態：{state}）。",
        "An order is rated once it is done (now: {state}).",
    ),
)
ALREADY_RATED = register_problem(
    "joint-already-rated",
    409,
    _t("已经评价过", "已經評價過", "Rated already"),
    _t("每个点单只能评价一次。", "每個點單只能評價一次。", "An order is rated once."),
)
PARTNER_EXISTS = register_problem(
    "joint-partner-exists",
    409,
    _t("该社会组织已登记", "該社會組織已登記", "Partner registered already"),
    _t(
        "统一社会信用代码为 {credit_code} 的社会组织已在本组织登记。",
        "統一社會信用代碼為 {credit_code} 的社會組織已在本組織登記。",
        "A partner with the unified social credit code {credit_code} is registered with this org already.",
    ),
)

ORDER_VIA_MENU = _field(
    "joint_order_via_menu",
    _t(
        "服务点单须通过服务清单（/api/v1/joint）提交",
        "服務點單須透過服務清單（/api/v1/joint）提交",
        "Orders are placed through the service menu (/api/v1/joint)",
    ),
)
DISPATCH_OUTSIDE = _field(
    "joint_dispatch_outside",
    _t(
        "只能派给派单人权限范围内的组织",
        "只能派給派單人權限範圍內的組織",
        "Orders go only to orgs within the dispatcher's reach",
    ),
)
PARTNER_ELSEWHERE = _field(
    "joint_partner_elsewhere",
    _t(
        "合作社会组织须登记在所派组织且处于合作状态",
        "合作社會組織須登記在所派組織且處於合作狀態",
        "The partner must be active and registered with the org the order goes to",
    ),
)
PLACE_ELSEWHERE = _field(
    "joint_place_elsewhere",
    _t(
        "阵地须在用，且属于本组织、其上级或下级组织",
        "陣地須在用，且屬於本組織、其上級或下級組織",
        "The place must be open and belong to the org, an org above it or one beneath it",
    ),
)
NOT_OWN_ORG = _field(
    "joint_not_own_org",
    _t(
        "须为本人的所在组织（户籍所在组织或所在的组织）",
        "須為本人的所在組織（所屬組織或所在的組織）",
        "Must be the person's own org (their home org or one they are a member of)",
    ),
)

# --- needs surveys ---------------------------------------------------------------------------------------

NOT_IN_AUDIENCE = register_problem(
    "joint-survey-not-for-you",
    403,
    _t("此调查不面向你", "此調查不面向你", "Not asked by this survey"),
    _t(
        "区域调查面向户籍所在组织或所在组织在该区域的群众，成员调查面向该组织及其下级组织的成员。",
        "區域調查面向所屬組織或所在組織在該區域的群眾，成員調查面向該組織及其下級組織的成員。",
        "A region survey asks people whose home org or an org they belong to lies in its region; a members "
        "survey asks the members of its org and the orgs beneath it.",
    ),
)
ALREADY_RESPONDED = register_problem(
    "joint-already-responded",
    409,
    _t("本期已经作答", "本期已經作答", "Answered already"),
    _t("每人每期只能作答一次。", "每人每期只能作答一次。", "A person answers each run once."),
)
RUN_CLOSED = register_problem(
    "joint-run-closed",
    409,
    _t("本期调查已关闭", "本期調查已關閉", "Run closed"),
    _t("本期调查已关闭，不再接受作答。", "本期調查已關閉，不再接受作答。", "This run is closed to answers."),
)
RUN_OPEN = register_problem(
    "joint-run-open",
    409,
    _t("已有一期正在开放", "已有一期正在開放", "A run is open"),
    _t(
        "此调查已有一期正在开放作答，请先关闭它。",
        "此調查已有一期正在開放作答，請先關閉它。",
        "A run of this survey is open: close it first.",
    ),
)
RUN_EXISTS = register_problem(
    "joint-run-exists",
    409,
    _t("该季度已开展过", "該季度已開展過", "Quarter taken"),
    _t(
        "此调查在 {period} 已开展过一期。",
        "此調查在 {period} 已開展過一期。",
        "This survey ran in {period} already.",
    ),
)
SURVEY_ARCHIVED = register_problem(
    "joint-survey-archived",
    409,
    _t("调查已归档", "調查已歸檔", "Survey archived"),
    _t(
        "此调查已归档，不能再开新一期。",
        "此調查已歸檔，不能再開新一期。",
        "The survey is archived: no new runs.",
    ),
)
QUESTIONS_FIXED = register_problem(
    "joint-questions-fixed",
    409,
    _t("题目已固定", "題目已固定", "Questions fixed"),
    _t(
        "此调查已开展过，题目不能再修改；可另建一份调查。",
        "此調查已開展過，題目不能再修改；可另建一份調查。",
        "The survey has run: its questions no longer change (make a new survey).",
    ),
)

QUESTIONS_INVALID = _field(
    "joint_questions_invalid",
    _t(
        "题目代码须唯一；单选、多选题须有两个以上代码不重复的选项，评分题和文字题不设选项",
        "題目代碼須唯一；單選、多選題須有兩個以上代碼不重複的選項，評分題和文字題不設選項",
        "Question codes are unique; single and multiple choices have two or more options of unique codes, "
        "ratings and texts none",
    ),
)
QUESTION_UNKNOWN = _field(
    "joint_question_unknown",
    _t("调查中没有这道题", "調查中沒有這道題", "No such question in the survey"),
)
ANSWER_DUPLICATE = _field(
    "joint_answer_duplicate",
    _t("同一道题只能回答一次", "同一道題只能回答一次", "A question is answered once"),
)
ANSWER_WRONG = _field(
    "joint_answer_wrong",
    _t(
        "答案与题型不符：单选给 option，多选给不重复的 options，评分给 1–5 的 rating，文字给非空 text",
        "答案與題型不符：單選給 option，多選給不重複的 options，評分給 1–5 的 rating，文字給非空 text",
        "The answer does not fit the question: option for a single choice, distinct options for a multiple "
        "choice, a rating of 1–5, a text that is not empty",
    ),
)
ANSWER_MISSING = _field(
    "joint_answer_missing",
    _t("还有必答题没有回答", "還有必答題沒有回答", "A required question is unanswered"),
)
NEED_UNKNOWN = _field(
    "joint_need_unknown",
    _t(
        "所引调查题目或选项不存在，或调查不覆盖此服务的组织",
        "所引調查題目或選項不存在，或調查不覆蓋此服務的組織",
        "No such survey question or option, or the survey does not cover the service's org",
    ),
)
