from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, UUID, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the service menu: partner social organizations, services, their places per period, orders"


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
        "JointPartner",
        "joint_partner",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("org", UUID, params(index=True, default=UUID4())),
            ("org_path", Varchar, params(length=120, index=True, default="")),
            ("name", Varchar, params(length=200, default="")),
            ("credit_code", Varchar, params(length=18, default="")),
            ("kind", Varchar, params(length=32, default="social_org")),
            ("description", Text, params(default="")),
            ("need_types", JSON, params(default="[]")),
            ("status", Varchar, params(length=16, default="active")),
            ("version", Integer, params(default=1)),
            ("created_at", Timestamptz, params(default=TimestamptzNow())),
            ("updated_at", Timestamptz, params(default=TimestamptzNow())),
        ],
    ),
    (
        "JointService",
        "joint_service",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("org", UUID, params(index=True, default=UUID4())),
            ("org_path", Varchar, params(length=120, index=True, default="")),
            ("title", Varchar, params(length=200, default="")),
            ("description", Text, params(default="")),
            ("eligibility", Text, params(default="")),
            ("audience", Varchar, params(length=16, default="public")),
            ("need_type", Varchar, params(length=64, default="")),
            ("place", UUID, params(null=True, default=None)),
            ("location", Varchar, params(length=300, default="")),
            ("capacity", Integer, params(null=True, default=None)),
            ("period", Varchar, params(length=16, default="month")),
            ("status", Varchar, params(length=16, default="published")),
            ("version", Integer, params(default=1)),
            ("created_by", UUID, params(default=UUID4())),
            ("created_at", Timestamptz, params(default=TimestamptzNow())),
            ("updated_at", Timestamptz, params(default=TimestamptzNow())),
        ],
    ),
    (
        "JointServiceSlot",
        "joint_service_slot",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("service", UUID, params(index=True, default=UUID4())),
            ("period_key", Varchar, params(length=16, default="")),
            ("taken", Integer, params(default=0)),
        ],
    ),
    (
        "JointOrder",
        "joint_order",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("service", UUID, params(null=True, index=True, default=None)),
            ("org", UUID, params(index=True, default=UUID4())),
            ("org_path", Varchar, params(length=120, index=True, default="")),
            ("need_type", Varchar, params(length=64, default="")),
            ("rule", UUID, params(null=True, default=None)),
            ("person", UUID, params(null=True, index=True, default=None)),
            ("process", UUID, params(null=True, index=True, default=None)),
            ("period_key", Varchar, params(length=16, default="")),
            ("holds_place", Integer, params(default=0)),
            ("state", Varchar, params(length=40, default="ordered")),
            ("assignee_org", UUID, params(null=True, default=None)),
            ("assignee_path", Varchar, params(length=120, default="")),
            ("partner", UUID, params(null=True, default=None)),
            ("declines", Integer, params(default=0)),
            ("dispatched_at", Timestamptz, params(null=True, default=None)),
            ("accepted_at", Timestamptz, params(null=True, default=None)),
            ("done_at", Timestamptz, params(null=True, default=None)),
            ("closed_at", Timestamptz, params(null=True, default=None)),
            ("rating", Integer, params(null=True, default=None)),
            ("rating_comment", Text, params(default="")),
            ("rated_at", Timestamptz, params(null=True, default=None)),
            ("created_at", Timestamptz, params(default=TimestamptzNow())),
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
