from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-11-21T09:38:12:784801"
VERSION = "1.38.0"
DESCRIPTION = "No index on membership.status: nearly every row is active, queries narrow by org or person"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="members", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="Membership",
        tablename="core_membership",
        column_name="status",
        db_column_name="status",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
