from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T18:54:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "inbox order and dedupe; one use of an invitation per person; bytewise org paths"

STATEMENTS = [
    # A person's inbox, newest first (keyset created_at, id).
    "CREATE INDEX IF NOT EXISTS core_notification_person_created ON core_notification (person, created_at, id)",
    # One notification per person and cause (a reminder is written once).
    "CREATE UNIQUE INDEX IF NOT EXISTS core_notification_dedupe ON core_notification (person, dedupe)",
    # A person uses an invitation once.
    "CREATE UNIQUE INDEX IF NOT EXISTS core_invitation_use_once ON core_invitation_use (invitation, person)",
    "CREATE INDEX IF NOT EXISTS core_invitation_org_created ON core_invitation (org, created_at, id)",
]
POSTGRES_ONLY = [
    'ALTER TABLE core_invitation ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="selfservice", description=DESCRIPTION)

    async def indexes() -> None:
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine is None:
            return
        if engine.engine_type == "postgres":
            for statement in POSTGRES_ONLY:
                await engine.run_ddl(statement)
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(indexes)
    return manager
