"""``/api/v1/joint/surveys…`` and ``/survey-runs…``: needs surveys (需求调查), run per quarter.

A survey of an org asks the public of its region (``audience`` region: people whose home org or a
membership lies in the org's subtree) or the members of its subtree (members) single-choice,
multiple-choice, rating (1–5) and text questions. It runs per quarter (``2026Q4``): one run open at a
time, opened and closed by the org's cadres. A person answers a run once: who answered is one row under
the unique key (run, person), inserted with ``ON CONFLICT DO NOTHING`` — of two submissions at once exactly
one counts, on PostgreSQL and SQLite alike. The answers are kept apart from that row, on a sheet that
names only the org the person was counted under (their home org, or the deepest of their memberships in
the survey's subtree): results never carry names, and text answers are shown only to holders of
``joint.survey_text.read``.

Results are counted for any subtree of the survey's org (per option, the average and spread of ratings,
texts), with how many services of the menu answer each need (a service cites the survey questions and
options whose demand it meets), and exported as a workbook.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core.sdk import (
    Org,
    Page,
    PageParam,
    Principal,
    Problem,
    Text,
    emit,
    fetch_rows,
    paginate,
    reach_clause,
    record_audit,
    request_locale,
    subtree_bounds,
    transaction,
    within,
)
from plugins.joint import permissions as perm
from plugins.joint import schemas as S
from plugins.joint import signals as sig
from plugins.joint.common import (
    IfMatch,
    ancestors,
    check_if_match,
    org_in_reach,
    person_places,
    principal,
    tagged,
    today,
)
from plugins.joint.problems import (
    ALREADY_RESPONDED,
    ANSWER_DUPLICATE,
    ANSWER_MISSING,
    ANSWER_WRONG,
    NO_PERSON,
    NOT_IN_AUDIENCE,
    QUESTION_UNKNOWN,
    QUESTIONS_FIXED,
    QUESTIONS_INVALID,
    RUN_CLOSED,
    RUN_EXISTS,
    RUN_OPEN,
    SURVEY_ARCHIVED,
)
from plugins.joint.tables import (
    JointServiceNeed,
    JointSurvey,
    JointSurveyAnswer,
    JointSurveyRespondent,
    JointSurveyRun,
    JointSurveySheet,
)

Req = Request[Any, Any, Any]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SurveyId = Annotated[uuid.UUID, FromPath]
RunId = Annotated[uuid.UUID, FromPath]
CHOICE = ("single", "multiple")
#: Text answers shown per question at most (the workbook has them all).
TEXTS_SHOWN = 200


def now() -> datetime:
    return datetime.now(UTC)


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def questions_of(row: dict[str, Any]) -> list[S.JointQuestion]:
    return msgspec.convert(_json(row["questions"]) or [], list[S.JointQuestion])


def check_questions(questions: Sequence[S.JointQuestionIn]) -> None:
    """Codes unique; choice questions with two or more options of unique codes; others without."""
    errors = []
    seen: set[str] = set()
    for i, q in enumerate(questions):
        if q.code in seen:
            errors.append((f"/questions/{i}/code", QUESTIONS_INVALID))
        seen.add(q.code)
        codes = [o.code for o in q.options]
        if q.kind in CHOICE and (len(codes) < 2 or len(set(codes)) != len(codes)):
            errors.append((f"/questions/{i}/options", QUESTIONS_INVALID))
        if q.kind not in CHOICE and codes:
            errors.append((f"/questions/{i}/options", QUESTIONS_INVALID))
    if errors:
        raise Problem.invalid(*errors)


def to_survey(row: dict[str, Any]) -> S.JointSurvey:
    return S.JointSurvey(
        id=row["id"],
        org_id=row["org"],
        title=row["title"],
        description=row["description"],
        audience=row["audience"],
        questions=questions_of(row),
        status=row["status"],
        version=row["version"],
        created_at=row["created_at"],
    )


def to_run(row: dict[str, Any]) -> S.JointSurveyRun:
    return S.JointSurveyRun(
        id=row["id"],
        survey_id=row["survey"],
        period=row["period"],
        status=row["status"],
        responses=row["responses"],
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
        version=row["version"],
    )


# --- who is asked --------------------------------------------------------------------------------------


def counted_under(survey: dict[str, Any], places: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The place a person is counted under in a survey: for a region survey their home org when it lies in
    the survey's subtree, else their deepest membership there; for a members survey that membership. None
    when the survey does not ask them."""
    inside = [p for p in places if p["path"].startswith(survey["org_path"])]
    if survey["audience"] == "region":
        home = next((p for p in inside if p["home"]), None)
        if home is not None:
            return home
    members = sorted((p for p in inside if not p["home"]), key=lambda p: (-len(p["path"]), p["path"]))
    return members[0] if members else None


