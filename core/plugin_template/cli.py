"""``quntuan plugins new``: write a new plugin package from the template."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.kernel.cli import console, err
from core.kernel.startup import EXIT_CONFIG


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
