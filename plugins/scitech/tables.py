"""The scitech plugin's tables (``scitech_*``); every change needs a migration in ``piccolo_migrations/``.

Every row carries ``org_path``, a copy of its org's path that the core rewrites when the org moves
(declared in ``quntuan_org_path_columns``), so a subtree is one range scan.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from piccolo.columns import UUID, Boolean, Date, Integer, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.conf.apps import AppConfig
from piccolo.table import Table

PATH = 120


class ScitechExpert(Table, tablename="scitech_expert"):
    """An expert or S&T worker (专家/科技工作者) in the library (专家库) an association keeps."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(index=True)  #: the association (or society) whose library lists the expert
    org_path = Varchar(length=PATH)
    #: The core's person, when the expert is one (erasure and export reach this row through it).
    person = UUID(null=True, default=None, index=True)
    name = Varchar(length=100)
    #: 职称 as written (教授, 研究员, 正高级工程师…), and its grade for filtering.
    title = Varchar(length=100, default="")
    title_grade = Varchar(length=16, default="other")
    employer = Varchar(length=200, default="")
    #: JSON lists: discipline codes as given (GB/T 13745) and expertise tags as written.
    disciplines = Text(default="[]")
    tags = Text(default="[]")
    bio = Text(default="")
    #: Willing to take consulting work (愿意承担咨询), and how many open engagements at most.
    willing = Boolean(default=True)
    max_engagements = SmallInt(default=3)
    #: Open engagements (consulting topics assigned, not yet closed): kept with the assignments.
    engagements = SmallInt(default=0)
    status = Varchar(length=16, default="active")
    #: Folded search key (simplified, lower case) of name, employer, title and tags; pinyin initials.
    search_text = Varchar(length=1000, default="")
    initials = Varchar(length=300, default="")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ScitechExpertDiscipline(Table, tablename="scitech_expert_discipline"):
    """One discipline an expert is found under: each code given and its first-level parent."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    expert = UUID()
    code = Varchar(length=8)
    org_path = Varchar(length=PATH)


class ScitechExpertTag(Table, tablename="scitech_expert_tag"):
    """One expertise tag of an expert, folded (工業互聯網 → 工业互联网) for exact matching."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    expert = UUID()
    tag = Varchar(length=40)
    org_path = Varchar(length=PATH)


class ScitechConsultAssignment(Table, tablename="scitech_consult_assignment"):
    """An expert assigned to a decision-consulting topic (a process of ``scitech.consulting``)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    process = UUID()
    expert = UUID()
    lead = Boolean(default=False)
    org_path = Varchar(length=PATH)
    assigned_at = Timestamptz(default=TimestamptzNow())
    #: When the topic closed and the engagement ended.
    released_at = Timestamptz(null=True, default=None)


class ScitechConsultDraft(Table, tablename="scitech_consult_draft"):
    """One draft of a topic's report (初稿, 修改稿…), numbered per topic."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    process = UUID()
    number = SmallInt()
    summary = Text()
    org_path = Varchar(length=PATH)
    created_at = Timestamptz(default=TimestamptzNow())


