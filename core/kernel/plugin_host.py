"""The plugin host: load plugins one by one, check them, collect what they declare, call their hooks.

Plugins are found through the ``quntuan.plugins`` entry points — ours exactly like a third party's.
Each is loaded inside its own ``try`` so a broken plugin is reported and skipped while the others load
(``QUNTUAN_STRICT_PLUGINS=1`` makes any failure fatal instead). pluggy's own
``load_setuptools_entrypoints`` is not used: one failing import would stop it, and it skips duplicate
names silently.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from core import CORE_API_VERSION
from core.kernel import hookspecs
from core.kernel.declarations import (
    RESERVED_SLUGS,
    SLUG_RE,
    BuiltinRole,
    EventType,
    OrgKind,
    Permission,
    PluginInfo,
)
from core.kernel.declarations.files import check_owner_kinds
from core.kernel.declarations.places import check_place_kinds
from core.kernel.settings import Settings

log = logging.getLogger("quntuan.plugins")

ENTRY_POINT_GROUP = "quntuan.plugins"
#: The name under which the core registers its own declarations (the Party org kinds, core permissions).
CORE_PLUGIN = "core"
#: The core's own features, registered as the plugin ``core`` — by name, as Datasette registers its default
#: plugins: the kernel imports no domain package, and this module is where the domains join the app.
DEFAULT_PLUGIN_MODULE = "core.builtin"
#: Hooks only the core's default plugin implements (its domains' wiring into the app and the command).
CORE_ONLY_HOOKS = frozenset({"quntuan_app_wiring", "quntuan_commands"})


class PluginLoadError(RuntimeError):
    """Raised in strict mode when any plugin cannot be loaded."""


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that was found but not loaded, and why (no traceback: operators read this)."""

    name: str
    reason: str


@dataclass
class PluginDeclarations:
    """Everything one plugin declared through its registration hooks."""

    info: PluginInfo
    org_kinds: list[OrgKind] = field(default_factory=list)
    event_types: list[EventType] = field(default_factory=list)
    permissions: list[Permission] = field(default_factory=list)
    signals: list[Any] = field(default_factory=list)
    piccolo_apps: list[Any] = field(default_factory=list)
    routes: list[Any] = field(default_factory=list)
    personal_data: list[Any] = field(default_factory=list)
    file_owners: list[Any] = field(default_factory=list)
    process_types: list[Any] = field(default_factory=list)
    place_kinds: list[Any] = field(default_factory=list)
    selection_types: list[Any] = field(default_factory=list)
    sms_providers: list[Any] = field(default_factory=list)
    #: Read at start-up with the rest (not on first use), so a broken one rejects the plugin there.
    coverage_rules: list[Any] = field(default_factory=list)
    org_path_columns: list[Any] = field(default_factory=list)
    roles: list[BuiltinRole] = field(default_factory=list)


@dataclass
class Registry:
    """What every loaded plugin (and the core) declared, checked for clashes."""

    declarations: dict[str, PluginDeclarations] = field(default_factory=dict)

    @property
    def plugins(self) -> dict[str, PluginDeclarations]:
        """Enabled plugins, without the core's own entry."""
        return {name: d for name, d in self.declarations.items() if name != CORE_PLUGIN}

    @property
    def org_kinds(self) -> dict[str, OrgKind]:
        return {k.code: k for d in self.declarations.values() for k in d.org_kinds}

    @property
    def event_types(self) -> dict[str, EventType]:
        return {t.code: t for d in self.declarations.values() for t in d.event_types}

    @property
    def process_types(self) -> dict[str, Any]:
        return {t.code: t for d in self.declarations.values() for t in d.process_types}

    def process_type_owner(self, code: str) -> str | None:
        """The name of the plugin (or ``core``) that declared the process type ``code``."""
        return next(
            (n for n, d in self.declarations.items() if any(t.code == code for t in d.process_types)), None
        )

    @property
    def place_kinds(self) -> dict[str, Any]:
        """Kinds of places (code → :class:`core.kernel.declarations.places.PlaceKind`)."""
        return {k.code: k for d in self.declarations.values() for k in d.place_kinds}

    @property
    def selection_types(self) -> dict[str, Any]:
        return {t.code: t for d in self.declarations.values() for t in d.selection_types}

    def selection_type_owner(self, code: str) -> str | None:
        """The name of the plugin (or ``core``) that declared the selection type ``code``."""
        return next(
            (n for n, d in self.declarations.items() if any(t.code == code for t in d.selection_types)), None
        )

    @property
    def permissions(self) -> dict[str, Permission]:
        return {p.code: p for d in self.declarations.values() for p in d.permissions}

    @property
    def signals(self) -> dict[str, Any]:
        return {s.name: s for d in self.declarations.values() for s in d.signals}

    @property
    def personal_data(self) -> list[Any]:
        """Every table the core and the plugins declared as holding personal data."""
        return [t for d in self.declarations.values() for t in d.personal_data]

    @property
    def roles(self) -> dict[str, BuiltinRole]:
        """Built-in roles (code → declaration) the core and the plugins ship."""
        return {r.code: r for d in self.declarations.values() for r in d.roles}

    def role_owner(self, code: str) -> str | None:
        """The name of the plugin (or ``core``) that declared the built-in role ``code``."""
        return next((n for n, d in self.declarations.items() if any(r.code == code for r in d.roles)), None)

    @property
    def sms_providers(self) -> dict[str, Any]:
        return {p.name: p for d in self.declarations.values() for p in d.sms_providers}

    @property
    def file_owners(self) -> dict[str, Any]:
        """Owner kinds files may be attached to (code → :class:`core.kernel.declarations.files.FileOwnerKind`)."""
        return {k.code: k for d in self.declarations.values() for k in d.file_owners}

    @property
    def piccolo_apps(self) -> list[Any]:
        return [app for d in self.declarations.values() for app in d.piccolo_apps]


