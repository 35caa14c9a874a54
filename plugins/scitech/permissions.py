"""The permissions the scitech plugin adds (``scitech.<resource>.<action>``); roles are built from them."""

from __future__ import annotations

from core.sdk import Permission, Text

EXPERT_READ = "scitech.expert.read"
EXPERT_MANAGE = "scitech.expert.manage"

PERMISSIONS: list[Permission] = [
    Permission(
        code=EXPERT_READ,
        name=Text(zh_hans="查询专家库", zh_hant="查詢專家庫", en="Search the expert library"),
    ),
    Permission(
        code=EXPERT_MANAGE,
        name=Text(zh_hans="维护专家库", zh_hant="維護專家庫", en="Keep the expert library"),
    ),
]
