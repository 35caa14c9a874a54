"""The union's Piccolo app: its tables and migrations (depends on the core's orgs, identity and members)."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.union.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="union",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["core.orgs.piccolo_app", "core.identity.piccolo_app", "core.members.piccolo_app"],
    commands=[],
)