class ScitechConsultReport(Table, tablename="scitech_consult_report"):
    """A topic's submitted report (咨询报告/建议) and, once it happens, its adoption (批示 or 采纳)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    process = UUID(unique=True)
    org = UUID()
    org_path = Varchar(length=PATH)
    title = Varchar(length=200)
    discipline = Varchar(length=8, default="")
    source = Varchar(length=16)
    submitted_to = Varchar(length=200, default="")
    submitted_at = Timestamptz()
    submitted_year = SmallInt()
    #: instruction (领导批示) or adoption (部门采纳); empty until adopted.
    adoption = Varchar(length=16, default="")
    adopted_by = Varchar(length=200, default="")
    adopted_level = Varchar(length=16, default="")
    adopted_on = Date(null=True, default=None)
    adopted_year = SmallInt(null=True, default=None)


class ScitechActivity(Table, tablename="scitech_activity"):
    """A science-popularization activity (科普活动) and how many people it reached, offline and online.

    One is kept for every popularization event a scitech org publishes (``event``), or recorded directly
    (a caravan's tour, a campaign without sign-up)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID()
    org_path = Varchar(length=PATH)
    event = UUID(null=True, default=None, unique=True)
    #: lecture, science_day, visit, caravan, other.
    kind = Varchar(length=16)
    title = Varchar(length=200)
    held_on = Date()
    offline = Integer(default=0)
    online = Integer(default=0)
    status = Varchar(length=16, default="held")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ScitechResource(Table, tablename="scitech_resource"):
    """A popularization resource (科普资源): an article, a video or an exhibit, with tags."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID()
    org_path = Varchar(length=PATH)
    kind = Varchar(length=16)
    title = Varchar(length=200)
    summary = Text(default="")
    url = Varchar(length=500, default="")
    tags = Text(default="[]")
    #: ``|tag|tag|`` folded, for exact tag filters; and the folded text with pinyin initials.
    tag_key = Varchar(length=1000, default="")
    search_text = Varchar(length=1000, default="")
    initials = Varchar(length=300, default="")
    status = Varchar(length=16, default="published")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ScitechSocietyMember(Table, tablename="scitech_society_member"):
    """A member of an academic society (学会会员): a person (individual) or a unit (group member, 单位会员),
    with a membership number, grade, term and yearly dues — a society's own roll, beside the core's."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    society = UUID()
    org_path = Varchar(length=PATH)
    kind = Varchar(length=16)
    #: The core's person, for an individual member who is one.
    person = UUID(null=True, default=None, index=True)
    #: The member's name (a person's or a unit's), folded and by initials for search.
    name = Varchar(length=200)
    search_text = Varchar(length=400, default="")
    member_no = Varchar(length=32)
    #: member, senior, fellow (会员, 高级会员, 会士) or council, unit (理事单位, 会员单位).
    grade = Varchar(length=16)
    joined_on = Date()
    term_start = Date()
    term_end = Date()
    #: Yearly dues in yuan (a decimal string), and the last year paid.
    dues = Varchar(length=16, default="0")
    paid_through = SmallInt(null=True, default=None)
    status = Varchar(length=16, default="active")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ScitechSocietyDues(Table, tablename="scitech_society_dues"):
    """One year's dues paid by a society member (会费)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    member = UUID()
    society = UUID()
    org_path = Varchar(length=PATH)
    year = SmallInt()
    amount = Varchar(length=16)
    paid_on = Date()
    created_at = Timestamptz(default=TimestamptzNow())


class ScitechStation(Table, tablename="scitech_station"):
    """An expert workstation serving an enterprise (院士专家工作站, 科技服务站), kept by an association."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID()
    org_path = Varchar(length=PATH)
    #: academician (院士专家工作站), expert (专家工作站), service (科技服务站).
    kind = Varchar(length=16)
    name = Varchar(length=200)
    host = Varchar(length=200)
    #: The host enterprise's unified social credit code, when known.
    host_credit_code = Varchar(length=18, default="")
    established_on = Date()
    status = Varchar(length=16, default="active")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class ScitechStationExpert(Table, tablename="scitech_station_expert"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    station = UUID()
    expert = UUID()
    lead = Boolean(default=False)
    org_path = Varchar(length=PATH)
    joined_on = Date()


class ScitechStationProject(Table, tablename="scitech_station_project"):
    """A cooperation project of a station (合作项目)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    station = UUID()
    org_path = Varchar(length=PATH)
    title = Varchar(length=200)
    started_on = Date()
    status = Varchar(length=16, default="ongoing")
    created_at = Timestamptz(default=TimestamptzNow())


class ScitechStationResult(Table, tablename="scitech_station_result"):
    """A result of a station's project: a patent, a standard, a product, a paper, training, other."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    project = UUID()
    station = UUID()
    org_path = Varchar(length=PATH)
    kind = Varchar(length=16)
    title = Varchar(length=200)
    achieved_on = Date()
    #: Economic benefit in yuan (a decimal string), when reported.
    benefit = Varchar(length=16, default="0")
    created_at = Timestamptz(default=TimestamptzNow())


class ScitechContest(Table, tablename="scitech_contest"):
    """A technology contest (科技比武) a scitech org published as a core event, and its results."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    event = UUID(unique=True)
    org = UUID()
    org_path = Varchar(length=PATH)
    title = Varchar(length=200)
    field = Varchar(length=100, default="")
    level = Varchar(length=16, default="")
    held_on = Date()
    status = Varchar(length=16, default="scheduled")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class ScitechContestResult(Table, tablename="scitech_contest_result"):
    """One placing in a contest: the entrant (a person or a team), rank and award."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    contest = UUID()
    org_path = Varchar(length=PATH)
    entrant = Varchar(length=200)
    person = UUID(null=True, default=None, index=True)
    rank = SmallInt()
    #: gold/first (一等奖), second, third, excellence (优秀奖).
    award = Varchar(length=16)
    score = Varchar(length=16, default="")


TABLES: list[type[Table]] = [
    ScitechExpert,
    ScitechExpertDiscipline,
    ScitechExpertTag,
    ScitechConsultAssignment,
    ScitechConsultDraft,
    ScitechConsultReport,
    ScitechActivity,
    ScitechResource,
    ScitechSocietyMember,
    ScitechSocietyDues,
    ScitechStation,
    ScitechStationExpert,
    ScitechStationProject,
    ScitechStationResult,
    ScitechContest,
    ScitechContestResult,
]

APP_CONFIG = AppConfig(
    app_name="scitech",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["core.orgs.piccolo_app", "core.identity.piccolo_app"],
)
