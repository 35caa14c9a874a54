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


def _refuse(problems: list[str]) -> None:
    """Print each refusal on one line and stop with :data:`EXIT_CONFIG` (no traceback); none: go on."""
    if not problems:
        return
    err.print("[bold red]配置错误 / invalid configuration:[/]", highlight=False)
    for problem in problems:
        err.print(f"  • {problem}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_CONFIG)


def _settings(**overrides: Any) -> Settings:
    """Settings from the environment, or a clear list of what is wrong and exit status 2."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        _refuse(exc.problems)
    import msgspec

    return msgspec.structs.replace(settings, **{k: v for k, v in overrides.items() if v is not None})


def _plugin_manager(settings: Settings) -> Any:
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

    settings = _settings(host=host, port=port, workers=workers)
    _refuse(refusals(settings))
    from core.kernel.metrics_dir import prepare_multiprocess_dir

    # First: prometheus-client decides when first imported (plugins may import it) whether to share.
    prepare_multiprocess_dir()
    from core.kernel.plugin_host import enabled_plugin_names

    if settings.workers > 1 and not settings.strict_plugins:
        # uvicorn spawns each worker as a fresh interpreter that loads the plugins again and logs any it
        # skips; loading them here first would only delay every worker by as long. Strict mode still
        # loads them here, so that a broken plugin stops start-up once, with the message below, instead
        # of every worker failing in turn.
        plugins = f"{', '.join(enabled_plugin_names(settings)) or '-'} (loaded by each worker)"
    else:
        pm = _plugin_manager(settings)
        _refuse(refusals(settings, plugin_manager=pm))
        plugins = ", ".join(sorted(pm.registry.plugins)) or "-"
    where = settings.sqlite_path.resolve() if settings.is_sqlite else "PostgreSQL"
    console.print(
        f"quntuan {__version__} · database: {where} · shared state: "
        f"{'redis' if settings.redis_url else 'in-process'} · plugins: {plugins}"
    )
    console.print(f"API docs: http://{settings.host}:{settings.port}/schema")
    from core.identity.cli import first_admin_hint

    hint = first_admin_hint(settings)
    if hint:
        console.print(f"[yellow]{hint}[/]")
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
        written = run_backup(_settings(), target)
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

    settings = _settings()
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

    settings = _settings()
    pm = _plugin_manager(settings)
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
    settings = _settings(workers=workers)
    pm = _plugin_manager(settings)
    _refuse(refusals(settings, processes=processes, plugin_manager=pm))
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

    settings = _settings(strict_plugins=False)
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


@plugins_app.command("check")
def check_plugins() -> None:
    """Run the testkit's contract suite on every installed, enabled plugin (exit 1 if one fails).

    On a fresh SQLite database of its own, migrated for the core and those plugins; nothing else is
    touched.
    """
    import contextlib
    import importlib.metadata
    import io
    import tempfile

    from core import testkit
    from core.kernel.plugin_host import ENTRY_POINT_GROUP

    settings = _settings(strict_plugins=False)
    failed: list[str] = []
    plugins: dict[str, object] = {}
    for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        if ep.name in settings.disabled_plugins:
            continue
        try:
            plugins[ep.name] = ep.load()
        except Exception as exc:
            failed.append(ep.name)
            console.print(f"  [red]✗[/] {ep.name}: cannot be loaded: {type(exc).__name__}: {exc}")

    async def run(directory: str) -> None:
        db_settings = testkit.settings_for(f"sqlite:///{directory}/check.db", files_dir=f"{directory}/files")
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # Piccolo prints each migration it applies
                await testkit.migrate_database(db_settings, plugins)
        except Exception as exc:
            err.print(f"[red]迁移失败 / migrations failed:[/] {type(exc).__name__}: {exc}")
            failed.append("migrations")
            return
        for slug, module in sorted(plugins.items()):
            try:
                # The cross-subtree check needs resources only the plugin's own tests can make.
                await testkit.assert_plugin_contract(slug, module, db_settings, siblings=False)
            except Exception as exc:
                failed.append(slug)
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                console.print(f"  [red]✗[/] {slug}: {reason}")
            else:
                console.print(f"  [green]✓[/] {slug}")

    with tempfile.TemporaryDirectory(prefix="quntuan-check-") as directory:
        asyncio.run(run(directory))
    if failed:
        err.print(f"[red]契约检查未通过 / contract failed:[/] {', '.join(failed)}")
        raise typer.Exit(EXIT_FAILED)
    console.print(f"{len(plugins)} plugin(s) keep the contract.")


@plugins_app.command("new")
def new_plugin(
    slug: Annotated[str, typer.Argument(help="The plugin's slug: /api/v1/<slug>, tables <slug>_….")],
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to write the package quntuan-<slug>/.")
    ] = Path("."),
    name_zh: Annotated[str | None, typer.Option("--name-zh", help="Its name in zh-Hans.")] = None,
    name_en: Annotated[str | None, typer.Option("--name-en", help="Its name in English.")] = None,
) -> None:
    """Write a new plugin package: entry point, table and migration, guarded routes, tests, README."""
    from core.plugin_template import TemplateError, generate

    try:
        target = generate(slug, directory, name_zh=name_zh, name_en=name_en)
    except TemplateError as exc:
        err.print(f"[red]无法创建插件 / cannot create the plugin:[/] {exc}")
        raise typer.Exit(EXIT_CONFIG) from None
    console.print(f"Plugin {slug} written to {target}.")
    console.print(f"Next: cd {target} && pip install -e . && pytest; then quntuan plugins list.")


from core.identity.cli import admin_app  # noqa: E402 - the sub-command group lives with identity

app.add_typer(admin_app, name="admin")

from core.orgs.cli import coverage_app, demo_app, export_command, import_command  # noqa: E402 - they live with orgs

app.add_typer(demo_app, name="demo")
app.add_typer(coverage_app, name="coverage")
app.command("import")(import_command)
app.command("export")(export_command)

from core.integration.cli import worker_command  # noqa: E402 - it lives with integration

app.command("worker")(worker_command)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
