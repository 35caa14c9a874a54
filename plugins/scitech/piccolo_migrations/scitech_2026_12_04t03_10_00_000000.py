from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T03:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "science popularization (科普): activities with their reach, and resources"


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


PK = ("id", UUID, params(default=UUID4(), primary_key=True))
PATH = ("org_path", Varchar, params(length=120, default=""))

TABLES = {
    ("ScitechActivity", "scitech_activity"): [
        PK,
        ("org", UUID, params(default=UUID4())),
        PATH,
        ("event", UUID, params(default=None, null=True, unique=True)),
        ("kind", Varchar, params(length=16, default="")),
        ("title", Varchar, params(length=200, default="")),
        ("held_on", Date, params(default=DateNow())),
        ("offline", Integer, params(default=0)),
        ("online", Integer, params(default=0)),
        ("status", Varchar, params(length=16, default="held")),
        ("version", Integer, params(default=1)),
        ("created_at", Timestamptz, params(default=TimestamptzNow())),
        ("updated_at", Timestamptz, params(default=TimestamptzNow())),
    ],
    ("ScitechResource", "scitech_resource"): [
        PK,
        ("org", UUID, params(default=UUID4())),
        PATH,
        ("kind", Varchar, params(length=16, default="")),
        ("title", Varchar, params(length=200, default="")),
        ("summary", Text, params(default="")),
        ("url", Varchar, params(length=500, default="")),
        ("tags", Text, params(default="[]")),
        ("tag_key", Varchar, params(length=1000, default="")),
        ("search_text", Varchar, params(length=1000, default="")),
        ("initials", Varchar, params(length=300, default="")),
        ("status", Varchar, params(length=16, default="published")),
        ("version", Integer, params(default=1)),
        ("created_at", Timestamptz, params(default=TimestamptzNow())),
        ("updated_at", Timestamptz, params(default=TimestamptzNow())),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="scitech", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, values in columns:
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
    return manager
