from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T03:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "contests' indexes: per subtree, results per contest"

STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS scitech_contest_listing ON scitech_contest (org_path, held_on, id)",
    "CREATE INDEX IF NOT EXISTS scitech_contest_result_contest ON scitech_contest_result (contest, rank)",
]
POSTGRES_ONLY = [
    f'ALTER TABLE {table} ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"'
    for table in ("scitech_contest", "scitech_contest_result")
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
