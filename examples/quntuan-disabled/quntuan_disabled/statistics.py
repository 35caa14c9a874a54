"""Certified persons of a subtree by category and by grade (figures of the org statistics)."""

from __future__ import annotations

from piccolo.query.functions.aggregate import Count

from core.sdk import StatFigure, Text, subtree_bounds

from .categories import CATEGORIES, GRADE_NAMES
from .tables import DisabledCertificate


async def figures(org_path: str) -> list[StatFigure]:
    low, high = subtree_bounds(org_path)
    rows = (
        await DisabledCertificate.select(
            DisabledCertificate.category, DisabledCertificate.grade, Count(alias="count")
        )
        .where(
            (DisabledCertificate.org_path >= low)
            & (DisabledCertificate.org_path < high)
            & (DisabledCertificate.status == "valid")
        )
        .group_by(DisabledCertificate.category, DisabledCertificate.grade)
        .run()
    )
    by_category: dict[str, int] = {}
    by_grade: dict[int, int] = {}
    for row in rows:
        by_category[row["category"]] = by_category.get(row["category"], 0) + row["count"]
        by_grade[row["grade"]] = by_grade.get(row["grade"], 0) + row["count"]
    out = [
        StatFigure(
            code="disabled.certified",
            label=Text(zh_hans="持证残疾人", zh_hant="持證殘疾人", en="Certified persons"),
            value=sum(by_category.values()),
        )
    ]
    for code, (_, name) in CATEGORIES.items():
        out.append(
            StatFigure(
                code=f"disabled.certified.{code}",
                label=Text(
                    zh_hans=f"持证{name.zh_hans}人",
                    zh_hant=f"持證{name.get('zh-Hant')}人",
                    en=f"Certified: {name.en}",
                ),
                value=by_category.get(code, 0),
            )
        )
    for grade, name in GRADE_NAMES.items():
        out.append(
            StatFigure(
                code=f"disabled.certified.grade{grade}",
                label=Text(
                    zh_hans=f"持证残疾人（{name.zh_hans}）",
                    zh_hant=f"持證殘疾人（{name.get('zh-Hant')}）",
                    en=f"Certified: {name.en}",
                ),
                value=by_grade.get(grade, 0),
            )
        )
    return out
