from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T05:38:47:000000"
VERSION = "1.38.0"
DESCRIPTION = "org paths compare bytewise on PostgreSQL"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orgs", description=DESCRIPTION)

    async def path_collation_c() -> None:
        # A subtree is a range scan on path; bytewise ("C") ordering makes the range exact.
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine is not None and engine.engine_type == "postgres":
            await engine.run_ddl('ALTER TABLE core_org ALTER COLUMN path TYPE VARCHAR(120) COLLATE "C"')

    manager.add_raw(path_collation_c)
    return manager
