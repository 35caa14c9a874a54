"""The public API of the core for plugins: import from here and nothing else in ``core``.

A third-party plugin can do everything a bundled one does with these names; anything not re-exported
here may change without notice.
"""

from typing import Any

from core import CORE_API_VERSION
from core.events.schemas import CheckIn as CheckInInfo
from core.events.schemas import Event as EventInfo
from core.events.schemas import Feedback as FeedbackInfo
from core.events.schemas import Registration as RegistrationInfo
from core.idempotency import claim_key
from core.idempotency import replay as replay_response
from core.identity.audit import CHANGED as AUDIT_CHANGED
from core.identity.audit import paths_of_persons as audit_person_paths
from core.identity.audit import record as record_audit
from core.identity.personal_data import PersonalDataTable
from core.identity.tables import Person
from core.integration.jobs import JobContext, register_job, register_periodic
from core.integration.signals import SignalType, emit
from core.kernel.access import Principal, Reach, reach_clause, reach_sql, subtree_bounds, within
from core.kernel.db import fetch as fetch_rows
from core.kernel.declarations import AdminLevel, BuiltinRole, EventType, OrgKind, Permission, PluginInfo
from core.kernel.declarations.files import FileOwnerKind, OwnerAccess, OwnerContext
from core.kernel.declarations.orgs import (
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
from core.kernel.declarations.places import PlaceFacts, PlaceKind, PlaceService
from core.kernel.declarations.processes import (
    Deadline,
    ProcessContext,
    ProcessRejected,
    ProcessType,
    State,
    Transition,
)
from core.kernel.declarations.selections import (
    NominationContext,
    NominationSource,
    NomineeKind,
    PublicVote,
    SelectionType,
)
from core.kernel.errors import FieldError, Problem, register_field_code, register_problem, request_locale
from core.kernel.fastpath import Decline, FastAnswer, FastRequest
from core.kernel.guards import current_principal
from core.kernel.hookspecs import hookimpl, hookspec
from core.kernel.i18n import Text, to_simplified, to_traditional
from core.kernel.pagination import Page, PageParam, PageRequest, decode_cursor, encode_cursor, paginate
from core.kernel.settings import SettingsError
from core.kernel.vault import (
    DecryptionError,
    Vault,
    mask_id_number,
    mask_phone,
    normalise_id_number,
    normalise_phone,
)
from core.members.services import MembershipRejected
from core.members.tables import Membership
from core.orgs.imports import read_table
from core.orgs.owners import OwnerFigures, figures_by_owner, installed_plugins, kind_owners
from core.orgs.search import fold as search_fold
from core.orgs.search import initials as search_initials
from core.orgs.search import is_initials_query, search_term
from core.orgs.tables import CoverageRequirement, Org, Unit
from core.orgs.tabular import TooLarge, UnreadableFile
from core.processes.notices import publish as _publish_notice
from core.processes.schemas import NoticeEntryIn
from core.selfservice.codes import send_code, set_code_sender
from core.selfservice.inbox import Delivered as Notification
from core.signup.sms import DeliveryFailed, SmsProvider


def transaction() -> Any:
    """The platform's write transaction (``async with transaction(): ...``): a plugin's rows, its audit
    entries and its signals commit together or not at all; nested calls join the outer one. Use it, not
    Piccolo's own transaction, which would bypass the SQLite write lock."""
    from core.kernel.db import active_database

    db = active_database()
    if db is None:
        raise RuntimeError("no database is started")
    return db.transaction()


def vault(state: Any) -> Vault:
    """The platform's personal-data vault (``request.app.state``, or a job's or process step's state):
    ``encrypt(field, value)`` / ``decrypt(field, token)`` (AES-GCM, the key id in the token, ``field``
    bound to the ciphertext: name it ``<slug>_<column>``) and ``blind_index(field, value)`` for exact
    lookups. Declare every column you encrypt in ``PersonalDataTable(encrypted={column: field})``:
    exports decrypt it and ``quntuan admin reencrypt`` rotates it with the core's keys."""
    found = getattr(getattr(state, "identity", None), "vault", None)
    if found is None:
        raise RuntimeError("no vault: pass request.app.state of a started app")
    return found  # type: ignore[no-any-return]


async def person_facts(person_id: Any) -> PersonFacts | None:
    """The facts the core's record holds about a person (birth date, gender), or None when the platform
    has no such person — how a plugin checks a person id a caller sent before it records anything."""
    from core.identity.tables import Person

    row = await Person.select(Person.birth_date, Person.gender).where(Person.id == person_id).first().run()
    return None if row is None else PersonFacts(birth_date=row["birth_date"], gender=row["gender"])


async def place_facts(place_id: Any) -> PlaceFacts | None:
    """The facts the core's place record holds (kind, keeping org and its path, status), or None when
    there is no such place — how a plugin checks a place id a form names (a nomination's 儿童之家) against
    a kind and the caller's reach before it records anything."""
    from core.places.tables import Place

    row = (
        await Place.select(Place.id, Place.kind, Place.org, Place.org_path, Place.status)
        .where(Place.id == place_id)
        .first()
        .run()
    )
    if row is None:
        return None
    return PlaceFacts(
        id=row["id"], kind=row["kind"], org_id=row["org"], org_path=row["org_path"], status=row["status"]
    )


async def create_place(plugin_manager: Any, principal: Principal, place: dict[str, Any]) -> dict[str, Any]:
    """Create a place (阵地) as ``POST /api/v1/places`` would for ``principal``, inside the caller's write
    transaction: ``place`` has the request's fields (``kind``, ``org_id``, ``name``, ``opening_hours``,
    ``services``…), validated the same way (422 naming the field), audited and signalled. Returns the
    place row (``id``, ``kind``, ``org``, ``version`` …). For work outside a request — a plugin's demo seed
    (``quntuan_demo_seeded`` gets the ``plugin_manager``) or an import."""
    from zoneinfo import ZoneInfo

    from core.kernel.db import active_database
    from core.places import services
    from core.places.schemas import PlaceCreate
    from core.processes.machine import convert_form

    db = active_database()
    if db is None:
        raise RuntimeError("no database is started")
    settings = db.settings
    env = services.Env(
        registry=plugin_manager.registry,
        plugin_manager=plugin_manager,
        vault=Vault.from_settings(settings),
        tz=ZoneInfo(settings.timezone),
        secret=settings.resolved_secret_key(),
    )
    return await services.create(env, principal, convert_form(PlaceCreate, place, "", env.locale))


async def create_campaign(
    plugin_manager: Any, principal: Principal, campaign: dict[str, Any]
) -> dict[str, Any]:
    """Create a selection campaign (评选) as ``POST /api/v1/selections/campaigns`` would for
    ``principal``, inside the caller's write transaction: ``campaign`` has the request's fields (``type``,
    ``org_id``, ``title``, ``honor_title``, ``year``, ``levels``…), checked the same way, audited and
    signalled. Returns the campaign row (``id``, ``stage``, ``version`` …). For work outside a request,
    like :func:`create_place`."""
    from core.processes.machine import convert_form
    from core.selections import campaigns
    from core.selections.common import Env as SelectionEnv
    from core.selections.schemas import CampaignCreate

    env = SelectionEnv(plugin_manager.registry, None)
    return await campaigns.create(env, principal, convert_form(CampaignCreate, campaign, "", env.locale))


async def open_process(
    state: object,
    principal: Principal,
    *,
    type_code: str,
    org_id: object,
    form: dict[str, Any],
    applicant_id: object = None,
    comment: str = "",
) -> dict[str, Any]:
    """Open a process of ``type_code`` on ``org_id`` as the plugin (inside the caller's write transaction),
    as ``POST /api/v1/processes`` would for ``principal``: the org must be active and of one of the type's
    kinds, the form is validated (422 naming the field), signals and history are written. Returns the
    process row (``id``, ``state``, ``due_at``, ``version`` …)."""
    from core.processes.machine import Env
    from core.processes.machine import open_process as _open

    return await _open(
        Env.of(state),
        principal,
        type_code=type_code,
        org_id=org_id,  # type: ignore[arg-type]
        applicant_id=applicant_id,  # type: ignore[arg-type]
        form=form,
        comment=comment,
    )


async def subtree_figures(state: object, org_path: str) -> tuple[list[Any], list[Any]]:
    """The coverage of the subtree at ``org_path`` per rule (``RuleRate``: rule, plugin, required,
    covered, rate) and every plugin's ``quntuan_statistics`` figures (``PluginFigure``: plugin, code,
    label, value) — what ``GET /api/v1/orgs/{id}/statistics`` adds to its counts. The caller checks reach."""
    from core.orgs.coverage import coverage_rules, subtree_rates
    from core.orgs.statistics import plugin_figures

    pm = state.plugin_manager  # type: ignore[attr-defined]
    return await subtree_rates(coverage_rules(pm), org_path), await plugin_figures(pm, org_path)


async def transfer_member(plugin_manager: object, *, membership_id: object, to_org_id: object) -> object:
    """Inside a write: move an active membership to ``to_org_id`` through the core's transfer (old row
    closed as ``transferred``, a new one continuing it, validation hooks, audit, signal). Returns the new
    membership's id."""
    from core.kernel.access import Reach
    from core.kernel.db import active_database
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
    process_id: object = None,
) -> object:
    """Publish a public notice (公示) of ``org_id`` as the plugin (inside the caller's write transaction).

    ``state`` is ``request.app.state``, a job's context, or the :class:`ProcessContext` of a transition's
    ``after`` (a step that publishes its own entries); ``kind`` is ``<slug>.<name>``; entries are stored
    masked (names as 张*三, ID numbers as 110101********1234). ``process_id`` links the notice to a
    process, so an objection holds or reopens it as the type says. Returns the notice's id; the notice
    appears in ``/api/v1/notices`` and the portal feeds, and takes objections during its ``days``.
    """
    from core.processes.machine import Env

    if isinstance(state, ProcessContext):
        pm: Any = state.plugin_manager
        env = Env(pm.registry, pm, state.vault)
    else:
        env = Env.of(state)
    row = await _publish_notice(
        env,
        None,
        org_id=org_id,  # type: ignore[arg-type]
        title=title,
        body=body,
        kind=kind,
        days=days,
        entries=entries or [],
        process_id=process_id,  # type: ignore[arg-type]
    )
    return row["id"]