class PluginManager(pluggy.PluginManager):
    """pluggy's manager with what quntuan learned while loading: failures, disabled names, declarations."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.failures: list[PluginFailure] = []
        self.disabled: list[str] = []
        self.registry = Registry()


def _owner_prefixes(name: str) -> tuple[str, ...]:
    return ("party.", "core.") if name == CORE_PLUGIN else (name + ".",)


def _call_one(pm: pluggy.PluginManager, hook_name: str, plugin: object, **kwargs: Any) -> Any:
    """Call one plugin's implementation of a hook, or return None when it has none."""
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        if impl.plugin is plugin:
            return impl.function(*(kwargs[arg] for arg in impl.argnames))
    return None


def _as_apps(result: Any) -> list[Any]:
    if result is None:
        return []
    return list(result) if isinstance(result, (list, tuple)) else [result]


def _declare(pm: PluginManager, name: str, plugin: object) -> PluginDeclarations:
    """Run a freshly registered plugin's registration hooks and check what it declares."""
    info = _call_one(pm, "quntuan_plugin_info", plugin)
    if not isinstance(info, PluginInfo):
        raise ValueError("quntuan_plugin_info must return a PluginInfo")
    if name != CORE_PLUGIN:
        if info.slug != name:
            raise ValueError(f"slug {info.slug!r} differs from the entry-point name {name!r}")
        if not SLUG_RE.match(info.slug) or info.slug in RESERVED_SLUGS:
            raise ValueError(f"slug {info.slug!r} is not allowed (lower-case letters/digits, not reserved)")
    try:
        wanted = SpecifierSet(info.core_api)
    except InvalidSpecifier as exc:
        raise ValueError(f"core_api {info.core_api!r} is not a version specifier") from exc
    if Version(CORE_API_VERSION) not in wanted:
        raise ValueError(f"needs core API {info.core_api}, this core provides {CORE_API_VERSION}")

    decl = PluginDeclarations(
        info=info,
        org_kinds=list(_call_one(pm, "quntuan_org_kinds", plugin) or ()),
        event_types=list(_call_one(pm, "quntuan_event_types", plugin) or ()),
        permissions=list(_call_one(pm, "quntuan_permissions", plugin) or ()),
        signals=list(_call_one(pm, "quntuan_signals", plugin) or ()),
        piccolo_apps=_as_apps(_call_one(pm, "quntuan_piccolo_app", plugin)),
        routes=list(_call_one(pm, "quntuan_routes", plugin) or ()),
        personal_data=list(_call_one(pm, "quntuan_personal_data", plugin) or ()),
        file_owners=list(_call_one(pm, "quntuan_file_owners", plugin) or ()),
        process_types=list(_call_one(pm, "quntuan_process_types", plugin) or ()),
        place_kinds=list(_call_one(pm, "quntuan_place_kinds", plugin) or ()),
        selection_types=list(_call_one(pm, "quntuan_selection_types", plugin) or ()),
        sms_providers=list(_call_one(pm, "quntuan_sms_providers", plugin) or ()),
        coverage_rules=list(_call_one(pm, "quntuan_coverage_rules", plugin) or ()),
        org_path_columns=list(_call_one(pm, "quntuan_org_path_columns", plugin) or ()),
        roles=list(_call_one(pm, "quntuan_roles", plugin) or ()),
    )
    prefixes = _owner_prefixes(name)
    taken = {
        "org kind": pm.registry.org_kinds,
        "event type": pm.registry.event_types,
        "permission": pm.registry.permissions,
    }
    for label, items in (
        ("org kind", decl.org_kinds),
        ("event type", decl.event_types),
        ("permission", decl.permissions),
    ):
        for item in items:
            if not item.code.startswith(prefixes):
                raise ValueError(f"{label} {item.code!r} must start with {' or '.join(prefixes)}")
            if item.code in taken[label]:
                raise ValueError(f"{label} {item.code!r} is declared twice")
    _check_roles(pm, decl, prefixes)
    _check_process_types(pm, decl.process_types, prefixes)
    _check_selection_types(pm, decl.selection_types, prefixes)
    for signal in decl.signals:
        if name != CORE_PLUGIN and not signal.name.startswith(f"{name}."):
            raise ValueError(f"signal {signal.name!r} must start with {name}.")
        if signal.name in pm.registry.signals:
            raise ValueError(f"signal {signal.name!r} is declared twice")
    check_owner_kinds(name, decl.file_owners, pm.registry.file_owners)
    check_place_kinds(name, decl.place_kinds, pm.registry.place_kinds)
    for provider in decl.sms_providers:
        if name != CORE_PLUGIN and not provider.name.startswith(f"{name}."):
            raise ValueError(f"SMS provider {provider.name!r} must start with {name}.")
        if provider.name in pm.registry.sms_providers:
            raise ValueError(f"SMS provider {provider.name!r} is declared twice")
    if name != CORE_PLUGIN and len(decl.piccolo_apps) > 1:
        raise ValueError("a plugin is one Piccolo app")
    for app in decl.piccolo_apps:
        for table in app.table_classes:
            tablename = table._meta.tablename
            if not tablename.startswith(f"{name}_"):
                raise ValueError(f"table {tablename!r} must be prefixed with {name}_")
    if name != CORE_PLUGIN:
        _check_own_tables(pm, name, decl)
    _check_coverage_rules(pm, name, decl.coverage_rules)
    return decl


