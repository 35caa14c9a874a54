from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Boolean, Date, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "decision consulting (决策咨询): assigned experts, drafts, reports and their adoption"


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
    ("ScitechConsultAssignment", "scitech_consult_assignment"): [
        PK,
        ("process", UUID, params(default=UUID4())),
        ("expert", UUID, params(default=UUID4())),
        ("lead", Boolean, params(default=False)),
        PATH,
        ("assigned_at", Timestamptz, params(default=TimestamptzNow())),
        ("released_at", Timestamptz, params(default=None, null=True)),
    ],
    ("ScitechConsultDraft", "scitech_consult_draft"): [
        PK,
        ("process", UUID, params(default=UUID4())),
        ("number", SmallInt, params(default=0)),
        ("summary", Text, params(default="")),
        PATH,
        ("created_at", Timestamptz, params(default=TimestamptzNow())),
    ],
    ("ScitechConsultReport", "scitech_consult_report"): [
        PK,
        ("process", UUID, params(default=UUID4(), unique=True)),
        ("org", UUID, params(default=UUID4())),
        PATH,
        ("title", Varchar, params(length=200, default="")),
        ("discipline", Varchar, params(length=8, default="")),
        ("source", Varchar, params(length=16, default="")),
        ("submitted_to", Varchar, params(length=200, default="")),
        ("submitted_at", Timestamptz, params(default=TimestamptzNow())),
        ("submitted_year", SmallInt, params(default=0)),
        ("adoption", Varchar, params(length=16, default="")),
        ("adopted_by", Varchar, params(length=200, default="")),
        ("adopted_level", Varchar, params(length=16, default="")),
        ("adopted_on", Date, params(default=None, null=True)),
        ("adopted_year", SmallInt, params(default=None, null=True)),
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