async def add_membership(
    plugin_manager: object,
    *,
    org_id: object,
    person_id: object,
    role: str = "member",
    extra: dict[str, Any] | None = None,
) -> object:
    """Make ``person_id`` a member of ``org_id`` as the core's join does (inside the caller's write
    transaction): every plugin's ``quntuan_validate_membership`` runs, ``member.joined`` is audited and
    signalled. For a plugin's own approval step (an online application approved) — the plugin has
    checked the caller's right to decide. Returns the membership's id; a person already a member of the
    org is refused (``already-member``)."""
    from core.kernel.db import active_database
    from core.members import services as members
    from core.members.schemas import MemberJoin

    org = await Org.select(Org.path).where(Org.id == org_id).first().run()
    if org is None:
        raise Problem("not-found")
    joined = await members.join(
        active_database(),  # type: ignore[arg-type]
        plugin_manager,  # type: ignore[arg-type]
        org_id,  # type: ignore[arg-type]
        MemberJoin(person=person_id, role=role, extra=extra or {}),  # type: ignore[arg-type]
        [Reach(path=org["path"], subtree=False)],
    )
    return joined.id


async def person_visible(principal: Principal, permission: str, person_id: object, timezone: str) -> bool:
    """Whether the caller sees ``person_id`` through ``permission`` (their home org, a membership or a
    post within its reach, as the core's person routes judge): a plugin registering someone into one of
    its orgs refuses a person outside, answering like an id that names nobody."""
    from core.identity.persons import is_visible

    return await is_visible(principal, permission, person_id, timezone)  # type: ignore[arg-type]


