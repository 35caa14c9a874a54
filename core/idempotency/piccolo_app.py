"""The ``idempotency`` Piccolo app of the core: stored ``Idempotency-Key`` claims and their responses."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.idempotency.tables import IdempotencyKey

APP_CONFIG = AppConfig(
    app_name="idempotency",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[IdempotencyKey],
    migration_dependencies=[],
    commands=[],
)
