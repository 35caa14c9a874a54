"""Organization kinds of the Communist Youth League (共青团)."""

from core.sdk import AdminLevel, OrgKind, Text

L = AdminLevel

ORG_KINDS: tuple[OrgKind, ...] = (
    OrgKind(
        code="youth.committee",
        name=Text(zh_hans="团委", zh_hant="團委", en="League committee"),
        levels=tuple(L),
        parents=("party.committee", "youth.committee"),
        may_be_root=True,
        description=Text(zh_hans="各级团委及单位团委", en="League committees at each level and in units"),
    ),
    OrgKind(
        code="youth.general_branch",
        name=Text(zh_hans="团总支", zh_hant="團總支", en="League general branch"),
        levels=(L.TOWNSHIP, L.VILLAGE, L.UNIT),
        parents=("youth.committee", "party.committee", "party.general_branch"),
    ),
    OrgKind(
        code="youth.branch",
        name=Text(zh_hans="团支部", zh_hant="團支部", en="League branch"),
        levels=(L.TOWNSHIP, L.VILLAGE, L.UNIT),
        parents=(
            "youth.committee",
            "youth.general_branch",
            "party.committee",
            "party.general_branch",
            "party.branch",
        ),
        description=Text(
            zh_hans="含楼宇、园区、商圈团支部",
            en="Including branches in buildings, parks and business districts",
        ),
    ),
)
