"""``POST /api/v1/women/orgs/{id}/executive-imports``: a federation's executive committee (执委名单) from
its workbook.

One row per executive member — 姓名, 身份证号, 职务 (主席/副主席/执委), 分工, 任期开始, 任期结束, and 联系户
(the households the member serves, separated by ；or 、). The ID number finds the person on the platform
(its blind index: the number itself is never stored or logged here) and the name must be the person's;
the person must belong to an org within the caller's reach. Every row is checked first: nothing is
written unless all are valid, each problem named by row and column. Then every member is appointed and
their households recorded, each audited and signalled as an appointment through the API would be.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from core.sdk import (
    Person,
    Problem,
    UnreadableFile,
    current_principal,
    normalise_id_number,
    read_table,
    record_audit,
    transaction,
    vault,
    within,
)
from plugins.women import executives as svc
from plugins.women import problems
from plugins.women.permissions import EXEC_MANAGE
from plugins.women.tables import WomenExecContact, WomenExecMember

MAX_ROWS = 1000
COLUMNS = {
    "name": ("姓名", "name"),
    "id_number": ("身份证号", "身份证号码", "id_number"),
    "role": ("职务", "role"),
    "duties": ("分工", "duties"),
    "term_start": ("任期开始", "term_start"),
    "term_end": ("任期结束", "term_end"),
    "households": ("联系户", "households"),
}
REQUIRED = ("name", "id_number", "term_start", "term_end")
ROLES = {
    "主席": "chair",
    "副主席": "vice_chair",
    "执委": "member",
    "執委": "member",
    "委员": "member",
    "chair": "chair",
    "vice_chair": "vice_chair",
    "member": "member",
    "": "member",
}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?$")
_SPLIT = re.compile(r"[；;、，,\n]+")


class WomenExecutiveUpload(msgspec.Struct, kw_only=True):
    file: UploadFile


class WomenImportIssue(msgspec.Struct, kw_only=True):
    row: int
    column: str
    code: str


class WomenExecutiveImportReport(msgspec.Struct, kw_only=True):
    """What the import did: ``committed`` false with ``issues`` (row 1 is the header) when any row is
    wrong — then nothing was written."""

    rows: int
    committed: bool
    appointed: int = 0
    contacts: int = 0
    issues: list[WomenImportIssue] = msgspec.field(default_factory=list)


def _date(text: str) -> dt.date | None:
    match = _DATE.match(text.strip())
    if match is None:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


class _Row(msgspec.Struct, kw_only=True):
    number: int
    person: uuid.UUID
    role: str
    duties: str
    term_start: dt.date
    term_end: dt.date
    households: list[str]


async def _check(
    request: Request[Any, Any, Any], org: dict[str, Any], header: list[str], rows: list[list[str]]
) -> tuple[list[_Row], list[WomenImportIssue]]:
    principal = current_principal(request)
    where = {
        key: next((i for i, h in enumerate(header) if h.strip() in names), None)
        for key, names in COLUMNS.items()
    }
    issues = [
        WomenImportIssue(row=1, column=key, code=problems.MISSING_COLUMN)
        for key in REQUIRED
        if where[key] is None
    ]
    if issues:
        return [], issues
    keys = vault(request.app.state)
    indexes: dict[int, str] = {}
    for number, row in enumerate(rows, start=2):
        normal = normalise_id_number(row[where["id_number"]] if where["id_number"] < len(row) else "")  # type: ignore[operator,index]
        if normal is not None:
            indexes[number] = keys.blind_index("id_number", normal)
    found = {
        r["id_number_index"]: r
        for r in await Person.select(Person.id, Person.name, Person.id_number_index, Person.erased_at)
        .where(Person.id_number_index.is_in(sorted(set(indexes.values())) or ["-"]))
        .run()
        if r["erased_at"] is None
    }
    serving = {
        r["person"]
        for r in await WomenExecMember.select(WomenExecMember.person)
        .where((WomenExecMember.org == org["id"]) & (WomenExecMember.status == "active"))
        .run()
    }
    parsed: list[_Row] = []
    seen: set[uuid.UUID] = set()
    for number, row in enumerate(rows, start=2):

        def cell(key: str, row: list[str] = row) -> str:
            i = where[key]
            return row[i].strip() if i is not None and i < len(row) else ""

        if not any(c.strip() for c in row):
            continue
        before = len(issues)
        person = None
        if not cell("id_number"):
            issues.append(WomenImportIssue(row=number, column="id_number", code="required"))
        elif number not in indexes:
            issues.append(WomenImportIssue(row=number, column="id_number", code="invalid_id_number"))
        else:
            record = found.get(indexes[number])
            if record is None or not await svc.person_in_reach(principal, record["id"], EXEC_MANAGE):
                issues.append(WomenImportIssue(row=number, column="id_number", code=problems.PERSON_UNKNOWN))
            elif record["name"] != cell("name"):
                issues.append(WomenImportIssue(row=number, column="name", code=problems.NAME_MISMATCH))
            elif record["id"] in seen:
                issues.append(WomenImportIssue(row=number, column="id_number", code="duplicate"))
            elif record["id"] in serving:
                issues.append(WomenImportIssue(row=number, column="id_number", code=problems.SERVING))
            else:
                person = record["id"]
                seen.add(person)
        role = ROLES.get(cell("role"))
        if role is None:
            issues.append(WomenImportIssue(row=number, column="role", code="enum"))
        if len(cell("duties")) > 500:
            issues.append(WomenImportIssue(row=number, column="duties", code="too_long"))
        start, end = _date(cell("term_start")), _date(cell("term_end"))
        for key, value in (("term_start", start), ("term_end", end)):
            if value is None:
                issues.append(
                    WomenImportIssue(row=number, column=key, code="format" if cell(key) else "required")
                )
        if start is not None and end is not None and end < start:
            issues.append(WomenImportIssue(row=number, column="term_end", code=problems.TERM_ORDER))
        households = [h.strip() for h in _SPLIT.split(cell("households")) if h.strip()]
        if len(households) > 50 or any(len(h) > 100 for h in households):
            issues.append(WomenImportIssue(row=number, column="households", code="too_long"))
        if len(issues) == before and person is not None and role and start and end:
            parsed.append(
                _Row(
                    number=number,
                    person=person,
                    role=role,
                    duties=cell("duties"),
                    term_start=start,
                    term_end=end,
                    households=households,
                )
            )
    return parsed, issues


class ExecutiveImportController(Controller):
    path = "/orgs"

    @post(
        "/{org_id:uuid}/executive-imports",
        opt={"permission": EXEC_MANAGE},
        status_code=200,
        summary="导入执委名单（CSV/XLSX）",
        description=(
            "妇联的执委名单：姓名、身份证号、职务（主席/副主席/执委）、分工、任期开始、任期结束、联系户（以“；”或“、”分隔）。"
            "按身份证号匹配平台上的人员，姓名须一致，且须属于调用方权限范围内的组织。逐行校验，任一行有误则不写入并列出行号与列；"
            "全部有效时逐一任命并登记联系户。每次至多 1000 行。"
        ),
        summary_en="Import executive members (CSV/XLSX)",
        description_en=(
            "A federation's executive committee: name, ID number, role, duties, term start and end, and the "
            "households each serves. The ID number finds the person (the name must match; the person must "
            "belong to an org within reach). Every row is checked; any problem writes nothing and lists rows "
            "and columns; otherwise each member is appointed with their households. At most 1000 rows."
        ),
    )
    async def women_import_executives(
        self,
        request: Request[Any, Any, Any],
        org_id: FromPath[uuid.UUID],
        data: Annotated[WomenExecutiveUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> WomenExecutiveImportReport:
        principal = current_principal(request)
        org = await svc.load_org(org_id)
        if org is None or org["status"] != "active" or not within(org["path"], principal.reach(EXEC_MANAGE)):
            raise Problem("not-found")
        if org["kind"] not in svc.FEDERATION_KINDS:
            raise Problem(problems.NOT_A_FEDERATION)
        raw = await data.file.read()
        try:
            table = await read_table(raw, data.file.filename or "", request.app.state.settings)
        except UnreadableFile as exc:
            raise Problem.invalid(("/file", problems.FILE_UNREADABLE)) from exc
        if not table:
            raise Problem.invalid(("/file", problems.FILE_UNREADABLE))
        header, rows = table[0], table[1:]
        if len(rows) > MAX_ROWS:
            raise Problem.invalid(("/file", problems.TOO_MANY_ROWS))
        parsed, issues = await _check(request, org, header, rows)
        if issues:
            return WomenExecutiveImportReport(rows=len(rows), committed=False, issues=issues)
        report = WomenExecutiveImportReport(rows=len(rows), committed=True)
        moment = dt.datetime.now(dt.UTC)
        async with transaction():
            for item in parsed:
                member = {
                    "id": uuid.uuid4(),
                    "org": org["id"],
                    "org_path": org["path"],
                    "person": item.person,
                    "role": item.role,
                    "duties": item.duties,
                    "term_start": item.term_start,
                    "term_end": item.term_end,
                    "status": "active",
                    "version": 1,
                    "created_at": moment,
                    "updated_at": moment,
                }
                await WomenExecMember.insert(WomenExecMember(**member)).run()
                await svc.record_change(
                    member, "women.exec_member.appointed", {"role": item.role, "via": "import"}
                )
                for label in item.households:
                    contact_id = uuid.uuid4()
                    await WomenExecContact.insert(
                        WomenExecContact(
                            id=contact_id,
                            member=member["id"],
                            org_path=org["path"],
                            kind="household",
                            person=None,
                            contact_org=None,
                            label=label,
                            since=item.term_start,
                        )
                    ).run()
                    await svc.record_added(
                        member, contact_id, "contact", "women.exec_contact.added", {"kind": "household"}
                    )
                    report.contacts += 1
                report.appointed += 1
            await record_audit(
                "women.exec_member.imported",
                resource_type="women.exec_import",
                resource_id=org["id"],
                org_path=org["path"],
                changes={"rows": len(rows), "appointed": report.appointed, "contacts": report.contacts},
            )
        return report
