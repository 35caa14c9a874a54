"""The women plugin's hook implementations: thin, they return declarations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.conf.apps import AppConfig

from core.sdk import (
    BuiltinRole,
    CoverageRule,
    EventType,
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
    hookimpl,
)
from plugins.women import PLUGIN_INFO
from plugins.women.care import CARE_FILE_TYPE
from plugins.women.coverage import RULES
from plugins.women.event_types import EVENT_TYPES
from plugins.women.kinds import ORG_KINDS
from plugins.women.permissions import PERMISSIONS
from plugins.women.places import PLACE_KINDS
from plugins.women.rights import RIGHTS_CASE_TYPE
from plugins.women.roles import ROLES
from plugins.women.selections import SELECTION_TYPES
from plugins.women.signals import SIGNALS
from plugins.women.statistics import women_figures
from plugins.women.tables import APP_CONFIG, WomenEnrolment, WomenExecContact, WomenExecMember


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
def quntuan_event_types() -> Sequence[EventType]:
    return EVENT_TYPES


@hookimpl
def quntuan_place_kinds() -> Sequence[PlaceKind]:
    return PLACE_KINDS


@hookimpl
def quntuan_permissions() -> Sequence[Permission]:
    return PERMISSIONS


@hookimpl
def quntuan_roles() -> Sequence[BuiltinRole]:
    return ROLES


@hookimpl
def quntuan_process_types() -> Sequence[ProcessType]:
    return [RIGHTS_CASE_TYPE, CARE_FILE_TYPE]


@hookimpl
def quntuan_selection_types() -> Sequence[SelectionType]:
    return SELECTION_TYPES


@hookimpl
def quntuan_signals() -> Sequence[SignalType]:
    return SIGNALS


@hookimpl
def quntuan_piccolo_app() -> AppConfig:
    return APP_CONFIG


@hookimpl
def quntuan_org_path_columns() -> Sequence[OrgPathColumn]:
    return [
        OrgPathColumn(table=table, column="org_path")
        for table in (
            "women_rights_intake",
            "women_rights_action",
            "women_exec_member",
            "women_exec_contact",
            "women_exec_record",
            "women_program",
            "women_enrolment",
        )
    ]


@hookimpl
def quntuan_personal_data() -> Sequence[PersonalDataTable]:
    return [
        PersonalDataTable(table=WomenExecMember, person_column="person", on_erasure="delete"),
        PersonalDataTable(table=WomenExecContact, person_column="person", on_erasure="delete"),
        PersonalDataTable(table=WomenEnrolment, person_column="person", on_erasure="delete"),
    ]


@hookimpl
async def quntuan_statistics(org_path: str) -> Sequence[StatFigure]:
    return await women_figures(org_path)


@hookimpl
def quntuan_routes() -> Sequence[Any]:
    from plugins.women.controllers import (
        EnrolmentController,
        ExecutiveController,
        ProgramController,
        ShapeController,
    )
    from plugins.women.imports import ExecutiveImportController

    return [
        ShapeController,
        ExecutiveController,
        ProgramController,
        EnrolmentController,
        ExecutiveImportController,
    ]


@hookimpl
async def quntuan_demo_seeded(root_path: str, seed: int, plugin_manager: Any) -> None:
    from plugins.women.demo import seed_women

    await seed_women(root_path, seed, plugin_manager)
