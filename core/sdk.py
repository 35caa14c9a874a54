"""The public API of the core for plugins: import from here and nothing else in ``core``.

A third-party plugin can do everything a bundled one does with these names; anything not re-exported
here may change without notice.
"""

from core import CORE_API_VERSION
from core.access import Principal, Reach, reach_clause, subtree_bounds, within
from core.declarations import AdminLevel, EventType, OrgKind, Permission, PluginInfo
from core.errors import FieldError, Problem, register_problem
from core.events.schemas import CheckIn as CheckInInfo
from core.events.schemas import Event as EventInfo
from core.events.schemas import Feedback as FeedbackInfo
from core.events.schemas import Registration as RegistrationInfo
from core.fastpath import Decline, FastAnswer, FastRequest
from core.files.owners import FileOwnerKind, OwnerAccess
from core.guards import current_principal
from core.hookspecs import hookimpl, hookspec
from core.i18n import Text, to_simplified, to_traditional
from core.idempotency import claim_key
from core.idempotency import replay as replay_response
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
    StatFigure,
    UnitFacts,
)
from core.orgs.tables import Org
from core.pagination import Page, PageParam, PageRequest, encode_cursor, paginate

__all__ = [
    "CORE_API_VERSION",
    "PLACE_KINDS",
    "TWO_NEW_KINDS",
    "AdminLevel",
    "CheckInInfo",
    "CoverageRule",
    "Decline",
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
    "Org",
    "OrgKind",
    "OrgPathColumn",
    "OwnerAccess",
    "Page",
    "PageParam",
    "PageRequest",
    "Permission",
    "PersonalDataTable",
    "PluginInfo",
    "Principal",
    "Problem",
    "Reach",
    "RegistrationInfo",
    "SignalType",
    "StatFigure",
    "Text",
    "UnitFacts",
    "claim_key",
    "current_principal",
    "emit",
    "encode_cursor",
    "hookimpl",
    "hookspec",
    "paginate",
    "reach_clause",
    "record_audit",
    "register_job",
    "register_problem",
    "replay_response",
    "subtree_bounds",
    "to_simplified",
    "to_traditional",
    "within",
]
