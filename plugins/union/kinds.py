"""Organization kinds of the trade union (工会)."""

from core.sdk import AdminLevel, OrgKind, Text

L = AdminLevel

ORG_KINDS: tuple[OrgKind, ...] = (
    OrgKind(
        code="union.federation",
        name=Text(zh_hans="总工会", zh_hant="總工會", en="Federation of trade unions"),
        levels=(L.NATIONAL, L.PROVINCE, L.CITY, L.COUNTY, L.TOWNSHIP),
        parents=("party.committee", "union.federation"),
        may_be_root=True,
        description=Text(
            zh_hans="各级地方总工会，乡镇（街道）总工会",
            en="Federations at each level down to township/street",
        ),
    ),
    OrgKind(
        code="union.grassroots",
        name=Text(zh_hans="基层工会", zh_hant="基層工會", en="Grassroots union"),
        levels=(L.TOWNSHIP, L.VILLAGE, L.UNIT),
        parents=("union.federation", "party.committee", "party.general_branch", "party.branch"),
        description=Text(
            zh_hans="企业工会、楼宇工会、街道职业化工会、行业工会等",
            en="Enterprise, building, street vocational and industry unions",
        ),
    ),
    OrgKind(
        code="union.group",
        name=Text(zh_hans="工会小组", zh_hant="工會小組", en="Union group"),
        levels=(L.UNIT,),
        parents=("union.grassroots",),
    ),
)
