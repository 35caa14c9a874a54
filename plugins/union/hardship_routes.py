"""``/api/v1/union/hardship/{process_id}/help`` and the hardship figures: the help given on a file
(送温暖, 金秋助学, 医疗互助 …) and its history; the file itself is the ``union.hardship`` process."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from core.sdk import Problem, current_principal, emit, record_audit, subtree_bounds, transaction, within
from plugins.union import permissions as P
from plugins.union import signals as sig
from plugins.union.common import Fen, org_in_reach
from plugins.union.problems import invalid
from plugins.union.tables import UnionHardshipFile, UnionHelp


class UnionHelpIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: Literal["money", "goods", "service"]
    #: warmth (送温暖), education (金秋助学), medical (医疗互助), employment (就业帮扶), other.
    programme: Literal["warmth", "education", "medical", "employment", "other"]
    amount: Fen = 0
    note: Annotated[str, msgspec.Meta(max_length=300)] = ""
    given_on: date | None = None


class UnionHelpOut(msgspec.Struct, kw_only=True):
    id: UUID
    file_id: UUID
    kind: str
    programme: str
    amount: int
    note: str
    given_on: str


class UnionHardshipFigures(msgspec.Struct, kw_only=True):
    org_id: UUID
    #: Open files by category (deep, relative, accident).
    open_by_category: dict[str, int]
    closed: int
    #: Help given (fen) by programme.
    help_by_programme: dict[str, int]


async def _file(process_id: UUID, principal: object, permission: str) -> dict:
    row = await UnionHardshipFile.select().where(UnionHardshipFile.process == process_id).first().run()
    if row is None or not within(row["org_path"], principal.reach(permission)):  # type: ignore[attr-defined]
        raise Problem("not-found")
    return row


def _out(r: dict) -> UnionHelpOut:
    return UnionHelpOut(
        id=r["id"],
        file_id=r["file"],
        kind=r["kind"],
        programme=r["programme"],
        amount=r["amount"],
        note=r["note"],
        given_on=r["given_on"],
    )


class UnionHardshipController(Controller):
    path = "/"
    tags = ["union"]  # noqa: RUF012

    @post(
        "/hardship/{process_id:uuid}/help",
        opt={"permission": P.HARDSHIP_MANAGE},
        summary="登记帮扶",
        description="在已建档（公示期满）的困难职工档案上登记一次帮扶：资金、物资或服务，及其项目（送温暖、金秋助学、医疗互助等）。",
        summary_en="Record help given",
        description_en="Records help given on a filed hardship file: money, goods or a service, and its programme.",
    )
    async def union_give_help(
        self, request: Request, process_id: FromPath[UUID], data: JSONBody[UnionHelpIn]
    ) -> UnionHelpOut:
        principal = current_principal(request)
        async with transaction():
            f = await _file(process_id, principal, P.HARDSHIP_MANAGE)
            if f["status"] != "open":
                raise invalid("/", "union_file_closed")
            row = {
                "id": uuid4(),
                "file": f["id"],
                "person": f["person"],
                "org_path": f["org_path"],
                "kind": data.kind,
                "programme": data.programme,
                "amount": data.amount,
                "note": data.note,
                "given_on": (
                    data.given_on or datetime.now(ZoneInfo(request.app.state.settings.timezone)).date()
                ).isoformat(),
                "recorded_by": principal.id,
                "created_at": datetime.now(UTC),
            }
            await UnionHelp.insert(UnionHelp(**row)).run()
            await record_audit(
                "union.help.given",
                resource_type="union.help",
                resource_id=row["id"],
                org_path=f["org_path"],
                changes={"file": f["id"], "programme": data.programme, "amount": data.amount},
            )
            await emit(
                sig.HELP_GIVEN,
                sig.HelpGiven(
                    help_id=str(row["id"]), file_id=str(f["id"]), programme=data.programme, amount=data.amount
                ),
                resource_type="union.help",
                resource_id=row["id"],
                org_path=f["org_path"],
            )
        return _out(row)

    @get(
        "/hardship/{process_id:uuid}/help",
        opt={"permission": P.HARDSHIP_READ},
        summary="帮扶记录",
        description="一份困难职工档案上的历次帮扶，按时间先后。",
        summary_en="Help history",
        description_en="The help given on one hardship file, oldest first.",
    )
    async def union_help_history(self, request: Request, process_id: FromPath[UUID]) -> list[UnionHelpOut]:
        f = await _file(process_id, current_principal(request), P.HARDSHIP_READ)
        rows = await UnionHelp.select().where(UnionHelp.file == f["id"]).order_by(UnionHelp.created_at).run()
        return [_out(r) for r in rows]

    @get(
        "/orgs/{org_id:uuid}/hardship-figures",
        opt={"permission": P.HARDSHIP_READ},
        summary="困难职工帮扶统计",
        description="组织及下级在档困难职工按类别的户数、已解困脱困户数、各帮扶项目的金额（分）。",
        summary_en="Hardship figures",
        description_en="Over the subtree: open files by category, files closed, and help given by programme (fen).",
    )
    async def union_hardship_figures(self, request: Request, org_id: FromPath[UUID]) -> UnionHardshipFigures:
        org = await org_in_reach(current_principal(request), P.HARDSHIP_READ, org_id)
        low, high = subtree_bounds(org["path"])
        files = (
            await UnionHardshipFile.select(UnionHardshipFile.category, UnionHardshipFile.status)
            .where((UnionHardshipFile.org_path >= low) & (UnionHardshipFile.org_path < high))
            .run()
        )
        helps = (
            await UnionHelp.select(UnionHelp.programme, UnionHelp.amount)
            .where((UnionHelp.org_path >= low) & (UnionHelp.org_path < high))
            .run()
        )
        by_category: dict[str, int] = {}
        for f in files:
            if f["status"] == "open":
                by_category[f["category"]] = by_category.get(f["category"], 0) + 1
        by_programme: dict[str, int] = {}
        for h in helps:
            by_programme[h["programme"]] = by_programme.get(h["programme"], 0) + h["amount"]
        return UnionHardshipFigures(
            org_id=org_id,
            open_by_category=by_category,
            closed=sum(f["status"] == "closed" for f in files),
            help_by_programme=by_programme,
        )
