"""The scitech plugin's hook implementations: thin, they return declarations."""

from __future__ import annotations

from collections.abc import Sequence

from core.sdk import CoverageRule, EventType, OrgKind, PluginInfo, hookimpl
from plugins.scitech import PLUGIN_INFO
from plugins.scitech.coverage import RULES
from plugins.scitech.event_types import EVENT_TYPES
from plugins.scitech.kinds import ORG_KINDS


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
