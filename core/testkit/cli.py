"""``quntuan plugins check``: the testkit's contract suite on every installed, enabled plugin."""

from __future__ import annotations

import asyncio

import typer

from core.kernel.cli import console, err, settings_or_exit
from core.kernel.startup import EXIT_FAILED


def check_plugins() -> None:
    """What ``quntuan plugins check`` does (its help text is ``core.builtin._CHECK_HELP``, registered
    without importing the testkit)."""
    import contextlib
    import importlib.metadata
    import io
    import tempfile

    from core import testkit  # the package this module belongs to: its public helpers
    from core.kernel.plugin_host import ENTRY_POINT_GROUP

    settings = settings_or_exit(strict_plugins=False)
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
