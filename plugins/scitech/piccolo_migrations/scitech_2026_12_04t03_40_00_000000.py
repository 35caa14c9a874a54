from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Date, Integer, SmallInt, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T03:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "technology contests (科技比武) and their results"


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
    ("ScitechContest", "scitech_contest"): [
        PK,
        ("event", UUID, params(default=UUID4(), unique=True)),
        ("org", UUID, params(default=UUID4())),
        PATH,
        ("title", Varchar, params(length=200, default="")),
        ("field", Varchar, params(length=100, default="")),
        ("level", Varchar, params(length=16, default="")),
        ("held_on", Date, params(default=DateNow())),
        ("status", Varchar, params(length=16, default="scheduled")),
        ("version", Integer, params(default=1)),
        ("created_at", Timestamptz, params(default=TimestamptzNow())),
    ],
    ("ScitechContestResult", "scitech_contest_result"): [
        PK,
        ("contest", UUID, params(default=UUID4())),
        PATH,
        ("entrant", Varchar, params(length=200, default="")),
        ("person", UUID, params(default=None, null=True, index=True)),
        ("rank", SmallInt, params(default=0)),
        ("award", Varchar, params(length=16, default="")),
        ("score", Varchar, params(length=16, default="")),
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
