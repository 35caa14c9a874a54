"""The women plugin's hook implementations: thin, they return declarations."""

from __future__ import annotations

from collections.abc import Sequence

from core.sdk import CoverageRule, EventType, OrgKind, PlaceKind, PluginInfo, hookimpl
from plugins.women import PLUGIN_INFO
from plugins.women.coverage import RULES
from plugins.women.event_types import EVENT_TYPES
from plugins.women.kinds import ORG_KINDS
from plugins.women.places import PLACE_KINDS


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
