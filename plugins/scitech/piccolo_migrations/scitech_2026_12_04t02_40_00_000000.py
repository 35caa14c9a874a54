from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Boolean, Integer, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T02:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the expert library (专家库): experts, their disciplines and tags"


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
    ("ScitechExpert", "scitech_expert"): [
        PK,
        ("org", UUID, params(default=UUID4(), index=True)),
        PATH,
        ("person", UUID, params(default=None, null=True, index=True)),
        ("name", Varchar, params(length=100, default="")),
        ("title", Varchar, params(length=100, default="")),
        ("title_grade", Varchar, params(length=16, default="other")),
        ("employer", Varchar, params(length=200, default="")),
        ("disciplines", Text, params(default="[]")),
        ("tags", Text, params(default="[]")),
        ("bio", Text, params(default="")),
        ("willing", Boolean, params(default=True)),
        ("max_engagements", SmallInt, params(default=3)),
        ("engagements", SmallInt, params(default=0)),
        ("status", Varchar, params(length=16, default="active")),
        ("search_text", Varchar, params(length=1000, default="")),
        ("initials", Varchar, params(length=300, default="")),
        ("version", Integer, params(default=1)),
        ("created_at", Timestamptz, params(default=TimestamptzNow())),
        ("updated_at", Timestamptz, params(default=TimestamptzNow())),
    ],
    ("ScitechExpertDiscipline", "scitech_expert_discipline"): [
        PK,
        ("expert", UUID, params(default=UUID4())),
        ("code", Varchar, params(length=8, default="")),
        PATH,
    ],
    ("ScitechExpertTag", "scitech_expert_tag"): [
        PK,
        ("expert", UUID, params(default=UUID4())),
        ("tag", Varchar, params(length=40, default="")),
        PATH,
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
