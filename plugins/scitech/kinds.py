"""Organization kinds of the Association for Science and Technology (科协) and where each may sit.

Associations stand at every level from the nation to the township, under the Party committee of their
level or the association above; academic societies (学会) hang on an association (and their branches,
分会/专业委员会, on a society); enterprise and university associations are unit-level, under an
association or their unit's Party committee; popularization bases (科普基地) belong to any of them.
"""

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
        parents=("scitech.association", "scitech.society"),
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
    OrgKind(
        code="scitech.popularization_base",
        name=Text(zh_hans="科普基地", zh_hant="科普基地", en="Science-popularization base"),
        levels=(L.UNIT,),
        parents=(
            "scitech.association",
            "scitech.society",
            "scitech.enterprise_association",
            "scitech.university_association",
        ),
    ),
)
