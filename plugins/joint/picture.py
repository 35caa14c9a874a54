"""``/api/v1/joint/picture/{org_id}``: one picture of a region (驾驶舱) — for a region or Party
committee's subtree, every installed plugin's figures side by side: orgs and coverage, members, events
and attendance, processes open and overdue, places and their bookings, honors, and the plugin's own
statistics figures (``quntuan_statistics``). Nothing here names a plugin: one installed later appears
as a column of its own.

Building the picture of a province is a handful of grouped range scans; the result is kept for
``CACHE_SECONDS`` per org and served with its age (``generated_at``, ``age_seconds``); ``fresh=true``
rebuilds it.
"""

from __future__ import annotations

import asyncio
import io
import time
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter

from core.sdk import Text, figures_by_owner, installed_plugins, request_locale, subtree_figures
from plugins.joint import permissions as perm
from plugins.joint.common import org_in_reach, principal

Req = Request[Any, Any, Any]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CACHE_SECONDS = 300.0
CORE_NAME = Text(zh_hans="党组织及平台", zh_hant="黨組織及平臺", en="Party and platform")


class JointCoverage(msgspec.Struct, kw_only=True):
    rule: str
    name: dict[str, str]
    required: int
    covered: int
    rate: float | None


class JointFigure(msgspec.Struct, kw_only=True):
    code: str
    label: dict[str, str]
    value: int | float


class JointColumn(msgspec.Struct, kw_only=True):
    """One plugin's figures (``core``: the Party's own orgs and the platform's kinds)."""

    plugin: str
    name: dict[str, str]
    orgs: int
    members: int
    events: int
    registrations: int
    attendance: int
    #: check-ins / confirmed registrations of its events, or null without any.
    attendance_rate: float | None
    processes_open: int
    processes_overdue: int
    processes_closed: int
    places: int
    bookings: int
    honors: int
    coverage: list[JointCoverage]
    figures: list[JointFigure]


class JointPicture(msgspec.Struct, kw_only=True):
    org_id: UUID
    org_name: str
    generated_at: datetime
    #: how old these figures are (seconds); cached figures are at most a few minutes old.
    age_seconds: float
    orgs_total: int
    #: active memberships in the subtree (a person in two orgs counts twice).
    members_total: int
    columns: list[JointColumn]


_CACHE: dict[tuple[UUID, str], tuple[float, JointPicture]] = {}


async def build(state: Any, org: dict[str, Any]) -> JointPicture:
    # Coverage and the plugins' own figures beside the core's counts by owner (on PostgreSQL on two
    # connections of the pool at once).
    (coverage, figures), by_owner = await asyncio.gather(
        subtree_figures(state, org["path"]), figures_by_owner(state, org["path"])
    )
    owners = {f.owner: f for f in by_owner}
    names = {"core": CORE_NAME, **installed_plugins(state)}
    columns = []
    for slug in dict.fromkeys([*names, *owners]):
        f = owners.get(slug)
        counts = msgspec.structs.asdict(f) if f is not None else {}
        regs = counts.get("registrations", 0)
        columns.append(
            JointColumn(
                plugin=slug,
                name=(names.get(slug) or Text(zh_hans=slug, en=slug)).as_dict(),
                orgs=counts.get("orgs", 0),
                members=counts.get("members", 0),
                events=counts.get("events", 0),
                registrations=regs,
                attendance=counts.get("attendance", 0),
                attendance_rate=round(counts["attendance"] / regs, 4) if regs else None,
                processes_open=counts.get("processes_open", 0),
                processes_overdue=counts.get("processes_overdue", 0),
                processes_closed=counts.get("processes_closed", 0),
                places=counts.get("places", 0),
                bookings=counts.get("bookings", 0),
                honors=counts.get("honors", 0),
                coverage=[
                    JointCoverage(
                        rule=c.rule, name=c.name, required=c.required, covered=c.covered, rate=c.rate
                    )
                    for c in coverage
                    if c.plugin == slug
                ],
                figures=[
                    JointFigure(code=p.code, label=p.label, value=p.value)
                    for p in figures
                    if p.plugin == slug
                ],
            )
        )
    return JointPicture(
        org_id=org["id"],
        org_name=org["name"],
        generated_at=datetime.now(UTC),
        age_seconds=0.0,
        orgs_total=sum(c.orgs for c in columns),
        members_total=sum(c.members for c in columns),
        columns=columns,
    )


async def picture(request: Req, org_id: UUID, fresh: bool) -> JointPicture:
    caller = principal(request)
    org = await org_in_reach(org_id, caller, perm.PICTURE_READ)
    key = (org_id, org["path"])
    cached = _CACHE.get(key)
    moment = time.monotonic()
    if cached is not None and not fresh and moment - cached[0] < CACHE_SECONDS:
        age = (datetime.now(UTC) - cached[1].generated_at).total_seconds()
        return msgspec.structs.replace(cached[1], age_seconds=round(max(age, 0.0), 3))
    built = await build(request.app.state, org)
    _CACHE[key] = (moment, built)
    if len(_CACHE) > 1000:
        _CACHE.pop(next(iter(_CACHE)))
    return built


