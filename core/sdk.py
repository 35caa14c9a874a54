"""The public API of the core for plugins: import from here and nothing else in ``core``.

A third-party plugin can do everything a bundled one does with these names; anything not re-exported
here may change without notice.
"""

from typing import Any

from core import CORE_API_VERSION
from core.access import Principal, Reach, reach_clause, subtree_bounds, within
from core.declarations import AdminLevel, BuiltinRole, EventType, OrgKind, Permission, PluginInfo
from core.errors import FieldError, Problem, register_field_code, register_problem, request_locale
from core.events.schemas import CheckIn as CheckInInfo
from core.events.schemas import Event as EventInfo
from core.events.schemas import Feedback as FeedbackInfo
from core.events.schemas import Registration as RegistrationInfo
from core.fastpath import Decline, FastAnswer, FastRequest
from core.files.owners import FileOwnerKind, OwnerAccess, OwnerContext
from core.guards import current_principal
from core.hookspecs import hookimpl, hookspec
from core.i18n import Text, to_simplified, to_traditional
from core.idempotency import claim_key
from core.idempotency import replay as replay_response
from core.identity.audit import paths_of_persons as audit_person_paths
from core.identity.audit import record as record_audit
from core.identity.personal_data import PersonalDataTable
from core.integration.jobs import JobContext, register_job
from core.integration.signals import SignalType, emit
from core.members.services import MembershipRejected
from core.members.tables import Membership
from core.orgs.declarations import (
    PLACE_KINDS,
    TWO_NEW_KINDS,
    CoverageRule,
    MembershipDraft,
    MembershipInfo,
    OrgPathColumn,
    PersonFacts,
    StatFigure,
    UnitFacts,
)
from core.orgs.imports import read_table
from core.orgs.search import fold as search_fold
from core.orgs.search import initials as search_initials
from core.orgs.search import is_initials_query, search_term
from core.orgs.tables import Org
from core.orgs.tabular import TooLarge, UnreadableFile
from core.pagination import Page, PageParam, PageRequest, encode_cursor, paginate
from core.places.declarations import PlaceKind, PlaceService
from core.processes.declarations import (
    Deadline,
    ProcessContext,
    ProcessRejected,
    ProcessType,
    State,
    Transition,
)
from core.processes.notices import publish as _publish_notice
from core.processes.schemas import NoticeEntryIn
from core.selections.declarations import NominationSource, NomineeKind, PublicVote, SelectionType
from core.selfservice.codes import send_code, set_code_sender
from core.selfservice.inbox import Delivered as Notification
from core.settings import SettingsError
from core.signup.sms import DeliveryFailed, SmsProvider


def transaction() -> Any:
    """The platform's write transaction (``async with transaction(): ...``): a plugin's rows, its audit
    entries and its signals commit together or not at all; nested calls join the outer one. Use it, not
    Piccolo's own transaction, which would bypass the SQLite write lock."""
    from core.db import active_database

    db = active_database()
    if db is None:
        raise RuntimeError("no database is started")
    return db.transaction()


#: The core API version plugins declare against (``PluginInfo.core_api``); see docs/plugins.md.
API_VERSION = CORE_API_VERSION


async def publish_notice(
    state: object,
    *,
    org_id: object,
    title: str,
    body: str = "",
    kind: str,
    days: int = 5,
    entries: list[NoticeEntryIn] | None = None,
) -> object:
    """Publish a public notice (公示) of ``org_id`` as the plugin (inside the caller's write transaction).

    ``state`` is ``request.app.state`` (or a job's context); ``kind`` is ``<slug>.<name>``; entries are
    stored masked (names as 张*三). Returns the notice's id; the notice appears in ``/api/v1/notices``
    and the portal feeds, and takes objections during its ``days``.
    """
    from core.processes.machine import Env

    row = await _publish_notice(
        Env.of(state),
        None,
        org_id=org_id,  # type: ignore[arg-type]
        title=title,
        body=body,
        kind=kind,
        days=days,
        entries=entries or [],
    )
    return row["id"]


__all__ = [
    "API_VERSION",
    "CORE_API_VERSION",
    "PLACE_KINDS",
    "TWO_NEW_KINDS",
    "AdminLevel",
    "BuiltinRole",
    "CheckInInfo",
    "CoverageRule",
    "Deadline",
    "Decline",
    "DeliveryFailed",
    "EventInfo",
    "EventType",
    "FastAnswer",
    "FastRequest",
    "FeedbackInfo",
    "FieldError",
    "FileOwnerKind",
    "JobContext",
    "Membership",
    "MembershipDraft",
    "MembershipInfo",
    "MembershipRejected",
    "NominationSource",
    "NomineeKind",
    "NoticeEntryIn",
    "Notification",
    "Org",
    "OrgKind",
    "OrgPathColumn",
    "OwnerAccess",
    "OwnerContext",
    "Page",
    "PageParam",
    "PageRequest",
    "Permission",
    "PersonFacts",
    "PersonalDataTable",
    "PlaceKind",
    "PlaceService",
    "PluginInfo",
    "Principal",
    "Problem",
    "ProcessContext",
    "ProcessRejected",
    "ProcessType",
    "PublicVote",
    "Reach",
    "RegistrationInfo",
    "SelectionType",
    "SettingsError",
    "SignalType",
    "SmsProvider",
    "StatFigure",
    "State",
    "Text",
    "TooLarge",
    "Transition",
    "UnitFacts",
    "UnreadableFile",
    "audit_person_paths",
    "claim_key",
    "current_principal",
    "emit",
    "encode_cursor",
    "hookimpl",
    "hookspec",
    "is_initials_query",
    "paginate",
    "publish_notice",
    "reach_clause",
    "read_table",
    "record_audit",
    "register_field_code",
    "register_job",
    "register_problem",
    "replay_response",
    "request_locale",
    "search_fold",
    "search_initials",
    "search_term",
    "send_code",
    "set_code_sender",
    "subtree_bounds",
    "to_simplified",
    "to_traditional",
    "transaction",
    "within",
]
