from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T18:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "branch categories (graduating branches become graduated)"


def params(**values):
    base = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    return {**base, **values}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="youth", description=DESCRIPTION)

    def add(class_name, tablename, name, column_class, values):
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            schema=None,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=values,
        )

    manager.add_table(class_name="YouthBranch", tablename="youth_branch", schema=None, columns=None)
    add("YouthBranch", "youth_branch", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthBranch", "youth_branch", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthBranch", "youth_branch", "category", Varchar, params(default='', index=True, length=24))
    add("YouthBranch", "youth_branch", "previous_category", Varchar, params(default='', length=24))
    add("YouthBranch", "youth_branch", "graduated_at", Timestamptz, params(default=None, null=True))
    add("YouthBranch", "youth_branch", "version", Integer, params(default=1))
    add("YouthBranch", "youth_branch", "updated_at", Timestamptz, params(default=TimestamptzNow()))
    return manager