_T = {
    "plugin": Text(zh_hans="组织", zh_hant="組織", en="Organization"),
    "orgs": Text(zh_hans="组织数", zh_hant="組織數", en="Orgs"),
    "members": Text(zh_hans="成员数", zh_hant="成員數", en="Members"),
    "events": Text(zh_hans="活动数", zh_hant="活動數", en="Events"),
    "registrations": Text(zh_hans="报名人次", zh_hant="報名人次", en="Registrations"),
    "attendance": Text(zh_hans="签到人次", zh_hant="簽到人次", en="Attendance"),
    "attendance_rate": Text(zh_hans="到场率", zh_hant="到場率", en="Attendance rate"),
    "processes_open": Text(zh_hans="在办事项", zh_hant="在辦事項", en="Processes open"),
    "processes_overdue": Text(zh_hans="逾期事项", zh_hant="逾期事項", en="Processes overdue"),
    "processes_closed": Text(zh_hans="办结事项", zh_hant="辦結事項", en="Processes closed"),
    "places": Text(zh_hans="阵地数", zh_hant="陣地數", en="Places"),
    "bookings": Text(zh_hans="预约次数", zh_hant="預約次數", en="Bookings"),
    "honors": Text(zh_hans="表彰数", zh_hant="表彰數", en="Honors"),
    "figures": Text(zh_hans="专项指标", zh_hant="專項指標", en="Own figures"),
    "coverage": Text(zh_hans="覆盖率", zh_hant="覆蓋率", en="Coverage"),
    "figure": Text(zh_hans="指标", zh_hant="指標", en="Figure"),
    "value": Text(zh_hans="数值", zh_hant="數值", en="Value"),
    "required": Text(zh_hans="应建数", zh_hant="應建數", en="Required"),
    "covered": Text(zh_hans="已建数", zh_hant="已建數", en="Covered"),
    "rate": Text(zh_hans="覆盖率", zh_hant="覆蓋率", en="Rate"),
    "generated": Text(zh_hans="数据生成时间", zh_hant="數據生成時間", en="Figures as of"),
}
FIELDS = (
    "orgs",
    "members",
    "events",
    "registrations",
    "attendance",
    "attendance_rate",
    "processes_open",
    "processes_overdue",
    "processes_closed",
    "places",
    "bookings",
    "honors",
)


def workbook(pic: JointPicture, locale: str) -> bytes:
    """The picture as a workbook: the side-by-side table, then coverage and each plugin's own figures."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    loc: Any = locale

    def t(key: str) -> str:
        return _T[key].get(loc)

    def cell(value: Any) -> Any:  # a text starting with = + - @ would be read as a formula
        return "'" + value if isinstance(value, str) and value[:1] in "=+-@" else value

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = pic.org_name[:31] or "picture"
    sheet.append([t("generated"), pic.generated_at.isoformat()])
    sheet.append([t("plugin"), *[t(f) for f in FIELDS]])
    for c in sheet[2]:
        c.font = Font(bold=True)
    for column in pic.columns:
        sheet.append([cell(column.name[locale]), *[getattr(column, f) for f in FIELDS]])
    cover = book.create_sheet(t("coverage")[:31])
    cover.append([t("plugin"), t("figure"), t("required"), t("covered"), t("rate")])
    own = book.create_sheet(t("figures")[:31])
    own.append([t("plugin"), t("figure"), t("value")])
    for column in pic.columns:
        for r in column.coverage:
            cover.append([cell(column.name[locale]), cell(r.name[locale]), r.required, r.covered, r.rate])
        for f in column.figures:
            own.append([cell(column.name[locale]), cell(f.label[locale]), f.value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


Fresh = Annotated[bool, QueryParameter(description="Rebuild instead of serving cached figures")]


class PictureController(Controller):
    path = "/picture"
    tags = ["joint"]  # noqa: RUF012

    @get(
        "/{org_id:uuid}",
        opt={"permission": perm.PICTURE_READ},
        summary="区域群团工作一张图",
        description="一个区域或党委下级范围内各插件（工会、共青团、妇联、科协及其他已安装组织）的数字并列："
        "组织数与覆盖率、成员、活动与到场、在办与逾期事项、阵地与预约、表彰及各插件自己的统计指标；"
        "数字可能来自几分钟内的缓存，age_seconds 说明其新旧，fresh=true 重新计算。",
        summary_en="One picture of a region",
        description_en="For a region or a Party committee's subtree, every installed plugin's figures side "
        "by side: orgs and coverage, members, events and attendance, processes open and overdue, places "
        "and bookings, honors and each plugin's own statistics; the figures may come from a cache of a few "
        "minutes (age_seconds says how old), fresh=true rebuilds them.",
    )
    async def get_picture(self, request: Req, org_id: FromPath[UUID], fresh: Fresh = False) -> JointPicture:
        return await picture(request, org_id, fresh)

    @get(
        "/{org_id:uuid}/xlsx",
        opt={"permission": perm.PICTURE_READ},
        media_type=XLSX,
        summary="区域一张图（XLSX）",
        description="与一张图接口相同的数字，Excel 工作簿：并列表、覆盖率、各插件专项指标。",
        summary_en="One picture of a region as a workbook",
        description_en="The same figures as the picture route, as an Excel workbook: the side-by-side "
        "table, coverage, and each plugin's own figures.",
    )
    async def get_picture_workbook(
        self, request: Req, org_id: FromPath[UUID], fresh: Fresh = False
    ) -> Response[bytes]:
        body = workbook(await picture(request, org_id, fresh), request_locale(request))
        return Response(
            body, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="picture.xlsx"'}
        )
