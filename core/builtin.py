"""The core's default plugin: its own declarations, registered through the same hooks as any plugin.

The plugin host loads it by name (the kernel imports no domain); :mod:`core.wiring` puts the domains in
the app. Every domain module is imported inside the hook that needs it, so loading this plugin (as the
``quntuan`` command does to add its sub-commands) imports no domain.

The Party organization is the "1" of 1+3+X: it leads, and its kinds belong to the core so every
plugin can place its organizations under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from core import CORE_API_VERSION
from core.kernel.declarations import AdminLevel, EventType, OrgKind, Permission, PluginInfo
from core.kernel.hookspecs import hookimpl
from core.kernel.i18n import Text
from core.permissions import CORE_PERMISSIONS

if TYPE_CHECKING:
    from core.kernel.app import AppWiring
    from core.kernel.db import Database
    from core.kernel.plugin_host import PluginManager
    from core.kernel.settings import Settings
    from core.kernel.shared import SharedState

_ALL_LEVELS = tuple(AdminLevel)

INFO = PluginInfo(
    slug="core",
    name=Text(zh_hans="群团平台核心", zh_hant="群團平臺核心", en="quntuan core"),
    version=CORE_API_VERSION,
    core_api=f"=={CORE_API_VERSION}",
)

PARTY_KINDS: tuple[OrgKind, ...] = (
    OrgKind(
        code="party.committee",
        name=Text(zh_hans="党委", zh_hant="黨委", en="Party committee"),
        levels=_ALL_LEVELS,
        parents=("party.committee",),
        may_be_root=True,
    ),
    OrgKind(
        code="party.general_branch",
        name=Text(zh_hans="党总支", zh_hant="黨總支", en="Party general branch"),
        levels=(AdminLevel.TOWNSHIP, AdminLevel.VILLAGE, AdminLevel.UNIT),
        parents=("party.committee",),
    ),
    OrgKind(
        code="party.branch",
        name=Text(zh_hans="党支部", zh_hant="黨支部", en="Party branch"),
        levels=(AdminLevel.TOWNSHIP, AdminLevel.VILLAGE, AdminLevel.UNIT),
        parents=("party.committee", "party.general_branch"),
    ),
)


@hookimpl
def quntuan_plugin_info() -> PluginInfo:
    return INFO


@hookimpl
def quntuan_org_kinds() -> Sequence[OrgKind]:
    return PARTY_KINDS


@hookimpl
def quntuan_permissions() -> Sequence[Permission]:
    return CORE_PERMISSIONS


@hookimpl
def quntuan_event_types() -> Sequence[EventType]:
    """The core's own event types, for activities no plugin owns (a joint 1+3+X activity, a meeting)."""
    from core.events.types import CORE_EVENT_TYPES

    return CORE_EVENT_TYPES


@hookimpl
def quntuan_piccolo_app() -> Sequence[object]:
    """The core is several Piccolo apps, one per domain, each with its own migrations."""
    from core.announcements.piccolo_app import APP_CONFIG as ANNOUNCEMENTS
    from core.events.piccolo_app import APP_CONFIG as EVENTS
    from core.files.piccolo_app import APP_CONFIG as FILES
    from core.idempotency.piccolo_app import APP_CONFIG as IDEMPOTENCY
    from core.identity.piccolo_app import APP_CONFIG as IDENTITY
    from core.integration.piccolo_app import APP_CONFIG as INTEGRATION
    from core.members.piccolo_app import APP_CONFIG as MEMBERS
    from core.orgs.piccolo_app import APP_CONFIG as ORGS
    from core.places.piccolo_app import APP_CONFIG as PLACES
    from core.processes.piccolo_app import APP_CONFIG as PROCESSES
    from core.selections.piccolo_app import APP_CONFIG as SELECTIONS
    from core.selfservice.piccolo_app import APP_CONFIG as SELFSERVICE
    from core.signup.piccolo_app import APP_CONFIG as SIGNUP

    return (
        ORGS,
        IDENTITY,
        MEMBERS,
        INTEGRATION,
        IDEMPOTENCY,
        EVENTS,
        ANNOUNCEMENTS,
        FILES,
        PROCESSES,
        PLACES,
        SELECTIONS,
        SIGNUP,
        SELFSERVICE,
    )