def _check_own_tables(pm: PluginManager, name: str, decl: PluginDeclarations) -> None:
    """Isolation: a plugin's tables reference only its own tables and the core's; what it declares about
    tables (personal data, org path copies) names only its own. Another plugin's data is reached through
    that plugin's API or signals, never by a foreign key or a declaration."""
    own = {t._meta.tablename: t for app in decl.piccolo_apps for t in app.table_classes}
    core_tables = {
        t._meta.tablename
        for app in pm.registry.declarations[CORE_PLUGIN].piccolo_apps
        for t in app.table_classes
    }
    for tablename, table in own.items():
        for fk in table._meta.foreign_key_columns:
            target = fk._foreign_key_meta.resolved_references._meta.tablename
            if target not in own and target not in core_tables:
                raise ValueError(
                    f"table {tablename!r}: foreign key {fk._meta.name!r} references {target!r}, which is neither"
                    f" the plugin's own table nor the core's; keep that plugin's id in a plain UUID column"
                )
    for item in decl.personal_data:
        tablename = item.table._meta.tablename
        if tablename not in own:
            raise ValueError(
                f"personal data declared for {tablename!r}, which is not one of the plugin's tables"
            )
        columns = {c._meta.name for c in item.table._meta.columns}
        named = {item.person_column, *item.fields, *item.hidden, *item.encrypted}
        if named - columns:
            raise ValueError(
                f"personal data of {tablename!r} names missing column(s) {sorted(named - columns)}"
            )
    for path_column in decl.org_path_columns:
        table = own.get(path_column.table)
        if table is None:
            raise ValueError(
                f"org path column {path_column.table}.{path_column.column}: {path_column.table!r} is not one"
                " of the plugin's tables"
            )
        if path_column.column not in {c._meta.name for c in table._meta.columns}:
            raise ValueError(f"org path column {path_column.table}.{path_column.column} does not exist")


def _check_coverage_rules(pm: PluginManager, name: str, rules: Sequence[Any]) -> None:
    from core.kernel.declarations.orgs import CoverageRule

    taken = {r.code for d in pm.registry.declarations.values() for r in d.coverage_rules}
    for rule in rules:
        if not isinstance(rule, CoverageRule):
            raise ValueError("quntuan_coverage_rules must return CoverageRule values")
        if not rule.code.startswith(f"{name}.") or rule.code in taken:
            raise ValueError(f"coverage rule {rule.code!r} must be unique and start with {name}.")
        if not callable(rule.applies):
            raise ValueError(f"coverage rule {rule.code!r}: applies is not callable")
        taken.add(rule.code)


