from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T05:43:26:000000"
VERSION = "1.38.0"
DESCRIPTION = "coverage indexes; unit and requirement paths compare bytewise on PostgreSQL"

_INDEXES = (
    # A roll-up is one index-only aggregate over a subtree's range of area paths.
    "CREATE INDEX IF NOT EXISTS core_coverage_requirement_rollup "
    "ON core_coverage_requirement (area_path, rule, covered)",
    "CREATE UNIQUE INDEX IF NOT EXISTS core_coverage_requirement_unit_rule "
    "ON core_coverage_requirement (unit, rule)",
    "CREATE INDEX IF NOT EXISTS core_coverage_requirement_region "
    "ON core_coverage_requirement (region_code, rule, covered)",
    "CREATE UNIQUE INDEX IF NOT EXISTS core_coverage_link_unit_org ON core_coverage_link (unit, org)",
    "CREATE INDEX IF NOT EXISTS core_coverage_link_org ON core_coverage_link (org)",
    "CREATE INDEX IF NOT EXISTS core_coverage_snapshot_month_path "
    "ON core_coverage_snapshot (month, area_path)",
    "CREATE INDEX IF NOT EXISTS core_org_parent ON core_org (parent)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orgs", description=DESCRIPTION)

    async def coverage_indexes() -> None:
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine is None:
            return
        if engine.engine_type == "postgres":
            for table in ("core_unit", "core_coverage_requirement", "core_coverage_snapshot"):
                await engine.run_ddl(
                    f'ALTER TABLE {table} ALTER COLUMN area_path TYPE VARCHAR(120) COLLATE "C"'
                )
        for statement in _INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(coverage_indexes)
    return manager
