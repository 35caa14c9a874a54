from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, UUID, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T02:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "councils, members, meetings, decisions, tasks and their reports; referral rules"


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
        "JointCouncil",
        "joint_council",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("org", UUID, params(index=True, default=UUID4())),
            ("org_path", Varchar, params(length=120, index=True, default="")),
            ("name", Varchar, params(length=200, default="")),
            ("description", Text, params(default="")),
            ("status", Varchar, params(length=16, default="active")),
            ("version", Integer, params(default=1)),
            ("created_at", Timestamptz, params(default=TimestamptzNow())),
            ("updated_at", Timestamptz, params(default=TimestamptzNow())),
        ],
    ),
    (
        "JointMember",
        "joint_member",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("council", UUID, params(index=True, default=UUID4())),
            ("org", UUID, params(index=True, default=UUID4())),
            ("org_path", Varchar, params(length=120, default="")),
            ("org_kind", Varchar, params(length=64, default="")),
            ("role", Varchar, params(length=16, default="member")),
            ("representative", UUID, params(null=True, default=None)),
            ("post_title", Varchar, params(length=100, default="")),
            ("created_at", Timestamptz, params(default=TimestamptzNow())),
        ],
    ),
    (
        "JointMeeting",
        "joint_meeting",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("council", UUID, params(index=True, default=UUID4())),
            ("org_path", Varchar, params(length=120, index=True, default="")),
            ("title", Varchar, params(length=200, default="")),
            ("starts_at", Timestamptz, params(default=TimestamptzNow())),
            ("place", Varchar, params(length=300, default="")),
            ("agenda", JSON, params(default="[]")),
            ("minutes", Text, params(default="")),
            ("attendance", JSON, params(default="[]")),
            ("status", Varchar, params(length=16, default="scheduled")),
            ("version", Integer, params(default=1)),
            ("created_at", Timestamptz, params(default=TimestamptzNow())),
            ("updated_at", Timestamptz, params(default=TimestamptzNow())),
        ],
    ),
    (
        "JointDecision",
        "joint_decision",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("council", UUID, params(index=True, default=UUID4())),
            ("meeting", UUID, params(null=True, default=None)),
            ("org_path", Varchar, params(length=120, index=True, default="")),
            ("title", Varchar, params(length=200, default="")),
            ("content", Text, params(default="")),
            ("created_by", UUID, params(default=UUID4())),
            ("created_at", Timestamptz, params(default=TimestamptzNow())),
        ],
    ),
    (
        "JointTask",
        "joint_task",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("decision", UUID, params(index=True, default=UUID4())),
            ("council", UUID, params(index=True, default=UUID4())),
            ("org_path", Varchar, params(length=120, index=True, default="")),
            ("member_org", UUID, params(index=True, default=UUID4())),
            ("member_path", Varchar, params(length=120, default="")),
            ("title", Varchar, params(length=200, default="")),
            ("due_on", Date, params(default=DateNow())),
            ("process", UUID, params(index=True, default=UUID4())),
            ("state", Varchar, params(length=40, default="assigned")),
            ("progress", Integer, params(default=0)),
            ("urged", Integer, params(default=0)),
            ("flagged", Integer, params(default=0)),
            ("closed_at", Timestamptz, params(null=True, default=None)),
            ("created_at", Timestamptz, params(default=TimestamptzNow())),
        ],
    ),
    (
        "JointTaskReport",
        "joint_task_report",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("task", UUID, params(index=True, default=UUID4())),
            ("kind", Varchar, params(length=16, default="")),
            ("progress", Integer, params(null=True, default=None)),
            ("note", Text, params(default="")),
            ("actor", UUID, params(default=UUID4())),
            ("created_at", Timestamptz, params(default=TimestamptzNow())),
        ],
    ),
    (
        "JointReferralRule",
        "joint_referral_rule",
        [
            ("id", UUID, params(primary_key=True, default=UUID4())),
            ("region", UUID, params(index=True, default=UUID4())),
            ("region_path", Varchar, params(length=120, index=True, default="")),
            ("request_type", Varchar, params(length=64, default="")),
            ("target", Varchar, params(length=64, default="")),
            ("note", Varchar, params(length=300, default="")),
            ("version", Integer, params(default=1)),
            ("created_at", Timestamptz, params(default=TimestamptzNow())),
            ("updated_at", Timestamptz, params(default=TimestamptzNow())),
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
