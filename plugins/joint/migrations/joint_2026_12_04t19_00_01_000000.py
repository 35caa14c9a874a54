from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T19:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one place row per service and period, unique partner codes, bytewise org paths of the menu"

STATEMENTS = [
    # Capacity rests on one row per (service, period): concurrent first orders create it once.
    "CREATE UNIQUE INDEX IF NOT EXISTS joint_service_slot_period ON joint_service_slot (service, period_key)",
    # A partner's 统一社会信用代码 is registered once per org (empty codes aside).
    "CREATE UNIQUE INDEX IF NOT EXISTS joint_partner_org_code ON joint_partner (org, credit_code) "
    "WHERE credit_code <> ''",
    # Orders handled by an assignee org (its 接单 list) and the services' figures.
    "CREATE INDEX IF NOT EXISTS joint_order_assignee ON joint_order (assignee_path, created_at)",
    "CREATE INDEX IF NOT EXISTS joint_order_service_state ON joint_order (service, state)",
]
#: Subtree ranges on copied org paths are exact only with bytewise ordering (see core.kernel.access).
PATH_COLUMNS = [
    ("joint_partner", "org_path"),
    ("joint_service", "org_path"),
    ("joint_order", "org_path"),
    ("joint_order", "assignee_path"),
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
