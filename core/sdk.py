"""The public API of the core for plugins: import from here and nothing else in ``core``.

A third-party plugin can do everything a bundled one does with these names; anything not re-exported
here may change without notice.
"""

from typing import Any

from core import CORE_API_VERSION
from core.access import Principal, Reach, reach_clause, subtree_bounds, within
from core.declarations import AdminLevel, BuiltinRole, EventType, OrgKind, Permission, PluginInfo
from core.errors import FieldError, Problem, register_field_code, register_problem
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
from core.integration.jobs import JobContext, register_job, register_periodic
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
from core.orgs.tables import Org
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


async def person_facts(person_id: object) -> PersonFacts:
    """The facts of the core's record of a person (birth date, gender) that a plugin's rules judge by —
    never a fact the caller sends. An unknown person gives empty facts."""
    from core.members.services import person_facts as _facts

    return await _facts(person_id)  # type: ignore[arg-type]


async def join_member(
    plugin_manager: object, *, org_id: object, person_id: object, extra: dict[str, Any] | None = None
) -> object:
    """Inside a write (a process step's ``after``): the person becomes an active member of ``org_id``
    through the core's own join (validation hooks, audit, ``member.joined``). Returns the membership id;
    an active membership already there is returned as it is."""
    from core.access import Reach
    from core.db import active_database
    from core.members import services as members
    from core.members.schemas import MemberJoin

    found = (
        await Membership.select(Membership.id)
        .where(
            (Membership.org == org_id) & (Membership.person == person_id) & (Membership.status == "active")
        )
        .first()
        .run()
    )
    if found is not None:
        return found["id"]
    path = (await Org.select(Org.path).where(Org.id == org_id).first().run())["path"]  # type: ignore[index]
    joined = await members.join(
        active_database(),  # type: ignore[arg-type]
        plugin_manager,  # type: ignore[arg-type]
        org_id,  # type: ignore[arg-type]
        MemberJoin(person=person_id, extra=extra or {}),  # type: ignore[arg-type]
        [Reach(path=path, subtree=False)],
    )
    return joined.id


async def transfer_member(plugin_manager: object, *, membership_id: object, to_org_id: object) -> object:
    """Inside a write: move an active membership to ``to_org_id`` through the core's transfer (old row
    closed as ``transferred``, a new one continuing it, validation hooks, audit, signal). Returns the new
    membership's id."""
    from core.access import Reach
    from core.db import active_database
    from core.members import services as members
    from core.members.schemas import MemberTransfer

    row = await Membership.select(Membership.org.path).where(Membership.id == membership_id).first().run()
    target = await Org.select(Org.path).where(Org.id == to_org_id).first().run()
    if row is None or target is None:
        raise Problem("not-found")
    moved = await members.transfer(
        active_database(),  # type: ignore[arg-type]
        plugin_manager,  # type: ignore[arg-type]
        membership_id,  # type: ignore[arg-type]
        MemberTransfer(org=to_org_id),  # type: ignore[arg-type]
        [Reach(path=row["org.path"], subtree=False), Reach(path=target["path"], subtree=False)],
    )
    return moved.id


async def leave_member(membership_id: object) -> None:
    """Inside a write: end an active membership (退会/离团) through the core (audit, ``member.left``)."""
    from core.access import Reach
    from core.db import active_database
    from core.members import services as members

    row = await Membership.select(Membership.org.path).where(Membership.id == membership_id).first().run()
    if row is None:
        raise Problem("not-found")
    await members.leave(
        active_database(),  # type: ignore[arg-type]
        membership_id,  # type: ignore[arg-type]
        [Reach(path=row["org.path"], subtree=False)],
    )


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
    "Transition",
    "UnitFacts",
    "audit_person_paths",
    "claim_key",
    "current_principal",
    "emit",
    "encode_cursor",
    "hookimpl",
    "hookspec",
    "join_member",
    "leave_member",
    "paginate",
    "person_facts",
    "publish_notice",
    "reach_clause",
    "record_audit",
    "register_field_code",
    "register_job",
    "register_periodic",
    "register_problem",
    "replay_response",
    "send_code",
    "set_code_sender",
    "subtree_bounds",
    "to_simplified",
    "to_traditional",
    "transaction",
    "transfer_member",
    "within",
]
