"""Permission names of the integration layer. Each holds on an org subtree."""

from __future__ import annotations

from core.kernel.declarations import Permission
from core.kernel.i18n import Text

#: See webhook subscriptions (not their secrets) and their delivery logs within reach.
WEBHOOK_READ = "core.webhook.read"
#: Subscribe to the signals of an org subtree within reach, and manage those subscriptions. What a
#: subscription receives is limited to where its owner holds this permission at the time of sending.
WEBHOOK_MANAGE = "core.webhook.manage"
#: Follow ``/api/v1/stream``: the signals of the orgs within reach, live.
STREAM_READ = "core.stream.read"

INTEGRATION_PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        code=WEBHOOK_READ, name=Text(zh_hans="查看推送订阅", zh_hant="查看推送訂閱", en="Read webhooks")
    ),
    Permission(
        code=WEBHOOK_MANAGE, name=Text(zh_hans="管理推送订阅", zh_hant="管理推送訂閱", en="Manage webhooks")
    ),
    Permission(
        code=STREAM_READ,
        name=Text(zh_hans="接收实时消息流", zh_hant="接收即時訊息流", en="Follow the live stream"),
    ),
)