@hookimpl
def quntuan_signals() -> Sequence[object]:
    """The signals of every core domain (each domain declares its own)."""
    from core.announcements.signals import ANNOUNCEMENT_SIGNALS
    from core.events.signals import EVENT_SIGNALS
    from core.files.signals import FILE_SIGNALS
    from core.identity.signals import IDENTITY_SIGNALS
    from core.integration.signals import PING
    from core.orgs.signals import SIGNALS as ORG_SIGNALS
    from core.places.signals import PLACE_SIGNALS
    from core.processes.signals import PROCESS_SIGNALS
    from core.selections.signals import SELECTION_SIGNALS
    from core.selfservice import inbox
    from core.signup.signals import SIGNUP_SIGNALS

    inbox.register_listeners()  # the inbox writes from these signals, in the change's transaction
    return (
        *ORG_SIGNALS,
        PING,
        *IDENTITY_SIGNALS,
        *EVENT_SIGNALS,
        *ANNOUNCEMENT_SIGNALS,
        *FILE_SIGNALS,
        *PROCESS_SIGNALS,
        *PLACE_SIGNALS,
        *SELECTION_SIGNALS,
        *SIGNUP_SIGNALS,
    )


@hookimpl
def quntuan_personal_data() -> Sequence[object]:
    """The core's tables holding personal data (persons, accounts, posts, consent, memberships, events,
    files, processes, bookings)."""
    from core.events.personal_data import EVENTS_PERSONAL_DATA
    from core.files.personal_data import FILES_PERSONAL_DATA
    from core.identity.personal_data import CORE_PERSONAL_DATA
    from core.members.personal_data import MEMBERS_PERSONAL_DATA
    from core.places.personal_data import PLACES_PERSONAL_DATA
    from core.processes.personal_data import PROCESSES_PERSONAL_DATA
    from core.selections.personal_data import SELECTIONS_PERSONAL_DATA
    from core.selfservice.personal_data import SELFSERVICE_PERSONAL_DATA
    from core.signup.personal_data import SIGNUP_PERSONAL_DATA

    return (
        *SIGNUP_PERSONAL_DATA,
        *CORE_PERSONAL_DATA,
        *MEMBERS_PERSONAL_DATA,
        *EVENTS_PERSONAL_DATA,
        *FILES_PERSONAL_DATA,
        *PROCESSES_PERSONAL_DATA,
        *PLACES_PERSONAL_DATA,
        *SELECTIONS_PERSONAL_DATA,
        *SELFSERVICE_PERSONAL_DATA,
    )


@hookimpl
def quntuan_sms_providers() -> Sequence[object]:
    """The development provider (codes to the log) and the Aliyun and Tencent Cloud SMS adapters."""
    from core.signup.sms import BUILTIN_PROVIDERS

    return BUILTIN_PROVIDERS


@hookimpl
def quntuan_org_path_columns() -> Sequence[object]:
    """Copies of org paths in the core's other domains, rewritten when a subtree moves.

    The audit log and the outbox keep the path an action had when it happened (history), so they are
    not listed.
    """
    from core.kernel.declarations.orgs import OrgPathColumn

    return (
        OrgPathColumn(table="core_event", column="org_path"),
        OrgPathColumn(table="core_event", column="eligibility_org_path"),
        OrgPathColumn(table="core_event", column="organizer_paths", many=True),
        OrgPathColumn(table="core_event_organizer", column="org_path"),
        OrgPathColumn(table="core_announcement", column="org_path"),
        OrgPathColumn(table="core_webhook", column="org_path"),
        OrgPathColumn(table="core_process", column="org_path"),
        OrgPathColumn(table="core_process", column="handler_path"),
        OrgPathColumn(table="core_notice", column="org_path"),
        OrgPathColumn(table="core_place", column="org_path"),
        OrgPathColumn(table="core_place_share", column="org_path"),
        OrgPathColumn(table="core_booking", column="org_path"),
        OrgPathColumn(table="core_selection_campaign", column="org_path"),
        OrgPathColumn(table="core_selection_nomination", column="entry_path"),
        OrgPathColumn(table="core_selection_nomination", column="org_path"),
        OrgPathColumn(table="core_honor", column="recipient_path"),
        OrgPathColumn(table="core_honor", column="issuing_path"),
        OrgPathColumn(table="core_invitation", column="org_path"),
    )


