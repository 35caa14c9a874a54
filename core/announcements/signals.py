"""Domain signals of announcements. Payloads carry ids, codes and times only.

None is declared ``public``: the portal feeds read published public announcements from their table (with
a link to the public page), so a signal item beside them would say the same thing twice.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from core.integration.signals import SignalType
from core.kernel.i18n import Text


class AnnouncementSignal(msgspec.Struct, frozen=True, kw_only=True):
    announcement_id: UUID
    org_id: UUID
    visibility: str
    status: str
    pinned: bool
    #: When it is (or is to be) shown, and when it stops (UTC; null when not set).
    publish_at: datetime | None
    expire_at: datetime | None
    version: int


def _s(name: str, zh_hans: str, en: str) -> SignalType:
    return SignalType(name=name, payload=AnnouncementSignal, description=Text(zh_hans=zh_hans, en=en))


ANNOUNCEMENT_CREATED = _s("announcement.created", "公告已创建（草稿）", "An announcement was drafted")
ANNOUNCEMENT_UPDATED = _s("announcement.updated", "公告已修改", "An announcement was changed")
ANNOUNCEMENT_PUBLISHED = _s(
    "announcement.published",
    "公告已发布（或定时发布）",
    "An announcement was published (or scheduled for publish_at)",
)
ANNOUNCEMENT_PINNED = _s("announcement.pinned", "公告已置顶", "An announcement was pinned")
ANNOUNCEMENT_UNPINNED = _s("announcement.unpinned", "公告已取消置顶", "An announcement was unpinned")
ANNOUNCEMENT_WITHDRAWN = _s("announcement.withdrawn", "公告已撤回", "An announcement was withdrawn")

ANNOUNCEMENT_SIGNALS: tuple[SignalType, ...] = (
    ANNOUNCEMENT_CREATED,
    ANNOUNCEMENT_UPDATED,
    ANNOUNCEMENT_PUBLISHED,
    ANNOUNCEMENT_PINNED,
    ANNOUNCEMENT_UNPINNED,
    ANNOUNCEMENT_WITHDRAWN,
)
