from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T18:42:46:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "the audit's org paths and checkpoints are append-only like the log, TRUNCATE refused on PostgreSQL; "
    "every existing entry's org is listed in core_audit_org"
)

APPEND_ONLY = ("core_audit_org", "core_audit_checkpoint")
STATEMENTS = [
    # GET /audit of a subtree: the entries naming an org in range, newest first.
    "CREATE INDEX IF NOT EXISTS core_audit_org_path_seq ON core_audit_org (org_path, seq)",
    # Entries written before several orgs could be named keep their one org here too (hash unchanged:
    # an entry of one org hashes as before).
    "INSERT INTO core_audit_org (seq, org_path) SELECT seq, org_path FROM core_audit"
    " WHERE org_path IS NOT NULL ORDER BY seq",
    "CREATE INDEX IF NOT EXISTS core_audit_checkpoint_last_seq ON core_audit_checkpoint (last_seq)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="identity", description=DESCRIPTION)

    async def append_only() -> None:
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine is None:
            return
        postgres = engine.engine_type == "postgres"
        if postgres:
            await engine.run_ddl('ALTER TABLE core_audit_org ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"')
        for statement in STATEMENTS:
            await engine.run_ddl(statement)
        if postgres:
            await engine.run_ddl(
                "CREATE OR REPLACE FUNCTION core_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"
            )
            for table in APPEND_ONLY:
                await engine.run_ddl(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION core_append_only()"
                )
            for table in ("core_audit", *APPEND_ONLY):
                await engine.run_ddl(
                    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION core_append_only()"
                )
        else:  # SQLite has no TRUNCATE: an unqualified DELETE fires the row triggers
            for table in APPEND_ONLY:
                for op in ("UPDATE", "DELETE"):
                    await engine.run_ddl(
                        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                    )

    manager.add_raw(append_only)
    return manager
