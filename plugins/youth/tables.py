"""The League's own tables (``youth_``); every change to them needs a migration in ``piccolo_migrations/``.

Persons, orgs, memberships and processes stay the core's: these tables reference them by id and keep a
copy of the org path (declared through ``quntuan_org_path_columns`` so moves rewrite it).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from piccolo.columns import JSON, UUID, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.conf.apps import AppConfig
from piccolo.table import Table


class YouthApplication(Table, tablename="youth_application"):
    """The League facts of one joining pipeline (a ``youth.join`` process): the dates of each stage, the
    introducers and the branch meeting's vote. One row per process, written by the process's steps."""

    id = UUID(primary_key=True, default=uuid.uuid4)  #: the process id
    person = UUID(index=True)
    org = UUID()  #: the branch applied to
    org_path = Varchar(length=255, index=True)
    applied_on = Date()
    activist_since = Date(null=True, default=None)
    candidate_since = Date(null=True, default=None)
    #: Two introducers (入团介绍人): person ids of League members.
    introducers = JSON(default=[])
    #: The branch meeting: {"date", "entitled", "present", "in_favour", "against", "abstained"}.
    meeting = JSON(default={})
    admitted_on = Date(null=True, default=None)
    approved_on = Date(null=True, default=None)
    member = UUID(null=True, default=None)  #: the youth_member row the approval made
    #: None while the pipeline runs; approved, rejected or withdrawn when it ended.
    outcome = Varchar(length=16, null=True, default=None)


class YouthMember(Table, tablename="youth_member"):
    """A League member (团员): the register the League keeps beside the core's membership."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    person = UUID(index=True)
    membership = UUID(null=True, default=None)  #: the core membership in the branch
    org = UUID(index=True)  #: the branch the member belongs to
    org_path = Varchar(length=255, index=True)
    #: 团员编号, unique across the platform.
    number = Varchar(length=20, unique=True)
    #: active, aged_out (超龄离团) or left.
    status = Varchar(length=16, default="active")
    joined_on = Date()
    oath_date = Date(null=True, default=None)
    #: The day the member passes the age limit (the day after the 28th year ends), from the person's
    #: recorded birth date; the age-out job reads it instead of the person's file.
    age_out_on = Date(null=True, default=None, index=True)
    #: Joined the Party (保留团籍 until the age limit; no dues, may not vote on 推优).
    party_member = Boolean(default=False)
    #: Holds a League post (团干部): kept past the age limit while the post lasts.
    league_post = Boolean(default=False)
    #: When the member left the branch without a completed transfer (graduation, release to a receiver).
    left_branch_at = Timestamptz(null=True, default=None)
    #: 失联团员: six months after leaving the branch without arriving elsewhere.
    lost_contact = Boolean(default=False)
    lost_contact_at = Timestamptz(null=True, default=None)
    #: 团员报到: when the member last reported in to their branch.
    reported_at = Timestamptz(null=True, default=None)
    #: The last year of a completed 团籍注册.
    registered_year = Integer(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class YouthCounter(Table, tablename="youth_counter"):
    """Sequences for the numbers the League issues (团员编号 per year)."""

    id = Varchar(length=40, primary_key=True)
    value = Integer(default=0)


class YouthPlan(Table, tablename="youth_plan"):
    """发展团员计划: how many new members a committee may admit in a year (its whole subtree)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    year = Integer()
    quota = Integer()
    version = Integer(default=1)
    updated_at = Timestamptz(default=TimestamptzNow())


class YouthCampaign(Table, tablename="youth_campaign"):
    """An annual registration campaign (团籍注册) of a committee, open between two dates."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    year = Integer()
    opens_on = Date()
    closes_on = Date()
    created_at = Timestamptz(default=TimestamptzNow())


class YouthRegistration(Table, tablename="youth_registration"):
    """One member registered in one campaign (and the branch path it was registered in)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    campaign = UUID(index=True)
    member = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    registered_at = Timestamptz(default=TimestamptzNow())


class YouthAgeOut(Table, tablename="youth_age_out"):
    """A member found past the age limit (超龄), waiting for a cadre to confirm the leaving — never silent."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    member = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    found_on = Date()
    #: pending, confirmed (the member left) or kept (a cadre kept them: a post, a correction).
    status = Varchar(length=16, default="pending")
    decided_at = Timestamptz(null=True, default=None)
    note = Varchar(length=200, default="")


class YouthRecommendation(Table, tablename="youth_recommendation"):
    """推优入党: one recommendation of a member to the Party (a ``youth.recommend`` process), with the
    branch vote, the notice and the Party branch's outcome; counted for the branch's yearly ratio cap."""

    id = UUID(primary_key=True, default=uuid.uuid4)  #: the process id
    member = UUID(index=True)
    org = UUID()  #: the branch
    org_path = Varchar(length=255, index=True)
    year = Integer()
    party_org = UUID()  #: the Party org the recommendation goes to
    party_application_on = Date()
    #: The branch meeting: {"date", "entitled", "present", "in_favour", "against", "abstained"}.
    vote = JSON(default={})
    #: proposed, voted, sent, accepted, declined, expired, rejected or withdrawn.
    status = Varchar(length=16, default="proposed")
    valid_until = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class YouthDuesScheme(Table, tablename="youth_dues_scheme"):
    """团费 tiers a committee (usually provincial) sets for its subtree; the nearest scheme above wins.

    ``wage_bands`` is a list of ``{"up_to": "3000.00" | null, "rate": "0.005"}`` in ascending order (the
    band a monthly income falls in gives the rate for the whole income); students and members without
    income pay fixed sums; ``kept_share`` is what the collecting committee keeps, the rest passed up.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(unique=True)
    org_path = Varchar(length=255, index=True)
    wage_bands = JSON(default=[])
    student_amount = Varchar(length=12)
    no_income_amount = Varchar(length=12)
    kept_share = Varchar(length=8)
    version = Integer(default=1)
    updated_at = Timestamptz(default=TimestamptzNow())


class YouthDues(Table, tablename="youth_dues"):
    """One member's 团费 for one month: the category, the amount by the scheme, how it was paid, and the
    share kept and passed up. The income it was computed from is not kept."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    member = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    month = Varchar(length=7)  #: YYYY-MM
    #: ``<member>:<month>``: one payment per member and month, held by the database under concurrency.
    key = Varchar(length=48, unique=True)
    category = Varchar(length=12)  #: wage, student or no_income
    amount = Varchar(length=12)
    kept = Varchar(length=12)
    passed_up = Varchar(length=12)
    scheme = UUID()
    #: cash, transfer or online; an online payment's reference from the payment platform.
    channel = Varchar(length=12)
    payment_ref = Varchar(length=64, default="")
    paid_at = Timestamptz(default=TimestamptzNow())


class YouthVolunteer(Table, tablename="youth_volunteer"):
    """A registered volunteer (注册志愿者): the person, the League org they serve with, their number."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    person = UUID(unique=True)
    org = UUID()
    org_path = Varchar(length=255, index=True)
    number = Varchar(length=20, unique=True)
    registered_at = Timestamptz(default=TimestamptzNow())


class YouthServiceEvent(Table, tablename="youth_service_event"):
    """A published volunteer-service event (``youth.volunteer_service``) and the hours it credits."""

    id = UUID(primary_key=True)  #: the core event's id
    org = UUID()
    org_path = Varchar(length=255, index=True)
    hours = Varchar(length=8)
    field = Varchar(length=50, default="")


class YouthServiceHours(Table, tablename="youth_service_hours"):
    """Hours credited to one attendee of a volunteer event: pending until an organizer confirms them."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    event = UUID(index=True)
    person = UUID(index=True)
    key = Varchar(length=80, unique=True)  #: ``<event>:<person>``: credited once
    org_path = Varchar(length=255, index=True)
    hours = Varchar(length=8)
    #: pending, confirmed or rejected (an organizer saw the attendee leave early, a wrong scan).
    status = Varchar(length=12, default="pending")
    checked_in_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)


