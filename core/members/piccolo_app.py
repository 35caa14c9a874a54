"""The ``members`` Piccolo app of the core: generic membership and person link requests (depends on orgs
and identity)."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.members.tables import Membership, PersonLink

APP_CONFIG = AppConfig(
    app_name="members",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Membership, PersonLink],
    migration_dependencies=["core.orgs.piccolo_app", "core.identity.piccolo_app"],
    commands=[],
)
