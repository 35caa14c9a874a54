"""Built-in roles of the association (``quntuan_roles``): the posts of a 科协's offices, ready to grant.

Each names scitech permissions and the core ones its work needs (events for popularization and
contests, places for 科普基地, process reading for the think-tank office, selections for awards).
"""

from __future__ import annotations

from core.sdk import BuiltinRole, Text
from plugins.scitech import permissions as P

READS = (
    P.EXPERT_READ,
    P.CONSULT_READ,
    P.POPSCI_READ,
    P.SOCIETY_READ,
    P.STATION_READ,
    P.CONTEST_READ,
)

ROLES: tuple[BuiltinRole, ...] = (
    BuiltinRole(
        code="scitech.staff",
        name=Text(zh_hans="科协工作人员", zh_hant="科協工作人員", en="Association staff"),
        permissions=(
            *READS,
            P.EXPERT_MANAGE,
            P.POPSCI_MANAGE,
            P.STATION_MANAGE,
            P.CONTEST_MANAGE,
            "core.event.manage",
            "core.place.manage",
            "core.announcement.read",
            "core.announcement.manage",
        ),
        description=Text(
            zh_hans="专家库、科普、工作站与科技比武的日常工作",
            en="Experts, popularization, stations, contests",
        ),
    ),
    BuiltinRole(
        code="scitech.think_tank",
        name=Text(
            zh_hans="决策咨询（智库）工作人员", zh_hant="決策諮詢（智庫）工作人員", en="Think-tank officer"
        ),
        permissions=(P.EXPERT_READ, P.CONSULT_READ, P.CONSULT_MANAGE, "core.process.read"),
        description=Text(
            zh_hans="办理决策咨询课题：立项、选派专家、报送与登记采纳", en="Handles consulting topics"
        ),
    ),
    BuiltinRole(
        code="scitech.society_secretariat",
        name=Text(zh_hans="学会秘书处", zh_hant="學會秘書處", en="Society secretariat"),
        permissions=(
            P.SOCIETY_READ,
            P.SOCIETY_MANAGE,
            P.EXPERT_READ,
            P.EXPERT_MANAGE,
            "core.selection.nominate",
        ),
        description=Text(zh_hans="学会会员、会费与专家推荐", en="A society's members, dues and nominations"),
    ),
    BuiltinRole(
        code="scitech.viewer",
        name=Text(zh_hans="科协数据查阅", zh_hant="科協數據查閱", en="Association reader"),
        permissions=READS,
        description=Text(zh_hans="只读查阅科协各项数据", en="Reads every scitech record, changes none"),
    ),
)
