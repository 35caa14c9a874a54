"""The union plugin's hook implementations: thin, they return declarations or call services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.conf.apps import AppConfig

from core.sdk import (
    BuiltinRole,
    CoverageRule,
    EventInfo,
    EventType,
    MembershipDraft,
    MembershipInfo,
    OrgKind,
    OrgPathColumn,
    Permission,
    PersonalDataTable,
    PlaceKind,
    PluginInfo,
    ProcessType,
    SelectionType,
    SignalType,
    StatFigure,
    Text,
    hookimpl,
)
from plugins.union import PLUGIN_INFO, competitions
from plugins.union.benefits_routes import UnionBenefitController
from plugins.union.competitions import UnionCompetitionController
from plugins.union.coverage import RULES, settings_refusals
from plugins.union.demo import seed_union
from plugins.union.event_types import EVENT_TYPES
from plugins.union.formation_routes import UnionFormationController
from plugins.union.hardship_routes import UnionHardshipController
from plugins.union.imports import UnionImportController
from plugins.union.kinds import ORG_KINDS
from plugins.union.members_routes import UnionMemberController
from plugins.union.membership import on_member_joined, on_membership
from plugins.union.money_routes import UnionFinanceController
from plugins.union.permissions import PERMISSIONS
from plugins.union.piccolo_app import APP_CONFIG
from plugins.union.places import PLACE_KINDS
from plugins.union.process_types import PROCESS_TYPES
from plugins.union.records_routes import UnionRecordsController
from plugins.union.representatives import UnionRepresentativeController
from plugins.union.roles import ROLES
from plugins.union.selection_types import SELECTION_TYPES
from plugins.union.signals import SIGNALS
from plugins.union.statistics import union_figures
from plugins.union.tables import (
    UnionBenefitBalance,
    UnionBenefitUse,
    UnionCompetitionResult,
    UnionDues,
    UnionDuesPayment,
    UnionEvaluation,
    UnionHardshipFile,
    UnionHelp,
    UnionMember,
    UnionRepresentative,
)


@hookimpl
def quntuan_plugin_info() -> PluginInfo:
    return PLUGIN_INFO


@hookimpl
def quntuan_org_kinds() -> Sequence[OrgKind]:
    return ORG_KINDS


@hookimpl
def quntuan_settings_refusals(settings: Any, plugin_manager: Any) -> Sequence[str]:
    return settings_refusals()


@hookimpl
def quntuan_coverage_rules() -> Sequence[CoverageRule]:
    return RULES


@hookimpl
async def quntuan_validate_membership(draft: MembershipDraft) -> None:
    await on_membership(draft)


@hookimpl
async def quntuan_demo_seeded(root_path: str, seed: int) -> None:
    await seed_union(root_path, seed)


@hookimpl
async def quntuan_member_joined(membership: MembershipInfo) -> None:
    await on_member_joined(membership)


@hookimpl
async def quntuan_statistics(org_path: str) -> Sequence[StatFigure]:
    return await union_figures(org_path)


@hookimpl
def quntuan_event_types() -> Sequence[EventType]:
    return EVENT_TYPES


@hookimpl
def quntuan_place_kinds() -> Sequence[PlaceKind]:
    return PLACE_KINDS


@hookimpl
def quntuan_permissions() -> Sequence[Permission]:
    return PERMISSIONS


@hookimpl
def quntuan_piccolo_app() -> AppConfig:
    return APP_CONFIG


@hookimpl
def quntuan_routes() -> Sequence[Any]:
    return [
        UnionMemberController,
        UnionFinanceController,
        UnionFormationController,
        UnionHardshipController,
        UnionRepresentativeController,
        UnionImportController,
        UnionBenefitController,
        UnionCompetitionController,
        UnionRecordsController,
    ]


@hookimpl
def quntuan_signals() -> Sequence[SignalType]:
    return SIGNALS


@hookimpl
def quntuan_process_types() -> Sequence[ProcessType]:
    return PROCESS_TYPES


@hookimpl
def quntuan_selection_types() -> Sequence[SelectionType]:
    return SELECTION_TYPES


@hookimpl
def quntuan_org_path_columns() -> Sequence[OrgPathColumn]:
    tables = (
        "union_setting",
        "union_org_profile",
        "union_member",
        "union_dues",
        "union_dues_payment",
        "union_fund",
        "union_hardship_file",
        "union_help",
        "union_agreement",
        "union_representative",
        "union_duty_report",
        "union_evaluation",
        "union_benefit",
        "union_benefit_balance",
        "union_benefit_use",
        "union_competition",
        "union_competition_result",
    )
    return [OrgPathColumn(table=t, column="org_path") for t in tables]


_KEPT = Text(
    zh_hans="会费、经费、帮扶与福利记录按财务会计制度保存",
    zh_hant="會費、經費、幫扶與福利記錄按財務會計制度保存",
    en="Dues, funds, aid and benefit records are kept under accounting rules",
)


_ELECTED = Text(
    zh_hans="会员代表的当选与任期是工会的选举记录",
    zh_hant="會員代表的當選與任期是工會的選舉記錄",
    en="A representative's election and term are the union's electoral record",
)


_HONOURED = Text(
    zh_hans="竞赛成绩是已公布的评比记录",
    zh_hant="競賽成績是已公佈的評比記錄",
    en="Competition results are a published record of the contest",
)


@hookimpl
async def quntuan_event_published(event: EventInfo) -> None:
    await competitions.event_published(event)


@hookimpl
async def quntuan_event_cancelled(event: EventInfo) -> None:
    await competitions.event_cancelled(event)


@hookimpl
def quntuan_personal_data() -> Sequence[PersonalDataTable]:
    return [
        PersonalDataTable(
            table=UnionMember,
            person_column="person",
            on_erasure="anonymise",
            fields={"employer_name": "", "monthly_wage": None},
        ),
        PersonalDataTable(table=UnionDues, person_column="person", on_erasure="keep", retention=_KEPT),
        PersonalDataTable(table=UnionDuesPayment, person_column="person", on_erasure="keep", retention=_KEPT),
        PersonalDataTable(
            table=UnionHardshipFile, person_column="person", on_erasure="keep", retention=_KEPT
        ),
        PersonalDataTable(table=UnionHelp, person_column="person", on_erasure="keep", retention=_KEPT),
        PersonalDataTable(
            table=UnionRepresentative, person_column="person", on_erasure="keep", retention=_ELECTED
        ),
        PersonalDataTable(table=UnionEvaluation, person_column="evaluator", on_erasure="delete"),
        PersonalDataTable(table=UnionBenefitUse, person_column="person", on_erasure="keep", retention=_KEPT),
        PersonalDataTable(
            table=UnionCompetitionResult, person_column="person", on_erasure="keep", retention=_HONOURED
        ),
        PersonalDataTable(
            table=UnionBenefitBalance, person_column="person", on_erasure="keep", retention=_KEPT
        ),
    ]


@hookimpl
def quntuan_roles() -> Sequence[BuiltinRole]:
    return ROLES
