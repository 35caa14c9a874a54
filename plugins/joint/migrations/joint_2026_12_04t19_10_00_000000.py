from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, UUID, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T19:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "needs surveys: surveys, quarterly runs, who answered, answer sheets; services citing needs"


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


TABLES = [
    (
        "JointServiceNeed",
        "joint_service_need",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("service", UUID, params(index=True, default=UUID4())),
            ("survey", UUID, params(index=True, default=UUID4())),
            ("question", Varchar, params(length=40, default="")),
            ("option", Varchar, params(length=40, default="")),
        ],
    ),
    (
        "JointSurvey",
        "joint_survey",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("org", UUID, params(index=True, default=UUID4())),
            ("org_path", Varchar, params(length=120, index=True, default="")),
            ("title", Varchar, params(length=200, default="")),
            ("description", Text, params(default="")),
            ("audience", Varchar, params(length=16, default="region")),
            ("questions", JSON, params(default="[]")),
            ("status", Varchar, params(length=16, default="active")),
            ("version", Integer, params(default=1)),
            ("created_by", UUID, params(default=UUID4())),
            ("created_at", Timestamptz, params(default=TimestamptzNow())),
            ("updated_at", Timestamptz, params(default=TimestamptzNow())),
        ],
    ),
    (
        "JointSurveyRun",
        "joint_survey_run",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("survey", UUID, params(index=True, default=UUID4())),
            ("org_path", Varchar, params(length=120, index=True, default="")),
            ("period", Varchar, params(length=8, default="")),
            ("status", Varchar, params(length=16, default="open")),
            ("responses", Integer, params(default=0)),
            ("opened_at", Timestamptz, params(default=TimestamptzNow())),
            ("closed_at", Timestamptz, params(null=True, default=None)),
            ("version", Integer, params(default=1)),
        ],
    ),
    (
        "JointSurveyRespondent",
        "joint_survey_respondent",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("run", UUID, params(index=True, default=UUID4())),
            ("person", UUID, params(index=True, default=UUID4())),
            ("created_at", Timestamptz, params(default=TimestamptzNow())),
        ],
    ),
    (
        "JointSurveySheet",
        "joint_survey_sheet",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("run", UUID, params(index=True, default=UUID4())),
            ("survey", UUID, params(default=UUID4())),
            ("org", UUID, params(default=UUID4())),
            ("org_path", Varchar, params(length=120, default="")),
        ],
    ),
    (
        "JointSurveyAnswer",
        "joint_survey_answer",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("sheet", UUID, params(index=True, default=UUID4())),
            ("run", UUID, params(default=UUID4())),
            ("question", Varchar, params(length=40, default="")),
            ("option", Varchar, params(length=40, null=True, default=None)),
            ("rating", Integer, params(null=True, default=None)),
            ("text", Text, params(null=True, default=None)),
            ("org_path", Varchar, params(length=120, default="")),
        ],
    ),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="joint", description=DESCRIPTION)
    for class_name, tablename, columns in TABLES:
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
