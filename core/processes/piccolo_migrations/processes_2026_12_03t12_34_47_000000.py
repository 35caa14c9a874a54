from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T12:34:47:000000"
VERSION = "1.38.0"
DESCRIPTION = "work queue, progress and deadline indexes; one step per version; bytewise org paths"

STATEMENTS = [
    # The work queue (待办) of a large subtree (a county): open processes walked in due order, keyset
    # (due_at, id), the subtree a filter — the first page stops after a page of rows. Also the deadline pass.
    "CREATE INDEX IF NOT EXISTS core_process_open_due ON core_process (status, due_at, id)",
    # The queue of a small subtree (one unit): its open processes are one range scan, then sorted.
    "CREATE INDEX IF NOT EXISTS core_process_queue ON core_process (status, handler_path, due_at, id)",
    # My processes (进度查询), newest first.
    "CREATE INDEX IF NOT EXISTS core_process_applicant_opened ON core_process (applicant, opened_at, id)",
    # Lists of a subtree by home org, newest first.
    "CREATE INDEX IF NOT EXISTS core_process_org_opened ON core_process (org_path, opened_at, id)",
    "CREATE INDEX IF NOT EXISTS core_process_opened ON core_process (opened_at, id)",
    # A step's sequence number is the version it produced: two writers can never record the same step.
    "CREATE UNIQUE INDEX IF NOT EXISTS core_process_step_seq ON core_process_step (process, seq)",
    "CREATE INDEX IF NOT EXISTS core_notice_org_created ON core_notice (org_path, created_at, id)",
    "CREATE INDEX IF NOT EXISTS core_notice_created ON core_notice (created_at, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS core_notice_entry_seq ON core_notice_entry (notice, seq)",
    "CREATE INDEX IF NOT EXISTS core_objection_notice_created ON core_objection (notice, created_at, id)",
]
POSTGRES_ONLY = [
    # Subtree ranges on org paths are exact only with bytewise ordering (see core.kernel.access).
    'ALTER TABLE core_process ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE core_process ALTER COLUMN handler_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE core_process_step ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE core_notice ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="processes", description=DESCRIPTION)

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
