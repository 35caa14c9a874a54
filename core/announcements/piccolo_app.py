"""The ``announcements`` Piccolo app of the core."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.announcements.tables import Announcement

APP_CONFIG = AppConfig(
    app_name="announcements",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Announcement],
    migration_dependencies=["core.orgs.piccolo_app"],
    commands=[],
)
