"""Every extension point of quntuan, in one place, documented where it is declared.

Two kinds of hooks:

* **Registration hooks** are synchronous and are called once while the app is built. They return
  declarations; none of them is first-result. The core calls them plugin by plugin, so it always
  knows which plugin declared what.
* **Runtime hooks** react to what happens. They may be ``async def``; the core awaits whatever they
  return (:func:`core.kernel.plugin_host.call_runtime_hook`). One that raises is logged and does not break
  the request that triggered it — unless it is a *validation* hook, whose purpose is to reject.

The plugin author's guide (``docs/plugins.md``) documents every hook below; a test fails when one is
missing from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

import pluggy

if TYPE_CHECKING:
    import typer
    from litestar import Litestar
    from litestar.types import ControllerRouterHandler
    from piccolo.conf.apps import AppConfig

    from core.events.schemas import CheckIn, Event, Feedback, Registration
    from core.identity.personal_data import PersonalDataTable
    from core.integration.signals import SignalType
    from core.kernel.app import AppWiring
    from core.kernel.db import Database
    from core.kernel.declarations import BuiltinRole, EventType, OrgKind, Permission, PluginInfo
    from core.kernel.declarations.files import FileOwnerKind
    from core.kernel.declarations.orgs import (
        CoverageRule,
        MembershipDraft,
        MembershipInfo,
        OrgPathColumn,
        StatFigure,
    )
    from core.kernel.declarations.places import PlaceKind
    from core.kernel.declarations.processes import ProcessType
    from core.kernel.declarations.selections import SelectionType
    from core.kernel.plugin_host import PluginManager
    from core.kernel.settings import Settings
    from core.kernel.shared import SharedState
    from core.signup.sms import SmsProvider

PROJECT = "quntuan"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- registration hooks: called once at start-up, synchronous -----------------------------------------


@hookspec
def quntuan_plugin_info() -> PluginInfo:
    """Say who the plugin is: slug, name in three languages, version, and the core API range it needs.

    Called first, once per plugin, before any other hook. Every plugin must implement it; a plugin
    whose slug differs from its entry-point name, or whose ``core_api`` excludes this core, is skipped.
    """


@hookspec
def quntuan_org_kinds() -> Sequence[OrgKind]:
    """Declare the organization kinds this plugin owns and where each may sit in the tree.

    Called once at start-up. Codes must start with ``<slug>.``; parents may name any plugin's kinds
    or the core's ``party.*`` kinds.
    """


@hookspec
def quntuan_event_types() -> Sequence[EventType]:
    """Declare the event types this plugin owns (codes ``<slug>.<name>``), each with optional details.

    Called once at start-up.
    """


@hookspec
def quntuan_permissions() -> Sequence[Permission]:
    """Declare the permission names this plugin's routes and data need (codes ``<slug>.<resource>.<action>``).

    Called once at start-up; roles are built from these names.
    """


@hookspec
def quntuan_roles() -> Sequence[BuiltinRole]:
    """Declare built-in roles (codes ``<slug>.<name>``) made of permissions this plugin or the core declares.

    Called once at start-up; the core writes them into the role table (insert or update) so that they can
    be granted at once, and refuses API changes to them.
    """


@hookspec
def quntuan_piccolo_app() -> AppConfig:
    """Return the plugin's Piccolo app: its tables (named ``<slug>_…``), migrations folder and dependencies.

    Called once at start-up and by ``quntuan migrate``. The app's ``migration_dependencies`` name the core
    apps whose tables it references (``core.orgs.piccolo_app``, ``core.identity.piccolo_app``, …); its
    foreign keys may reference only its own tables and the core's (another plugin's: rejected).
    """


@hookspec
def quntuan_routes() -> Sequence[ControllerRouterHandler]:
    """Return the plugin's controllers and route handlers.

    Called once at start-up. The core mounts them on one Router at ``/api/v1/<slug>`` and attaches
    authentication and the permission guard itself; a handler names the permission it needs in
    ``opt={"permission": "<slug>.…"}``.
    """


@hookspec
def quntuan_signals() -> Sequence[SignalType]:
    """Declare the domain signals this plugin emits (names ``<slug>.<event>``) with their payload Structs.

    Called once at start-up. Declared signals are documented as OpenAPI ``webhooks`` and may be
    subscribed to; a plugin emits them with ``core.sdk.emit`` inside the transaction of the change.
    """


@hookspec
def quntuan_personal_data() -> Sequence[PersonalDataTable]:
    """Declare the plugin's tables that hold personal data (PIPL): which column names the person, and
    whether erasure deletes the rows, anonymises them (clearing the listed columns) or keeps them under
    a legal hold.

    Called once at start-up. A person's data export (Art. 45) reads every declared table; erasure
    (Art. 47) applies every declaration in one transaction.
    """


@hookspec
def quntuan_file_owners() -> Sequence[FileOwnerKind]:
    """Declare the kinds of owner this plugin lets files (附件) be attached to, each with its callback.

    Called once at start-up. Codes are ``<slug>.<name>`` (the core's own have no prefix: ``process``,
    ``notice``). ``authorize(principal, owner_id)`` (plain or ``async``) returns ``None`` when the owner
    does not exist or is outside the principal's reach — the files API then answers 404 — or a
    :class:`~core.kernel.declarations.files.OwnerAccess` saying whether the principal may attach and delete, where the
    owner sits in the tree and which person it concerns. ``max_size`` and ``allowed_types`` narrow the
    platform's limits for this kind.
    """


@hookspec
def quntuan_coverage_rules() -> Sequence[CoverageRule]:
    """Declare which registered units require an org of this plugin's kinds (建会/建团 coverage rules).

    Called once per app, when coverage is first computed. Codes are ``<slug>.<name>``; each rule's
    ``applies(facts)`` gets a :class:`~core.kernel.declarations.orgs.UnitFacts` (kind, head counts, region) and
    returns whether the unit should be covered; the unit counts as covered when an active org of one of
    the rule's ``org_kinds`` is linked to it. The plugin owns the rule (the union: 25 employees or more).
    """


@hookspec
def quntuan_process_types() -> Sequence[ProcessType]:
    """Declare the process types (申请与办理) this plugin owns: codes ``<slug>.<name>``, states, transitions.

    Called once at start-up. Each :class:`~core.kernel.declarations.processes.ProcessType` names its states,
    its transitions (who may take each, an optional form, deadline, ``validate`` and ``after``
    callables), the applicant's form Struct and which of its fields hold personal data. The core checks
    each type then (unknown or unreachable states, duplicate codes: the plugin is rejected, naming the
    problem) and provides storage, routes under ``/api/v1/processes``, deadlines, referral, notices,
    signals, audit and statistics. A type's ``validate``/``after`` callables run only for its own
    processes, inside the step's transaction; one that raises rolls that step back and nothing else.
    """


@hookspec
def quntuan_place_kinds() -> Sequence[PlaceKind]:
    """Declare the kinds of places (阵地) this plugin owns: codes ``<slug>.<name>``, names, services.

    Called once at start-up. Each :class:`~core.kernel.declarations.places.PlaceKind` names the org kinds that
    may own such a place (empty: any) and the services (``PlaceService(code, name)``) places of the kind
    typically offer. The core checks the codes (malformed or duplicate: the plugin is rejected) and
    provides storage, public listing by region, kind, service and distance, bookable resources with
    exact bookings, photos, statistics and feeds under ``/api/v1/places``.
    """


@hookspec
def quntuan_selection_types() -> Sequence[SelectionType]:
    """Declare the selection types (评选表彰) this plugin owns: codes ``<slug>.<name>``.

    Called once at start-up. Each :class:`~core.kernel.declarations.selections.SelectionType` says what may be
    nominated (person, family, team, org) and by whom (self, another person, an org), the criteria, the
    administrative levels its campaigns may run at, the nomination form Struct (validated and shown in
    OpenAPI), whether a real-name public vote happens (one vote per person per candidate, or a budget of N
    votes; results hidden until the vote closes) and the notice days (at least 3). The core checks each
    type then (a bad one rejects the plugin, naming the problem) and provides campaigns, quotas per org
    and level, review up the tree, the vote, the notice with objections, the decision and the honors
    register under ``/api/v1/selections`` and ``/api/v1/honors``.
    """


@hookspec
def quntuan_sms_providers() -> Sequence[SmsProvider]:
    """Declare ways of delivering one-time codes (SMS gateways); ``QUNTUAN_SMS_PROVIDER`` picks one.

    Called once at start-up. Names are ``<slug>.<name>`` (the core's own: ``log``, ``aliyun``,
    ``tencent``). ``make(settings, http)`` is called once per app with the settings and a shared
    ``httpx.AsyncClient`` and returns an object whose ``async send(phone, code)`` delivers the code to the
    11-digit mainland phone, raising ``core.sdk.DeliveryFailed`` when the gateway refuses it or cannot be
    reached (the request answers 503). ``make`` may raise ``SettingsError`` for missing settings: start-up
    stops with that message. A provider marked ``development`` is refused on production settings.
    """


# --- runtime hooks: may be async, the core awaits them -------------------------------------------------


@hookspec
def quntuan_startup(app: Litestar) -> Any:
    """Called when an app (web worker) has started and its database and Redis are ready.

    May be ``async``. A failure is logged and does not stop the worker.
    """


@hookspec
def quntuan_shutdown(app: Litestar) -> Any:
    """Called when an app (web worker) is shutting down, before its connections close.

    May be ``async``. A failure is logged.
    """


@hookspec
def quntuan_verify_captcha(token: str, action: str, client_address: str) -> bool | None:
    """Verify a CAPTCHA token a front end obtained (滑块/点选 verification), when ``QUNTUAN_CAPTCHA_REQUIRED``.

    Called before a one-time code is sent (``action`` ``send_code``) and before a username and password
    sign-up (``signup``), with the token the client sent and its address. Return True when the token is
    genuine and fresh, False when it is not, None to abstain. The request passes only when some plugin
    said True and none said False; one that raises counts as abstaining (so a broken verifier fails
    closed). May be ``async``. Start-up stops when CAPTCHAs are required and no plugin implements this.
    """


@hookspec
def quntuan_org_path_columns() -> Sequence[OrgPathColumn]:
    """Declare columns of your tables that keep a copy of an org path (``org_path`` for subtree queries).

    Called once per app, when an org is first moved. A subtree move rewrites each declared column with the
    new prefix inside the move's transaction, so your copies stay exact; columns not declared go stale.
    """


# --- membership and statistics -----------------------------------------------------------------------


@hookspec
def quntuan_validate_membership(draft: MembershipDraft) -> None:
    """Validation hook: called inside the write transaction before a membership is written.

    ``draft.action`` is ``join`` or ``transfer``. A plugin checks the orgs of its own kinds (``draft.org_kind``
    starts with its slug) and the fields it adds in ``draft.extra`` (a union member-card number, a league
    member's birth date), and vetoes by raising ``core.sdk.MembershipRejected(pointer, code, Text)``; the
    request then fails with a 422 naming that field. Returns nothing. May be ``async``.
    """


@hookspec
def quntuan_demo_seeded(root_path: str, seed: int, plugin_manager: PluginManager) -> Any:
    """Runtime hook: called after ``quntuan demo seed`` wrote its region (orgs, units, persons,
    memberships, events), with the path of the region's root org, the seed and the plugin manager.

    A plugin adds its own demo records for that subtree (the union: member files, a few months of dues,
    union funds; the women: executives, homes, a program, a campaign), deterministically for the seed;
    ``plugin_manager`` is what ``core.sdk.create_place`` and ``create_campaign`` need to add core
    records. An implementation may take only the arguments it uses. May be ``async``; a failure is
    logged and the seed stands.
    """


@hookspec
def quntuan_member_joined(membership: MembershipInfo) -> Any:
    """Runtime hook: called after a person joined an org and the change committed.

    Gets ids, codes and ``extra`` (no personal data). Return value ignored; may be ``async``; a failure is
    logged and does not affect the membership.
    """


@hookspec
def quntuan_notify(person_id: UUID, notification: Any, channels: Sequence[str]) -> Any:
    """Runtime hook: called after a notification for ``person_id`` committed to their inbox, when the
    person chose delivery ``channels`` beyond it (``sms``, ``wechat``, ``email``, ``app``).

    ``notification`` (``core.sdk.Notification``, a frozen Struct) has ids, the kind, the message texts per language and
    the ids of what it concerns — never personal data; a provider looks up the person's phone or openid
    itself. Return value ignored; may be ``async``; a failure is logged and does not affect the inbox.
    """


@hookspec
def quntuan_statistics(org_path: str) -> Sequence[StatFigure] | None:
    """Runtime hook: called when statistics of the subtree at ``org_path`` are built (JSON and XLSX).

    Return the plugin's own figures for that subtree (``StatFigure(code="<slug>.…", label=Text, value)``),
    counted with range queries on ``path >= org_path AND path < org_path || '~'``; ``None`` adds nothing.
    May be ``async``; a failure is logged and the plugin's figures are left out.
    """


# --- runtime hooks of events: called after the change committed, may be async ---------------------------


@hookspec
def quntuan_event_published(event: Event) -> Any:
    """Runtime hook: called after an event (活动) was published and the change committed.

    Gets the event as the API shows it. Return value ignored; may be ``async``; a failure is logged and
    does not affect the event or the request.
    """


@hookspec
def quntuan_event_cancelled(event: Event) -> Any:
    """Runtime hook: called after an event was cancelled and the change committed.

    Registrations stay as they were (a plugin may notify the registered persons). Return value ignored;
    may be ``async``; a failure is logged and does not affect the request.
    """


@hookspec
def quntuan_registration_confirmed(registration: Registration) -> Any:
    """Runtime hook: called after a registration was confirmed on registering (a place was free).

    Not called for waitlisted registrations; a waitlisted one that later gets a place triggers
    :func:`quntuan_registration_promoted` instead. Return value ignored; may be ``async``; a failure is
    logged and does not affect the registration.
    """


@hookspec
def quntuan_registration_cancelled(registration: Registration) -> Any:
    """Runtime hook: called after a registration (confirmed or waitlisted) was cancelled and committed.

    Return value ignored; may be ``async``; a failure is logged and does not affect the cancellation.
    """


@hookspec
def quntuan_registration_promoted(registration: Registration) -> Any:
    """Runtime hook: called after a waitlisted registration was promoted to confirmed, once per promotion.

    Promotions happen when a confirmed registration is cancelled or the capacity is raised. Return value
    ignored; may be ``async``; a failure is logged and does not affect the promotion.
    """


@hookspec
def quntuan_checked_in(checkin: CheckIn) -> Any:
    """Runtime hook: called after an attendee was checked in (by code, by hand or in a batch upload).

    Called once per registration: a repeated scan or re-uploaded batch records nothing and calls nothing.
    Return value ignored; may be ``async`` (a youth plugin may credit volunteer hours here); a failure is
    logged and does not affect the check-in.
    """


@hookspec
def quntuan_feedback_given(feedback: Feedback) -> Any:
    """Runtime hook: called after an attendee rated an event (1–5, with an optional comment).

    Return value ignored; may be ``async``; a failure is logged and does not affect the feedback.
    """


@hookspec
def quntuan_settings_refusals(settings: Settings, plugin_manager: PluginManager) -> Sequence[str]:
    """Registration hook: what in the settings this plugin cannot run with, one zh-Hans/en message each.

    Called by ``quntuan config check``, ``serve`` and ``worker`` before anything starts, so a refusal is
    one clear line and an exit code instead of a failure at the first request. Return an empty sequence
    when all is well. Must not touch the network or the database.
    """


# --- the core's own hooks: implemented by its default plugin (core.builtin) only -------------------------
#
# The kernel imports no domain package. The core's domains (identity, orgs, members, events, …) join the
# app through these two hooks of its default plugin, loaded by name like Datasette's default plugins; the
# plugin host refuses a plugin that implements them.


@hookspec(firstresult=True)
def quntuan_app_wiring(
    settings: Settings, plugin_manager: PluginManager, db: Database, shared: SharedState
) -> AppWiring:
    """Core only: the core's domains in one app — their routes under ``/api/v1``, their state, lifespans,
    middleware and webhooks (:class:`core.kernel.app.AppWiring`)."""


@hookspec
def quntuan_commands(cli: typer.Typer) -> None:
    """Core only: add the domains' sub-commands (``admin``, ``demo``, ``import``, ``worker``, …) to ``quntuan``."""
