"""What ``quntuan serve`` and ``quntuan worker`` refuse to start with — one function, so that
``quntuan config check`` catches exactly what they would refuse, and the exit codes they stop with.

Every refusal is one line naming the setting to change; the commands print them and exit with
:data:`EXIT_CONFIG`, without a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from core.kernel.settings import PREFIX, Settings

if TYPE_CHECKING:
    from core.kernel.plugin_host import PluginManager

#: The command did what was asked.
EXIT_OK: Final = 0
#: The command ran and found something wrong: pending migrations with ``migrate --check``, a plugin
#: breaking its contract, a backup or restore that failed.
EXIT_FAILED: Final = 1
#: Refused before doing anything: a wrong command line, or a configuration ``serve`` or ``worker`` will
#: not start with (what ``quntuan config check`` reports).
EXIT_CONFIG: Final = 2
#: A plugin could not be loaded and ``QUNTUAN_STRICT_PLUGINS`` is set.
EXIT_PLUGINS: Final = 3
#: The database could not be reached (or refused the connection).
EXIT_DATABASE: Final = 4
#: Interrupted (Ctrl-C).
EXIT_INTERRUPTED: Final = 130

EXIT_CODES: Final[dict[int, str]] = {
    EXIT_OK: "success",
    EXIT_FAILED: "the command ran and found a failure (pending migrations with --check, a broken plugin contract, a failed backup)",
    EXIT_CONFIG: "refused: a wrong command line, or a configuration serve/worker would not start with",
    EXIT_PLUGINS: "a plugin failed to load with QUNTUAN_STRICT_PLUGINS=true",
    EXIT_DATABASE: "the database could not be reached",
    EXIT_INTERRUPTED: "interrupted",
}


def refusals(
    settings: Settings,
    *,
    workers: int | None = None,
    processes: int = 1,
    plugin_manager: PluginManager | None = None,
) -> list[str]:
    """Every reason ``serve`` (with ``workers`` web processes; default the settings') or ``worker`` (with
    ``processes``) would refuse these settings; empty when they would start. With the plugin manager,
    also what the app refuses when built (an unknown or development-only SMS provider, a captcha
    required that no plugin verifies)."""
    problems: list[str] = []
    web_workers = settings.workers if workers is None else workers
    if not settings.is_sqlite and not settings.secret_key:
        problems.append(
            f"{PREFIX}SECRET_KEY: required when the database is PostgreSQL (tokens and codes are signed with it)"
        )
    if web_workers > 1 and settings.is_sqlite:
        problems.append(
            f"{PREFIX}WORKERS={web_workers}: the embedded SQLite database serves one process only; "
            f"set {PREFIX}DATABASE_URL=postgresql://… and {PREFIX}REDIS_URL=redis://… to run several"
        )
    if web_workers > 1 and not settings.redis_url:
        problems.append(
            f"{PREFIX}REDIS_URL: several web workers need shared state; set {PREFIX}REDIS_URL=redis://…"
        )
    if processes > 1 and not settings.redis_url:
        problems.append(
            f"{PREFIX}REDIS_URL: several worker processes need shared jobs; set {PREFIX}REDIS_URL=redis://…"
        )
    if plugin_manager is not None:
        problems.extend(_app_refusals(settings, plugin_manager))
    return list(dict.fromkeys(problems))


def _app_refusals(settings: Settings, plugin_manager: PluginManager) -> list[str]:
    """What building the app would refuse, as the core's default plugin and every plugin see it."""
    problems: list[str] = []
    for impl in reversed(plugin_manager.hook.quntuan_settings_refusals.get_hookimpls()):
        try:
            problems.extend(impl.function(settings=settings, plugin_manager=plugin_manager))
        except Exception as exc:  # a plugin's bug: said as a refusal, not a traceback
            problems.append(
                f"{impl.plugin_name}: 无法检查配置 / cannot check the settings: {type(exc).__name__}: {exc}"
            )
    return problems
