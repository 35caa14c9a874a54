"""Organization kinds of the Association for Science and Technology (科协)."""

from core.sdk import AdminLevel, OrgKind, Text

L = AdminLevel

ORG_KINDS: tuple[OrgKind, ...] = (
    OrgKind(
        code="scitech.association",
        name=Text(zh_hans="科协", zh_hant="科協", en="Association for science and technology"),
        levels=(L.NATIONAL, L.PROVINCE, L.CITY, L.COUNTY, L.TOWNSHIP),
        parents=("party.committee", "scitech.association"),
        may_be_root=True,
    ),
    OrgKind(
        code="scitech.society",
        name=Text(zh_hans="学会", zh_hant="學會", en="Academic society"),
        levels=(L.NATIONAL, L.PROVINCE, L.CITY, L.COUNTY),
        parents=("scitech.association",),
    ),
    OrgKind(
        code="scitech.enterprise_association",
        name=Text(zh_hans="企业科协", zh_hant="企業科協", en="Enterprise association"),
        levels=(L.UNIT,),
        parents=("scitech.association", "party.committee"),
    ),
    OrgKind(
        code="scitech.university_association",
        name=Text(zh_hans="高校科协", zh_hant="高校科協", en="University association"),
        levels=(L.UNIT,),
        parents=("scitech.association", "party.committee"),
    ),
)
