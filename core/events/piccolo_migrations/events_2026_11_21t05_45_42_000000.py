from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T05:45:42:000000"
VERSION = "1.38.0"
DESCRIPTION = "event list and subtree indexes, one registration per person, bytewise org paths"

STATEMENTS = [
    # The event list pages by (starts_at, id): one range scan however deep the cursor.
    "CREATE INDEX IF NOT EXISTS core_event_starts_at_id ON core_event (starts_at, id)",
    # Lists check the lead organizer on the event row itself; co-organizers of joint events (lead false)
    # are one range scan here, returning event ids without touching the table.
    "CREATE INDEX IF NOT EXISTS core_event_organizer_lead_path ON core_event_organizer (lead, org_path, event)",
    "CREATE UNIQUE INDEX IF NOT EXISTS core_event_organizer_event_org ON core_event_organizer (event, org)",
    "CREATE UNIQUE INDEX IF NOT EXISTS core_event_invitee_event_person ON core_event_invitee (event, person)",
    # A second registration by the same person is a conflict, whatever the race.
    "CREATE UNIQUE INDEX IF NOT EXISTS core_registration_event_person ON core_registration (event, person)",
    # Promotion takes the lowest ticket of an event's waitlist.
    "CREATE INDEX IF NOT EXISTS core_registration_waitlist ON core_registration (event, status, waitlist_ticket)",
    "CREATE UNIQUE INDEX IF NOT EXISTS core_feedback_event_person ON core_feedback (event, person)",
]
POSTGRES_ONLY = [
    # Subtree ranges on org paths are exact only with bytewise ordering (see core.kernel.access).
    'ALTER TABLE core_event ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE core_event ALTER COLUMN eligibility_org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE core_event_organizer ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

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
