from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T18:36:15:000000"
VERSION = "1.38.0"
DESCRIPTION = "bytewise org paths of the competition tables (PostgreSQL)"

POSTGRES_ONLY = [
    f'ALTER TABLE {table} ALTER COLUMN org_path TYPE VARCHAR(255) COLLATE "C"'
    for table in ("union_competition", "union_competition_result")
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="union", description=DESCRIPTION)

    async def collation() -> None:
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine is not None and engine.engine_type == "postgres":
            for statement in POSTGRES_ONLY:
                await engine.run_ddl(statement)

    manager.add_raw(collation)
    return manager