async def survey_row(survey_id: uuid.UUID, caller: Principal, permission: str) -> dict[str, Any]:
    row = await JointSurvey.select().where(JointSurvey.id == survey_id).first().run()
    if row is None or not within(row["org_path"], caller.reach(permission)):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


async def run_and_survey(run_id: uuid.UUID) -> tuple[dict[str, Any], dict[str, Any]]:
    run = await JointSurveyRun.select().where(JointSurveyRun.id == run_id).first().run()
    if run is None:
        raise Problem("not-found")
    survey = await JointSurvey.select().where(JointSurvey.id == run["survey"]).first().run()
    assert survey is not None
    return run, survey


async def _answered(run_ids: list[uuid.UUID], person_id: uuid.UUID | None) -> set[uuid.UUID]:
    if not run_ids or person_id is None:
        return set()
    rows = (
        await JointSurveyRespondent.select(JointSurveyRespondent.run)
        .where(JointSurveyRespondent.run.is_in(run_ids) & (JointSurveyRespondent.person == person_id))
        .run()
    )
    return {r["run"] for r in rows}


def _run_detail(run: dict[str, Any], survey: dict[str, Any], answered: bool) -> S.JointSurveyRunDetail:
    return S.JointSurveyRunDetail(
        **{f: getattr(to_run(run), f) for f in S.JointSurveyRun.__struct_fields__},
        survey=to_survey(survey),
        answered=answered,
    )


# --- answers -----------------------------------------------------------------------------------------------


def checked_answers(
    questions: list[S.JointQuestion], answers: Sequence[S.JointAnswerIn]
) -> list[tuple[S.JointQuestion, S.JointAnswerIn]]:
    """The answers matched to their questions (422 naming the answer that does not fit)."""
    by_code = {q.code: q for q in questions}
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    matched = []
    for i, a in enumerate(answers):
        q = by_code.get(a.question)
        if q is None:
            errors.append((f"/answers/{i}/question", QUESTION_UNKNOWN))
            continue
        if a.question in seen:
            errors.append((f"/answers/{i}/question", ANSWER_DUPLICATE))
            continue
        seen.add(a.question)
        options = {o.code for o in q.options}
        given = [name for name in ("option", "options", "rating", "text") if getattr(a, name) is not None]
        fits = {
            "single": given == ["option"] and a.option in options,
            "multiple": given == ["options"]
            and bool(a.options)
            and len(set(a.options or [])) == len(a.options or [])
            and set(a.options or []) <= options,
            "rating": given == ["rating"],
            "text": given == ["text"] and bool((a.text or "").strip()),
        }[q.kind]
        if not fits:
            errors.append((f"/answers/{i}", ANSWER_WRONG))
            continue
        matched.append((q, a))
    missing = [q.code for q in questions if q.required and q.code not in seen]
    if missing and not errors:
        errors.append(("/answers", ANSWER_MISSING))
    if errors:
        raise Problem.invalid(*errors)
    return matched


_RESPONDED = (
    "INSERT INTO joint_survey_respondent (id, run, person, created_at) VALUES ({}, {}, {}, {}) "
    "ON CONFLICT (run, person) DO NOTHING RETURNING id"
)
_COUNT_IN = "UPDATE joint_survey_run SET responses = responses + 1 WHERE id = {} AND status = 'open' RETURNING responses"


# --- results -----------------------------------------------------------------------------------------------


async def _citations(survey_id: uuid.UUID, org_path: str) -> dict[tuple[str, str], int]:
    """How many published services answer each (question, option) of a survey in the region at
    ``org_path``: services of orgs in it or above it (option ``""``: the question as a whole)."""
    rows = await fetch_rows(
        JointServiceNeed,
        "SELECT n.question, n.option, n.service, s.org_path FROM joint_service_need n "
        "JOIN joint_service s ON s.id = n.service WHERE n.survey = {} AND s.status = 'published'",
        [survey_id],
    )
    counted: dict[tuple[str, str], set[Any]] = {}
    for r in rows:
        path = r["org_path"]
        if path.startswith(org_path) or org_path.startswith(path):
            counted.setdefault((r["question"], r["option"] or ""), set()).add(r["service"])
    return {k: len(v) for k, v in counted.items()}


