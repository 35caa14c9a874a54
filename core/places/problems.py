"""Problem types of places and bookings: each refusal a client can act on has its own ``type``."""

from __future__ import annotations

from core.kernel.errors import register_problem
from core.kernel.i18n import Text


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


UNKNOWN_KIND = register_problem(
    "unknown-place-kind",
    422,
    _t("未知的阵地类型", "未知的陣地類型", "Unknown place kind"),
    _t(
        "阵地类型 {kind} 未由任何已启用的插件声明。",
        "陣地類型 {kind} 未由任何已啟用的外掛宣告。",
        "Place kind {kind} is not declared by any enabled plugin.",
    ),
)
WRONG_ORG_KIND = register_problem(
    "place-org-kind",
    422,
    _t("该组织不能设立此类阵地", "該組織不能設立此類陣地", "Org cannot own this kind of place"),
    _t(
        "类型为 {kind} 的阵地不能属于此类组织。",
        "類型為 {kind} 的陣地不能屬於此類組織。",
        "A place of kind {kind} cannot belong to an org of this kind.",
    ),
)
PLACE_CHANGED = register_problem(
    "place-changed",
    412,
    _t("阵地信息已被他人修改", "陣地資訊已被他人修改", "Place changed meanwhile"),
    _t(
        "此阵地已被修改（当前版本 {version}），请刷新后重试。",
        "此陣地已被修改（目前版本 {version}），請重新整理後重試。",
        "The place was changed meanwhile (now version {version}); reload it and try again.",
    ),
)
UNAVAILABLE = register_problem(
    "resource-unavailable",
    409,
    _t("所选时间已被预约", "所選時間已被預約", "Already booked"),
    _t(
        "{resource} 在所选时间已无空余，请选择其他时间。",
        "{resource} 在所選時間已無空餘，請選擇其他時間。",
        "{resource} has nothing free at the chosen time; choose another.",
    ),
)
NOT_ELIGIBLE = register_problem(
    "booking-not-eligible",
    403,
    _t("无权预约此资源", "無權預約此資源", "Not eligible to book"),
    _t(
        "此资源仅供本阵地所属组织及共享组织的成员或组织预约。",
        "此資源僅供本陣地所屬組織及共享組織的成員或組織預約。",
        "Only members and orgs of the owner org or a sharing org may book this resource.",
    ),
)
NO_PERSON = register_problem(
    "booking-no-person",
    422,
    _t("须以个人身份预约", "須以個人身分預約", "Bookings come from persons"),
    _t(
        "您的账号未关联人员；以组织名义预约请指定 org_id。",
        "您的帳號未關聯人員；以組織名義預約請指定 org_id。",
        "Your account belongs to no person; to book for an org, give an org_id.",
    ),
)
QUOTA_EXCEEDED = register_problem(
    "booking-quota-exceeded",
    409,
    _t("超出年度预约上限", "超出年度預約上限", "Yearly limit reached"),
    _t(
        "每人每年最多预约 {limit} 晚，您在 {year} 年已预约 {used} 晚。",
        "每人每年最多預約 {limit} 晚，您在 {year} 年已預約 {used} 晚。",
        "At most {limit} nights per person a year; you hold {used} in {year}.",
    ),
)
OUTSIDE_WINDOW = register_problem(
    "booking-outside-window",
    422,
    _t("不在可预约时段内", "不在可預約時段內", "Outside the booking window"),
    _t(
        "须至少提前 {lead_hours} 小时、至多提前 {horizon_days} 天预约，且在开放时间内。",
        "須至少提前 {lead_hours} 小時、至多提前 {horizon_days} 天預約，且在開放時間內。",
        "Book at least {lead_hours} hours and at most {horizon_days} days ahead, within opening hours.",
    ),
)
BOOKING_STATE = register_problem(
    "booking-state",
    409,
    _t("预约当前状态不允许此操作", "預約目前狀態不允許此操作", "Not possible in the booking's state"),
    _t(
        "预约当前状态为 {status}，不能{action}。",
        "預約目前狀態為 {status}，不能{action}。",
        "The booking is {status}; it cannot be {action}.",
    ),
)
INVALID_CODE = register_problem(
    "invalid-booking-code",
    422,
    _t("签到码无效", "簽到碼無效", "Invalid check-in code"),
    _t(
        "签到码无效，或不是本阵地的预约。",
        "簽到碼無效，或不是本陣地的預約。",
        "The check-in code is invalid or belongs to no booking of this place.",
    ),
)
