from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T03:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "decision consulting's indexes: by topic, by expert, reports per subtree and year"

STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS scitech_consult_assignment_process ON scitech_consult_assignment (process)",
    "CREATE INDEX IF NOT EXISTS scitech_consult_assignment_expert ON scitech_consult_assignment (expert)",
    "CREATE UNIQUE INDEX IF NOT EXISTS scitech_consult_draft_number ON scitech_consult_draft (process, number)",
    "CREATE INDEX IF NOT EXISTS scitech_consult_report_submitted ON scitech_consult_report "
    "(org_path, submitted_year)",
    "CREATE INDEX IF NOT EXISTS scitech_consult_report_adopted ON scitech_consult_report (org_path, adopted_year)",
]
POSTGRES_ONLY = [
    'ALTER TABLE scitech_consult_assignment ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE scitech_consult_draft ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE scitech_consult_report ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
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