def _check_roles(pm: PluginManager, decl: PluginDeclarations, prefixes: tuple[str, ...]) -> None:
    known = set(pm.registry.permissions) | {p.code for p in decl.permissions}
    seen = set(pm.registry.roles)
    for role in decl.roles:
        if not isinstance(role, BuiltinRole):
            raise ValueError("quntuan_roles must return BuiltinRole values")
        if not role.code.startswith(prefixes):
            raise ValueError(f"role {role.code!r} must start with {' or '.join(prefixes)}")
        if role.code in seen:
            raise ValueError(f"role {role.code!r} is declared twice")
        if len(role.code) > 64:
            raise ValueError(f"role {role.code!r} is longer than 64 characters")
        seen.add(role.code)
        if not role.permissions:
            raise ValueError(f"role {role.code!r} has no permissions")
        if unknown := sorted(set(role.permissions) - known):
            raise ValueError(f"role {role.code!r} names undeclared permissions {', '.join(unknown)}")


def _check_process_types(pm: PluginManager, types: Sequence[Any], prefixes: tuple[str, ...]) -> None:
    from core.kernel.declarations.processes import ProcessType, check_process_type

    seen = set(pm.registry.process_types)
    for ptype in types:
        if not isinstance(ptype, ProcessType):
            raise ValueError("quntuan_process_types must return ProcessType values")
        if not ptype.code.startswith(prefixes):
            raise ValueError(f"process type {ptype.code!r} must start with {' or '.join(prefixes)}")
        if ptype.code in seen:
            raise ValueError(f"process type {ptype.code!r} is declared twice")
        seen.add(ptype.code)
        check_process_type(ptype)


def _check_selection_types(pm: PluginManager, types: Sequence[Any], prefixes: tuple[str, ...]) -> None:
    from core.kernel.declarations.selections import SelectionType, check_selection_type

    seen = set(pm.registry.selection_types)
    for stype in types:
        if not isinstance(stype, SelectionType):
            raise ValueError("quntuan_selection_types must return SelectionType values")
        if not stype.code.startswith(prefixes):
            raise ValueError(f"selection type {stype.code!r} must start with {' or '.join(prefixes)}")
        if stype.code in seen:
            raise ValueError(f"selection type {stype.code!r} is declared twice")
        seen.add(stype.code)
        check_selection_type(stype)


def _add(pm: PluginManager, name: str, load: Callable[[], object], settings: Settings) -> None:
    if name in pm.registry.declarations or name in {f.name for f in pm.failures}:
        pm.failures.append(PluginFailure(name, "another plugin with this name is already installed"))
        return
    try:
        plugin = load()
        pm.register(plugin, name=name)
    except Exception as exc:
        pm.failures.append(PluginFailure(name, f"cannot be loaded: {type(exc).__name__}: {exc}"))
        return
    try:
        pm.check_pending()
        if name != CORE_PLUGIN:
            own = sorted(CORE_ONLY_HOOKS & {caller.name for caller in pm.get_hookcallers(plugin) or ()})
            if own:
                raise ValueError(f"implements the core's own hooks, which no plugin may: {', '.join(own)}")
        pm.registry.declarations[name] = _declare(pm, name, plugin)
    except Exception as exc:
        pm.unregister(plugin)
        pm.failures.append(PluginFailure(name, f"rejected: {type(exc).__name__}: {exc}"))


def load_default_plugin() -> object:
    """The core's default plugin module (:data:`DEFAULT_PLUGIN_MODULE`)."""
    return importlib.import_module(DEFAULT_PLUGIN_MODULE)


