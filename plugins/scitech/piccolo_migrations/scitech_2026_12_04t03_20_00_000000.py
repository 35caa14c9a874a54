from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Date, Integer, SmallInt, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T03:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "academic societies' members (学会会员), individual and group, and their dues"


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
    ("ScitechSocietyMember", "scitech_society_member"): [
        PK,
        ("society", UUID, params(default=UUID4())),
        PATH,
        ("kind", Varchar, params(length=16, default="")),
        ("person", UUID, params(default=None, null=True, index=True)),
        ("name", Varchar, params(length=200, default="")),
        ("search_text", Varchar, params(length=400, default="")),
        ("member_no", Varchar, params(length=32, default="")),
        ("grade", Varchar, params(length=16, default="")),
        ("joined_on", Date, params(default=DateNow())),
        ("term_start", Date, params(default=DateNow())),
        ("term_end", Date, params(default=DateNow())),
        ("dues", Varchar, params(length=16, default="0")),
        ("paid_through", SmallInt, params(default=None, null=True)),
        ("status", Varchar, params(length=16, default="active")),
        ("version", Integer, params(default=1)),
        ("created_at", Timestamptz, params(default=TimestamptzNow())),
        ("updated_at", Timestamptz, params(default=TimestamptzNow())),
    ],
    ("ScitechSocietyDues", "scitech_society_dues"): [
        PK,
        ("member", UUID, params(default=UUID4())),
        ("society", UUID, params(default=UUID4())),
        PATH,
        ("year", SmallInt, params(default=0)),
        ("amount", Varchar, params(length=16, default="0")),
        ("paid_on", Date, params(default=DateNow())),
        ("created_at", Timestamptz, params(default=TimestamptzNow())),
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
