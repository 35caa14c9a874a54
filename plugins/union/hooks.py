"""The union plugin's hook implementations: thin, they return declarations."""

from __future__ import annotations

from collections.abc import Sequence

from core.sdk import (
    CoverageRule,
    EventType,
    MembershipDraft,
    OrgKind,
    PlaceKind,
    PluginInfo,
    StatFigure,
    hookimpl,
)
from plugins.union import PLUGIN_INFO
from plugins.union.coverage import RULES
from plugins.union.event_types import EVENT_TYPES
from plugins.union.kinds import ORG_KINDS
from plugins.union.membership import check_card_number
from plugins.union.places import PLACE_KINDS
from plugins.union.statistics import union_figures


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
    check_card_number(draft)


@hookimpl
async def quntuan_statistics(org_path: str) -> Sequence[StatFigure]:
    return await union_figures(org_path)


@hookimpl
def quntuan_event_types() -> Sequence[EventType]:
    return EVENT_TYPES


@hookimpl
def quntuan_place_kinds() -> Sequence[PlaceKind]:
    return PLACE_KINDS
