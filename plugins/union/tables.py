"""The union's tables (``union_``). Money is kept in fen (分, integer cents); persons by the core's id.

Every change needs a migration in ``piccolo_migrations/``. Columns named ``org_path`` keep a copy of an
org path and are declared to the core (``quntuan_org_path_columns``), which rewrites them on a move.
"""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, BigInt, Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class UnionSetting(Table, tablename="union_setting"):
    """The rules a federation or grassroots union sets for its subtree (dues rate and rounding,
    exemptions, the funds split, formation thresholds); the nearest org up the tree with a row rules."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(unique=True)
    org_path = Varchar(length=255, index=True)
    #: The rules as :class:`plugins.union.rules.UnionRules` (JSON).
    rules = JSON(default={})
    version = Integer(default=1)
    updated_at = Timestamptz(default=TimestamptzNow())


class UnionOrgProfile(Table, tablename="union_org_profile"):
    """What kind of grassroots union an org is (企业/联合/楼宇/行业/街道) and how it is led
    (委员会 or 组织员), and the unit it serves."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(unique=True)
    org_path = Varchar(length=255, index=True)
    #: enterprise, joint, building, industry or street.
    form = Varchar(length=16, default="enterprise")
    #: committee (工会委员会) or organizer (工会组织员).
    leadership = Varchar(length=16, default="committee")
    version = Integer(default=1)
    updated_at = Timestamptz(default=TimestamptzNow())


