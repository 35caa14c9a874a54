"""The permissions the scitech plugin adds (``scitech.<resource>.<action>``); roles are built from them."""

from __future__ import annotations

from core.sdk import Permission, Text

EXPERT_READ = "scitech.expert.read"
EXPERT_MANAGE = "scitech.expert.manage"
CONSULT_READ = "scitech.consult.read"
CONSULT_MANAGE = "scitech.consult.manage"
POPSCI_READ = "scitech.popsci.read"
POPSCI_MANAGE = "scitech.popsci.manage"
SOCIETY_READ = "scitech.society.read"
SOCIETY_MANAGE = "scitech.society.manage"
STATION_READ = "scitech.station.read"
STATION_MANAGE = "scitech.station.manage"
CONTEST_READ = "scitech.contest.read"
CONTEST_MANAGE = "scitech.contest.manage"

PERMISSIONS: list[Permission] = [
    Permission(
        code=EXPERT_READ,
        name=Text(zh_hans="查询专家库", zh_hant="查詢專家庫", en="Search the expert library"),
    ),
    Permission(
        code=EXPERT_MANAGE,
        name=Text(zh_hans="维护专家库", zh_hant="維護專家庫", en="Keep the expert library"),
    ),
    Permission(
        code=CONSULT_READ,
        name=Text(zh_hans="查看决策咨询", zh_hant="查看決策諮詢", en="Read decision consulting"),
    ),
    Permission(
        code=CONSULT_MANAGE,
        name=Text(zh_hans="办理决策咨询课题", zh_hant="辦理決策諮詢課題", en="Handle consulting topics"),
    ),
    Permission(
        code=POPSCI_READ,
        name=Text(zh_hans="查看科普活动与资源", zh_hant="查看科普活動與資源", en="Read popularization"),
    ),
    Permission(
        code=POPSCI_MANAGE,
        name=Text(zh_hans="管理科普活动与资源", zh_hant="管理科普活動與資源", en="Manage popularization"),
    ),
    Permission(
        code=SOCIETY_READ,
        name=Text(zh_hans="查看学会会员", zh_hant="查看學會會員", en="Read society members"),
    ),
    Permission(
        code=SOCIETY_MANAGE,
        name=Text(
            zh_hans="管理学会会员与会费", zh_hant="管理學會會員與會費", en="Manage society members and dues"
        ),
    ),
    Permission(
        code=STATION_READ,
        name=Text(zh_hans="查看专家工作站", zh_hant="查看專家工作站", en="Read workstations"),
    ),
    Permission(
        code=STATION_MANAGE,
        name=Text(zh_hans="管理专家工作站", zh_hant="管理專家工作站", en="Manage workstations"),
    ),
    Permission(
        code=CONTEST_READ,
        name=Text(zh_hans="查看科技比武", zh_hant="查看科技比武", en="Read contests"),
    ),
    Permission(
        code=CONTEST_MANAGE,
        name=Text(zh_hans="登记比赛名次", zh_hant="登記比賽名次", en="Record contest placings"),
    ),
]
