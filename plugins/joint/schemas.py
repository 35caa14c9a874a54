"""Request and response bodies of the joint plugin (schema names carry the ``Joint`` prefix)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Long = Annotated[str, msgspec.Meta(max_length=5000)]
Code = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class JointCouncilIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org_id: UUID
    name: Name
    description: Long = ""


class JointCouncilUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | None = None
    description: Long | None = None
    status: Literal["active", "dissolved"] | None = None


class JointRepresentativeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    person_id: UUID
    #: the post the person holds in the member org today (工会主席, 团委书记, 妇联主席…).
    post_title: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class JointMemberIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org_id: UUID
    role: Literal["convenor", "member"] = "member"
    representative: JointRepresentativeIn | None = None


class JointMember(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    org_name: str
    org_kind: str
    #: the plugin owning the member org's kind (``core`` for the Party's own).
    plugin: str
    role: str
    representative_id: UUID | None
    post_title: str


class JointCouncil(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    name: str
    description: str
    status: str
    version: int
    created_at: datetime


class JointCouncilDetail(JointCouncil, kw_only=True):
    members: list[JointMember]
    tasks_open: int
    tasks_overdue: int
    tasks_completed: int


class JointMeetingIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Name
    starts_at: datetime
    place: Annotated[str, msgspec.Meta(max_length=300)] = ""
    agenda: Annotated[list[Name], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)


class JointMeetingUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Name | None = None
    starts_at: datetime | None = None
    place: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    agenda: Annotated[list[Name], msgspec.Meta(max_length=50)] | None = None
    minutes: Annotated[str, msgspec.Meta(max_length=20000)] | None = None
    #: the member orgs (org ids) that attended.
    attendance: Annotated[list[UUID], msgspec.Meta(max_length=200)] | None = None
    status: Literal["scheduled", "held", "cancelled"] | None = None


class JointMeeting(msgspec.Struct, kw_only=True):
    id: UUID
    council_id: UUID
    title: str
    starts_at: datetime
    place: str
    agenda: list[str]
    minutes: str
    attendance: list[UUID]
    #: attended member orgs / all member orgs, when the meeting was held.
    attendance_rate: float | None
    status: str
    version: int


class JointTaskIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org_id: UUID
    title: Name
    due_on: date


class JointDecisionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Name
    content: Long = ""
    meeting_id: UUID | None = None
    tasks: Annotated[list[JointTaskIn], msgspec.Meta(min_length=1, max_length=100)]


class JointTask(msgspec.Struct, kw_only=True):
    id: UUID
    decision_id: UUID
    council_id: UUID
    org_id: UUID
    title: str
    due_on: date
    process_id: UUID
    state: str
    progress: int
    overdue: bool
    urged: int
    closed_at: datetime | None


class JointReport(msgspec.Struct, kw_only=True):
    id: UUID
    kind: str
    progress: int | None
    note: str
    created_at: datetime


class JointTaskDetail(JointTask, kw_only=True):
    reports: list[JointReport]


class JointDecision(msgspec.Struct, kw_only=True):
    id: UUID
    council_id: UUID
    meeting_id: UUID | None
    title: str
    content: str
    created_at: datetime
    tasks: list[JointTask]


class JointFollowUpIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class JointRuleIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    region_id: UUID
    request_type: Code
    #: an org kind (``union.grassroots``) or every kind of a plugin (``union.*``).
    target: Annotated[str, msgspec.Meta(min_length=3, max_length=64)]
    note: Annotated[str, msgspec.Meta(max_length=300)] = ""


class JointRuleUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    target: Annotated[str, msgspec.Meta(min_length=3, max_length=64)] | None = None
    note: Annotated[str, msgspec.Meta(max_length=300)] | None = None


class JointRule(msgspec.Struct, kw_only=True):
    id: UUID
    region_id: UUID
    request_type: str
    target: str
    note: str
    #: whether a plugin owning the target kind is installed.
    installed: bool
    version: int


class JointRouteIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    #: where the request arose (the person's community, the inbox's org, the integrator's region).
    org_id: UUID
    request_type: Code


class JointRoute(msgspec.Struct, kw_only=True):
    request_type: str
    rule_id: UUID
    #: the region whose rule applied (the nearest one above the org).
    region_id: UUID
    target: str
    plugin: str
    org_id: UUID
    org_name: str
    org_kind: str


class JointRequestType(msgspec.Struct, kw_only=True):
    code: str
    name: dict[str, str]
    default_target: str
    installed: bool


# --- the service menu ------------------------------------------------------------------------------------

Audience = Literal["public", "members"]
Period = Literal["day", "week", "month", "quarter", "year", "total"]
Capacity = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
Location = Annotated[str, msgspec.Meta(max_length=300)]
PartnerKind = Literal["social_org", "enterprise", "volunteer_team", "institution"]
#: 统一社会信用代码: 18 characters of digits and capitals (GB 32100).
CreditCode = Annotated[str, msgspec.Meta(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")]


class JointServiceIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org_id: UUID
    title: Name
    description: Long = ""
    #: for whom (服务对象) and on what terms.
    eligibility: Long = ""
    #: public: anyone may see and order it; members: members of the org's subtree only.
    audience: Audience = "public"
    #: the request (need) type it answers, for orders placed by need (``wage_arrears``…).
    need_type: Code | None = None
    #: a place (阵地) of the org, of an org above it or beneath it.
    place_id: UUID | None = None
    location: Location = ""
    #: orders taken per period; null: no limit.
    capacity: Capacity | None = None
    period: Period = "month"
    #: the needs-survey questions (and options) whose demand the service answers.
    answers: Annotated[list[JointNeedRefIn], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )


class JointServiceUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Name | UnsetType = UNSET
    description: Long | UnsetType = UNSET
    eligibility: Long | UnsetType = UNSET
    audience: Audience | UnsetType = UNSET
    need_type: Code | UnsetType | None = UNSET
    place_id: UUID | UnsetType | None = UNSET
    location: Location | UnsetType = UNSET
    capacity: Capacity | UnsetType | None = UNSET
    period: Period | UnsetType = UNSET
    status: Literal["published", "withdrawn"] | UnsetType = UNSET
    answers: Annotated[list[JointNeedRefIn], msgspec.Meta(max_length=20)] | UnsetType = UNSET


class JointService(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    org_name: str
    title: str
    description: str
    eligibility: str
    audience: str
    need_type: str | None
    place_id: UUID | None
    place_name: str | None
    location: str
    capacity: int | None
    period: str
    #: the current period (``2026-12``, ``2026Q4``…) and the places taken and left in it.
    period_key: str
    taken: int
    remaining: int | None
    status: str
    version: int
    created_at: datetime
    #: the needs it answers (survey questions and options), for the menu's planning.
    answers: list[JointNeedRef] = msgspec.field(default_factory=list)


class JointPartnerIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    #: the org the partner is registered with (orders reach it through this org).
    org_id: UUID
    name: Name
    credit_code: CreditCode | None = None
    kind: PartnerKind = "social_org"
    description: Long = ""
    need_types: Annotated[list[Code], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)


class JointPartnerUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | UnsetType = UNSET
    description: Long | UnsetType = UNSET
    kind: PartnerKind | UnsetType = UNSET
    need_types: Annotated[list[Code], msgspec.Meta(max_length=50)] | UnsetType = UNSET
    status: Literal["active", "inactive"] | UnsetType = UNSET


class JointPartner(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    name: str
    credit_code: str | None
    kind: str
    description: str
    need_types: list[str]
    status: str
    version: int
    created_at: datetime


class JointOrderIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    #: what the person needs, in their words (no ID numbers or phones).
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class JointNeedOrderIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An order by need type: the referral rules route it to an org, whose matching service it orders."""

    need_type: Code
    #: where the person is: their home org or an org they are a member of (default: the home org).
    org_id: UUID | None = None
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class JointRatingIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    rating: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Annotated[str, msgspec.Meta(max_length=500)] = ""


