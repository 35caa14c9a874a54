from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T05:44:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "the audit log is append-only; its org paths compare bytewise on PostgreSQL"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="identity", description=DESCRIPTION)

    async def append_only_audit() -> None:
        # Updates and deletes of audit entries are refused by the database itself; the hash chain
        # detects what someone with the power to drop these triggers changes anyway.
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine is None:
            return
        await engine.run_ddl(
            "CREATE UNIQUE INDEX core_person_id_number_unique ON core_person (id_number_index)"
        )
        if engine.engine_type == "postgres":
            await engine.run_ddl('ALTER TABLE core_audit ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"')
            await engine.run_ddl(
                "CREATE OR REPLACE FUNCTION core_audit_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'core_audit is append-only'; END; $$ LANGUAGE plpgsql"
            )
            await engine.run_ddl(
                "CREATE TRIGGER core_audit_append_only BEFORE UPDATE OR DELETE ON core_audit "
                "FOR EACH ROW EXECUTE FUNCTION core_audit_append_only()"
            )
        else:
            for op in ("UPDATE", "DELETE"):
                await engine.run_ddl(
                    f"CREATE TRIGGER core_audit_no_{op.lower()} BEFORE {op} ON core_audit "
                    "BEGIN SELECT RAISE(ABORT, 'core_audit is append-only'); END"
                )

    manager.add_raw(append_only_audit)
    return manager
