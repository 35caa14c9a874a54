from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Date, Integer, JSON, Timestamptz, UUID, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T02:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the League register, applications, plans, registration campaigns and age-out reports"


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

    manager.add_table(class_name="YouthApplication", tablename="youth_application", schema=None, columns=None)
    add("YouthApplication", "youth_application", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthApplication", "youth_application", "person", UUID, params(default=UUID4(), index=True))
    add("YouthApplication", "youth_application", "org", UUID, params(default=UUID4()))
    add("YouthApplication", "youth_application", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthApplication", "youth_application", "applied_on", Date, params(default=DateNow()))
    add("YouthApplication", "youth_application", "activist_since", Date, params(default=None, null=True))
    add("YouthApplication", "youth_application", "candidate_since", Date, params(default=None, null=True))
    add("YouthApplication", "youth_application", "introducers", JSON, params(default='[]'))
    add("YouthApplication", "youth_application", "meeting", JSON, params(default='{}'))
    add("YouthApplication", "youth_application", "admitted_on", Date, params(default=None, null=True))
    add("YouthApplication", "youth_application", "approved_on", Date, params(default=None, null=True))
    add("YouthApplication", "youth_application", "member", UUID, params(default=None, null=True))
    add("YouthApplication", "youth_application", "outcome", Varchar, params(default=None, null=True, length=16))
    manager.add_table(class_name="YouthMember", tablename="youth_member", schema=None, columns=None)
    add("YouthMember", "youth_member", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthMember", "youth_member", "person", UUID, params(default=UUID4(), index=True))
    add("YouthMember", "youth_member", "membership", UUID, params(default=None, null=True))
    add("YouthMember", "youth_member", "org", UUID, params(default=UUID4(), index=True))
    add("YouthMember", "youth_member", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthMember", "youth_member", "number", Varchar, params(default='', unique=True, length=20))
    add("YouthMember", "youth_member", "status", Varchar, params(default='active', length=16))
    add("YouthMember", "youth_member", "joined_on", Date, params(default=DateNow()))
    add("YouthMember", "youth_member", "oath_date", Date, params(default=None, null=True))
    add("YouthMember", "youth_member", "age_out_on", Date, params(default=None, null=True, index=True))
    add("YouthMember", "youth_member", "party_member", Boolean, params(default=False))
    add("YouthMember", "youth_member", "league_post", Boolean, params(default=False))
    add("YouthMember", "youth_member", "left_branch_at", Timestamptz, params(default=None, null=True))
    add("YouthMember", "youth_member", "lost_contact", Boolean, params(default=False))
    add("YouthMember", "youth_member", "lost_contact_at", Timestamptz, params(default=None, null=True))
    add("YouthMember", "youth_member", "reported_at", Timestamptz, params(default=None, null=True))
    add("YouthMember", "youth_member", "registered_year", Integer, params(default=None, null=True))
    add("YouthMember", "youth_member", "version", Integer, params(default=1))
    add("YouthMember", "youth_member", "created_at", Timestamptz, params(default=TimestamptzNow()))
    add("YouthMember", "youth_member", "updated_at", Timestamptz, params(default=TimestamptzNow()))
    manager.add_table(class_name="YouthCounter", tablename="youth_counter", schema=None, columns=None)
    add("YouthCounter", "youth_counter", "id", Varchar, params(default='', primary_key=True, length=40))
    add("YouthCounter", "youth_counter", "value", Integer, params(default=0))
    manager.add_table(class_name="YouthPlan", tablename="youth_plan", schema=None, columns=None)
    add("YouthPlan", "youth_plan", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthPlan", "youth_plan", "org", UUID, params(default=UUID4(), index=True))
    add("YouthPlan", "youth_plan", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthPlan", "youth_plan", "year", Integer, params(default=0))
    add("YouthPlan", "youth_plan", "quota", Integer, params(default=0))
    add("YouthPlan", "youth_plan", "version", Integer, params(default=1))
    add("YouthPlan", "youth_plan", "updated_at", Timestamptz, params(default=TimestamptzNow()))
    manager.add_table(class_name="YouthCampaign", tablename="youth_campaign", schema=None, columns=None)
    add("YouthCampaign", "youth_campaign", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthCampaign", "youth_campaign", "org", UUID, params(default=UUID4(), index=True))
    add("YouthCampaign", "youth_campaign", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthCampaign", "youth_campaign", "year", Integer, params(default=0))
    add("YouthCampaign", "youth_campaign", "opens_on", Date, params(default=DateNow()))
    add("YouthCampaign", "youth_campaign", "closes_on", Date, params(default=DateNow()))
    add("YouthCampaign", "youth_campaign", "created_at", Timestamptz, params(default=TimestamptzNow()))
    manager.add_table(class_name="YouthRegistration", tablename="youth_registration", schema=None, columns=None)
    add("YouthRegistration", "youth_registration", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthRegistration", "youth_registration", "campaign", UUID, params(default=UUID4(), index=True))
    add("YouthRegistration", "youth_registration", "member", UUID, params(default=UUID4(), index=True))
    add("YouthRegistration", "youth_registration", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthRegistration", "youth_registration", "registered_at", Timestamptz, params(default=TimestamptzNow()))
    manager.add_table(class_name="YouthAgeOut", tablename="youth_age_out", schema=None, columns=None)
    add("YouthAgeOut", "youth_age_out", "id", UUID, params(default=UUID4(), primary_key=True))
    add("YouthAgeOut", "youth_age_out", "member", UUID, params(default=UUID4(), index=True))
    add("YouthAgeOut", "youth_age_out", "org_path", Varchar, params(default='', index=True, length=255))
    add("YouthAgeOut", "youth_age_out", "found_on", Date, params(default=DateNow()))
    add("YouthAgeOut", "youth_age_out", "status", Varchar, params(default='pending', length=16))
    add("YouthAgeOut", "youth_age_out", "decided_at", Timestamptz, params(default=None, null=True))
    add("YouthAgeOut", "youth_age_out", "note", Varchar, params(default='', length=200))
    return manager
