"""Organization kinds of the 残联: federations from the province down to the township, community
associations (社区残协) below them."""

from core.sdk import AdminLevel, OrgKind, Text

L = AdminLevel

FEDERATION = "disabled.federation"
ASSOCIATION = "disabled.association"

ORG_KINDS: tuple[OrgKind, ...] = (
    OrgKind(
        code=FEDERATION,
        name=Text(zh_hans="残疾人联合会", zh_hant="殘疾人聯合會", en="Disabled Persons' Federation"),
        levels=(L.NATIONAL, L.PROVINCE, L.CITY, L.COUNTY, L.TOWNSHIP),
        parents=("party.committee", FEDERATION),
        may_be_root=True,
        description=Text(
            zh_hans="省、市、县（区）、乡镇（街道）残联",
            zh_hant="省、市、縣（區）、鄉鎮（街道）殘聯",
            en="Federations of the province, city, county and township (street)",
        ),
    ),
    OrgKind(
        code=ASSOCIATION,
        name=Text(zh_hans="社区残协", zh_hant="社區殘協", en="Community association of disabled persons"),
        levels=(L.VILLAGE,),
        parents=(FEDERATION, "party.committee", "party.general_branch", "party.branch"),
        description=Text(
            zh_hans="村（社区）残疾人协会",
            zh_hant="村（社區）殘疾人協會",
            en="The association of disabled persons of a village or community",
        ),
    ),
)
