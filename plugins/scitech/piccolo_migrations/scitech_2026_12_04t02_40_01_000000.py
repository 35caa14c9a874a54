from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T02:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "the expert library's search indexes (subtree, discipline, tag)"

STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS scitech_expert_path ON scitech_expert (org_path, created_at, id)",
    "CREATE INDEX IF NOT EXISTS scitech_expert_listing ON scitech_expert (created_at, id)",
    "CREATE INDEX IF NOT EXISTS scitech_expert_discipline_code ON scitech_expert_discipline (code, expert)",
    "CREATE INDEX IF NOT EXISTS scitech_expert_discipline_expert ON scitech_expert_discipline (expert)",
    "CREATE INDEX IF NOT EXISTS scitech_expert_tag_tag ON scitech_expert_tag (tag, expert)",
    "CREATE INDEX IF NOT EXISTS scitech_expert_tag_expert ON scitech_expert_tag (expert)",
]
POSTGRES_ONLY = [
    # Subtree ranges on org paths are exact only with bytewise ordering (see core.kernel.access).
    'ALTER TABLE scitech_expert ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE scitech_expert_discipline ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE scitech_expert_tag ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
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
