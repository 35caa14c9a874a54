from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T02:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "the certificate registry's page and subtree indexes; its org path in the C collation"

STATEMENTS = [
    # A person holds one certificate of a category at a time; lists page by (created_at, id).
    "CREATE INDEX IF NOT EXISTS disabled_certificate_page ON disabled_certificate (created_at, id)",
    "CREATE INDEX IF NOT EXISTS disabled_certificate_subtree ON disabled_certificate (org_path, category, grade)",
]
POSTGRES_ONLY = [
    # Subtree ranges on org paths are exact only with bytewise ordering (as the core's own copies).
    'ALTER TABLE disabled_certificate ALTER COLUMN org_path TYPE VARCHAR(255) COLLATE "C"',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="disabled", description=DESCRIPTION)

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
