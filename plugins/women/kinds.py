"""Organization kinds of the Women's Federation (妇联), in the "1+10+95+N" shape."""

from core.sdk import AdminLevel, OrgKind, Text

L = AdminLevel

ORG_KINDS: tuple[OrgKind, ...] = (
    OrgKind(
        code="women.federation",
        name=Text(zh_hans="妇联", zh_hant="婦聯", en="Women's federation"),
        levels=(L.NATIONAL, L.PROVINCE, L.CITY, L.COUNTY, L.TOWNSHIP),
        parents=("party.committee", "women.federation"),
        may_be_root=True,
        description=Text(
            zh_hans="各级妇联，乡镇（街道）妇联", en="Federations at each level down to township/street"
        ),
    ),
    OrgKind(
        code="women.grassroots",
        name=Text(zh_hans="基层妇联", zh_hant="基層婦聯", en="Grassroots women's federation"),
        levels=(L.VILLAGE, L.UNIT),
        parents=("women.federation", "party.committee", "party.general_branch", "party.branch"),
        description=Text(
            zh_hans="村（社区）妇联及楼宇、企业、园区妇联",
            en="Village and community federations, and those in buildings, enterprises and parks",
        ),
    ),
    OrgKind(
        code="women.group",
        name=Text(zh_hans="妇女小组", zh_hant="婦女小組", en="Women's group"),
        levels=(L.VILLAGE, L.UNIT),
        parents=("women.grassroots",),
    ),
)
