"""The ``selfservice`` Piccolo app of the core: claims, invitations, the inbox."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.selfservice.tables import (
    ClaimChallenge,
    ForcedPasswordChange,
    Invitation,
    InvitationUse,
    Notification,
    NotificationPreference,
    PersonProfile,
)

APP_CONFIG = AppConfig(
    app_name="selfservice",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        ClaimChallenge,
        Invitation,
        InvitationUse,
        Notification,
        NotificationPreference,
        PersonProfile,
        ForcedPasswordChange,
    ],
    migration_dependencies=["core.orgs.piccolo_app", "core.identity.piccolo_app"],
    commands=[],
)
