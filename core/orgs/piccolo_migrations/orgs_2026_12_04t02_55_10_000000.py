from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T02:55:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "an org's code is unique where set"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orgs", description=DESCRIPTION)

    async def unique_code() -> None:
        # A unique index rather than a column constraint: SQLite cannot add a UNIQUE column, and NULLs
        # (orgs without a code) are distinct in a unique index on both databases.
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine is None:
            return
        await engine.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS core_org_code ON core_org (code)")

    manager.add_raw(unique_code)
    return manager
