"""The ``selections`` Piccolo app of the core: campaigns, quotas, nominations, votes and honors."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.selections.tables import Campaign, Honor, Nomination, NominationStep, Quota, Vote, VoteBudget

APP_CONFIG = AppConfig(
    app_name="selections",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Campaign, Quota, Nomination, NominationStep, Vote, VoteBudget, Honor],
    migration_dependencies=[
        "core.orgs.piccolo_app",
        "core.identity.piccolo_app",
        "core.processes.piccolo_app",
    ],
    commands=[],
)