def enabled_plugin_names(settings: Settings) -> list[str]:
    """The names of the installed plugins that are not disabled, sorted, without loading any of them.

    What :func:`make_plugin_manager` would try to load from the entry points; whether each one loads is
    only known by loading it.
    """
    if not settings.load_plugins:
        return []
    names = {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    return sorted(names - set(settings.disabled_plugins))


def make_plugin_manager(
    settings: Settings | None = None,
    *,
    plugins: Mapping[str, object] | None = None,
    entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
) -> PluginManager:
    """Build a plugin manager for one app.

    ``plugins`` (name → module or object) loads exactly those and nothing from entry points — what
    tests use to build an app with the plugins they want. Otherwise the ``quntuan.plugins`` entry
    points (or the given ``entry_points``) are loaded, minus ``QUNTUAN_DISABLED_PLUGINS``.
    """
    settings = settings or Settings()
    pm = PluginManager()
    _add(pm, CORE_PLUGIN, load_default_plugin, settings)
    if pm.failures:  # the core's own declarations are broken: nothing can work
        raise PluginLoadError(pm.failures[0].reason)

    candidates: list[tuple[str, Callable[[], object]]]
    if plugins is not None:
        candidates = [(name, (lambda p=p: p)) for name, p in plugins.items()]
    elif settings.load_plugins:
        eps = (
            entry_points
            if entry_points is not None
            else importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
        )
        candidates = [(ep.name, ep.load) for ep in sorted(eps, key=lambda ep: ep.name)]
    else:
        candidates = []

    for name, load in candidates:
        if name in settings.disabled_plugins:
            pm.disabled.append(name)
            continue
        _add(pm, name, load, settings)

    for failure in pm.failures:
        log.error("plugin %s skipped: %s", failure.name, failure.reason)
    if pm.failures and settings.strict_plugins:
        raise PluginLoadError("; ".join(f"{f.name}: {f.reason}" for f in pm.failures))
    return pm


# --- calling runtime hooks ------------------------------------------------------------------------------


def _impls(pm: pluggy.PluginManager, hook_name: str) -> Sequence[Any]:
    # pluggy calls the last registered (and tryfirst) implementations first.
    return list(reversed(getattr(pm.hook, hook_name).get_hookimpls()))


async def call_runtime_hook(pm: pluggy.PluginManager, hook_name: str, /, **kwargs: Any) -> list[Any]:
    """Call every implementation of a runtime hook, awaiting coroutines; failures are logged, not raised.

    Returns the non-``None`` results in call order. Used for notifications (member joined, event
    published…) that must never break the request that caused them.
    """
    results: list[Any] = []
    for impl in _impls(pm, hook_name):
        try:
            result = impl.function(*(kwargs[arg] for arg in impl.argnames))
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            log.error(
                "hook %s of plugin %s failed: %s",
                hook_name,
                impl.plugin_name,
                type(exc).__name__,
                exc_info=False,
            )
            continue
        if result is not None:
            results.append(result)
    return results


async def call_validation_hook(
    pm: pluggy.PluginManager,
    hook_name: str,
    /,
    *,
    vetoes: tuple[type[BaseException], ...] = (),
    owner: str | None = None,
    **kwargs: Any,
) -> list[Any]:
    """Call every implementation of a validation hook; the first to raise one of ``vetoes`` vetoes (the
    exception propagates). See :func:`validation_hook` for ``owner`` and for other exceptions."""
    return await validation_hook(pm, hook_name, vetoes=vetoes)(_owner=owner, **kwargs)


def validation_hook(
    pm: pluggy.PluginManager, hook_name: str, *, vetoes: tuple[type[BaseException], ...] = ()
) -> Callable[..., Awaitable[list[Any]]]:
    """:func:`call_validation_hook` with the implementations looked up once: for a caller that validates
    many items in a row (an import validates every row).

    ``_owner=<plugin name>`` (per call) runs only that plugin's implementation — a plugin judges what it
    owns (a membership of an org of its kinds), so a bug in one cannot refuse another's. A veto
    (``vetoes``, or a :class:`core.kernel.errors.Problem`) propagates; anything else a plugin raises is its bug:
    logged with its name (the exception's type only: its message may hold personal data) and answered as
    ``plugin-failed`` (422), so the caller's transaction rolls back and nothing is written."""
    from core.kernel.errors import Problem

    impls = [(impl.plugin_name, impl.function, impl.argnames) for impl in _impls(pm, hook_name)]
    passing: tuple[type[BaseException], ...] = (Problem, *vetoes)

    async def call(_owner: str | None = None, **kwargs: Any) -> list[Any]:
        results: list[Any] = []
        for plugin, function, argnames in impls:
            if _owner is not None and plugin != _owner:
                continue
            try:
                result = function(*[kwargs[arg] for arg in argnames])
                if result is None:  # most validation hooks are plain functions that return nothing
                    continue
                if inspect.isawaitable(result):
                    result = await result
            except passing:
                raise
            except Exception as exc:
                log.error("hook %s of plugin %s failed: %s", hook_name, plugin, type(exc).__name__)
                raise Problem("plugin-failed", plugin=plugin) from None
            if result is not None:
                results.append(result)
        return results

    return call


def kind_owner(kind: str) -> str:
    """The plugin that owns an org kind (``union.grassroots`` → ``union``; the Party kinds → ``core``)."""
    prefix = kind.partition(".")[0]
    return CORE_PLUGIN if prefix in ("party", "core") else prefix


def plugin_module_name(plugin: object) -> str:
    return plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
