from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T19:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one response per person and run, one run per survey and quarter, results by subtree"

STATEMENTS = [
    # One response per person per run, whatever the concurrency (INSERT … ON CONFLICT DO NOTHING).
    "CREATE UNIQUE INDEX IF NOT EXISTS joint_survey_respondent_run_person "
    "ON joint_survey_respondent (run, person)",
    # One run per survey and quarter.
    "CREATE UNIQUE INDEX IF NOT EXISTS joint_survey_run_period ON joint_survey_run (survey, period)",
    # A run's results for a subtree are range scans on the sheets' and answers' copied paths.
    "CREATE INDEX IF NOT EXISTS joint_survey_sheet_run_path ON joint_survey_sheet (run, org_path)",
    "CREATE INDEX IF NOT EXISTS joint_survey_answer_run_path ON joint_survey_answer (run, org_path)",
    "CREATE INDEX IF NOT EXISTS joint_service_need_survey ON joint_service_need (survey, question)",
]
#: Subtree ranges on copied org paths are exact only with bytewise ordering (see core.kernel.access).
PATH_COLUMNS = [
    ("joint_survey", "org_path"),
    ("joint_survey_run", "org_path"),
    ("joint_survey_sheet", "org_path"),
    ("joint_survey_answer", "org_path"),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="joint", description=DESCRIPTION)

    async def indexes() -> None:
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine is None:
            return
        if engine.engine_type == "postgres":
            for table, column in PATH_COLUMNS:
                await engine.run_ddl(
                    f'ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(120) COLLATE "C"'
                )
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(indexes)
    return manager
