from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T18:59:56:000000"
VERSION = "1.38.0"
DESCRIPTION = "claim and counter keys that make bookings exact; near-me, listing and booking indexes"

STATEMENTS = [
    # One unit of one slot (a bed's night, a room's half hour) is held by one booking: the whole of
    # "never two bookings of one bed for one night" rests on this key.
    "CREATE UNIQUE INDEX IF NOT EXISTS core_booking_claim_unit ON core_booking_claim (resource, slot, unit)",
    # A person's nights on a resource in a year: one counter row, updated conditionally.
    "CREATE UNIQUE INDEX IF NOT EXISTS core_booking_quota_key ON core_booking_quota (resource, person, year)",
    # Near me: a bounding box is a range on lat with lon filtered inside the index.
    "CREATE INDEX IF NOT EXISTS core_place_point ON core_place (lat, lon)",
    "CREATE INDEX IF NOT EXISTS core_place_region ON core_place (region_code, id)",
    "CREATE INDEX IF NOT EXISTS core_place_kind ON core_place (kind, id)",
    "CREATE INDEX IF NOT EXISTS core_place_org_path ON core_place (org_path, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS core_place_service_key ON core_place_service (service, place)",
    "CREATE UNIQUE INDEX IF NOT EXISTS core_place_share_key ON core_place_share (place, org)",
    "CREATE INDEX IF NOT EXISTS core_place_share_path ON core_place_share (org_path)",
    "CREATE INDEX IF NOT EXISTS core_booking_place_starts ON core_booking (place, starts_at, id)",
    "CREATE INDEX IF NOT EXISTS core_booking_org_starts ON core_booking (org_path, starts_at, id)",
    "CREATE INDEX IF NOT EXISTS core_booking_person_created ON core_booking (person, created_at, id)",
    "CREATE INDEX IF NOT EXISTS core_booking_booker_created ON core_booking (booked_by, created_at, id)",
    "CREATE INDEX IF NOT EXISTS core_booking_process ON core_booking (process)",
]
POSTGRES_ONLY = [
    # Subtree ranges on org paths are exact only with bytewise ordering (see core.kernel.access).
    'ALTER TABLE core_place ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE core_place ALTER COLUMN region_code TYPE VARCHAR(12) COLLATE "C"',
    'ALTER TABLE core_place_share ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE core_booking ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="places", description=DESCRIPTION)

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
