from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Boolean, Date, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "expert workstations (院士专家工作站, 科技服务站): stations, experts, projects, results"


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
    ("ScitechStation", "scitech_station"): [
        PK,
        ("org", UUID, params(default=UUID4())),
        PATH,
        ("kind", Varchar, params(length=16, default="")),
        ("name", Varchar, params(length=200, default="")),
        ("host", Varchar, params(length=200, default="")),
        ("host_credit_code", Varchar, params(length=18, default="")),
        ("established_on", Date, params(default=DateNow())),
        ("status", Varchar, params(length=16, default="active")),
        ("version", Integer, params(default=1)),
        ("created_at", Timestamptz, params(default=TimestamptzNow())),
    ],
    ("ScitechStationExpert", "scitech_station_expert"): [
        PK,
        ("station", UUID, params(default=UUID4())),
        ("expert", UUID, params(default=UUID4())),
        ("lead", Boolean, params(default=False)),
        PATH,
        ("joined_on", Date, params(default=DateNow())),
    ],
    ("ScitechStationProject", "scitech_station_project"): [
        PK,
        ("station", UUID, params(default=UUID4())),
        PATH,
        ("title", Varchar, params(length=200, default="")),
        ("started_on", Date, params(default=DateNow())),
        ("status", Varchar, params(length=16, default="ongoing")),
        ("created_at", Timestamptz, params(default=TimestamptzNow())),
    ],
    ("ScitechStationResult", "scitech_station_result"): [
        PK,
        ("project", UUID, params(default=UUID4())),
        ("station", UUID, params(default=UUID4())),
        PATH,
        ("kind", Varchar, params(length=16, default="")),
        ("title", Varchar, params(length=200, default="")),
        ("achieved_on", Date, params(default=DateNow())),
        ("benefit", Varchar, params(length=16, default="0")),
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
