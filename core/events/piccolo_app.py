"""The ``events`` Piccolo app of the core: events, registrations, check-ins and feedback."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.events.tables import CheckIn, Event, EventInvitee, EventOrganizer, Feedback, Registration

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Event, EventOrganizer, EventInvitee, Registration, CheckIn, Feedback],
    migration_dependencies=[
        "core.orgs.piccolo_app",
        "core.identity.piccolo_app",
        "core.members.piccolo_app",
    ],
    commands=[],
)
