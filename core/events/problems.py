"""Problem types of events: each refusal a client can act on has its own ``type``."""

from __future__ import annotations

from core.kernel.errors import register_field_code, register_problem
from core.kernel.i18n import Text


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


UNKNOWN_EVENT_TYPE = "unknown-event-type"
EVENT_NOT_EDITABLE = "event-not-editable"
EVENT_STATE = "event-state-conflict"
REGISTRATION_CLOSED = "registration-closed"
EVENT_FULL = "event-full"
NOT_ELIGIBLE = "registration-ineligible"
ALREADY_REGISTERED = "already-registered"
NO_PERSON = "no-person"
REGISTRATION_NOT_ACTIVE = "registration-not-active"
INVALID_CHECKIN_CODE = "invalid-checkin-code"
CHECKIN_NOT_ALLOWED = "checkin-not-allowed"
FEEDBACK_NOT_ALLOWED = "feedback-not-allowed"
ALREADY_GAVE_FEEDBACK = "feedback-already-given"
INVALID_FEED_TOKEN = "invalid-calendar-token"  # noqa: S105 (a problem code)
INVALID_VENUE_CODE = "invalid-venue-code"
VENUE_CODE_EXPIRED = "venue-code-expired"
CHECKIN_WINDOW = "checkin-window-closed"

register_problem(
    UNKNOWN_EVENT_TYPE,
    422,
    _t("未知的活动类型", "未知的活動類型", "Unknown event type"),
    _t(
        "活动类型 {type} 未由任何已启用的插件声明。",
        "活動類型 {type} 未由任何已啟用的外掛宣告。",
        "Event type {type} is not declared by any enabled plugin.",
    ),
)
register_problem(
    EVENT_NOT_EDITABLE,
    409,
    _t("活动不可修改", "活動不可修改", "Event cannot be changed"),
    _t(
        "已取消或已结束的活动不能再修改。",
        "已取消或已結束的活動不能再修改。",
        "A cancelled or finished event cannot be changed.",
    ),
)
register_problem(
    EVENT_STATE,
    409,
    _t("活动状态不允许此操作", "活動狀態不允許此操作", "Not possible in the event's status"),
    _t(
        "活动当前状态为 {status}，不能执行此操作。",
        "活動目前狀態為 {status}，不能執行此操作。",
        "The event is {status}; this action is not possible now.",
    ),
)
register_problem(
    REGISTRATION_CLOSED,
    409,
    _t("报名未开放", "報名未開放", "Registration closed"),
    _t(
        "此活动当前不接受报名。",
        "此活動目前不接受報名。",
        "The event does not accept registrations now.",
    ),
)
register_problem(
    EVENT_FULL,
    409,
    _t("名额已满", "名額已滿", "Event full"),
    _t(
        "活动名额已满，且不设候补。",
        "活動名額已滿，且不設候補。",
        "The event is full and has no waitlist.",
    ),
)
register_problem(
    NOT_ELIGIBLE,
    403,
    _t("不符合报名条件", "不符合報名條件", "Not eligible"),
    _t(
        "此活动仅限特定成员或受邀人员报名。",
        "此活動僅限特定成員或受邀人員報名。",
        "Only certain members or invited persons may register for this event.",
    ),
)
register_problem(
    ALREADY_REGISTERED,
    409,
    _t("已报名", "已報名", "Already registered"),
    _t(
        "此人已报名此活动。",
        "此人已報名此活動。",
        "This person is already registered for the event.",
    ),
)
register_problem(
    NO_PERSON,
    422,
    _t("未指定报名人员", "未指定報名人員", "No person to register"),
    _t(
        "您的账号未关联人员，请指定 person_id。",
        "您的帳號未關聯人員，請指定 person_id。",
        "Your account belongs to no person; give a person_id.",
    ),
)
register_problem(
    REGISTRATION_NOT_ACTIVE,
    409,
    _t("报名已取消", "報名已取消", "Registration not active"),
    _t(
        "此报名已取消。",
        "此報名已取消。",
        "This registration has been cancelled.",
    ),
)
register_problem(
    INVALID_CHECKIN_CODE,
    422,
    _t("签到码无效", "簽到碼無效", "Invalid check-in code"),
    _t(
        "签到码无效或不属于此活动。",
        "簽到碼無效或不屬於此活動。",
        "The check-in code is invalid or belongs to another event.",
    ),
)
register_problem(
    CHECKIN_NOT_ALLOWED,
    409,
    _t("不能签到", "不能簽到", "Check-in not possible"),
    _t(
        "只有已确认的报名可以在已发布或已结束的活动中签到。",
        "只有已確認的報名可以在已發佈或已結束的活動中簽到。",
        "Only confirmed registrations of a published or finished event can check in.",
    ),
)
register_problem(
    FEEDBACK_NOT_ALLOWED,
    409,
    _t("不能评价", "不能評價", "Feedback not possible"),
    _t(
        "活动结束后，签到参加的人员才能评价。",
        "活動結束後，簽到參加的人員才能評價。",
        "Only attendees who checked in can give feedback, after the event.",
    ),
)
register_problem(
    ALREADY_GAVE_FEEDBACK,
    409,
    _t("已评价", "已評價", "Feedback already given"),
    _t(
        "您已评价过此活动。",
        "您已評價過此活動。",
        "You have already given feedback on this event.",
    ),
)
register_problem(
    INVALID_FEED_TOKEN,
    404,
    _t("日历订阅地址无效", "日曆訂閱位址無效", "Invalid calendar link"),
    _t(
        "此日历订阅地址无效。",
        "此日曆訂閱位址無效。",
        "This calendar link is not valid.",
    ),
)
register_problem(
    INVALID_VENUE_CODE,
    422,
    _t("现场签到码无效", "現場簽到碼無效", "Invalid venue code"),
    _t(
        "现场签到码无效或不属于此活动。",
        "現場簽到碼無效或不屬於此活動。",
        "The venue code is invalid or belongs to another event.",
    ),
)
register_problem(
    VENUE_CODE_EXPIRED,
    422,
    _t("现场签到码已过期", "現場簽到碼已過期", "Venue code expired"),
    _t(
        "现场签到码已过期，请扫描现场显示的最新签到码。",
        "現場簽到碼已過期，請掃描現場顯示的最新簽到碼。",
        "The venue code has expired; scan the one shown at the venue now.",
    ),
)
register_problem(
    CHECKIN_WINDOW,
    409,
    _t("不在签到时间内", "不在簽到時間內", "Outside the check-in window"),
    _t(
        "现场签到从活动开始前 {opens_before} 分钟起，到活动结束为止。",
        "現場簽到從活動開始前 {opens_before} 分鐘起，到活動結束為止。",
        "Self check-in opens {opens_before} minutes before the event starts and closes when it ends.",
    ),
)

#: Field code of ``/starts_at`` when an event is finished before it starts.
NOT_STARTED = register_field_code(
    "event_not_started",
    _t("活动尚未开始，不能结束", "活動尚未開始，不能結束", "The event has not started yet; it cannot finish"),
)
