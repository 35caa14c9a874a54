"""The public API of the core for plugins: import from here and nothing else in ``core``.

A third-party plugin can do everything a bundled one does with these names; anything not re-exported
here may change without notice.
"""

from core import CORE_API_VERSION
from core.declarations import AdminLevel, EventType, OrgKind, Permission, PluginInfo
from core.errors import FieldError, Problem, register_problem
from core.guards import Principal, current_principal
from core.hookspecs import hookimpl, hookspec
from core.i18n import Text, to_simplified, to_traditional
from core.pagination import Page, PageParam, PageRequest, encode_cursor, paginate

__all__ = [
    "CORE_API_VERSION",
    "AdminLevel",
    "EventType",
    "FieldError",
    "OrgKind",
    "Page",
    "PageParam",
    "PageRequest",
    "Permission",
    "PluginInfo",
    "Principal",
    "Problem",
    "Text",
    "current_principal",
    "encode_cursor",
    "hookimpl",
    "hookspec",
    "paginate",
    "register_problem",
    "to_simplified",
    "to_traditional",
]
