from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T03:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "society members' keys: one number per society, one payment per member and year"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS scitech_society_member_no ON scitech_society_member (society, member_no)",
    "CREATE INDEX IF NOT EXISTS scitech_society_member_listing ON scitech_society_member (society, created_at, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS scitech_society_dues_year ON scitech_society_dues (member, year)",
    "CREATE INDEX IF NOT EXISTS scitech_society_dues_society ON scitech_society_dues (society, year)",
]
POSTGRES_ONLY = [
    'ALTER TABLE scitech_society_member ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE scitech_society_dues ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
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
