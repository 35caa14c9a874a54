from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T03:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "workstations' keys and indexes: one entry per expert and station, projects and results per station"

STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS scitech_station_listing ON scitech_station (org_path, created_at, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS scitech_station_expert_key ON scitech_station_expert (station, expert)",
    "CREATE INDEX IF NOT EXISTS scitech_station_project_station ON scitech_station_project (station)",
    "CREATE INDEX IF NOT EXISTS scitech_station_result_project ON scitech_station_result (project)",
    "CREATE INDEX IF NOT EXISTS scitech_station_result_station ON scitech_station_result (station)",
]
POSTGRES_ONLY = [
    f'ALTER TABLE {table} ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"'
    for table in ("scitech_station", "scitech_station_expert", "scitech_station_project", "scitech_station_result")
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
