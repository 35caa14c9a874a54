"""Permission names of processes and notices. Each holds on an org subtree."""

from __future__ import annotations

from core.kernel.declarations import Permission
from core.kernel.i18n import Text

#: See processes handled or homed within reach (read-only), and the work queue.
PROCESS_READ = "core.process.read"
#: Take the steps of processes handled within reach that name no permission of their own; open
#: processes on behalf of persons; refer processes to other orgs (转办).
PROCESS_HANDLE = "core.process.handle"
#: See the personal fields of processes' forms unmasked.
PROCESS_PERSONAL_DATA = "core.process.personal_data"
#: Publish and withdraw notices (公示) of orgs within reach, and resolve their objections.
NOTICE_MANAGE = "core.notice.manage"

PROCESS_PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        code=PROCESS_READ, name=Text(zh_hans="查看办理事项", zh_hant="查看辦理事項", en="Read processes")
    ),
    Permission(
        code=PROCESS_HANDLE, name=Text(zh_hans="办理申请事项", zh_hant="辦理申請事項", en="Handle processes")
    ),
    Permission(
        code=PROCESS_PERSONAL_DATA,
        name=Text(
            zh_hans="查看申请中的个人信息",
            zh_hant="查看申請中的個人資訊",
            en="See personal data in processes",
        ),
        personal_data=True,
    ),
    Permission(
        code=NOTICE_MANAGE, name=Text(zh_hans="管理公示", zh_hant="管理公示", en="Manage public notices")
    ),
)
