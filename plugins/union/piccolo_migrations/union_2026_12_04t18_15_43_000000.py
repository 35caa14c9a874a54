from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T18:15:43:000000"
VERSION = "1.38.0"
DESCRIPTION = "one quota balance per programme and member (the quota's concurrency guard); bytewise org paths"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS union_benefit_balance_member "
    "ON union_benefit_balance (benefit, person)",
]
POSTGRES_ONLY = [
    f'ALTER TABLE {table} ALTER COLUMN org_path TYPE VARCHAR(255) COLLATE "C"'
    for table in ("union_benefit", "union_benefit_balance", "union_benefit_use")
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="union", description=DESCRIPTION)

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
