"""The ``identity`` Piccolo app of the core."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.identity.tables import (
    Account,
    ApiClient,
    ApiClientSecret,
    AuditCheckpoint,
    AuditEntry,
    AuditOrg,
    Consent,
    Grant,
    Person,
    Post,
    RefreshToken,
    Role,
)

APP_CONFIG = AppConfig(
    app_name="identity",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Person,
        Account,
        RefreshToken,
        ApiClient,
        ApiClientSecret,
        Role,
        Post,
        Grant,
        Consent,
        AuditEntry,
        AuditOrg,
        AuditCheckpoint,
    ],
    migration_dependencies=["core.orgs.piccolo_app"],
    commands=[],
)
