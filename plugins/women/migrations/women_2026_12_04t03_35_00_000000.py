from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Date, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T03:35:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the women empowerment tables: programs and enrolments"


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


def pk():
    return ("id", UUID, params(default=UUID4(), primary_key=True))


def uuid_col(name, null=False, index=True):
    return (name, UUID, params(default=None if null else UUID4(), null=null, index=index))


def varchar(name, length, index=False, default=""):
    return (name, Varchar, params(length=length, default=default, index=index))


def ts(name):
    return (name, Timestamptz, params(default=TimestamptzNow()))


TABLES = {
    ("WomenProgram", "women_program"): [
        pk(),
        uuid_col("org"),
        varchar("org_path", 255, index=True),
        varchar("kind", 20),
        varchar("name", 100),
        varchar("criteria", 400),
        ("sessions", Integer, params(default=1)),
        ("starts_on", Date, params(default=DateNow())),
        ("ends_on", Date, params(default=DateNow())),
        ts("created_at"),
    ],
    ("WomenEnrolment", "women_enrolment"): [
        pk(),
        uuid_col("program"),
        varchar("org_path", 255, index=True),
        uuid_col("person"),
        varchar("criteria_met", 400),
        ("attended", Integer, params(default=0)),
        ("last_attended", Date, params(default=None, null=True)),
        varchar("employment", 20),
        ("monthly_income", Integer, params(default=None, null=True)),
        varchar("status", 10, default="enrolled"),
        ("version", Integer, params(default=1)),
        ts("created_at"),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="women", description=DESCRIPTION)
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
