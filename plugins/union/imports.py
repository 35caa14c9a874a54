"""``POST /api/v1/union/orgs/{id}/dues-imports``: dues and wages from the finance office's workbook.

Members themselves come in through the core's member import (``/api/v1/imports/members``, with the
columns ``extra.card_number``, ``extra.employment``, ``extra.employer_name``, ``extra.floating``): every
membership passes the union's hook, which opens or updates the member's file. This route takes what the
finance office keeps per member and month — 会员证号, 月份, 月工资（元）, 实缴（元）— checks every row
first (nothing is written unless all are valid, each problem named by row and column), then sets the
wages, assesses the months by the rules in force and records what was paid as payments (channel
``import``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from uuid import UUID, uuid4

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from core.sdk import (
    Membership,
    Problem,
    UnreadableFile,
    current_principal,
    emit,
    read_table,
    record_audit,
    subtree_bounds,
    transaction,
)
from plugins.union import permissions as P
from plugins.union import signals as sig
from plugins.union.common import org_in_reach
from plugins.union.problems import invalid
from plugins.union.rules import dues_for, rules_at
from plugins.union.tables import UnionDues, UnionDuesPayment, UnionMember

MAX_ROWS = 5000
COLUMNS = {
    "card": ("会员证号", "card_number"),
    "month": ("月份", "month"),
    "wage": ("月工资（元）", "月工资(元)", "月工资", "wage"),
    "paid": ("实缴（元）", "实缴(元)", "实缴", "paid"),
}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class UnionDuesUpload(msgspec.Struct, kw_only=True):
    file: UploadFile


class UnionImportIssue(msgspec.Struct, kw_only=True):
    row: int
    column: str
    code: str


class UnionDuesImportReport(msgspec.Struct, kw_only=True):
    rows: int
    committed: bool
    members_updated: int = 0
    dues_lines: int = 0
    paid: int = 0
    issues: list[UnionImportIssue] = msgspec.field(default_factory=list)


def _fen(text: str) -> int | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    if value < 0 or value > Decimal(10**9) or value != value.quantize(Decimal("0.01")):
        return None
    return int(value * 100)


class UnionImportController(Controller):
    path = "/orgs"
    tags = ["union"]  # noqa: RUF012

    @post(
        "/{org_id:uuid}/dues-imports",
        opt={"permission": P.DUES_MANAGE},
        status_code=200,
        summary="导入会费（CSV/XLSX）",
        description=(
            "财务室的会费表：会员证号、月份、月工资（元）、实缴（元）。逐行校验，任一行有误则不写入并列出行号与列；"
            "全部有效时更新月工资、按规则核定各月会费并登记实缴。每次至多 5000 行。"
        ),
        summary_en="Import dues (CSV/XLSX)",
        description_en=(
            "The finance office's sheet: card number, month, monthly wage and amount paid (yuan). Every row is "
            "checked; any problem writes nothing and lists rows and columns; otherwise wages are set, the months "
            "assessed by the rules and payments recorded. At most 5000 rows."
        ),
    )
    async def union_import_dues(
        self,
        request: Request,
        org_id: FromPath[UUID],
        data: Annotated[UnionDuesUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> UnionDuesImportReport:
        principal = current_principal(request)
        org = await org_in_reach(principal, P.DUES_MANAGE, org_id)
        raw = await data.file.read()
        try:
            table = await read_table(raw, data.file.filename or "", request.app.state.settings)
        except UnreadableFile as exc:
            raise invalid("/file", "union_file_unreadable") from exc
        if not table:
            raise invalid("/file", "union_file_unreadable")
        header, rows = table[0], table[1:]
        if len(rows) > MAX_ROWS:
            raise invalid("/file", "union_too_many_rows")
        where = {
            key: next((i for i, h in enumerate(header) if h in names), None) for key, names in COLUMNS.items()
        }
        issues = [
            UnionImportIssue(row=1, column=key, code="missing_column")
            for key in ("card", "month")
            if where[key] is None
        ]
        if issues:
            return UnionDuesImportReport(rows=len(rows), committed=False, issues=issues)
        low, high = subtree_bounds(org["path"])
        cards = {r[where["card"]] for r in rows if len(r) > where["card"]}  # type: ignore[index]
        files = {
            m["card_number"]: m
            for m in await UnionMember.select()
            .where(UnionMember.card_number.is_in(sorted(cards) or ["-"]))
            .run()
            if low <= m["org_path"] < high
        }
        parsed: list[tuple[dict[str, Any], str, int | None, int | None]] = []
        seen: set[tuple[str, str]] = set()
        for number, row in enumerate(rows, start=2):

            def cell(key: str, row: list[str] = row) -> str:
                i = where[key]
                return row[i] if i is not None and i < len(row) else ""

            card, month = cell("card"), cell("month")
            member = files.get(card)
            if member is None:
                issues.append(UnionImportIssue(row=number, column="card", code="union_not_member"))
            if not _MONTH.match(month):
                issues.append(UnionImportIssue(row=number, column="month", code="union_month"))
            elif (card, month) in seen:
                issues.append(UnionImportIssue(row=number, column="month", code="duplicate"))
            seen.add((card, month))
            wage = _fen(cell("wage")) if cell("wage") else None
            paid = _fen(cell("paid")) if cell("paid") else None
            if cell("wage") and wage is None:
                issues.append(UnionImportIssue(row=number, column="wage", code="invalid"))
            if cell("paid") and paid is None:
                issues.append(UnionImportIssue(row=number, column="paid", code="invalid"))
            if (
                member is not None
                and wage is None
                and member["monthly_wage"] is None
                and not member["dues_exemption"]
            ):
                issues.append(UnionImportIssue(row=number, column="wage", code="required"))
            if member is not None:
                parsed.append((member, month, wage, paid))
        if issues:
            return UnionDuesImportReport(rows=len(rows), committed=False, issues=issues)
        report = UnionDuesImportReport(rows=len(rows), committed=True)
        rules_cache: dict[str, Any] = {}
        now = datetime.now(UTC)
        async with transaction():
            updated: set[Any] = set()
            for member, month, wage, paid in parsed:
                if wage is not None and wage != member["monthly_wage"]:
                    await (
                        UnionMember.update(
                            {UnionMember.monthly_wage: wage, UnionMember.version: UnionMember.version + 1}
                        )
                        .where(UnionMember.id == member["id"])
                        .run()
                    )
                    member["monthly_wage"] = wage
                    updated.add(member["id"])
                if member["org_path"] not in rules_cache:
                    rules_cache[member["org_path"]] = await rules_at(member["org_path"])
                rules = rules_cache[member["org_path"]]
                exempt = member["dues_exemption"] if member["dues_exemption"] in rules.dues_exemptions else ""
                base = wage if wage is not None else member["monthly_wage"] or 0
                due = 0 if exempt else dues_for(base, rules)
                paid_now = min(paid or 0, due)
                status = (
                    "exempt"
                    if exempt
                    else ("paid" if paid_now == due else ("partial" if paid_now else "due"))
                )
                old = (
                    await UnionDues.select(UnionDues.id)
                    .where((UnionDues.person == member["person"]) & (UnionDues.month == month))
                    .first()
                    .run()
                )
                values = {
                    "org": member["org"],
                    "org_path": member["org_path"],
                    "wage": base,
                    "due": due,
                    "paid": paid_now,
                    "status": status,
                    "exemption": exempt,
                    "updated_at": now,
                }
                if old is None:
                    await UnionDues.insert(UnionDues(person=member["person"], month=month, **values)).run()
                else:
                    await (
                        UnionDues.update({getattr(UnionDues, k): v for k, v in values.items()})
                        .where(UnionDues.id == old["id"])
                        .run()
                    )
                report.dues_lines += 1
                if paid_now:
                    await UnionDuesPayment.insert(
                        UnionDuesPayment(
                            id=uuid4(),
                            person=member["person"],
                            org=member["org"],
                            org_path=member["org_path"],
                            amount=paid_now,
                            channel="import",
                            months=[month],
                            recorded_by=principal.id,
                            paid_at=now,
                        )
                    ).run()
                    report.paid += paid_now
            report.members_updated = len(updated)
            await record_audit(
                "union.dues.imported",
                resource_type="union.dues",
                resource_id=org_id,
                org_path=org["path"],
                changes={"rows": len(rows), "paid": report.paid},
            )
            await emit(
                sig.DUES_ASSESSED,
                sig.DuesChanged(
                    org_id=str(org_id), month="import", members=report.dues_lines, amount=report.paid
                ),
                resource_type="union.dues",
                resource_id=org_id,
                org_path=org["path"],
            )
        return report


__all__ = ["Membership", "Problem", "UnionImportController"]