@hookimpl
def quntuan_process_types() -> Sequence[object]:
    """The core's generic "apply to join an org" (入会/入团申请) type — plugins may declare their own —, the
    approval of a place booking, the review of a real-name claim, the transfer a member starts
    (组织关系转接), and the correction and erasure requests of PIPL Art. 46/47."""
    from core.places.approval import BOOKING_TYPE
    from core.processes.join import JOIN_TYPE
    from core.selfservice.claims import CLAIM_TYPE
    from core.selfservice.data import CORRECTION_TYPE, ERASURE_TYPE
    from core.selfservice.transfer import TRANSFER_TYPE

    return (JOIN_TYPE, BOOKING_TYPE, CLAIM_TYPE, TRANSFER_TYPE, CORRECTION_TYPE, ERASURE_TYPE)


@hookimpl
def quntuan_file_owners() -> Sequence[object]:
    """Attachments of processes (申请书, 证明材料), of public notices, of announcements and of nominations
    (事迹材料); photos of places."""
    from core.announcements.attachments import ANNOUNCEMENT_FILE_OWNERS
    from core.places.photos import PLACE_FILE_OWNERS
    from core.processes.attachments import CORE_FILE_OWNERS
    from core.selections.attachments import SELECTION_FILE_OWNERS

    return (*CORE_FILE_OWNERS, *ANNOUNCEMENT_FILE_OWNERS, *PLACE_FILE_OWNERS, *SELECTION_FILE_OWNERS)


@hookimpl
def quntuan_place_kinds() -> Sequence[object]:
    """The Party-led service centre (党群服务中心) that hosts every organization's services."""
    from core.kernel.declarations.places import CORE_PLACE_KINDS

    return CORE_PLACE_KINDS


@hookimpl
def quntuan_selection_types() -> Sequence[object]:
    """The core's generic selection type (先进评选); plugins declare their own (最美家庭, 工人先锋号…)."""
    from core.selections.generic import GENERIC_TYPE

    return (GENERIC_TYPE,)


@hookimpl
async def quntuan_statistics(org_path: str) -> Sequence[object]:
    """Processes of the subtree per type: opened, done, rejected, overdue; places, bookings and occupancy
    (the core's own figures)."""
    from core.places.statistics import place_figures
    from core.processes.statistics import statistic_figures

    return [*(await statistic_figures(org_path)), *(await place_figures(org_path))]


# --- the core-only hooks: the domains in the app and in the `quntuan` command ----------------------------


@hookimpl
def quntuan_app_wiring(
    settings: Settings, plugin_manager: PluginManager, db: Database, shared: SharedState
) -> AppWiring:
    """The core's domains in the app: routes, state, lifespans, middleware, webhooks."""
    from core.wiring import app_wiring

    return app_wiring(settings, plugin_manager, db, shared)


@hookimpl
def quntuan_settings_refusals(settings: Settings, plugin_manager: PluginManager) -> Sequence[str]:
    """What the sign-up settings (SMS provider, codes) cannot run with."""
    from core.wiring import settings_refusals

    return settings_refusals(settings, plugin_manager)


@hookimpl
def quntuan_commands(cli: typer.Typer) -> None:
    """The domains' sub-commands. None of these modules creates a metric: ``serve`` chooses the metrics
    directory after the command is parsed, before any metric exists."""
    from core.identity.cli import admin_app
    from core.integration.cli import worker_command
    from core.kernel.cli import plugins_app
    from core.orgs.cli import coverage_app, demo_app, export_command, import_command
    from core.plugin_template.cli import new_plugin

    cli.add_typer(admin_app, name="admin")
    cli.add_typer(demo_app, name="demo")
    cli.add_typer(coverage_app, name="coverage")
    cli.command("import")(import_command)
    cli.command("export")(export_command)
    cli.command("worker")(worker_command)
    plugins_app.command("check", help=_CHECK_HELP)(_check_plugins)
    plugins_app.command("new")(new_plugin)


_CHECK_HELP = """Run the testkit's contract suite on every installed, enabled plugin (exit 1 if one fails).

On a fresh SQLite database of its own, migrated for the core and those plugins; nothing else is touched.
"""


def _check_plugins() -> None:
    # The testkit package imports the app factory (and with it the metrics): only when the check runs.
    from core.testkit.cli import check_plugins

    check_plugins()
