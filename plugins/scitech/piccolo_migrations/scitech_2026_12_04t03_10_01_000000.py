from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T03:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "popularization's indexes: activities per subtree and date, resources per subtree"

STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS scitech_activity_held ON scitech_activity (org_path, held_on)",
    "CREATE INDEX IF NOT EXISTS scitech_resource_listing ON scitech_resource (org_path, created_at, id)",
]
POSTGRES_ONLY = [
    'ALTER TABLE scitech_activity ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE scitech_resource ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="scitech", description=DESCRIPTION)

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
