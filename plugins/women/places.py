"""The women's federation's places: 妇女之家 and 儿童之家, kept by federations and grassroots federations.

The core stores them with their opening hours and services, lists them publicly, books their rooms and
runs their activities (events of type ``women.home_activity`` or ``women.family_education`` at the
place); their star rating (最美儿童之家) is the selection type ``women.best_childrens_home``.
"""

from __future__ import annotations

from core.sdk import PlaceKind, PlaceService, Text

OWNERS = ("women.federation", "women.grassroots")


def _s(code: str, zh_hans: str, zh_hant: str, en: str) -> PlaceService:
    return PlaceService(code=code, name=Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en))


PLACE_KINDS = (
    PlaceKind(
        code="women.womens_home",
        name=Text(zh_hans="妇女之家", zh_hant="婦女之家", en="Women's home"),
        org_kinds=OWNERS,
        services=(
            _s("family_counselling", "婚姻家庭咨询", "婚姻家庭諮詢", "Family counselling"),
            _s("legal_aid", "法律援助", "法律援助", "Legal aid"),
            _s("rights_reception", "维权接待", "維權接待", "Rights reception"),
            _s("skills_training", "技能培训", "技能培訓", "Skills training"),
            _s("health", "健康讲座", "健康講座", "Health talks"),
            _s("parents_school", "家长学校", "家長學校", "Parents' school"),
            _s("psychological", "心理疏导", "心理疏導", "Psychological support"),
        ),
    ),
    PlaceKind(
        code="women.childrens_home",
        name=Text(zh_hans="儿童之家", zh_hant="兒童之家", en="Children's home"),
        org_kinds=OWNERS,
        services=(
            _s("after_school", "课后看护", "課後看護", "After-school care"),
            _s("summer_care", "暑期托管", "暑期託管", "Summer care"),
            _s("reading", "亲子阅读", "親子閱讀", "Parent-child reading"),
            _s("safety_education", "安全教育", "安全教育", "Safety education"),
            _s("psychological_care", "心理关爱", "心理關愛", "Psychological care"),
            _s("left_behind_care", "留守儿童关爱", "留守兒童關愛", "Care for left-behind children"),
        ),
    ),
)
