from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-11-21T09:34:52:233643"
VERSION = "1.38.0"
DESCRIPTION = "Index membership.previous: the self-reference is checked on every delete"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="members", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="Membership",
        tablename="core_membership",
        column_name="previous",
        db_column_name="previous",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