class JointOrder(msgspec.Struct, kw_only=True):
    id: UUID
    process_id: UUID | None
    service_id: UUID | None
    service_title: str | None
    #: the org the order was placed with.
    org_id: UUID
    need_type: str | None
    person_id: UUID | None
    #: ordered, dispatched, accepted, done, cancelled or refused (the process's state).
    state: str
    period_key: str | None
    #: where it was dispatched (派单) and the partner social organization taking it, if any.
    assignee_org_id: UUID | None
    partner_id: UUID | None
    declines: int
    dispatched_at: datetime | None
    accepted_at: datetime | None
    done_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    rating_comment: str
    rated_at: datetime | None
    created_at: datetime
    #: how a need was routed (rule, region, org), for orders placed by need type.
    route: JointRoute | None = None


class JointServiceFigure(msgspec.Struct, kw_only=True):
    service_id: UUID
    org_id: UUID
    title: str
    status: str
    ordered: int
    dispatched: int
    done: int
    rated: int
    average_rating: float | None


class JointOrgServiceFigure(msgspec.Struct, kw_only=True):
    org_id: UUID
    org_name: str
    services: int
    ordered: int
    dispatched: int
    done: int
    rated: int
    average_rating: float | None


class JointServiceFigures(msgspec.Struct, kw_only=True):
    org_id: UUID
    ordered: int
    dispatched: int
    done: int
    average_rating: float | None
    orgs: list[JointOrgServiceFigure]
    services: list[JointServiceFigure]


