"""The women plugin's tables; every change needs a migration in ``migrations/``."""

from __future__ import annotations

import uuid
from pathlib import Path

from piccolo.columns import UUID, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.conf.apps import AppConfig
from piccolo.table import Table


class WomenRightsIntake(Table, tablename="women_rights_intake"):
    """The non-personal facts of a rights case at intake (its id is the process's), for figures."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    category = Varchar(length=40)
    channel = Varchar(length=20)
    minor_involved = Boolean(default=False)
    opened_at = Timestamptz()


class WomenRightsAction(Table, tablename="women_rights_action"):
    """A protection-order help or a referral out, as a code, per rights case."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    process = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    kind = Varchar(length=20)  #: protection_order | referral
    code = Varchar(length=40)
    at = Timestamptz()


class WomenExecMember(Table, tablename="women_exec_member"):
    """An executive committee member (执委) of a federation, for a term."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    person = UUID(index=True)
    role = Varchar(length=20)  #: chair | vice_chair | member
    duties = Varchar(length=500)
    term_start = Date()
    term_end = Date()
    status = Varchar(length=10, default="active")  #: active | ended
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class WomenExecContact(Table, tablename="women_exec_contact"):
    """Someone an executive member is responsible for (联系服务): a household, a person or an org."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    member = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    kind = Varchar(length=10)  #: household | person | org
    person = UUID(null=True, index=True)
    contact_org = UUID(null=True)
    label = Varchar(length=100)
    since = Date()


class WomenExecRecord(Table, tablename="women_exec_record"):
    """An executive member's yearly activity (履职活动) or the year's evaluation (年度评价)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    member = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    year = Integer()
    kind = Varchar(length=10)  #: activity | evaluation
    code = Varchar(length=30)  #: activity kind, or grade
    held_on = Date(null=True)
    note = Text(default="")
    created_at = Timestamptz()


class WomenProgram(Table, tablename="women_program"):
    """An empowerment program (低收入妇女赋能, 巾帼创业) run by a federation."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    kind = Varchar(length=20)  #: low_income | entrepreneurship | skills | digital
    name = Varchar(length=100)
    criteria = Varchar(length=400)  #: JSON list of criterion codes every enrolment must meet
    sessions = Integer(default=1)
    starts_on = Date()
    ends_on = Date()
    created_at = Timestamptz()


class WomenEnrolment(Table, tablename="women_enrolment"):
    """A woman's enrolment in a program, her attendance and outcome (employment, income)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    program = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    person = UUID(index=True)
    criteria_met = Varchar(length=400)
    attended = Integer(default=0)
    last_attended = Date(null=True)
    employment = Varchar(length=20, default="")  #: '' | employed | self_employed | business | none
    monthly_income = Integer(null=True)
    status = Varchar(length=10, default="enrolled")  #: enrolled | completed | dropped
    version = Integer(default=1)
    created_at = Timestamptz()


TABLES = [
    WomenRightsIntake,
    WomenRightsAction,
    WomenExecMember,
    WomenExecContact,
    WomenExecRecord,
    WomenProgram,
    WomenEnrolment,
]

APP_CONFIG = AppConfig(
    app_name="women",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=TABLES,
    migration_dependencies=["core.orgs.piccolo_app"],
)