_SHEETS = "SELECT count(*) AS n FROM joint_survey_sheet WHERE run = {} AND org_path >= {} AND org_path < {}"
_ANSWERED = (
    "SELECT question, count(DISTINCT sheet) AS n FROM joint_survey_answer "
    "WHERE run = {} AND org_path >= {} AND org_path < {} GROUP BY question"
)
_CHOSEN = (
    "SELECT question, option, count(*) AS n FROM joint_survey_answer "
    "WHERE run = {} AND org_path >= {} AND org_path < {} AND option IS NOT NULL GROUP BY question, option"
)
_RATED = (
    "SELECT question, rating, count(*) AS n FROM joint_survey_answer "
    "WHERE run = {} AND org_path >= {} AND org_path < {} AND rating IS NOT NULL GROUP BY question, rating"
)
_TEXTS = "SELECT question, text FROM joint_survey_answer WHERE run = {} AND org_path >= {} AND org_path < {} AND text IS NOT NULL"


async def texts_of(run_id: uuid.UUID, org_path: str) -> dict[str, list[str]]:
    """Every text answer of a run in the subtree at ``org_path``, by question, in order — no names."""
    found: dict[str, list[str]] = {}
    for r in await fetch_rows(JointSurveyAnswer, _TEXTS, [run_id, *subtree_bounds(org_path)]):
        found.setdefault(r["question"], []).append(r["text"])
    for values in found.values():
        values.sort()
    return found


async def results(
    run: dict[str, Any], survey: dict[str, Any], org: dict[str, Any], texts: bool
) -> S.JointSurveyResults:
    args = [run["id"], *subtree_bounds(org["path"])]
    sheets = await fetch_rows(JointSurveySheet, _SHEETS, args)
    responses = int(sheets[0]["n"]) if sheets else 0
    answered = {r["question"]: int(r["n"]) for r in await fetch_rows(JointSurveyAnswer, _ANSWERED, args)}
    chosen = {
        (r["question"], r["option"]): int(r["n"]) for r in await fetch_rows(JointSurveyAnswer, _CHOSEN, args)
    }
    ratings = {
        (r["question"], int(r["rating"])): int(r["n"])
        for r in await fetch_rows(JointSurveyAnswer, _RATED, args)
    }
    written = await texts_of(run["id"], org["path"]) if texts else {}
    cited = await _citations(survey["id"], org["path"])
    out = []
    for q in questions_of(survey):
        n = answered.get(q.code, 0)
        spread = [ratings.get((q.code, score), 0) for score in range(1, 6)] if q.kind == "rating" else None
        rated = sum(spread or [])
        average = (
            round(
                sum(score * count for score, count in zip(range(1, 6), spread or [], strict=False)) / rated, 2
            )
            if rated
            else None
        )
        out.append(
            S.JointQuestionResult(
                code=q.code,
                kind=q.kind,
                text=q.text,
                answered=n,
                options=[
                    S.JointOptionResult(
                        code=o.code,
                        label=o.label,
                        count=chosen.get((q.code, o.code), 0),
                        share=round(chosen.get((q.code, o.code), 0) / n, 4) if n else None,
                        services=cited.get((q.code, o.code), 0),
                    )
                    for o in q.options
                ],
                ratings=spread,
                average_rating=average,
                texts=(written.get(q.code, [])[:TEXTS_SHOWN] if texts else None)
                if q.kind == "text"
                else None,
                services=cited.get((q.code, ""), 0),
            )
        )
    return S.JointSurveyResults(
        run_id=run["id"],
        survey_id=survey["id"],
        period=run["period"],
        org_id=org["id"],
        responses=responses,
        texts_shown=texts,
        questions=out,
    )


