"""Problem types and field codes of announcements."""

from __future__ import annotations

from core.kernel.errors import register_field_code, register_problem
from core.kernel.i18n import Text


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


ANNOUNCEMENT_STATE = "announcement-state-conflict"

register_problem(
    ANNOUNCEMENT_STATE,
    409,
    _t("公告状态不允许此操作", "公告狀態不允許此操作", "Not possible in the announcement's status"),
    _t(
        "公告当前状态为 {status}，不能执行此操作。",
        "公告目前狀態為 {status}，不能執行此操作。",
        "The announcement is {status}; this action is not possible now.",
    ),
)

#: Field code of ``/expire_at`` when it is not after the time the announcement is shown from.
EXPIRES_BEFORE_PUBLISHED = register_field_code(
    "expires_before_published",
    _t(
        "截止时间须晚于发布时间",
        "截止時間須晚於發佈時間",
        "Must be later than the time the announcement is published",
    ),
)
#: Field code of ``/expire_at`` when publishing an announcement whose end has passed already.
ALREADY_EXPIRED = register_field_code(
    "already_expired",
    _t("截止时间已过", "截止時間已過", "This time has already passed"),
)