class UnionMember(Table, tablename="union_member"):
    """A union member's file (会员档案), one per person nationwide: the card number follows the member
    through transfers; ``org`` is the union of their active membership (kept by the membership hook)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    person = UUID(unique=True)
    #: 会员证号, unique nationwide.
    card_number = Varchar(length=20, unique=True)
    org = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    #: employee (标准劳动关系) or a 新就业形态 form: courier, delivery_rider, ride_hailing, truck_driver,
    #: domestic, other_new_form.
    employment = Varchar(length=24, default="employee")
    employer_name = Varchar(length=200, default="")
    #: The registered unit (core coverage registry) the member works in, when known.
    employer_unit = UUID(null=True, default=None, index=True)
    #: Monthly wage in fen, the base of the dues (null: not yet known).
    monthly_wage = BigInt(null=True, default=None)
    #: 流动会员: no fixed employer; their membership follows them from union to union.
    floating = Boolean(default=False)
    #: An exemption category (hardship, unemployed, no_income, retired) or empty.
    dues_exemption = Varchar(length=24, default="")
    #: application, register, import or core (joined through the core's member routes).
    joined_via = Varchar(length=16, default="register")
    #: Why the last membership ended (retired, left_job, resigned, deceased, other) or empty.
    left_reason = Varchar(length=16, default="")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class UnionDues(Table, tablename="union_dues"):
    """Dues (会费) of one member for one month: the amount due, what was paid, and whether exempt."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    person = UUID(index=True)
    #: The union the dues belong to (the member's union that month).
    org = UUID()
    org_path = Varchar(length=255, index=True)
    #: YYYY-MM.
    month = Varchar(length=7)
    wage = BigInt(default=0)
    due = BigInt(default=0)
    paid = BigInt(default=0)
    #: due, paid, partial or exempt.
    status = Varchar(length=8, default="due")
    exemption = Varchar(length=24, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class UnionDuesPayment(Table, tablename="union_dues_payment"):
    """One payment of dues (online, payroll deduction or cash), covering one or more months."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    person = UUID(index=True)
    org = UUID()
    org_path = Varchar(length=255, index=True)
    amount = BigInt()
    #: online, payroll or cash.
    channel = Varchar(length=8)
    #: The payment provider's reference (online) or a receipt number.
    reference = Varchar(length=64, default="")
    months = JSON(default=[])
    recorded_by = UUID()
    paid_at = Timestamptz(default=TimestamptzNow())


class UnionFund(Table, tablename="union_fund"):
    """Union funds (工会经费) an employer owes for one month: 2% of payroll, split between the
    grassroots union and the levels above as the rules say."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: The grassroots union receiving the funds.
    org = UUID()
    org_path = Varchar(length=255, index=True)
    #: The employer (core registered unit), when registered.
    unit = UUID(null=True, default=None)
    employer_name = Varchar(length=200, default="")
    month = Varchar(length=7)
    payroll = BigInt()
    amount = BigInt()
    paid = BigInt(default=0)
    #: {"grassroots": fen, "county": fen, …} of ``amount``.
    split = JSON(default={})
    status = Varchar(length=8, default="due")
    version = Integer(default=1)
    updated_at = Timestamptz(default=TimestamptzNow())


class UnionHardshipFile(Table, tablename="union_hardship_file"):
    """A hardship file (困难职工档案) once verified: its process, category and state; closed on 解困脱困."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    process = UUID(unique=True)
    person = UUID(index=True)
    org = UUID()
    org_path = Varchar(length=255, index=True)
    #: deep (深度困难), relative (相对困难) or accident (意外致困).
    category = Varchar(length=16)
    household_size = Integer(default=1)
    #: Monthly household income in fen.
    household_income = BigInt(default=0)
    #: The help granted with the approval (fen), as published.
    granted = BigInt(default=0)
    #: notice (on public notice), open (filed, receiving help) or closed (解困脱困).
    status = Varchar(length=8, default="notice")
    notice_closes_at = Timestamptz(null=True, default=None)
    opened_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)


class UnionHelp(Table, tablename="union_help"):
    """Help given on a hardship file: money, goods or services (送温暖, 金秋助学, 医疗互助 …)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    file = UUID(index=True)
    person = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    #: money, goods or service.
    kind = Varchar(length=8)
    #: warmth (送温暖), education (金秋助学), medical (医疗互助), employment, other.
    programme = Varchar(length=16)
    amount = BigInt(default=0)
    note = Varchar(length=300, default="")
    given_on = Varchar(length=10)
    recorded_by = UUID()
    created_at = Timestamptz(default=TimestamptzNow())


class UnionAgreement(Table, tablename="union_agreement"):
    """A collective wage agreement in force once filed (备案): its term, for reminders and coverage."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    process = UUID(unique=True)
    org = UUID()
    org_path = Varchar(length=255, index=True)
    #: enterprise, industry or region.
    scope = Varchar(length=12)
    enterprises = Integer(default=1)
    employees = Integer(default=0)
    wage_increase_permille = Integer(default=0)
    #: YYYY-MM-DD, the last day of the term.
    term_end = Varchar(length=10, index=True)
    filing_number = Varchar(length=64, default="")
    #: in_force, reminded (expiry announced) or expired.
    status = Varchar(length=10, default="in_force")


class UnionRepresentative(Table, tablename="union_representative"):
    """A member representative (会员代表常任制) of a union for a term, elected by a constituency."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    person = UUID(index=True)
    #: The constituency (选区), e.g. a workshop or a union group.
    constituency = Varchar(length=100)
    term_start = Varchar(length=10)
    term_end = Varchar(length=10)
    #: active or ended.
    status = Varchar(length=8, default="active")


class UnionDutyReport(Table, tablename="union_duty_report"):
    """A representative's annual duty report (履职述职)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    representative = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    year = Integer()
    summary = Varchar(length=3000)
    created_at = Timestamptz(default=TimestamptzNow())


class UnionEvaluation(Table, tablename="union_evaluation"):
    """A member's evaluation of their representative for one year (one per member and year)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    representative = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    year = Integer()
    evaluator = UUID(index=True)
    #: satisfied (满意), basic (基本满意) or unsatisfied (不满意).
    rating = Varchar(length=12)
    created_at = Timestamptz(default=TimestamptzNow())


class UnionBenefit(Table, tablename="union_benefit"):
    """A member-benefit programme a union declares for one year (职工疗休养, 节日慰问, 体检 …) with a quota
    per member: a number of times or an amount (fen). Members of the union's subtree apply through the
    ``union.benefit`` process."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    year = Integer()
    name = Varchar(length=100)
    #: rest_trip (疗休养), festival (节日慰问), checkup (体检), birthday (生日慰问), culture (文体), other.
    category = Varchar(length=16)
    #: times (次数) or amount (金额, fen).
    measure = Varchar(length=8, default="times")
    #: Per member for the year: times, or fen.
    quota = BigInt()
    description = Varchar(length=1000, default="")
    #: open (taking applications) or closed.
    status = Varchar(length=8, default="open")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class UnionBenefitBalance(Table, tablename="union_benefit_balance"):
    """How much of a programme's quota one member holds (pending and granted applications): one row per
    programme and member (a unique index), raised only by a conditional update that keeps it within the
    quota, so two applications for the last unit cannot both pass."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    benefit = UUID()
    person = UUID(index=True)
    #: The member's union path when they first applied.
    org_path = Varchar(length=255, index=True)
    used = BigInt(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class UnionBenefitUse(Table, tablename="union_benefit_use"):
    """One application against a programme's quota (its ``union.benefit`` process) and what became of it."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    benefit = UUID(index=True)
    process = UUID(unique=True)
    person = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    quantity = BigInt()
    #: pending (applied, quota held), granted (approved), used (enjoyed) or released (rejected, withdrawn,
    #: cancelled: quota given back).
    status = Varchar(length=8, default="pending")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class UnionCompetition(Table, tablename="union_competition"):
    """A labour or skills competition (劳动竞赛, 技能比武): a core event of type
    ``union.labour_competition`` a union published, kept here with what its results need."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    event = UUID(unique=True)
    org = UUID()
    org_path = Varchar(length=255, index=True)
    title = Varchar(length=200)
    #: The trade competed in (工种).
    trade = Varchar(length=50, default="")
    #: unit, county, city, province or national.
    level = Varchar(length=16, default="unit")
    #: A team competition (班组赛): results name teams, not persons.
    team = Boolean(default=False)
    #: The event's visibility: published results of a public event are readable by every signed-in caller.
    visibility = Varchar(length=16, default="public")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    #: scheduled, recorded (results entered), published (results announced) or cancelled.
    status = Varchar(length=10, default="scheduled")
    published_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    updated_at = Timestamptz(default=TimestamptzNow())


class UnionCompetitionResult(Table, tablename="union_competition_result"):
    """One result of a competition: a participant (person) or a team, with rank, score and award."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    competition = UUID(index=True)
    org_path = Varchar(length=255, index=True)
    person = UUID(null=True, default=None, index=True)
    team_name = Varchar(length=100, default="")
    #: The participant's or team's unit (班组, 车间, 企业).
    unit = Varchar(length=200, default="")
    rank = Integer(null=True, default=None)
    #: The score as written by the judges (decimal text, e.g. 96.5).
    score = Varchar(length=16, default="")
    #: first (一等奖), second, third, excellence (优秀奖) or none.
    award = Varchar(length=12, default="none")
    #: A title conferred with the result, e.g. 技术能手, 岗位能手.
    title = Varchar(length=50, default="")


TABLES: list[type[Table]] = [
    UnionSetting,
    UnionOrgProfile,
    UnionMember,
    UnionDues,
    UnionDuesPayment,
    UnionFund,
    UnionHardshipFile,
    UnionHelp,
    UnionAgreement,
    UnionRepresentative,
    UnionDutyReport,
    UnionEvaluation,
    UnionBenefit,
    UnionBenefitBalance,
    UnionBenefitUse,
    UnionCompetition,
    UnionCompetitionResult,
]
