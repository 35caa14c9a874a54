from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T02:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the women tables: rights intake and actions, executive members, contacts and records"


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
    ("WomenRightsIntake", "women_rights_intake"): [
        pk(),
        uuid_col("org"),
        varchar("org_path", 255, index=True),
        varchar("category", 40),
        varchar("channel", 20),
        ("minor_involved", Boolean, params(default=False)),
        ts("opened_at"),
    ],
    ("WomenRightsAction", "women_rights_action"): [
        pk(),
        uuid_col("process"),
        varchar("org_path", 255, index=True),
        varchar("kind", 20),
        varchar("code", 40),
        ts("at"),
    ],
    ("WomenExecMember", "women_exec_member"): [
        pk(),
        uuid_col("org"),
        varchar("org_path", 255, index=True),
        uuid_col("person"),
        varchar("role", 20),
        varchar("duties", 500),
        ("term_start", Date, params(default=DateNow())),
        ("term_end", Date, params(default=DateNow())),
        varchar("status", 10, default="active"),
        ("version", Integer, params(default=1)),
        ts("created_at"),
        ts("updated_at"),
    ],
    ("WomenExecContact", "women_exec_contact"): [
        pk(),
        uuid_col("member"),
        varchar("org_path", 255, index=True),
        varchar("kind", 10),
        uuid_col("person", null=True),
        uuid_col("contact_org", null=True, index=False),
        varchar("label", 100),
        ("since", Date, params(default=DateNow())),
    ],
    ("WomenExecRecord", "women_exec_record"): [
        pk(),
        uuid_col("member"),
        varchar("org_path", 255, index=True),
        ("year", Integer, params(default=0)),
        varchar("kind", 10),
        varchar("code", 30),
        ("held_on", Date, params(default=None, null=True)),
        ("note", Text, params(default="")),
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
