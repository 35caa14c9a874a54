from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Integer, JSON, Timestamptz, UUID, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T02:56:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "推优入党 recommendations"


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

    manager.add_table(class_name="YouthRecommendation", tablename="youth_recommendation", schema=None, columns=None)
    add("YouthRecommendation", "youth_recommendation", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthRecommendation", "youth_recommendation", "member", UUID, params(default=UUID4(), index=True))
    add("YouthRecommendation", "youth_recommendation", "org", UUID, params(default=UUID4()))
    add("YouthRecommendation", "youth_recommendation", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthRecommendation", "youth_recommendation", "year", Integer, params(default=0))
    add("YouthRecommendation", "youth_recommendation", "party_org", UUID, params(default=UUID4()))
    add("YouthRecommendation", "youth_recommendation", "party_application_on", Date, params(default=DateNow()))
    add("YouthRecommendation", "youth_recommendation", "vote", JSON, params(default='{}'))
    add("YouthRecommendation", "youth_recommendation", "status", Varchar, params(default='proposed', length=16))
    add("YouthRecommendation", "youth_recommendation", "valid_until", Date, params(default=None, null=True))
    add("YouthRecommendation", "youth_recommendation", "created_at", Timestamptz, params(default=TimestamptzNow()))
    return manager
