"""The union's figures in the unified statistics (JSON and XLSX): members, 建会率 and 入会率, dues in
arrears, open hardship files, building unions and members in two-new units."""

from __future__ import annotations

from core.sdk import Membership, Org, StatFigure, Text, subtree_bounds
from plugins.union.agreements import agreement_coverage
from plugins.union.formation_routes import formation
from plugins.union.tables import UnionDues, UnionHardshipFile


async def union_figures(org_path: str) -> list[StatFigure]:
    low, high = subtree_bounds(org_path)
    in_subtree = (Org.path >= low) & (Org.path < high) & (Org.status == "active")
    building_unions = (
        await Org.count()
        .where(in_subtree & (Org.kind == "union.grassroots") & (Org.place == "building"))
        .run()
    )
    two_new_members = (
        await Membership.count()
        .where(
            (Membership.org.path >= low)
            & (Membership.org.path < high)
            & (Membership.org.kind.like("union.%"))
            & (Membership.org.two_new != "")
            & (Membership.status == "active")
        )
        .run()
    )
    members = (
        await Membership.count()
        .where(
            (Membership.org.path >= low)
            & (Membership.org.path < high)
            & (Membership.org.kind.is_in(["union.grassroots", "union.group"]))
            & (Membership.role == "member")
            & (Membership.status == "active")
        )
        .run()
    )
    required, covered, employees, in_units = await formation(org_path)
    arrears = (
        await UnionDues.select(UnionDues.due, UnionDues.paid)
        .where(
            (UnionDues.org_path >= low)
            & (UnionDues.org_path < high)
            & UnionDues.status.is_in(["due", "partial"])
        )
        .run()
    )
    hardship = (
        await UnionHardshipFile.count()
        .where(
            (UnionHardshipFile.org_path >= low)
            & (UnionHardshipFile.org_path < high)
            & (UnionHardshipFile.status == "open")
        )
        .run()
    )
    enterprises, covered_employees = await agreement_coverage(org_path)
    return [
        StatFigure(
            code="union.agreement_enterprises",
            label=Text(
                zh_hans="工资集体协议覆盖企业数",
                zh_hant="工資集體協議覆蓋企業數",
                en="Enterprises under wage agreements",
            ),
            value=enterprises,
        ),
        StatFigure(
            code="union.agreement_employees",
            label=Text(
                zh_hans="工资集体协议覆盖职工数",
                zh_hant="工資集體協議覆蓋職工數",
                en="Employees under wage agreements",
            ),
            value=covered_employees,
        ),
        StatFigure(
            code="union.members",
            label=Text(zh_hans="工会会员数", zh_hant="工會會員數", en="Union members"),
            value=members,
        ),
        StatFigure(
            code="union.formation_rate",
            label=Text(zh_hans="建会率（%）", zh_hant="建會率（%）", en="Union formation rate (%)"),
            value=round(100 * covered / required, 1) if required else 0,
        ),
        StatFigure(
            code="union.membership_rate",
            label=Text(zh_hans="入会率（%）", zh_hant="入會率（%）", en="Membership rate (%)"),
            value=round(100 * in_units / employees, 1) if employees else 0,
        ),
        StatFigure(
            code="union.dues_arrears",
            label=Text(zh_hans="欠缴会费（分）", zh_hant="欠繳會費（分）", en="Dues in arrears (fen)"),
            value=sum(a["due"] - a["paid"] for a in arrears),
        ),
        StatFigure(
            code="union.hardship_open",
            label=Text(zh_hans="在档困难职工户数", zh_hant="在檔困難職工戶數", en="Open hardship files"),
            value=hardship,
        ),
        StatFigure(
            code="union.building_unions",
            label=Text(zh_hans="楼宇工会数", zh_hant="樓宇工會數", en="Building unions"),
            value=building_unions,
        ),
        StatFigure(
            code="union.two_new_members",
            label=Text(
                zh_hans="两新组织工会会员数",
                zh_hant="兩新組織工會會員數",
                en="Union members in two-new units",
            ),
            value=two_new_members,
        ),
    ]
