"""Permission names of selections (评选表彰) and the honors register (荣誉). Each holds on an org subtree."""

from __future__ import annotations

from core.kernel.declarations import Permission
from core.kernel.i18n import Text

#: Run campaigns of orgs within reach: create, set quotas, move the stages on, decide.
SELECTION_MANAGE = "core.selection.manage"
#: Review nominations at orgs within reach: forward them up within the org's quota, reject, select.
SELECTION_REVIEW = "core.selection.review"
#: Nominate on behalf of an org within reach (组织推荐).
SELECTION_NOMINATE = "core.selection.nominate"
#: See nominations filed within reach, read-only.
SELECTION_READ = "core.selection.read"
#: See the honors of recipients (or issued by orgs) within reach, and export them.
HONOR_READ = "core.honor.read"
#: Enter honors issued by orgs within reach directly, and revoke them.
HONOR_MANAGE = "core.honor.manage"

SELECTION_PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        code=SELECTION_MANAGE,
        name=Text(zh_hans="组织评选表彰", zh_hant="組織評選表彰", en="Run selections"),
    ),
    Permission(
        code=SELECTION_REVIEW,
        name=Text(zh_hans="审核评选推荐", zh_hant="審核評選推薦", en="Review nominations"),
    ),
    Permission(
        code=SELECTION_NOMINATE,
        name=Text(zh_hans="以组织名义推荐", zh_hant="以組織名義推薦", en="Nominate on behalf of an org"),
    ),
    Permission(
        code=SELECTION_READ,
        name=Text(zh_hans="查看评选推荐", zh_hant="查看評選推薦", en="Read nominations"),
    ),
    Permission(code=HONOR_READ, name=Text(zh_hans="查看荣誉", zh_hant="查看榮譽", en="Read honors")),
    Permission(code=HONOR_MANAGE, name=Text(zh_hans="登记荣誉", zh_hant="登記榮譽", en="Record honors")),
)
