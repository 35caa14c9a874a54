from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T09:38:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "membership.previous indexed only where set (a transfer's continuation), not for every row"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="members", description=DESCRIPTION)

    async def partial_previous_index() -> None:
        # Only transfers set ``previous``: an index of the rows where it is set serves the reference check
        # of a deleted membership (``previous = $1`` implies it is not null) without costing every insert.
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine is None:
            return
        await engine.run_ddl("DROP INDEX IF EXISTS core_membership_previous")
        await engine.run_ddl(
            "CREATE INDEX core_membership_previous ON core_membership (previous) WHERE previous IS NOT NULL"
        )

    manager.add_raw(partial_previous_index)
    return manager
