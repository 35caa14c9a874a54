from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T05:43:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "one row per delivery attempt; org paths compare bytewise on PostgreSQL"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="integration", description=DESCRIPTION)

    async def constraints() -> None:
        from piccolo.engine import engine_finder

        engine = engine_finder()
        # Two workers can never record the same attempt of one delivery.
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS core_webhook_attempt_number "
            "ON core_webhook_attempt (delivery_id, number)"
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS core_webhook_delivery_order "
            "ON core_webhook_delivery (webhook_id, resource_key, seq)"
        )
        if engine.engine_type == "postgres":
            # Subtree filters are range scans on the path; bytewise ("C") ordering makes them exact.
            for table in ("core_outbox", "core_webhook"):
                await engine.run_ddl(f'ALTER TABLE {table} ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"')

    manager.add_raw(constraints)
    return manager
