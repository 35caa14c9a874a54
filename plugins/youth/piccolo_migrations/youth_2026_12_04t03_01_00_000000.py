from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, JSON, Timestamptz, UUID, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T03:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "团费 schemes and payments"


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

    manager.add_table(class_name="YouthDuesScheme", tablename="youth_dues_scheme", schema=None, columns=None)
    add("YouthDuesScheme", "youth_dues_scheme", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthDuesScheme", "youth_dues_scheme", "org", UUID, params(default=UUID4(), unique=True))
    add("YouthDuesScheme", "youth_dues_scheme", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthDuesScheme", "youth_dues_scheme", "wage_bands", JSON, params(default='[]'))
    add("YouthDuesScheme", "youth_dues_scheme", "student_amount", Varchar, params(default='', length=12))
    add("YouthDuesScheme", "youth_dues_scheme", "no_income_amount", Varchar, params(default='', length=12))
    add("YouthDuesScheme", "youth_dues_scheme", "kept_share", Varchar, params(default='', length=8))
    add("YouthDuesScheme", "youth_dues_scheme", "version", Integer, params(default=1))
    add("YouthDuesScheme", "youth_dues_scheme", "updated_at", Timestamptz, params(default=TimestamptzNow()))
    manager.add_table(class_name="YouthDues", tablename="youth_dues", schema=None, columns=None)
    add("YouthDues", "youth_dues", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthDues", "youth_dues", "member", UUID, params(default=UUID4(), index=True))
    add("YouthDues", "youth_dues", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthDues", "youth_dues", "month", Varchar, params(default='', length=7))
    add("YouthDues", "youth_dues", "key", Varchar, params(default='', unique=True, length=48))
    add("YouthDues", "youth_dues", "category", Varchar, params(default='', length=12))
    add("YouthDues", "youth_dues", "amount", Varchar, params(default='', length=12))
    add("YouthDues", "youth_dues", "kept", Varchar, params(default='', length=12))
    add("YouthDues", "youth_dues", "passed_up", Varchar, params(default='', length=12))
    add("YouthDues", "youth_dues", "scheme", UUID, params(default=UUID4()))
    add("YouthDues", "youth_dues", "channel", Varchar, params(default='', length=12))
    add("YouthDues", "youth_dues", "payment_ref", Varchar, params(default='', length=64))
    add("YouthDues", "youth_dues", "paid_at", Timestamptz, params(default=TimestamptzNow()))
    return manager
