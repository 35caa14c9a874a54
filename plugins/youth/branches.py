"""团支部类别: what kind of branch a League branch is, kept beside the core's org.

A graduating class's branch (毕业班团支部) marks its members for transfer in bulk; once none of its
active members is left unmarked, it has graduated and its category becomes ``graduated`` (the category it
had is kept). A graduated branch has no branch life to hold: the quarterly compliance leaves it out.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from core.sdk import Text, emit, record_audit, register_field_code
from plugins.youth import signals
from plugins.youth.tables import YouthBranch, YouthMember

Category = Literal[
    "student",
    "graduating",
    "graduated",
    "enterprise",
    "public_sector",
    "rural",
    "community",
    "two_new",
    "other",
]
#: Category codes and their names (学生团支部 …), in the order a form lists them.
CATEGORIES: dict[str, Text] = {
    "student": Text(zh_hans="学生团支部", zh_hant="學生團支部", en="Students' branch"),
    "graduating": Text(zh_hans="毕业班团支部", zh_hant="畢業班團支部", en="Graduating class's branch"),
    "graduated": Text(zh_hans="已毕业团支部", zh_hant="已畢業團支部", en="Graduated branch"),
    "enterprise": Text(zh_hans="企业团支部", zh_hant="企業團支部", en="Enterprise branch"),
    "public_sector": Text(
        zh_hans="机关事业单位团支部", zh_hant="機關事業單位團支部", en="Public-sector branch"
    ),
    "rural": Text(zh_hans="农村团支部", zh_hant="農村團支部", en="Village branch"),
    "community": Text(zh_hans="社区团支部", zh_hant="社區團支部", en="Community branch"),
    "two_new": Text(
        zh_hans="两新组织团支部",
        zh_hant="兩新組織團支部",
        en="Branch in a new economic or social organisation",
    ),
    "other": Text(zh_hans="其他团支部", zh_hant="其他團支部", en="Other branch"),
}
register_field_code(
    "youth_graduated_by_marking",
    Text(
        zh_hans="“已毕业”由毕业班团支部标记全部团员转接后自动设定",
        zh_hant="「已畢業」由畢業班團支部標記全部團員轉接後自動設定",
        en="A branch becomes graduated by marking all its members for transfer",
    ),
)


async def category_of(org_id: Any) -> dict[str, Any] | None:
    return await YouthBranch.select().where(YouthBranch.id == org_id).first().run()  # type: ignore[no-any-return]


async def write_category(
    org: dict[str, Any],
    category: str,
    *,
    row: dict[str, Any] | None,
    stamp: dt.datetime,
    graduated: bool = False,
) -> dict[str, Any]:
    """Inside a write: set the branch's category (a new row, or the next version of ``row``), audited and
    signalled ``youth.branch_category_changed``. Returns the row as stored."""
    previous = row["category"] if row is not None else ""
    values = {
        "id": org["id"],
        "org_path": org["path"],
        "category": category,
        "previous_category": previous if graduated else "",
        "graduated_at": stamp if graduated else None,
        "version": (row["version"] + 1) if row is not None else 1,
        "updated_at": stamp,
    }
    if row is None:
        await YouthBranch.insert(YouthBranch(**values)).run()
    else:
        await (
            YouthBranch.update({getattr(YouthBranch, k): v for k, v in values.items() if k != "id"})
            .where(YouthBranch.id == org["id"])
            .run()
        )
    await record_audit(
        "youth.branch.category_set",
        resource_type="org",
        resource_id=org["id"],
        org_path=org["path"],
        changes={"category": category, "previous": previous, "graduated": graduated},
    )
    await emit(
        signals.BRANCH_CATEGORY_CHANGED,
        signals.BranchChanged(org_id=str(org["id"]), category=category),
        resource_type="org",
        resource_id=org["id"],
        org_path=org["path"],
    )
    return values


async def graduate_if_done(org: dict[str, Any], stamp: dt.datetime) -> bool:
    """After a graduation marking: when no active member of the branch is left unmarked, the branch has
    graduated — its category becomes ``graduated``. Returns whether it changed now."""
    left = (
        await YouthMember.exists()
        .where(
            (YouthMember.org == org["id"])
            & (YouthMember.status == "active")
            & YouthMember.left_branch_at.is_null()
        )
        .run()
    )
    row = await category_of(org["id"])
    if left or (row is not None and row["category"] == "graduated"):
        return False
    await write_category(org, "graduated", row=row, stamp=stamp, graduated=True)
    return True


async def graduated_branches(org_ids: list[Any]) -> set[Any]:
    rows = (
        await YouthBranch.select(YouthBranch.id)
        .where(YouthBranch.id.is_in(org_ids or [uuid.uuid4()]) & (YouthBranch.category == "graduated"))
        .run()
    )
    return {r["id"] for r in rows}
