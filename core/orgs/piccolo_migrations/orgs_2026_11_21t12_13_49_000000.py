from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T12:13:49:000000"
VERSION = "1.38.0"
DESCRIPTION = "contact phones encrypted at rest and masked; the plain-text column dropped"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orgs", description=DESCRIPTION)

    async def change() -> None:
        # Runs before the column is dropped (a migration's raw steps run first).
        from piccolo.engine import engine_finder

        from core.kernel.db import active_database
        from core.kernel.vault import Vault
        from core.orgs.contact import seal
        from core.kernel.settings import load_settings

        engine = engine_finder()
        rows = await engine.run_querystring(
            _query("SELECT id, contact_phone FROM core_org WHERE contact_phone <> ''"), in_pool=False
        )
        if not rows:
            return
        active = active_database()
        vault = Vault.from_settings(active.settings if active is not None else load_settings())
        for row in rows:
            sealed = seal(vault, row["contact_phone"])
            await engine.run_querystring(
                _query(
                    "UPDATE core_org SET contact_phone_enc = {}, contact_phone_masked = {} WHERE id = {}",
                    sealed["contact_phone_enc"],
                    sealed["contact_phone_masked"],
                    row["id"],
                ),
                in_pool=False,
            )

    manager.add_raw(change)

    manager.drop_column(
        table_class_name="Org",
        tablename="core_org",
        column_name="contact_phone",
        db_column_name="contact_phone",
        schema=None,
    )

    return manager


def _query(template, *args):
    from piccolo.querystring import QueryString

    return QueryString(template, *args)
