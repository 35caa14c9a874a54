"""The youth plugin's hook implementations: thin, they return declarations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.conf.apps import AppConfig

from core.sdk import (
    BuiltinRole,
    CheckInInfo,
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
    hookimpl,
)
from plugins.youth import PLUGIN_INFO
from plugins.youth import checks as _checks  # noqa: F401  (registers the periodic job)
from plugins.youth.branch_life import (
    YouthMeetingController,
    forget_meeting,
    record_attendance,
    remember_meeting,
)
from plugins.youth.coverage import RULES
from plugins.youth.demo import seed_youth
from plugins.youth.dues import YouthDuesController
from plugins.youth.evaluations import YouthEvaluationController
from plugins.youth.event_types import EVENT_TYPES
from plugins.youth.honors import SELECTION_TYPES
from plugins.youth.kinds import ORG_KINDS
from plugins.youth.membership import check_age
from plugins.youth.permissions import PERMISSIONS
from plugins.youth.places import PLACE_KINDS
from plugins.youth.processes import PROCESS_TYPES
from plugins.youth.recommend import RECOMMEND_TYPE
from plugins.youth.register import on_member_joined, remember_zone
from plugins.youth.roles import BUILTIN_ROLES
from plugins.youth.routes import CONTROLLERS
from plugins.youth.signals import SIGNALS
from plugins.youth.tables import (
    APP_CONFIG,
    YouthApplication,
    YouthAttendance,
    YouthEvaluation,
    YouthMember,
    YouthServiceHours,
    YouthVolunteer,
)
from plugins.youth.volunteers import YouthVolunteerController, credit_hours, remember_event


@hookimpl
def quntuan_plugin_info() -> PluginInfo:
    return PLUGIN_INFO


@hookimpl
def quntuan_org_kinds() -> Sequence[OrgKind]:
    return ORG_KINDS


@hookimpl
def quntuan_coverage_rules() -> Sequence[CoverageRule]:
    return RULES


@hookimpl
def quntuan_validate_membership(draft: MembershipDraft) -> None:
    check_age(draft)


@hookimpl
async def quntuan_demo_seeded(root_path: str, seed: int) -> None:
    await seed_youth(root_path, seed)


@hookimpl
async def quntuan_member_joined(membership: MembershipInfo) -> None:
    await on_member_joined(membership)


@hookimpl
def quntuan_startup(app: Any) -> None:
    remember_zone(app)


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
    return (
        *CONTROLLERS,
        YouthDuesController,
        YouthVolunteerController,
        YouthMeetingController,
        YouthEvaluationController,
    )


@hookimpl
def quntuan_signals() -> Sequence[SignalType]:
    return SIGNALS


@hookimpl
def quntuan_process_types() -> Sequence[ProcessType]:
    return (*PROCESS_TYPES, RECOMMEND_TYPE)


@hookimpl
def quntuan_org_path_columns() -> Sequence[OrgPathColumn]:
    return [
        OrgPathColumn(table=table, column="org_path")
        for table in (
            "youth_application",
            "youth_member",
            "youth_plan",
            "youth_campaign",
            "youth_registration",
            "youth_age_out",
            "youth_recommendation",
            "youth_dues_scheme",
            "youth_dues",
            "youth_volunteer",
            "youth_service_event",
            "youth_service_hours",
            "youth_meeting",
            "youth_attendance",
            "youth_evaluation",
            "youth_branch",
        )
    ]


@hookimpl
def quntuan_personal_data() -> Sequence[PersonalDataTable]:
    return [
        PersonalDataTable(table=YouthMember, person_column="person", on_erasure="delete"),
        PersonalDataTable(table=YouthApplication, person_column="person", on_erasure="delete"),
        PersonalDataTable(table=YouthVolunteer, person_column="person", on_erasure="delete"),
        PersonalDataTable(table=YouthServiceHours, person_column="person", on_erasure="delete"),
        PersonalDataTable(table=YouthAttendance, person_column="person", on_erasure="delete"),
        PersonalDataTable(table=YouthEvaluation, person_column="person", on_erasure="delete"),
    ]


@hookimpl
async def quntuan_event_published(event: EventInfo) -> None:
    await remember_event(event)
    await remember_meeting(event)


@hookimpl
async def quntuan_event_cancelled(event: EventInfo) -> None:
    await forget_meeting(event)


@hookimpl
async def quntuan_checked_in(checkin: CheckInInfo) -> None:
    await credit_hours(checkin)
    await record_attendance(checkin)


@hookimpl
def quntuan_roles() -> Sequence[BuiltinRole]:
    return BUILTIN_ROLES


@hookimpl
def quntuan_selection_types() -> Sequence[SelectionType]:
    return SELECTION_TYPES
