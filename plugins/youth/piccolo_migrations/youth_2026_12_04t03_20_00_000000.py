from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz, UUID, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T03:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "volunteers and their service hours"


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

    manager.add_table(class_name="YouthVolunteer", tablename="youth_volunteer", schema=None, columns=None)
    add("YouthVolunteer", "youth_volunteer", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthVolunteer", "youth_volunteer", "person", UUID, params(default=UUID4(), unique=True))
    add("YouthVolunteer", "youth_volunteer", "org", UUID, params(default=UUID4()))
    add("YouthVolunteer", "youth_volunteer", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthVolunteer", "youth_volunteer", "number", Varchar, params(default='', unique=True, length=20))
    add("YouthVolunteer", "youth_volunteer", "registered_at", Timestamptz, params(default=TimestamptzNow()))
    manager.add_table(class_name="YouthServiceEvent", tablename="youth_service_event", schema=None, columns=None)
    add("YouthServiceEvent", "youth_service_event", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthServiceEvent", "youth_service_event", "org", UUID, params(default=UUID4()))
    add("YouthServiceEvent", "youth_service_event", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthServiceEvent", "youth_service_event", "hours", Varchar, params(default='', length=8))
    add("YouthServiceEvent", "youth_service_event", "field", Varchar, params(default='', length=50))
    manager.add_table(class_name="YouthServiceHours", tablename="youth_service_hours", schema=None, columns=None)
    add("YouthServiceHours", "youth_service_hours", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthServiceHours", "youth_service_hours", "event", UUID, params(default=UUID4(), index=True))
    add("YouthServiceHours", "youth_service_hours", "person", UUID, params(default=UUID4(), index=True))
    add("YouthServiceHours", "youth_service_hours", "key", Varchar, params(default='', unique=True, length=80))
    add("YouthServiceHours", "youth_service_hours", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthServiceHours", "youth_service_hours", "hours", Varchar, params(default='', length=8))
    add("YouthServiceHours", "youth_service_hours", "status", Varchar, params(default='pending', length=12))
    add("YouthServiceHours", "youth_service_hours", "checked_in_at", Timestamptz, params(default=TimestamptzNow()))
    add("YouthServiceHours", "youth_service_hours", "decided_at", Timestamptz, params(default=None, null=True))
    return manager
