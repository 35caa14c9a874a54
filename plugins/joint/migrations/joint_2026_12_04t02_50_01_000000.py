from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T02:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique members and rules, the tasks' due index, bytewise org paths"

STATEMENTS = [
    # One membership of an org in a council; one rule per request type in a region.
    "CREATE UNIQUE INDEX IF NOT EXISTS joint_member_council_org ON joint_member (council, org)",
    "CREATE UNIQUE INDEX IF NOT EXISTS joint_referral_rule_region_type "
    "ON joint_referral_rule (region, request_type)",
    # A council's open tasks by due date (overdue flags).
    "CREATE INDEX IF NOT EXISTS joint_task_council_due ON joint_task (council, due_on, id)",
]
#: Subtree ranges on copied org paths are exact only with bytewise ordering (see core.kernel.access).
PATH_COLUMNS = [
    ("joint_council", "org_path"),
    ("joint_member", "org_path"),
    ("joint_meeting", "org_path"),
    ("joint_decision", "org_path"),
    ("joint_task", "org_path"),
    ("joint_task", "member_path"),
    ("joint_referral_rule", "region_path"),
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
