"""The ``signup`` Piccolo app of the core."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.signup.tables import ExternalLogin, LoginCode

APP_CONFIG = AppConfig(
    app_name="signup",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[LoginCode, ExternalLogin],
    migration_dependencies=["core.identity.piccolo_app"],
    commands=[],
)
