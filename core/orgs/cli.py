"""``quntuan demo seed``, ``quntuan import …`` and ``quntuan export …``: bulk work from the shell, with progress."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.kernel.migrations import run_with_database
from core.kernel.settings import Settings

demo_app = typer.Typer(
    help="Demo data: a synthetic region for front ends and benchmarks.", no_args_is_help=True
)
coverage_app = typer.Typer(help="Coverage (覆盖): monthly snapshots for time series.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


class What(StrEnum):
    orgs = "orgs"
    units = "units"
    members = "members"


class ScaleName(StrEnum):
    small = "small"
    large = "large"


def settings_or_exit() -> Settings:
    from core.kernel.cli import settings_or_exit as load

    return load()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    )


@demo_app.command("seed")
def demo_seed(
    scale: Annotated[
        ScaleName, typer.Option(help="small: seconds, for front ends; large: ~100k orgs, 1M persons.")
    ] = (ScaleName.small),
    seed: Annotated[int, typer.Option(help="Same seed, same region.")] = 1,
) -> None:
    """Build a synthetic region: province → cities → districts → streets → communities, units, persons."""
    from core.orgs.demo import seed as run_seed

    settings = settings_or_exit()
    with _progress() as bar:
        tasks: dict[str, Any] = {}

        def report(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=total)
            bar.update(tasks[table], completed=done)

        try:
            result = run_with_database(settings, lambda db, pm: run_seed(db, pm, scale.value, seed, report))
        except FileExistsError as exc:
            err.print(f"[yellow]已有演示数据 / already seeded:[/] {exc}")
            raise typer.Exit(1) from None
    console.print(
        f"seeded {result.scale} (seed {result.seed}) in {result.seconds}s: {result.orgs} orgs, {result.units} units, "
        f"{result.persons} persons, {result.memberships} memberships, {result.requirements} coverage requirements, "
        f"{result.events} events; "
        f"root org {result.root}"
    )


def import_command(
    what: Annotated[What, typer.Argument(help="orgs, units or members")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV (UTF-8/GBK) or XLSX file.")],
    mode: Annotated[
        str, typer.Option(help="all: nothing unless every row is valid; valid: the valid rows.")
    ] = "all",
    parent: Annotated[str | None, typer.Option(help="Default parent org id of imported orgs.")] = None,
    locale: Annotated[str, typer.Option(help="Language of the report: zh-Hans, zh-Hant or en.")] = "zh-Hans",
) -> None:
    """Import orgs, units or members with a row-by-row report; exit 1 when anything was refused."""
    from core.orgs.imports import run_import
    from core.orgs.services import EVERYWHERE

    if mode not in ("all", "valid") or locale not in ("zh-Hans", "zh-Hant", "en"):
        err.print("mode: all|valid; locale: zh-Hans|zh-Hant|en")
        raise typer.Exit(2)
    settings = settings_or_exit()
    raw = file.read_bytes()
    with _progress() as bar:
        task = bar.add_task(f"import {what.value}", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = run_with_database(
            settings,
            lambda db, pm: run_import(
                db,
                pm,
                settings,
                what.value,
                raw,
                filename=file.name,
                mode=mode,  # type: ignore[arg-type]
                reaches=EVERYWHERE,
                locale=locale,  # type: ignore[arg-type]
                parent=UUID(parent) if parent else None,
                progress=progress,
            ),
        )
    for issue in report.issues:
        err.print(f"  row {issue.row} {issue.column or '-'}: {issue.code} — {issue.message}")
    state = "committed" if report.committed else "nothing written"
    console.print(
        f"{report.imported} of {report.rows} row(s) imported ({state}); {len(report.issues)} issue(s)."
    )
    if report.issues:
        raise typer.Exit(1)


def export_command(
    what: Annotated[What, typer.Argument(help="orgs, units or members")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="File to write (.csv or .xlsx); - for stdout (CSV).")
    ],
    org: Annotated[str | None, typer.Option(help="Only this org's subtree.")] = None,
) -> None:
    """Export orgs, units or members (CSV with BOM or XLSX), safe against formula injection."""
    from core.orgs.exports import HEADERS, export_rows
    from core.orgs.services import EVERYWHERE
    from core.orgs.tabular import write_csv, write_xlsx

    settings = settings_or_exit()

    async def collect(db: Any, pm: Any) -> list[list[Any]]:
        from core.identity import audit

        anchor = UUID(org) if org else None
        concerned: set[str] = set()
        rows = [row async for row in export_rows(what.value, EVERYWHERE, anchor, paths=concerned)]
        async with db.transaction():  # an operator's export is recorded like a cadre's (actor: system)
            await audit.record(
                "data.exported",
                resource_type=what.value,
                resource_id=org or "within_reach",
                org_paths=sorted(concerned),
                changes={"what": what.value, "format": "cli", "rows": len(rows), "org": anchor},
            )
        return rows

    rows = run_with_database(settings, collect)
    header = HEADERS[what.value]
    if str(out) == "-":
        for chunk in write_csv(header, rows):
            sys.stdout.buffer.write(chunk)
        return
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(write_xlsx(what.value, header, rows))
    else:
        with out.open("wb") as fh:
            for chunk in write_csv(header, rows):
                fh.write(chunk)
    console.print(f"{len(rows)} row(s) written to {out}")


@coverage_app.command("snapshot")
def coverage_snapshot(
    month: Annotated[str | None, typer.Option(help="YYYY-MM; default the current month (UTC).")] = None,
) -> None:
    """Store this month's coverage figures per area and rule (run monthly, e.g. from cron); retaking replaces."""
    import re

    from core.orgs.coverage import take_snapshot

    if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        err.print("month: YYYY-MM")
        raise typer.Exit(2)
    taken = run_with_database(settings_or_exit(), lambda db, pm: take_snapshot(db, month))
    console.print(f"snapshot {taken.month}: {taken.rows} row(s)")
