"""The joint plugin's tables; every change to them needs a migration in ``migrations/``.

Org paths are copied (``*_path``) so that a subtree query is one range scan; the core rewrites them when
an org moves (declared in ``quntuan_org_path_columns``).
"""

import uuid
from pathlib import Path

from piccolo.columns import JSON, UUID, Date, Integer, Text, Timestamptz, Varchar
from piccolo.conf.apps import AppConfig
from piccolo.table import Table

PATH = 120


class JointCouncil(Table, tablename="joint_council"):
    """A joint council (联席会议) convened at an org, usually a Party committee."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(index=True)
    org_path = Varchar(length=PATH, index=True)
    name = Varchar(length=200)
    description = Text(default="")
    #: active or dissolved.
    status = Varchar(length=16, default="active")
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class JointMember(Table, tablename="joint_member"):
    """A member org of a council (of any plugin) and its representative: a person holding a post."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    council = UUID(index=True)
    org = UUID(index=True)
    org_path = Varchar(length=PATH)
    org_kind = Varchar(length=64)
    #: convenor (召集单位) or member (成员单位).
    role = Varchar(length=16, default="member")
    representative = UUID(null=True, default=None)
    post_title = Varchar(length=100, default="")
    created_at = Timestamptz()


class JointMeeting(Table, tablename="joint_meeting"):
    """A meeting of a council: agenda, minutes, which member orgs attended."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    council = UUID(index=True)
    org_path = Varchar(length=PATH, index=True)
    title = Varchar(length=200)
    starts_at = Timestamptz()
    place = Varchar(length=300, default="")
    agenda = JSON(default=[])
    minutes = Text(default="")
    attendance = JSON(default=[])
    #: scheduled, held or cancelled.
    status = Varchar(length=16, default="scheduled")
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class JointDecision(Table, tablename="joint_decision"):
    """A decision (议定事项) of a council, possibly taken at one of its meetings."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    council = UUID(index=True)
    meeting = UUID(null=True, default=None)
    org_path = Varchar(length=PATH, index=True)
    title = Varchar(length=200)
    content = Text(default="")
    created_by = UUID()
    created_at = Timestamptz()


class JointTask(Table, tablename="joint_task"):
    """A task of a decision assigned to a member org, followed as a core process (``joint.task``)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    decision = UUID(index=True)
    council = UUID(index=True)
    org_path = Varchar(length=PATH, index=True)
    member_org = UUID(index=True)
    member_path = Varchar(length=PATH)
    title = Varchar(length=200)
    due_on = Date()
    process = UUID(index=True)
    #: the process's state, kept by the type's ``after`` hooks in the step's transaction.
    state = Varchar(length=40, default="assigned")
    progress = Integer(default=0)
    urged = Integer(default=0)
    #: whether the council was told the task is overdue (``joint.task_overdue``, once per task).
    flagged = Integer(default=0)
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class JointTaskReport(Table, tablename="joint_task_report"):
    """A progress report on a task, or a follow-up note (督办) from the council's office."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    task = UUID(index=True)
    #: progress, completion, followup or returned.
    kind = Varchar(length=16)
    progress = Integer(null=True, default=None)
    note = Text(default="")
    actor = UUID()
    created_at = Timestamptz()


class JointReferralRule(Table, tablename="joint_referral_rule"):
    """Within a region (an org's subtree), a request type goes to orgs of a kind (or of a plugin)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    region = UUID(index=True)
    region_path = Varchar(length=PATH, index=True)
    request_type = Varchar(length=64)
    #: an org kind code (``union.grassroots``) or a plugin's prefix (``union.*``).
    target = Varchar(length=64)
    note = Varchar(length=300, default="")
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class JointPartner(Table, tablename="joint_partner"):
    """A partner social organization (合作社会组织) registered with an org: it may take orders dispatched to
    it (接单) through that org, which records its answers (a partner has no login of its own)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(index=True)
    org_path = Varchar(length=PATH, index=True)
    name = Varchar(length=200)
    #: 统一社会信用代码 (18 characters), or empty when not registered yet.
    credit_code = Varchar(length=18, default="")
    #: social_org, enterprise, volunteer_team or institution.
    kind = Varchar(length=32, default="social_org")
    description = Text(default="")
    #: the request (need) types it serves, e.g. ``["legal_aid", "elderly_care"]``.
    need_types = JSON(default=[])
    #: active or inactive.
    status = Varchar(length=16, default="active")
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class JointService(Table, tablename="joint_service"):
    """A service an org publishes on the menu (服务清单): what, for whom, where, how many per period."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(index=True)
    org_path = Varchar(length=PATH, index=True)
    title = Varchar(length=200)
    description = Text(default="")
    #: for whom (服务对象) and on what terms, as the org words it.
    eligibility = Text(default="")
    #: public (anyone may see and order it) or members (members of the org's subtree only).
    audience = Varchar(length=16, default="public")
    #: the request (need) type it answers (``wage_arrears``…), for orders placed by need.
    need_type = Varchar(length=64, default="")
    #: a core place (阵地) where it is given, or null; ``location`` words where otherwise.
    place = UUID(null=True, default=None)
    location = Varchar(length=300, default="")
    #: orders taken per period (null: no limit).
    capacity = Integer(null=True, default=None)
    #: day, week, month, quarter, year or total (the capacity's period).
    period = Varchar(length=16, default="month")
    #: published or withdrawn.
    status = Varchar(length=16, default="published")
    version = Integer(default=1)
    created_by = UUID()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class JointServiceSlot(Table, tablename="joint_service_slot"):
    """The places of a service taken in one period (``2026-12``, ``2026Q4``…), one row per period: an
    order takes one with ``taken = taken + 1 WHERE taken < capacity``, exact under any concurrency."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    service = UUID(index=True)
    period_key = Varchar(length=16)
    taken = Integer(default=0)


