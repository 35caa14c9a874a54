"""The ``quntuan`` command: serve, migrate, plugins, version (later issues add more)."""

from __future__ import annotations

import asyncio
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from core import CORE_API_VERSION, __version__
from core.kernel.settings import Settings, SettingsError, load_settings
from core.kernel.startup import (
    EXIT_CONFIG,
    EXIT_DATABASE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_PLUGINS,
    refusals,
)

app = typer.Typer(
    help="quntuan 群团 — headless API platform for mass organizations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def refuse(problems: list[str]) -> None:
    """Print each refusal on one line and stop with :data:`EXIT_CONFIG` (no traceback); none: go on."""
    if not problems:
        return
    err.print("[bold red]配置错误 / invalid configuration:[/]", highlight=False)
    for problem in problems:
        err.print(f"  • {problem}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_CONFIG)


def settings_or_exit(**overrides: Any) -> Settings:
    """Settings from the environment, or a clear list of what is wrong and exit status 2."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        refuse(exc.problems)
    import msgspec

    return msgspec.structs.replace(settings, **{k: v for k, v in overrides.items() if v is not None})


def plugin_manager_or_exit(settings: Settings) -> Any:
    """The plugins, or (strict mode) the one that failed and :data:`EXIT_PLUGINS`; skipped ones are said."""
    from core.kernel.plugin_host import PluginLoadError, make_plugin_manager

    try:
        pm = make_plugin_manager(settings)
    except PluginLoadError as exc:
        err.print(f"[red]插件加载失败 / plugin load failed (strict mode):[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_PLUGINS) from None
    for failure in pm.failures:
        err.print(
            f"[yellow]插件已跳过 / plugin skipped:[/] {failure.name}: {failure.reason}", highlight=False
        )
    return pm


@app.command()
def version() -> None:
    """Print the platform version and the plugin API version it provides."""
    console.print(f"quntuan {__version__} (core API {CORE_API_VERSION})")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (QUNTUAN_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (QUNTUAN_PORT).")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Web worker processes (QUNTUAN_WORKERS).")
    ] = None,
) -> None:
    """Serve the API. With no settings: SQLite at ./quntuan.db, migrations applied on start."""
    import uvicorn

    from core.kernel.metrics_dir import prepare_multiprocess_dir

    # First, before anything imports a metric (the settings check loads the core's default plugin, and
    # plugins may import prometheus-client): the directory decides where every counter's file goes.
    prepare_multiprocess_dir()
    settings = settings_or_exit(host=host, port=port, workers=workers)
    refuse(refusals(settings))
    from core.kernel.plugin_host import enabled_plugin_names

    if settings.workers > 1 and not settings.strict_plugins:
        # uvicorn spawns each worker as a fresh interpreter that loads the plugins again and logs any it
        # skips; loading them here first would only delay every worker by as long. Strict mode still
        # loads them here, so that a broken plugin stops start-up once, with the message below, instead
        # of every worker failing in turn.
        plugins = f"{', '.join(enabled_plugin_names(settings)) or '-'} (loaded by each worker)"
    else:
        pm = plugin_manager_or_exit(settings)
        refuse(refusals(settings, plugin_manager=pm))
        plugins = ", ".join(sorted(pm.registry.plugins)) or "-"
    where = settings.sqlite_path.resolve() if settings.is_sqlite else "PostgreSQL"
    console.print(
        f"quntuan {__version__} · database: {where} · shared state: "
        f"{'redis' if settings.redis_url else 'in-process'} · plugins: {plugins}"
    )
    console.print(f"API docs: http://{settings.host}:{settings.port}/schema")
    uvicorn.run(
        "core.kernel.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        proxy_headers=False,  # the app reads forwarded headers itself, from QUNTUAN_TRUSTED_PROXIES only
        server_header=False,
        access_log=False,  # the app logs one line per request, without query strings
        timeout_graceful_shutdown=math.ceil(settings.shutdown_timeout),  # SIGTERM: in-flight requests finish
    )


@app.command()
def backup(target: Annotated[Path, typer.Argument(help="File to write the backup to.")]) -> None:
    """Back up the database: an online, consistent SQLite copy, or pg_dump on PostgreSQL."""
    from core.kernel.backup import BackupError
    from core.kernel.backup import backup as run_backup

    try:
        written = run_backup(settings_or_exit(), target)
    except BackupError as exc:
        err.print(f"[red]备份失败 / backup failed:[/] {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    console.print(f"Backup written to {written} ({written.stat().st_size} bytes).")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="Backup file made by `quntuan backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database's content with a backup. Stop the server first."""
    from core.kernel.backup import BackupError
    from core.kernel.backup import restore as run_restore

    settings = settings_or_exit()
    if not yes:
        typer.confirm(
            f"Replace the content of {settings.database_url.split('@')[-1]} with {source}?", abort=True
        )
    try:
        run_restore(settings, source)
    except BackupError as exc:
        err.print(f"[red]恢复失败 / restore failed:[/] {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    console.print(f"Restored from {source}.")


@app.command()
def migrate(
    check: Annotated[
        bool, typer.Option("--check", help="Only report pending migrations; exit 1 if any.")
    ] = False,
) -> None:
    """Apply pending migrations of the core and every plugin, in dependency order (once per deploy).

    One plain line per migration as it is applied (no colours when the output is not a terminal)."""
    from core.kernel.db import Database
    from core.kernel.migrations import PendingMigration, pending_migrations
    from core.kernel.migrations import migrate as run_migrate

    settings = settings_or_exit()
    pm = plugin_manager_or_exit(settings)
    db = Database(settings, pm.registry.piccolo_apps)

    def applied(item: PendingMigration, seconds: float, notes: list[str]) -> None:
        print(f"applied {item.app} {item.migration_id} ({seconds:.2f} s)", flush=True)
        for note in notes:
            print(f"  note: {note}", flush=True)

    async def run() -> list[Any]:
        await db.start()
        try:
            return await (pending_migrations(db) if check else run_migrate(db, applied))
        finally:
            await db.stop()

    try:
        done = asyncio.run(run())
    except OSError as exc:  # refused, unreachable, unknown host: asyncpg and sqlite3 both raise OSError kinds
        err.print(
            f"[red]无法连接数据库 / database unreachable:[/] {type(exc).__name__}: {exc}", highlight=False
        )
        raise typer.Exit(EXIT_DATABASE) from None
    if check:
        for item in done:
            print(f"pending {item.app} {item.migration_id}")
    print(f"{len(done)} migration(s) {'pending' if check else 'applied'}." if done else "Schema is current.")
    if check and done:
        raise typer.Exit(EXIT_FAILED)


config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("reference")
def config_reference() -> None:
    """Print the full configuration reference (Markdown), generated from the settings themselves."""
    from core.kernel.config_reference import reference_markdown

    print(reference_markdown(), end="")  # plain print: the output is a document, not console markup


@config_app.command("check")
def config_check(
    workers: Annotated[
        int | None, typer.Option(min=1, help="Web workers `serve` would run (QUNTUAN_WORKERS).")
    ] = None,
    processes: Annotated[int, typer.Option(min=1, help="Processes `worker` would run.")] = 1,
) -> None:
    """Check the settings as `serve` and `worker` would, without starting anything: exit 0 when both would
    start, 2 with every refusal listed, 3 when a plugin fails to load in strict mode."""
    settings = settings_or_exit(workers=workers)
    pm = plugin_manager_or_exit(settings)
    refuse(refusals(settings, processes=processes, plugin_manager=pm))
    database = "SQLite" if settings.is_sqlite else "PostgreSQL"
    shared = "Redis" if settings.redis_url else "in-process"
    console.print(
        f"Configuration is valid ({database}, shared state {shared}, {settings.workers} web worker(s)).",
        highlight=False,
    )


plugins_app = typer.Typer(
    help="Plugins: list what is installed, check it against the contract, start a new one.",
    invoke_without_command=True,
)
app.add_typer(plugins_app, name="plugins")


def _compatible(core_api: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return CORE_API_VERSION in SpecifierSet(core_api)
    except InvalidSpecifier:
        return False


def _info_of(module: object) -> Any:
    """A disabled plugin's info, read without registering it (None when it cannot be read)."""
    try:
        return module.quntuan_plugin_info()  # type: ignore[attr-defined]
    except Exception:
        return None


@plugins_app.callback()
def plugins_main(ctx: typer.Context) -> None:
    """Without a sub-command: the same as ``plugins list``."""
    if ctx.invoked_subcommand is None:
        list_plugins()


@plugins_app.command("list")
def list_plugins() -> None:
    """List the installed plugins: enabled, disabled or failed, their versions and core API range."""
    import importlib.metadata

    from core.kernel.plugin_host import ENTRY_POINT_GROUP, make_plugin_manager

    settings = settings_or_exit(strict_plugins=False)
    pm = make_plugin_manager(settings)
    table = Table("slug", "name", "version", "core API", "compatible", "status")
    for slug, decl in sorted(pm.registry.plugins.items()):
        table.add_row(
            slug,
            decl.info.name.zh_hans,
            decl.info.version,
            decl.info.core_api,
            "yes",
            "[green]enabled[/]",
        )
    eps = {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    for name in pm.disabled:
        info = None
        try:
            info = _info_of(eps[name].load()) if name in eps else None
        except Exception:
            info = None
        if info is None:
            table.add_row(name, "", "", "", "?", "[dim]disabled[/]")
        else:
            table.add_row(
                name,
                info.name.zh_hans,
                info.version,
                info.core_api,
                "yes" if _compatible(info.core_api) else "no",
                "[dim]disabled[/]",
            )
    for failure in pm.failures:
        table.add_row(failure.name, "", "", "", "no", f"[red]failed[/]: {failure.reason}")
    console.print(table)
    console.print(f"core API {CORE_API_VERSION}")


def _add_default_commands() -> None:
    """The domains' sub-commands, from the core's default plugin (the kernel imports no domain itself)."""
    import pluggy

    from core.kernel import hookspecs
    from core.kernel.plugin_host import CORE_PLUGIN, load_default_plugin

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(load_default_plugin(), CORE_PLUGIN)
    pm.hook.quntuan_commands(cli=app)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    # Run as `python -m core.kernel.cli`, this copy is `__main__`; the domains' commands import
    # `core.kernel.cli`, so the command they join is that module's: run it, not this copy.
    from core.kernel import cli

    cli.main()
else:
    _add_default_commands()
