"""The women's federation's places: 妇女之家 and 儿童之家."""

from __future__ import annotations

from core.sdk import PlaceKind, PlaceService, Text

PLACE_KINDS = (
    PlaceKind(
        code="women.womens_home",
        name=Text(zh_hans="妇女之家", zh_hant="婦女之家", en="Women's home"),
        services=(
            PlaceService(
                code="family_counselling",
                name=Text(zh_hans="婚姻家庭咨询", zh_hant="婚姻家庭諮詢", en="Family counselling"),
            ),
            PlaceService(code="legal_aid", name=Text(zh_hans="法律援助", zh_hant="法律援助", en="Legal aid")),
        ),
    ),
    PlaceKind(
        code="women.childrens_home",
        name=Text(zh_hans="儿童之家", zh_hant="兒童之家", en="Children's home"),
    ),
)
