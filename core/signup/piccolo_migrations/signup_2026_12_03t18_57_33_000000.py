from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T18:57:33:000000"
VERSION = "1.38.0"
DESCRIPTION = "one provider subject (a WeChat openid of one app) logs in to one account"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="signup", description=DESCRIPTION)

    async def unique_subject() -> None:
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine is None:
            return
        await engine.run_ddl(
            "CREATE UNIQUE INDEX core_external_login_subject"
            " ON core_external_login (provider, app_id, subject)"
        )

    manager.add_raw(unique_subject)

    return manager
