"""What plugins declare at start-up: who they are, their org kinds, event types and permissions.

These are plain values returned from registration hooks (see :mod:`core.kernel.hookspecs`); the core
collects them into a :class:`core.kernel.plugin_host.Registry` and checks them once.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

import msgspec

from core.kernel.i18n import Text

#: Plugin slugs: lower-case ASCII, used in URLs (``/api/v1/<slug>``) and as table-name prefixes.
SLUG_RE = re.compile(r"^[a-z][a-z0-9]{1,23}$")
#: Slugs the core keeps for itself.
RESERVED_SLUGS = frozenset(
    {
        "core",
        "party",
        "api",
        "auth",
        "me",
        "orgs",
        "persons",
        "events",
        "webhooks",
        "stream",
        "health",
        "plugins",
        "schema",
        "problems",
        "metrics",
        "static",
    }
)


class AdminLevel(StrEnum):
    """Administrative level (层级) of an organization."""

    NATIONAL = "national"  #: 全国
    PROVINCE = "province"  #: 省
    CITY = "city"  #: 市
    COUNTY = "county"  #: 县/区
    TOWNSHIP = "township"  #: 乡镇/街道
    VILLAGE = "village"  #: 村/社区
    UNIT = "unit"  #: 单位


class PluginInfo(msgspec.Struct, frozen=True, kw_only=True):
    """Who a plugin is. ``core_api`` is a PEP 440 specifier over :data:`core.CORE_API_VERSION`."""

    slug: str
    name: Text
    version: str
    core_api: str
    description: Text | None = None
    homepage: str | None = None


class OrgKind(msgspec.Struct, frozen=True, kw_only=True):
    """A kind of organization (组织类型) and where it may sit in the one tree.

    ``code`` is ``<owner>.<name>`` (``union.grassroots``); ``parents`` lists the kinds it may sit
    under (empty: only at the root); ``levels`` the administrative levels it may have.
    """

    code: str
    name: Text
    levels: tuple[AdminLevel, ...]
    parents: tuple[str, ...] = ()
    may_be_root: bool = False
    description: Text | None = None


class EventType(msgspec.Struct, frozen=True, kw_only=True):
    """A type of event (活动). ``details`` is an optional msgspec Struct validating type-specific fields."""

    code: str
    name: Text
    details: Any = None
    description: Text | None = None


class Permission(msgspec.Struct, frozen=True, kw_only=True):
    """A permission name (``<owner>.<resource>.<action>``) that roles are made of.

    ``personal_data`` marks permissions that reveal unmasked ID numbers or phones.
    """

    code: str
    name: Text
    personal_data: bool = False


class BuiltinRole(msgspec.Struct, frozen=True, kw_only=True):
    """A role a plugin ships ready to grant (e.g. 工会主席): ``<slug>.<name>`` and its permission codes.

    The core writes it into the role table at start-up and keeps it equal to the declaration; it cannot be
    changed or deleted through the API (a deployment defines its own roles for other sets).
    """

    code: str
    name: Text
    permissions: tuple[str, ...]
    description: Text | None = None
