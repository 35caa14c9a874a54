from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Date, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T02:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the disabled_certificate table (残疾人证 registry)"

TABLE = {"table_class_name": "DisabledCertificate", "tablename": "disabled_certificate", "schema": None}


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
    manager = MigrationManager(migration_id=ID, app_name="disabled", description=DESCRIPTION)
    manager.add_table(
        class_name="DisabledCertificate", tablename="disabled_certificate", schema=None, columns=None
    )
    columns = [
        ("id", UUID, params(default=UUID4(), primary_key=True)),
        ("person", UUID, params(default=UUID4(), index=True)),
        ("org", UUID, params(default=UUID4(), index=True)),
        ("org_path", Varchar, params(length=255, default="", index=True)),
        ("number_enc", Varchar, params(length=255, default="")),
        ("id_number_index", Varchar, params(length=64, default="", index=True)),
        ("category", Varchar, params(length=16, default="", index=True)),
        ("grade", Integer, params(default=0)),
        ("issued_on", Date, params(default=DateNow())),
        ("valid_until", Date, params(default=DateNow())),
        ("status", Varchar, params(length=16, default="valid")),
        ("process", UUID, params(default=None, null=True)),
        ("version", Integer, params(default=1)),
        ("created_at", Timestamptz, params(default=TimestamptzNow())),
        ("updated_at", Timestamptz, params(default=TimestamptzNow())),
    ]
    for name, column_class, values in columns:
        manager.add_column(
            **TABLE,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=values,
        )
    return manager
