from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T02:55:09:512306"
VERSION = "1.38.0"
DESCRIPTION = "orgs have a code of their own (组织代码)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orgs", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Org",
        tablename="core_org",
        column_name="code",
        db_column_name="code",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 32,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
