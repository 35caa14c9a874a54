"""The ``files`` Piccolo app of the core: attachments of any registered owner kind."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.files.tables import StoredFile

APP_CONFIG = AppConfig(
    app_name="files",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[StoredFile],
    migration_dependencies=["core.identity.piccolo_app"],
    commands=[],
)
