"""The union's own figures in the unified statistics: building unions and members in two-new unions."""

from __future__ import annotations

from core.sdk import Membership, Org, StatFigure, Text, subtree_bounds


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
    return [
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
