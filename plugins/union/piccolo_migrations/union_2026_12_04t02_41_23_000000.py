from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-04T02:41:23:000000"
VERSION = "1.38.0"
DESCRIPTION = "one dues line per member and month (assessing a month again updates it)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="union", description=DESCRIPTION)

    async def unique_lines():
        await Table.raw("CREATE UNIQUE INDEX IF NOT EXISTS union_dues_person_month ON union_dues (person, month)").run()

    manager.add_raw(unique_lines)
    return manager