_T = {
    "question": Text(zh_hans="题目", zh_hant="題目", en="Question"),
    "option": Text(zh_hans="选项", zh_hant="選項", en="Option"),
    "count": Text(zh_hans="人次", zh_hant="人次", en="Count"),
    "share": Text(zh_hans="占比", zh_hant="佔比", en="Share"),
    "services": Text(zh_hans="对应服务数", zh_hant="對應服務數", en="Services answering it"),
    "answered": Text(zh_hans="作答人数", zh_hant="作答人數", en="Answered"),
    "average": Text(zh_hans="平均分", zh_hant="平均分", en="Average"),
    "score": Text(zh_hans="{n} 分", zh_hant="{n} 分", en="{n} points"),
    "responses": Text(zh_hans="答卷数", zh_hant="答卷數", en="Responses"),
    "period": Text(zh_hans="期次", zh_hant="期次", en="Period"),
    "results": Text(zh_hans="调查结果", zh_hant="調查結果", en="Results"),
    "texts": Text(zh_hans="文字回答", zh_hant="文字回答", en="Text answers"),
    "answer": Text(zh_hans="回答", zh_hant="回答", en="Answer"),
}


def workbook(res: S.JointSurveyResults, title: str, locale: str, all_texts: dict[str, list[str]]) -> bytes:
    """The results as a workbook: one sheet of counts per option and rating, one of text answers (only
    when the reader may see them). Text cells starting with = + - @ are kept from reading as formulas."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    loc: Any = locale

    def t(key: str, **values: Any) -> str:
        return _T[key].get(loc).format(**values)

    def cell(value: Any) -> Any:
        return "'" + value if isinstance(value, str) and value[:1] in "=+-@" else value

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t("results")[:31]
    sheet.append([cell(title)])
    sheet.append([t("period"), res.period, t("responses"), res.responses])
    sheet.append([t("question"), t("option"), t("count"), t("share"), t("services")])
    for c in sheet[3]:
        c.font = Font(bold=True)
    for q in res.questions:
        sheet.append([cell(q.text), t("answered"), q.answered, None, q.services])
        for o in q.options:
            sheet.append([cell(q.text), cell(o.label), o.count, o.share, o.services])
        if q.ratings is not None:
            for score, count in enumerate(q.ratings, start=1):
                share = round(count / q.answered, 4) if q.answered else None
                sheet.append([cell(q.text), t("score", n=score), count, share, None])
            sheet.append([cell(q.text), t("average"), q.average_rating, None, None])
    if res.texts_shown:
        texts = book.create_sheet(t("texts")[:31])
        texts.append([t("question"), t("answer")])
        for q in res.questions:
            for text in all_texts.get(q.code, []):
                texts.append([cell(q.text), cell(text)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _results_org(survey: dict[str, Any], org_id: uuid.UUID | None, caller: Principal) -> dict[str, Any]:
    """The subtree to count: the survey's org, or an org within it and within the reader's reach."""
    if org_id is None:
        org = await Org.select(Org.id, Org.path).where(Org.id == survey["org"]).first().run()
        assert org is not None
        return org  # type: ignore[no-any-return]
    org = await org_in_reach(org_id, caller, perm.SURVEY_READ)
    if not org["path"].startswith(survey["org_path"]):
        raise Problem.invalid(("/org_id", "invalid"))
    return org


def _survey_signal(row: dict[str, Any]) -> sig.SurveySignal:
    return sig.SurveySignal(survey=str(row["id"]), org=str(row["org"]), status=row["status"])


def _run_signal(run: dict[str, Any]) -> sig.SurveyRunSignal:
    return sig.SurveyRunSignal(
        survey=str(run["survey"]),
        run=str(run["id"]),
        period=run["period"],
        status=run["status"],
        responses=run["responses"],
    )


OrgFilter = Annotated[uuid.UUID | None, QueryParameter(description="Only this org's subtree")]


class SurveyController(Controller):
    path = "/surveys"
    tags = ["joint"]  # noqa: RUF012

    @get(
        "/",
        opt={"permission": perm.SURVEY_READ},
        summary="需求调查列表",
        description="调用者权限范围内的需求调查，可按组织（含下级）筛选，按创建先后分页返回。",
        summary_en="Needs surveys",
        description_en="The needs surveys within the caller's reach, optionally of one org's subtree, "
        "oldest first.",
    )
    async def list_surveys(
        self, request: Req, page: PageParam, org_id: OrgFilter = None
    ) -> Page[S.JointSurvey]:
        caller = principal(request)
        clause = reach_clause(JointSurvey.org_path, caller.reach(perm.SURVEY_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        if org_id is not None:
            org = await org_in_reach(org_id, caller, perm.SURVEY_READ)
            low, high = subtree_bounds(org["path"])
            clause = clause & (JointSurvey.org_path >= low) & (JointSurvey.org_path < high)
        rows, cursor = await paginate(
            JointSurvey.select().where(clause), [JointSurvey.created_at, JointSurvey.id], page
        )
        return Page(items=[to_survey(r) for r in rows], next_cursor=cursor)

    @post(
        "/",
        opt={"permission": perm.SURVEY_MANAGE},
        summary="创建需求调查",
        description="在调用者有管理权限的组织创建需求调查：面向区域群众（region：户籍或所在组织在本组织下级"
        "范围内的人）或本组织及下级的成员（members），题目为单选、多选、评分（1–5）或文字；开放作答后题目"
        "不能再改。",
        summary_en="Create a needs survey",
        description_en="Creates a needs survey of an org the caller manages, for the public of its region "
        "(region: people whose home org or a membership lies in its subtree) or the members of its subtree "
        "(members), with single-choice, multiple-choice, rating (1–5) and text questions; once a run opens "
        "its questions are fixed.",
    )
    async def create_survey(self, request: Req, data: JSONBody[S.JointSurveyIn]) -> Response[S.JointSurvey]:
        caller = principal(request)
        org = await org_in_reach(data.org_id, caller, perm.SURVEY_MANAGE)
        if org["status"] != "active":
            raise Problem.invalid(("/org_id", "invalid"))
        check_questions(data.questions)
        moment = now()
        row = {
            "id": uuid.uuid4(),
            "org": org["id"],
            "org_path": org["path"],
            "title": data.title,
            "description": data.description,
            "audience": data.audience,
            "questions": msgspec.to_builtins(list(data.questions)),
            "status": "active",
            "version": 1,
            "created_by": caller.id,
            "created_at": moment,
            "updated_at": moment,
        }
        async with transaction():
            await JointSurvey.insert(JointSurvey(**row)).run()
            await record_audit(
                "joint.survey.created",
                resource_type="joint.survey",
                resource_id=row["id"],
                org_path=org["path"],
                changes={"questions": len(data.questions), "audience": data.audience},
            )
            await emit(
                sig.SURVEY_CREATED,
                _survey_signal(row),
                resource_type="joint.survey",
                resource_id=row["id"],
                org_path=org["path"],
            )
        return tagged(to_survey(row), 1, 201)

    @get(
        "/{survey_id:uuid}",
        opt={"permission": perm.SURVEY_READ},
        summary="需求调查详情",
        description="一份需求调查及其题目；附 ETag。不在权限范围内的与不存在的一样答复 404。",
        summary_en="A needs survey",
        description_en="One needs survey with its questions, with an ETag; one outside reach is answered 404.",
    )
    async def get_survey(self, request: Req, survey_id: SurveyId) -> Response[S.JointSurvey]:
        row = await survey_row(survey_id, principal(request), perm.SURVEY_READ)
        return tagged(to_survey(row), row["version"])

    @patch(
        "/{survey_id:uuid}",
        opt={"permission": perm.SURVEY_MANAGE},
        summary="修改或归档需求调查（须 If-Match）",
        description="修改标题、说明，或归档（archived，不再开新一期）；题目只能在第一次开放作答前修改。"
        "须带 If-Match。",
        summary_en="Change or archive a survey (If-Match)",
        description_en="Changes the title or description, or archives the survey (no new runs); its questions "
        "change only before its first run opens. Needs If-Match.",
    )
    async def update_survey(
        self,
        request: Req,
        survey_id: SurveyId,
        data: JSONBody[S.JointSurveyUpdate],
        if_match: IfMatch = None,
    ) -> Response[S.JointSurvey]:
        row = await survey_row(survey_id, principal(request), perm.SURVEY_MANAGE)
        check_if_match(row, if_match)
        given = {k: getattr(data, k) for k in data.__struct_fields__ if getattr(data, k) is not msgspec.UNSET}
        if "questions" in given:
            if await JointSurveyRun.exists().where(JointSurveyRun.survey == survey_id).run():
                raise Problem(QUESTIONS_FIXED)
            check_questions(given["questions"])
            given["questions"] = msgspec.to_builtins(list(given["questions"]))
        changes = {k: v for k, v in given.items() if v != (_json(row[k]) if k == "questions" else row[k])}
        if changes:
            async with transaction():
                updated = (
                    await JointSurvey.update({**changes, "version": row["version"] + 1, "updated_at": now()})
                    .where((JointSurvey.id == survey_id) & (JointSurvey.version == row["version"]))
                    .returning(*JointSurvey.all_columns())
                    .run()
                )
                if not updated:
                    raise Problem("joint-changed", version=row["version"] + 1)
                row = updated[0]
                await record_audit(
                    "joint.survey.updated",
                    resource_type="joint.survey",
                    resource_id=survey_id,
                    org_path=row["org_path"],
                    changes={k: (len(v) if k == "questions" else v) for k, v in changes.items()},
                )
                await emit(
                    sig.SURVEY_CHANGED,
                    _survey_signal(row),
                    resource_type="joint.survey",
                    resource_id=survey_id,
                    org_path=row["org_path"],
                )
        return tagged(to_survey(row), row["version"])

    @get(
        "/{survey_id:uuid}/runs",
        opt={"permission": perm.SURVEY_READ},
        summary="需求调查的各期",
        description="一份调查按季度开展的各期（如 2026Q4）：开放与关闭时间、答卷数，最近的在前。",
        summary_en="Runs of a survey",
        description_en="The quarterly runs of a survey (2026Q4…): when each opened and closed, how many "
        "responded; latest first.",
    )
    async def list_runs(self, request: Req, survey_id: SurveyId, page: PageParam) -> Page[S.JointSurveyRun]:
        await survey_row(survey_id, principal(request), perm.SURVEY_READ)
        rows, cursor = await paginate(
            JointSurveyRun.select().where(JointSurveyRun.survey == survey_id),
            [JointSurveyRun.period, JointSurveyRun.id],
            page,
            descending=True,
        )
        return Page(items=[to_run(r) for r in rows], next_cursor=cursor)

    @post(
        "/{survey_id:uuid}/runs",
        opt={"permission": perm.SURVEY_MANAGE},
        summary="开放一期调查",
        description="为一个季度（如 2026Q4，默认本季度）开放作答；同一时间只有一期开放，每季度一期。",
        summary_en="Open a run",
        description_en="Opens the survey for a quarter's answers (2026Q4…, by default this quarter); one run "
        "is open at a time, one per quarter.",
    )
    async def open_run(
        self, request: Req, survey_id: SurveyId, data: JSONBody[S.JointRunIn]
    ) -> Response[S.JointSurveyRun]:
        survey = await survey_row(survey_id, principal(request), perm.SURVEY_MANAGE)
        if survey["status"] != "active":
            raise Problem(SURVEY_ARCHIVED)
        period = data.period or quarter_of(today(request))
        runs = (
            await JointSurveyRun.select(JointSurveyRun.period, JointSurveyRun.status)
            .where(JointSurveyRun.survey == survey_id)
            .run()
        )
        if any(r["status"] == "open" for r in runs):
            raise Problem(RUN_OPEN)
        if any(r["period"] == period for r in runs):
            raise Problem(RUN_EXISTS, period=period)
        run = {
            "id": uuid.uuid4(),
            "survey": survey_id,
            "org_path": survey["org_path"],
            "period": period,
            "status": "open",
            "responses": 0,
            "opened_at": now(),
            "closed_at": None,
            "version": 1,
        }
        async with transaction():
            await JointSurveyRun.insert(JointSurveyRun(**run)).run()
            await record_audit(
                "joint.survey_run.opened",
                resource_type="joint.survey_run",
                resource_id=run["id"],
                org_path=survey["org_path"],
                changes={"survey": str(survey_id), "period": period},
            )
            await emit(
                sig.RUN_OPENED,
                _run_signal(run),
                resource_type="joint.survey_run",
                resource_id=run["id"],
                org_path=survey["org_path"],
            )
        return Response(to_run(run), status_code=201)


class SurveyRunController(Controller):
    path = "/survey-runs"
    tags = ["joint"]  # noqa: RUF012

    @get(
        "/{run_id:uuid}",
        opt={"policy": "visible"},
        summary="一期调查（含题目）",
        description="一期调查及其题目，本人是否已作答；调查所面向的人（区域群众或成员）和有 "
        "joint.survey.read 权限的干部可见，其他人与不存在的一样答复 404。",
        summary_en="A run (with its questions)",
        description_en="One run with the survey's questions and whether the caller answered; visible to the "
        "people the survey asks (the region's public or the members) and cadres holding joint.survey.read, "
        "and 404 to anyone else.",
    )
    async def get_run(self, request: Req, run_id: RunId) -> S.JointSurveyRunDetail:
        caller = principal(request)
        run, survey = await run_and_survey(run_id)
        if not within(survey["org_path"], caller.reach(perm.SURVEY_READ)) and (
            counted_under(survey, await person_places(caller.person_id)) is None
        ):
            raise Problem("not-found")
        answered = run_id in await _answered([run_id], caller.person_id)
        return _run_detail(run, survey, answered)

    @post(
        "/{run_id:uuid}/close",
        opt={"permission": perm.SURVEY_MANAGE},
        status_code=200,
        summary="关闭一期调查",
        description="结束本期作答；之后的答卷答复 joint-run-closed，结果保持不变。",
        summary_en="Close a run",
        description_en="Ends the run's answering; later responses answer joint-run-closed and the results "
        "stay as they are.",
    )
    async def close_run(self, request: Req, run_id: RunId) -> S.JointSurveyRun:
        run, survey = await run_and_survey(run_id)
        if not within(survey["org_path"], principal(request).reach(perm.SURVEY_MANAGE)):
            raise Problem("not-found")
        async with transaction():
            updated = (
                await JointSurveyRun.update(
                    {
                        JointSurveyRun.status: "closed",
                        JointSurveyRun.closed_at: now(),
                        JointSurveyRun.version: JointSurveyRun.version + 1,
                    }
                )
                .where((JointSurveyRun.id == run_id) & (JointSurveyRun.status == "open"))
                .returning(*JointSurveyRun.all_columns())
                .run()
            )
            if not updated:
                raise Problem(RUN_CLOSED)
            run = updated[0]
            await record_audit(
                "joint.survey_run.closed",
                resource_type="joint.survey_run",
                resource_id=run_id,
                org_path=survey["org_path"],
                changes={"responses": run["responses"]},
            )
            await emit(
                sig.RUN_CLOSED,
                _run_signal(run),
                resource_type="joint.survey_run",
                resource_id=run_id,
                org_path=survey["org_path"],
            )
        return to_run(run)

    @post(
        "/{run_id:uuid}/responses",
        opt={"policy": "self"},
        summary="作答",
        description="本人作答一期调查，每人每期一次（数据库唯一约束保证，同时重复提交也只算一次，其余答复 "
        "joint-already-responded）；必答题须答，单选一个选项、多选若干不重复的选项、评分 1–5、文字不为空。"
        "答卷与作答人分开保存，结果不含姓名。",
        summary_en="Answer a run",
        description_en="The caller answers a run, once per person and run (a unique key in the database: "
        "submissions at the same moment count once, the others answer joint-already-responded); required "
        "questions must be answered — one option of a single choice, distinct options of a multiple choice, "
        "a rating of 1 to 5, a text that is not empty. Answers are kept apart from who answered: results "
        "carry no names.",
    )
    async def respond(
        self, request: Req, run_id: RunId, data: JSONBody[S.JointResponseIn]
    ) -> Response[S.JointResponseReceipt]:
        caller = principal(request)
        if caller.person_id is None:
            raise Problem(NO_PERSON)
        run, survey = await run_and_survey(run_id)
        place = counted_under(survey, await person_places(caller.person_id))
        if place is None:
            if within(survey["org_path"], caller.reach(perm.SURVEY_READ)):
                raise Problem(NOT_IN_AUDIENCE)
            raise Problem("not-found")
        if run["status"] != "open":
            raise Problem(RUN_CLOSED)
        matched = checked_answers(questions_of(survey), data.answers)
        moment = now()
        sheet_id = uuid.uuid4()
        async with transaction():
            claimed = await fetch_rows(
                JointSurveyRespondent, _RESPONDED, [uuid.uuid4(), run_id, caller.person_id, moment]
            )
            if not claimed:
                raise Problem(ALREADY_RESPONDED)
            if not await fetch_rows(JointSurveyRun, _COUNT_IN, [run_id]):
                raise Problem(RUN_CLOSED)
            await JointSurveySheet.insert(
                JointSurveySheet(
                    id=sheet_id, run=run_id, survey=survey["id"], org=place["id"], org_path=place["path"]
                )
            ).run()
            rows = []
            for q, a in matched:
                base = {"sheet": sheet_id, "run": run_id, "question": q.code, "org_path": place["path"]}
                if q.kind == "multiple":
                    rows += [JointSurveyAnswer(**base, option=o) for o in a.options or []]
                elif q.kind == "single":
                    rows.append(JointSurveyAnswer(**base, option=a.option))
                elif q.kind == "rating":
                    rows.append(JointSurveyAnswer(**base, rating=a.rating))
                else:
                    rows.append(JointSurveyAnswer(**base, text=(a.text or "").strip()))
            if rows:
                await JointSurveyAnswer.insert(*rows).run()
            # Who answered which run (never what): the respondent table and this entry.
            await record_audit(
                "joint.survey.responded",
                resource_type="joint.survey_run",
                resource_id=run_id,
                org_path=survey["org_path"],
                org_paths=[place["path"]],
            )
        return Response(
            S.JointResponseReceipt(run_id=run_id, period=run["period"], received_at=moment), status_code=201
        )

    @get(
        "/{run_id:uuid}/results",
        opt={"permission": perm.SURVEY_READ},
        summary="调查结果（按下级范围汇总）",
        description="一期调查在调查组织或其下级某组织范围内的汇总：答卷数，各选项人次与占比，评分分布与平均分，"
        "以及服务清单中回应各项需求的服务数；文字回答只给有 joint.survey_text.read 权限的干部，且从不带姓名。",
        summary_en="Results (for a subtree)",
        description_en="A run's results for the survey's org or an org beneath it: responses, each option's "
        "count and share, the spread and average of ratings, and how many services of the menu answer each "
        "need; text answers only for holders of joint.survey_text.read, never with names.",
    )
    async def get_results(
        self, request: Req, run_id: RunId, org_id: OrgFilter = None
    ) -> S.JointSurveyResults:
        caller = principal(request)
        run, survey = await run_and_survey(run_id)
        if not within(survey["org_path"], caller.reach(perm.SURVEY_READ)):
            raise Problem("not-found")
        org = await _results_org(survey, org_id, caller)
        return await results(run, survey, org, within(org["path"], caller.reach(perm.SURVEY_TEXT_READ)))

    @get(
        "/{run_id:uuid}/results/xlsx",
        opt={"permission": perm.SURVEY_READ},
        media_type=XLSX,
        summary="调查结果（XLSX）",
        description="与结果接口相同的汇总，Excel 工作簿：各题选项与评分一张表，文字回答一张表（仅有权限时）。",
        summary_en="Results as a workbook",
        description_en="The same results as an Excel workbook: options and ratings on one sheet, text answers "
        "on another (only for readers who may see them).",
    )
    async def get_results_workbook(
        self, request: Req, run_id: RunId, org_id: OrgFilter = None
    ) -> Response[bytes]:
        caller = principal(request)
        run, survey = await run_and_survey(run_id)
        if not within(survey["org_path"], caller.reach(perm.SURVEY_READ)):
            raise Problem("not-found")
        org = await _results_org(survey, org_id, caller)
        texts = within(org["path"], caller.reach(perm.SURVEY_TEXT_READ))
        res = await results(run, survey, org, texts)
        body = workbook(
            res,
            survey["title"],
            request_locale(request),
            await texts_of(run_id, org["path"]) if texts else {},
        )
        return Response(
            body,
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="survey-{run["period"]}.xlsx"'},
        )


class MySurveyController(Controller):
    path = "/me/survey-runs"
    tags = ["joint"]  # noqa: RUF012

    @get(
        "/",
        opt={"policy": "self"},
        summary="我可参加的调查",
        description="正在开放、面向本人（所在区域或所在组织）的各期调查，附题目和本人是否已作答。",
        summary_en="Surveys open to me",
        description_en="The open runs of surveys that ask the caller (their region or their orgs), with "
        "the questions and whether the caller answered.",
    )
    async def my_runs(self, request: Req) -> list[S.JointSurveyRunDetail]:
        caller = principal(request)
        places = await person_places(caller.person_id)
        above = sorted(ancestors(places))
        if not above:
            return []
        surveys = {
            s["id"]: s
            for s in await JointSurvey.select()
            .where(JointSurvey.org_path.is_in(above) & (JointSurvey.status == "active"))
            .run()
            if counted_under(s, places) is not None
        }
        if not surveys:
            return []
        runs = (
            await JointSurveyRun.select()
            .where(JointSurveyRun.survey.is_in(list(surveys)) & (JointSurveyRun.status == "open"))
            .order_by(JointSurveyRun.opened_at)
            .run()
        )
        done = await _answered([r["id"] for r in runs], caller.person_id)
        return [_run_detail(r, surveys[r["survey"]], r["id"] in done) for r in runs[:100]]