class JointOrder(Table, tablename="joint_order"):
    """A person's order (点单) of a service, or of a need routed by the referral rules, followed as a core
    process (``joint.service_order``); dispatched (派单) to an org or a partner, taken (接单), done, rated."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: the service ordered, or null for a need without a matching service (the org dispatches it).
    service = UUID(null=True, default=None, index=True)
    #: the org the order was placed with (the service's, or the one the rules routed the need to).
    org = UUID(index=True)
    org_path = Varchar(length=PATH, index=True)
    need_type = Varchar(length=64, default="")
    #: the referral rule that routed a need (the zero id: the platform's default), or null.
    rule = UUID(null=True, default=None)
    #: who ordered; cleared when the person's data is erased.
    person = UUID(null=True, default=None, index=True)
    process = UUID(null=True, default=None, index=True)
    #: the period whose place the order holds (``2026-12``…), empty when the service has no limit.
    period_key = Varchar(length=16, default="")
    holds_place = Integer(default=0)
    #: the process's state, kept by the type's ``after`` hooks in the step's transaction.
    state = Varchar(length=40, default="ordered")
    assignee_org = UUID(null=True, default=None)
    assignee_path = Varchar(length=PATH, default="")
    partner = UUID(null=True, default=None)
    declines = Integer(default=0)
    dispatched_at = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    #: the person's rating (1–5) after completion, once.
    rating = Integer(null=True, default=None)
    rating_comment = Text(default="")
    rated_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class JointServiceNeed(Table, tablename="joint_service_need"):
    """A survey question (and option) whose demand a service answers: the menu's planning cites the
    needs surveys found (results count the services answering each need)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    service = UUID(index=True)
    survey = UUID(index=True)
    question = Varchar(length=40)
    #: the option cited, or empty for the question as a whole.
    option = Varchar(length=40, default="")


class JointSurvey(Table, tablename="joint_survey"):
    """A needs survey (需求调查) of an org: for the public of its region or the members of its subtree."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(index=True)
    org_path = Varchar(length=PATH, index=True)
    title = Varchar(length=200)
    description = Text(default="")
    #: region (the public of the org's subtree) or members (the members of the org's subtree).
    audience = Varchar(length=16, default="region")
    #: ``[{"code", "kind", "text", "options": [{"code", "label"}], "required"}]``, fixed once a run opened.
    questions = JSON(default=[])
    #: active or archived.
    status = Varchar(length=16, default="active")
    version = Integer(default=1)
    created_by = UUID()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class JointSurveyRun(Table, tablename="joint_survey_run"):
    """One quarter's run of a survey (``2026Q4``), open for answers until closed."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    survey = UUID(index=True)
    org_path = Varchar(length=PATH, index=True)
    period = Varchar(length=8)
    #: open or closed.
    status = Varchar(length=16, default="open")
    responses = Integer(default=0)
    opened_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class JointSurveyRespondent(Table, tablename="joint_survey_respondent"):
    """Who answered a run: one row per person and run under a unique key — and nothing of what they
    answered (that is on a sheet of its own)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    run = UUID(index=True)
    person = UUID(index=True)
    created_at = Timestamptz()


class JointSurveySheet(Table, tablename="joint_survey_sheet"):
    """One response's sheet: the run and the org the respondent was counted under, no person."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    run = UUID(index=True)
    survey = UUID()
    org = UUID()
    org_path = Varchar(length=PATH)


class JointSurveyAnswer(Table, tablename="joint_survey_answer"):
    """One answer of a sheet: an option chosen (a row per option of a multiple choice), a rating or a text."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    sheet = UUID(index=True)
    run = UUID()
    question = Varchar(length=40)
    option = Varchar(length=40, null=True, default=None)
    rating = Integer(null=True, default=None)
    text = Text(null=True, default=None)
    #: the sheet's org path, copied so a subtree's results are one range scan.
    org_path = Varchar(length=PATH)


TABLES = [
    JointCouncil,
    JointMember,
    JointMeeting,
    JointDecision,
    JointTask,
    JointTaskReport,
    JointReferralRule,
    JointPartner,
    JointService,
    JointServiceSlot,
    JointOrder,
    JointServiceNeed,
    JointSurvey,
    JointSurveyRun,
    JointSurveyRespondent,
    JointSurveySheet,
    JointSurveyAnswer,
]

APP_CONFIG = AppConfig(
    app_name="joint",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=TABLES,
    migration_dependencies=["core.orgs.piccolo_app", "core.processes.piccolo_app"],
)
