from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T18:15:32:000000"
VERSION = "1.38.0"
DESCRIPTION = "announcement list index, bytewise org paths"

STATEMENTS = [
    # Lists page by (pinned, sort_at, id), newest first: one range scan however deep the cursor.
    "CREATE INDEX IF NOT EXISTS core_announcement_list ON core_announcement (pinned, sort_at, id)",
]
POSTGRES_ONLY = [
    # Subtree ranges on org paths are exact only with bytewise ordering (see core.kernel.access).
    'ALTER TABLE core_announcement ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="announcements", description=DESCRIPTION)

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
