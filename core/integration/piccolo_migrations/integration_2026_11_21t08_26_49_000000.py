from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T08:26:49:000000"
VERSION = "1.38.0"
DESCRIPTION = "webhook secrets encrypted at rest; an index of pending deliveries in claim order"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="integration", description=DESCRIPTION)

    async def change() -> None:
        from piccolo.engine import engine_finder

        from core.kernel.db import active_database
        from core.kernel.vault import Vault
        from core.integration.signing import SECRET_PREFIX, seal_secret
        from core.kernel.settings import load_settings

        engine = engine_finder()
        # Delivery passes claim pending deliveries in seq order: finished ones are never scanned.
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS core_webhook_delivery_pending "
            "ON core_webhook_delivery (seq) WHERE status = 'pending'"
        )
        rows = await engine.run_querystring(
            _query("SELECT id, secret, previous_secret FROM core_webhook"), in_pool=False
        )
        if not rows:
            return
        active = active_database()
        vault = Vault.from_settings(active.settings if active is not None else load_settings())
        for row in rows:
            changes = {}
            for column in ("secret", "previous_secret"):
                value = row[column]
                if value and value.startswith(SECRET_PREFIX):
                    changes[column] = seal_secret(vault, value)
            for column, sealed in changes.items():
                await engine.run_querystring(
                    _query(f"UPDATE core_webhook SET {column} = {{}} WHERE id = {{}}", sealed, row["id"]),
                    in_pool=False,
                )

    manager.add_raw(change)
    return manager


def _query(template, *args):
    from piccolo.querystring import QueryString

    return QueryString(template, *args)
