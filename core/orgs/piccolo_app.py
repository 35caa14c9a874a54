"""The ``orgs`` Piccolo app of the core: the org tree and what hangs on it."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.orgs.tables import (
    CoverageLink,
    CoverageRequirement,
    CoverageSnapshot,
    ImportJob,
    ImportSubject,
    Org,
    Unit,
)

APP_CONFIG = AppConfig(
    app_name="orgs",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Org, Unit, CoverageRequirement, CoverageLink, CoverageSnapshot, ImportJob, ImportSubject],
    migration_dependencies=[],
    commands=[],
)
