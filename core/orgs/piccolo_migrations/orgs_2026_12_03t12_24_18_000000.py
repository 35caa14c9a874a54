from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T12:24:18:000000"
VERSION = "1.38.0"
DESCRIPTION = "stored uploads in plain text deleted; the imports still waiting for them failed"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orgs", description=DESCRIPTION)

    async def change() -> None:
        # Uploads were kept as the file's bytes, unencrypted; they are now parsed rows, encrypted.
        # None is rewritten: an import still waiting fails ("expired") and is uploaded again.
        from piccolo.engine import engine_finder
        from piccolo.querystring import QueryString

        engine = engine_finder()
        await engine.run_querystring(
            QueryString(
                "UPDATE core_import_job SET status = 'failed', error = 'expired', finished_at = {} "
                "WHERE status IN ('queued', 'running')",
                _now(),
            ),
            in_pool=False,
        )
        await engine.run_querystring(QueryString("UPDATE core_import_job SET content = {}", b""), in_pool=False)

    manager.add_raw(change)
    return manager


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)
