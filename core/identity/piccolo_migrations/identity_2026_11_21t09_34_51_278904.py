from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-11-21T09:34:51:278904"
VERSION = "1.38.0"
DESCRIPTION = "Drop the ID number's plain index: the unique index on the same column serves lookups"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="identity", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="Person",
        tablename="core_person",
        column_name="id_number_index",
        db_column_name="id_number_index",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
