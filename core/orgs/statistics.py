"""Unified basic-information statistics (统一的群团组织基础信息统计) of a subtree, as JSON or XLSX.

Counts of orgs by kind and level, memberships by kind, units by kind and coverage per rule are range
queries on the subtree's paths; each plugin adds its own figures through ``quntuan_statistics``.
"""

from __future__ import annotations

import inspect
import io
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
import pluggy

from core.kernel.access import Reach, subtree_bounds, within
from core.kernel.declarations import OrgKind
from core.kernel.declarations.orgs import StatFigure
from core.kernel.errors import Problem
from core.kernel.i18n import Text
from core.orgs.coverage import RegisteredRule, subtree_rates
from core.orgs.schemas import RuleRate
from core.orgs.tables import Org

log = logging.getLogger("quntuan.orgs")


class OrgCount(msgspec.Struct, kw_only=True):
    kind: str
    kind_name: dict[str, str]
    level: str
    count: int


class MemberCount(msgspec.Struct, kw_only=True):
    kind: str
    kind_name: dict[str, str]
    members: int


class UnitCount(msgspec.Struct, kw_only=True):
    kind: str
    count: int


class PluginFigure(msgspec.Struct, kw_only=True):
    plugin: str
    code: str
    label: dict[str, str]
    value: int | float


class Statistics(msgspec.Struct, kw_only=True):
    org: UUID
    generated_at: datetime
    orgs_total: int
    orgs: list[OrgCount]
    members_total: int
    #: Distinct persons with at least one active membership in the subtree.
    persons_total: int
    members: list[MemberCount]
    units: list[UnitCount]
    coverage: list[RuleRate]
    plugins: list[PluginFigure]


def _kind_name(kinds: Mapping[str, OrgKind], code: str) -> dict[str, str]:
    kind = kinds.get(code)
    return kind.name.as_dict() if kind else {"zh-Hans": code, "zh-Hant": code, "en": code}


async def plugin_figures(pm: pluggy.PluginManager, org_path: str) -> list[PluginFigure]:
    """Every plugin's ``quntuan_statistics`` figures of the subtree at ``org_path``, named by plugin."""
    figures: list[PluginFigure] = []
    for impl in reversed(pm.hook.quntuan_statistics.get_hookimpls()):
        try:
            result = impl.function(org_path=org_path)
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:  # a plugin's failure leaves its figures out, nothing more
            log.error("statistics hook of plugin %s failed: %s", impl.plugin_name, type(exc).__name__)
            continue
        figures.extend(
            PluginFigure(plugin=impl.plugin_name, code=f.code, label=f.label.as_dict(), value=f.value)
            for f in (result or ())  # type: ignore[attr-defined]
            if isinstance(f, StatFigure)
        )
    return figures


async def statistics(
    pm: pluggy.PluginManager,
    kinds: Mapping[str, OrgKind],
    rules: Mapping[str, RegisteredRule],
    org_id: UUID,
    reaches: Sequence[Reach],
) -> Statistics:
    """Build the statistics of the subtree under ``org_id`` (which must be in reach)."""
    org = await Org.select(Org.path).where(Org.id == org_id).first().run()
    if org is None or not within(org["path"], reaches):
        raise Problem("not-found")
    low, high = subtree_bounds(org["path"])
    org_rows = await Org.raw(
        "SELECT kind, level, COUNT(*) AS n FROM core_org WHERE path >= {} AND path < {} AND status = 'active' "
        "GROUP BY kind, level ORDER BY kind, level",
        low,
        high,
    ).run()
    member_rows = await Org.raw(
        "SELECT o.kind AS kind, COUNT(*) AS n FROM core_membership m JOIN core_org o ON o.id = m.org "
        "WHERE o.path >= {} AND o.path < {} AND m.status = 'active' GROUP BY o.kind ORDER BY o.kind",
        low,
        high,
    ).run()
    persons = await Org.raw(
        "SELECT COUNT(DISTINCT m.person) AS n FROM core_membership m JOIN core_org o ON o.id = m.org "
        "WHERE o.path >= {} AND o.path < {} AND m.status = 'active'",
        low,
        high,
    ).run()
    unit_rows = await Org.raw(
        "SELECT kind, COUNT(*) AS n FROM core_unit WHERE area_path >= {} AND area_path < {} "
        "AND status = 'active' GROUP BY kind ORDER BY kind",
        low,
        high,
    ).run()
    figures = await plugin_figures(pm, org["path"])
    orgs = [
        OrgCount(kind=r["kind"], kind_name=_kind_name(kinds, r["kind"]), level=r["level"], count=int(r["n"]))
        for r in org_rows
    ]
    members = [
        MemberCount(kind=r["kind"], kind_name=_kind_name(kinds, r["kind"]), members=int(r["n"]))
        for r in member_rows
    ]
    return Statistics(
        org=org_id,
        generated_at=datetime.now(UTC),
        orgs_total=sum(o.count for o in orgs),
        orgs=orgs,
        members_total=sum(m.members for m in members),
        persons_total=int(persons[0]["n"]) if persons else 0,
        members=members,
        units=[UnitCount(kind=r["kind"], count=int(r["n"])) for r in unit_rows],
        coverage=await subtree_rates(rules, org["path"]),
        plugins=figures,
    )


