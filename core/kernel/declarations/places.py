"""What a plugin declares about a kind of place (阵地类型): its code, name and the services it offers.

A plugin returns :class:`PlaceKind` values from ``quntuan_place_kinds``; codes are ``<slug>.<name>``
(the core's own start with ``core.``). ``org_kinds`` limits which orgs may own a place of the kind
(empty: any org); ``services`` are the service codes a place of the kind typically offers, with their
names (a place may list others too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from uuid import UUID

import msgspec

from core.kernel.i18n import Text

PLACE_KIND_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
SERVICE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class PlaceFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What the core's place record says about a place a caller named: its kind, keeping org and status
    (``active`` or ``closed``) — how a plugin checks a place id in a form before it records anything."""

    id: UUID
    kind: str
    org_id: UUID
    org_path: str
    status: str


class PlaceService(msgspec.Struct, frozen=True, kw_only=True):
    """A service offered at places (``lodging``, ``legal_aid``, ``reading``…), with its name."""

    code: str
    name: Text


class PlaceKind(msgspec.Struct, frozen=True, kw_only=True):
    """A kind of place (职工之家 ``union.workers_home``), declared by the plugin that owns it."""

    code: str
    name: Text
    org_kinds: tuple[str, ...] = ()
    services: tuple[PlaceService, ...] = ()
    description: Text | None = None


def check_place_kinds(plugin: str, kinds: Sequence[object], taken: Mapping[str, PlaceKind]) -> None:
    """Reject malformed or clashing declarations at start-up (a plugin's codes start with its slug)."""
    seen: set[str] = set()
    prefix = "core." if plugin == "core" else f"{plugin}."
    for kind in kinds:
        if not isinstance(kind, PlaceKind):
            raise ValueError("quntuan_place_kinds must return PlaceKind values")
        if not PLACE_KIND_RE.match(kind.code) or len(kind.code) > 64:
            raise ValueError(f"place kind {kind.code!r} is not a valid code")
        if not kind.code.startswith(prefix):
            raise ValueError(f"place kind {kind.code!r} must start with {prefix}")
        if kind.code in taken or kind.code in seen:
            raise ValueError(f"place kind {kind.code!r} is declared twice")
        seen.add(kind.code)
        for service in kind.services:
            if not SERVICE_RE.match(service.code):
                raise ValueError(f"place kind {kind.code!r}: service code {service.code!r} is not allowed")


#: The core's own kind: the Party-led service centre that hosts every organization (一室多用).
SERVICE_CENTER = PlaceKind(
    code="core.service_center",
    name=Text(zh_hans="党群服务中心", zh_hant="黨群服務中心", en="Party and public service centre"),
    services=(
        PlaceService(code="meeting", name=Text(zh_hans="会议活动", zh_hant="會議活動", en="Meetings")),
        PlaceService(code="reading", name=Text(zh_hans="阅览", zh_hant="閱覽", en="Reading room")),
        PlaceService(
            code="consultation", name=Text(zh_hans="政策咨询", zh_hant="政策諮詢", en="Consultation")
        ),
        PlaceService(code="lodging", name=Text(zh_hans="临时住宿", zh_hant="臨時住宿", en="Lodging")),
    ),
)
CORE_PLACE_KINDS: tuple[PlaceKind, ...] = (SERVICE_CENTER,)