async def end_membership(membership_id: object) -> None:
    """End an active membership as the core's leave does (audited, ``member.left`` signalled), inside
    the caller's write transaction; the plugin has checked the caller may. A closed one is refused."""
    from core.kernel.db import active_database
    from core.members import services as members

    row = (
        await Membership.select(Membership.org.path.as_alias("path"))
        .where(Membership.id == membership_id)
        .first()
        .run()
    )
    if row is None:
        raise Problem("not-found")
    await members.leave(active_database(), membership_id, [Reach(path=row["path"], subtree=False)])  # type: ignore[arg-type]


__all__ = [
    "API_VERSION",
    "AUDIT_CHANGED",
    "CORE_API_VERSION",
    "PLACE_KINDS",
    "TWO_NEW_KINDS",
    "AdminLevel",
    "BuiltinRole",
    "CheckInInfo",
    "CoverageRequirement",
    "CoverageRule",
    "Deadline",
    "Decline",
    "DecryptionError",
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
    "NominationContext",
    "NominationSource",
    "NomineeKind",
    "NoticeEntryIn",
    "Notification",
    "Org",
    "OrgKind",
    "OrgPathColumn",
    "OwnerAccess",
    "OwnerContext",
    "OwnerFigures",
    "Page",
    "PageParam",
    "PageRequest",
    "Permission",
    "Person",
    "PersonFacts",
    "PersonalDataTable",
    "PlaceFacts",
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
    "Unit",
    "UnitFacts",
    "UnreadableFile",
    "Vault",
    "add_membership",
    "audit_person_paths",
    "claim_key",
    "create_campaign",
    "create_place",
    "current_principal",
    "decode_cursor",
    "emit",
    "encode_cursor",
    "end_membership",
    "fetch_rows",
    "figures_by_owner",
    "hookimpl",
    "hookspec",
    "installed_plugins",
    "is_initials_query",
    "kind_owners",
    "mask_id_number",
    "mask_phone",
    "normalise_id_number",
    "normalise_phone",
    "open_process",
    "paginate",
    "person_facts",
    "person_visible",
    "place_facts",
    "publish_notice",
    "reach_clause",
    "reach_sql",
    "read_table",
    "record_audit",
    "register_field_code",
    "register_job",
    "register_periodic",
    "register_problem",
    "replay_response",
    "request_locale",
    "search_fold",
    "search_initials",
    "search_term",
    "send_code",
    "set_code_sender",
    "subtree_bounds",
    "subtree_figures",
    "to_simplified",
    "to_traditional",
    "transaction",
    "transfer_member",
    "vault",
    "within",
]