# --- needs surveys ---------------------------------------------------------------------------------------

QuestionCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Quarter = Annotated[str, msgspec.Meta(pattern=r"^\d{4}Q[1-4]$")]


class JointOptionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: QuestionCode
    label: Name


class JointQuestionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    #: the question's code, unique in the survey (what services cite and answers name).
    code: QuestionCode
    kind: Literal["single", "multiple", "rating", "text"]
    text: Name
    #: two or more for single and multiple choice; none for rating (1–5) and text.
    options: Annotated[list[JointOptionIn], msgspec.Meta(max_length=30)] = msgspec.field(default_factory=list)
    required: bool = True


class JointOption(msgspec.Struct, kw_only=True):
    code: str
    label: str


class JointQuestion(msgspec.Struct, kw_only=True):
    code: str
    kind: str
    text: str
    options: list[JointOption] = msgspec.field(default_factory=list)
    required: bool = True


Questions = Annotated[list[JointQuestionIn], msgspec.Meta(min_length=1, max_length=50)]


class JointSurveyIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org_id: UUID
    title: Name
    description: Long = ""
    #: region: the public of the org's subtree; members: the members of the org's subtree.
    audience: Literal["region", "members"] = "region"
    questions: Questions


class JointSurveyUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Name | UnsetType = UNSET
    description: Long | UnsetType = UNSET
    status: Literal["active", "archived"] | UnsetType = UNSET
    #: only before the first run opens.
    questions: Questions | UnsetType = UNSET


class JointSurvey(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    title: str
    description: str
    audience: str
    questions: list[JointQuestion]
    status: str
    version: int
    created_at: datetime


class JointRunIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    #: the quarter (``2026Q4``); this quarter when left out.
    period: Quarter | None = None


class JointSurveyRun(msgspec.Struct, kw_only=True):
    id: UUID
    survey_id: UUID
    period: str
    #: open or closed.
    status: str
    responses: int
    opened_at: datetime
    closed_at: datetime | None
    version: int


class JointSurveyRunDetail(JointSurveyRun, kw_only=True):
    survey: JointSurvey
    #: whether the caller answered this run.
    answered: bool


class JointAnswerIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One answer: ``option`` (single choice), ``options`` (multiple), ``rating`` (1–5) or ``text``."""

    question: QuestionCode
    option: QuestionCode | None = None
    options: Annotated[list[QuestionCode], msgspec.Meta(max_length=30)] | None = None
    rating: Annotated[int, msgspec.Meta(ge=1, le=5)] | None = None
    text: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class JointResponseIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    answers: Annotated[list[JointAnswerIn], msgspec.Meta(max_length=50)]


class JointResponseReceipt(msgspec.Struct, kw_only=True):
    run_id: UUID
    period: str
    received_at: datetime


class JointOptionResult(msgspec.Struct, kw_only=True):
    code: str
    label: str
    count: int
    #: count / people who answered the question (null when nobody did).
    share: float | None
    #: published services of the menu (of orgs in the subtree or above it) citing this option.
    services: int


class JointQuestionResult(msgspec.Struct, kw_only=True):
    code: str
    kind: str
    text: str
    answered: int
    options: list[JointOptionResult]
    #: how many answered 1, 2, 3, 4 and 5 (rating questions).
    ratings: list[int] | None
    average_rating: float | None
    #: the text answers, without names — only for holders of joint.survey_text.read (else null).
    texts: list[str] | None
    #: published services citing the question as a whole.
    services: int


class JointSurveyResults(msgspec.Struct, kw_only=True):
    run_id: UUID
    survey_id: UUID
    period: str
    #: the subtree counted.
    org_id: UUID
    responses: int
    #: whether text answers are included (the reader holds joint.survey_text.read there).
    texts_shown: bool
    questions: list[JointQuestionResult]


class JointNeedRefIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A survey question (and option) whose demand a service answers."""

    survey_id: UUID
    question: QuestionCode
    option: QuestionCode | None = None


class JointNeedRef(msgspec.Struct, kw_only=True):
    survey_id: UUID
    question: str
    option: str | None
