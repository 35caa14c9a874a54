from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, UUID, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "branch life: meetings, their attendance, and the democratic evaluation of members"


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

    manager.add_table(class_name="YouthMeeting", tablename="youth_meeting", schema=None, columns=None)
    add("YouthMeeting", "youth_meeting", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthMeeting", "youth_meeting", "type", Varchar, params(default='', length=40))
    add("YouthMeeting", "youth_meeting", "org", UUID, params(default=UUID4(), index=True))
    add("YouthMeeting", "youth_meeting", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthMeeting", "youth_meeting", "title", Varchar, params(default='', length=200))
    add("YouthMeeting", "youth_meeting", "starts_at", Timestamptz, params(default=TimestamptzNow(), index=True))
    add("YouthMeeting", "youth_meeting", "status", Varchar, params(default='held', length=12))
    add("YouthMeeting", "youth_meeting", "minutes", Text, params(default=''))
    add("YouthMeeting", "youth_meeting", "resolutions", JSON, params(default='[]'))
    add("YouthMeeting", "youth_meeting", "minutes_at", Timestamptz, params(default=None, null=True))
    add("YouthMeeting", "youth_meeting", "version", Integer, params(default=1))
    manager.add_table(class_name="YouthAttendance", tablename="youth_attendance", schema=None, columns=None)
    add("YouthAttendance", "youth_attendance", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthAttendance", "youth_attendance", "event", UUID, params(default=UUID4(), index=True))
    add("YouthAttendance", "youth_attendance", "person", UUID, params(default=UUID4(), index=True))
    add("YouthAttendance", "youth_attendance", "key", Varchar, params(default='', unique=True, length=80))
    add("YouthAttendance", "youth_attendance", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthAttendance", "youth_attendance", "checked_in_at", Timestamptz, params(default=TimestamptzNow()))
    manager.add_table(class_name="YouthEvaluation", tablename="youth_evaluation", schema=None, columns=None)
    add("YouthEvaluation", "youth_evaluation", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthEvaluation", "youth_evaluation", "member", UUID, params(default=UUID4(), index=True))
    add("YouthEvaluation", "youth_evaluation", "person", UUID, params(default=UUID4(), index=True))
    add("YouthEvaluation", "youth_evaluation", "org", UUID, params(default=UUID4(), index=True))
    add("YouthEvaluation", "youth_evaluation", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthEvaluation", "youth_evaluation", "year", Integer, params(default=0))
    add("YouthEvaluation", "youth_evaluation", "key", Varchar, params(default='', unique=True, length=48))
    add("YouthEvaluation", "youth_evaluation", "grade", Varchar, params(default='', length=24))
    add("YouthEvaluation", "youth_evaluation", "note", Varchar, params(default='', length=200))
    add("YouthEvaluation", "youth_evaluation", "version", Integer, params(default=1))
    add("YouthEvaluation", "youth_evaluation", "created_at", Timestamptz, params(default=TimestamptzNow()))
    add("YouthEvaluation", "youth_evaluation", "updated_at", Timestamptz, params(default=TimestamptzNow()))
    return manager