# --- XLSX -------------------------------------------------------------------------------------------------

_T = {
    "orgs": Text(zh_hans="组织", zh_hant="組織", en="Organizations"),
    "members": Text(zh_hans="成员", zh_hant="成員", en="Members"),
    "units": Text(zh_hans="应建单位", zh_hant="應建單位", en="Units"),
    "coverage": Text(zh_hans="覆盖率", zh_hant="覆蓋率", en="Coverage"),
    "plugins": Text(zh_hans="各组织指标", zh_hant="各組織指標", en="Plugin figures"),
    "kind": Text(zh_hans="类型", zh_hant="類型", en="Kind"),
    "kind_code": Text(zh_hans="类型代码", zh_hant="類型代碼", en="Kind code"),
    "level": Text(zh_hans="层级", zh_hant="層級", en="Level"),
    "count": Text(zh_hans="数量", zh_hant="數量", en="Count"),
    "rule": Text(zh_hans="指标", zh_hant="指標", en="Rule"),
    "required": Text(zh_hans="应建数", zh_hant="應建數", en="Required"),
    "covered": Text(zh_hans="已建数", zh_hant="已建數", en="Covered"),
    "rate": Text(zh_hans="覆盖率", zh_hant="覆蓋率", en="Rate"),
    "plugin": Text(zh_hans="组织", zh_hant="組織", en="Plugin"),
    "figure": Text(zh_hans="指标", zh_hant="指標", en="Figure"),
    "value": Text(zh_hans="数值", zh_hant="數值", en="Value"),
}


def statistics_xlsx(stats: Statistics, locale: str) -> bytes:
    """The statistics as a workbook, one sheet per table, headers in ``locale``."""
    from core.orgs.tabular import safe_cell

    loc: Any = locale

    def t(key: str) -> str:
        return _T[key].get(loc)

    from openpyxl import Workbook  # loaded on the first export, not at start-up
    from openpyxl.styles import Font

    book = Workbook()
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        (
            "orgs",
            [t("kind"), t("kind_code"), t("level"), t("count")],
            [[o.kind_name[locale], o.kind, o.level, o.count] for o in stats.orgs],
        ),
        (
            "members",
            [t("kind"), t("kind_code"), t("count")],
            [[m.kind_name[locale], m.kind, m.members] for m in stats.members],
        ),
        ("units", [t("kind"), t("count")], [[u.kind, u.count] for u in stats.units]),
        (
            "coverage",
            [t("rule"), t("plugin"), t("required"), t("covered"), t("rate")],
            [[c.name[locale], c.plugin, c.required, c.covered, c.rate] for c in stats.coverage],
        ),
        (
            "plugins",
            [t("plugin"), t("figure"), t("value")],
            [[f.plugin, f.label[locale], f.value] for f in stats.plugins],
        ),
    ]
    for index, (key, header, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = t(key)[:31]
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
