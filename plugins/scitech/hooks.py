"""The scitech plugin's hook implementations: thin, they return declarations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.conf.apps import AppConfig

from core.sdk import (
    BuiltinRole,
    CoverageRule,
    EventInfo,
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
from plugins.scitech import PLUGIN_INFO, contests, demo
from plugins.scitech.consulting import PROCESS_TYPES
from plugins.scitech.consulting_routes import ROUTES as CONSULTING_ROUTES
from plugins.scitech.coverage import RULES
from plugins.scitech.event_types import EVENT_TYPES
from plugins.scitech.expert_routes import ROUTES as EXPERT_ROUTES
from plugins.scitech.kinds import ORG_KINDS
from plugins.scitech.permissions import PERMISSIONS
from plugins.scitech.popularization import PLACE_KINDS, event_cancelled, event_published
from plugins.scitech.popularization import ROUTES as POPULARIZATION_ROUTES
from plugins.scitech.roles import ROLES
from plugins.scitech.signals import SIGNALS
from plugins.scitech.societies import ROUTES as SOCIETY_ROUTES
from plugins.scitech.stations import ROUTES as STATION_ROUTES
from plugins.scitech.statistics import scitech_figures
from plugins.scitech.tables import APP_CONFIG, TABLES, ScitechExpert, ScitechSocietyMember


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
def quntuan_permissions() -> Sequence[Permission]:
    return PERMISSIONS


@hookimpl
def quntuan_piccolo_app() -> AppConfig:
    return APP_CONFIG


@hookimpl
def quntuan_routes() -> Sequence[Any]:
    return [
        *EXPERT_ROUTES,
        *CONSULTING_ROUTES,
        *POPULARIZATION_ROUTES,
        *SOCIETY_ROUTES,
        *STATION_ROUTES,
        *contests.ROUTES,
    ]


@hookimpl
def quntuan_signals() -> Sequence[SignalType]:
    return SIGNALS


@hookimpl
def quntuan_org_path_columns() -> Sequence[OrgPathColumn]:
    # Every scitech table keeps a copy of its org's path.
    return [OrgPathColumn(table=t._meta.tablename, column="org_path") for t in TABLES]


@hookimpl
def quntuan_personal_data() -> Sequence[PersonalDataTable]:
    # An expert who is one of the core's persons: erasure clears the entry and takes it out of search.
    return [
        PersonalDataTable(
            table=ScitechExpert,
            person_column="person",
            on_erasure="anonymise",
            fields={
                "name": "*",
                "bio": "",
                "employer": "",
                "status": "retired",
                "search_text": "",
                "initials": "",
            },
            hidden=("search_text", "initials"),
        ),
        # Dues stay under the accounting rules; the member's name leaves with the person.
        PersonalDataTable(
            table=ScitechSocietyMember,
            person_column="person",
            on_erasure="anonymise",
            fields={"name": "*", "search_text": ""},
            hidden=("search_text",),
        ),
    ]


@hookimpl
def quntuan_process_types() -> Sequence[ProcessType]:
    return PROCESS_TYPES


@hookimpl
async def quntuan_statistics(org_path: str) -> Sequence[StatFigure]:
    return await scitech_figures(org_path)


@hookimpl
def quntuan_place_kinds() -> Sequence[PlaceKind]:
    return PLACE_KINDS


@hookimpl
async def quntuan_event_published(event: EventInfo) -> None:
    await event_published(event)
    await contests.event_published(event)


@hookimpl
async def quntuan_event_cancelled(event: EventInfo) -> None:
    await event_cancelled(event)
    await contests.event_cancelled(event)


@hookimpl
async def quntuan_demo_seeded(root_path: str, seed: int) -> None:
    await demo.seed_scitech(root_path, seed)


@hookimpl
def quntuan_selection_types() -> Sequence[SelectionType]:
    return contests.SELECTION_TYPES


@hookimpl
def quntuan_roles() -> Sequence[BuiltinRole]:
    return ROLES
