from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T18:56:15:000000"
VERSION = "1.38.0"
DESCRIPTION = "selections: the unique keys that keep quotas, nominees and votes exact; list indexes"

STATEMENTS = [
    # One quota row per org of a campaign: concurrent first uses create it once (ON CONFLICT DO NOTHING).
    "CREATE UNIQUE INDEX IF NOT EXISTS core_selection_quota_org ON core_selection_quota (campaign, org)",
    # One live nomination per nominee and campaign; a withdrawn one frees the nominee.
    "CREATE UNIQUE INDEX IF NOT EXISTS core_selection_nominee ON core_selection_nomination "
    "(campaign, nominee_key) WHERE status <> 'withdrawn'",
    # A level's list: the nominations now at an org of the campaign, oldest first.
    "CREATE INDEX IF NOT EXISTS core_selection_nomination_at ON core_selection_nomination "
    "(campaign, org_path, created_at, id)",
    "CREATE INDEX IF NOT EXISTS core_selection_nomination_entry ON core_selection_nomination "
    "(campaign, entry_path, created_at, id)",
    "CREATE INDEX IF NOT EXISTS core_selection_nomination_level ON core_selection_nomination "
    "(campaign, level, status)",
    # A step's sequence number is the version it produced: two writers never record the same step.
    "CREATE UNIQUE INDEX IF NOT EXISTS core_selection_step_seq ON core_selection_step (nomination, seq)",
    # One vote per person per candidate, and one budget row per person and campaign.
    "CREATE UNIQUE INDEX IF NOT EXISTS core_selection_vote_once ON core_selection_vote "
    "(campaign, nomination, voter)",
    "CREATE INDEX IF NOT EXISTS core_selection_vote_voter ON core_selection_vote (campaign, voter, at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS core_selection_budget_once ON core_selection_vote_budget "
    "(campaign, voter)",
    "CREATE INDEX IF NOT EXISTS core_selection_campaign_created ON core_selection_campaign "
    "(org_path, created_at, id)",
    "CREATE INDEX IF NOT EXISTS core_honor_person ON core_honor (person, created_at, id)",
    "CREATE INDEX IF NOT EXISTS core_honor_recipient ON core_honor (recipient_path, created_at, id)",
    "CREATE INDEX IF NOT EXISTS core_honor_issuer ON core_honor (issuing_path, created_at, id)",
]
POSTGRES_ONLY = [
    # Subtree ranges on org paths are exact only with bytewise ordering (see core.kernel.access).
    'ALTER TABLE core_selection_campaign ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE core_selection_nomination ALTER COLUMN entry_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE core_selection_nomination ALTER COLUMN org_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE core_honor ALTER COLUMN recipient_path TYPE VARCHAR(120) COLLATE "C"',
    'ALTER TABLE core_honor ALTER COLUMN issuing_path TYPE VARCHAR(120) COLLATE "C"',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="selections", description=DESCRIPTION)

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