class YouthMeeting(Table, tablename="youth_meeting"):
    """A published branch-life event (组织生活: 支部大会, 支委会, 团小组会, 团课, 主题团日) of a League org,
    remembered when published; its minutes (会议记录) are recorded here after the meeting."""

    id = UUID(primary_key=True)  #: the core event's id
    type = Varchar(length=40)
    org = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    title = Varchar(length=200)
    starts_at = Timestamptz(index=True)
    #: held (published) or cancelled; a cancelled meeting counts for nothing.
    status = Varchar(length=12, default="held")
    #: 会议记录: what was discussed and decided, recorded after the meeting.
    minutes = Text(default="")
    #: The decisions (决议) of the meeting, one line each.
    resolutions = JSON(default=[])
    minutes_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class YouthAttendance(Table, tablename="youth_attendance"):
    """One attendee of a branch-life meeting, from the core's check-in (出席)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    event = UUID(index=True)
    person = UUID(index=True)
    key = Varchar(length=80, unique=True)  #: ``<event>:<person>``: counted once
    org_path = Varchar(length=255, index=True)
    checked_in_at = Timestamptz()


class YouthEvaluation(Table, tablename="youth_evaluation"):
    """民主评议团员: one member's grade in one year's democratic evaluation by their branch (优秀, 合格,
    基本合格 or 不合格); one grade per member per year, held by the database."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    member = UUID(index=True)
    #: The member's person: the grade is theirs (exported with their data, erased with them).
    person = UUID(index=True)
    org = UUID(index=True)  #: the branch that evaluated
    org_path = Varchar(length=255, index=True)
    year = Integer()
    #: ``<member>:<year>``
    key = Varchar(length=48, unique=True)
    #: excellent (优秀), qualified (合格), basically_qualified (基本合格) or unqualified (不合格).
    grade = Varchar(length=24)
    note = Varchar(length=200, default="")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class YouthBranch(Table, tablename="youth_branch"):
    """What the League records of a branch beyond the core's org: its category (团支部类别: 学生,
    毕业班, 已毕业, 企业, 机关事业, 农村, 社区, 两新组织 …), which changes to ``graduated`` when a graduating
    branch has marked all its members for transfer."""

    id = UUID(primary_key=True)  #: the core org's id
    org_path = Varchar(length=255, index=True)
    category = Varchar(length=24, index=True)
    #: The category before the branch graduated (so a mistaken graduation can be put back).
    previous_category = Varchar(length=24, default="")
    graduated_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    updated_at = Timestamptz(default=TimestamptzNow())


TABLES = [
    YouthApplication,
    YouthMember,
    YouthCounter,
    YouthPlan,
    YouthCampaign,
    YouthRegistration,
    YouthAgeOut,
    YouthRecommendation,
    YouthDuesScheme,
    YouthDues,
    YouthVolunteer,
    YouthServiceEvent,
    YouthServiceHours,
    YouthMeeting,
    YouthAttendance,
    YouthEvaluation,
    YouthBranch,
]

APP_CONFIG = AppConfig(
    app_name="youth",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["core.orgs.piccolo_app"],
)
