"""The ``processes`` Piccolo app of the core: processes, their steps, notices and objections."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.processes.tables import Notice, NoticeEntry, Objection, Process, ProcessStep

APP_CONFIG = AppConfig(
    app_name="processes",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Process, ProcessStep, Notice, NoticeEntry, Objection],
    migration_dependencies=["core.orgs.piccolo_app", "core.identity.piccolo_app"],
    commands=[],
)
