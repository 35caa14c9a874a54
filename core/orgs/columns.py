"""The columns of exports, imports and import templates, named in zh-Hans, zh-Hant and en.

One table serves all three: an export's header row is in the caller's language, an import accepts any
of the three names (and the field name itself), so an exported file imports again, and the template of
each import kind lists its columns with what each takes.
"""

from __future__ import annotations

from typing import Final

from core.kernel.i18n import Text


def _t(zh_hans: str, en: str, zh_hant: str) -> Text:
    return Text(zh_hans=zh_hans, en=en, zh_hant=zh_hant)


#: Field name → its column header in each language.
LABELS: Final[dict[str, Text]] = {
    "id": _t("编号", "ID", "編號"),
    "ref": _t("序号", "Ref", "序號"),
    "parent": _t("上级组织", "Parent org", "上級組織"),
    "name": _t("名称", "Name", "名稱"),
    "kind": _t("类型", "Kind", "類型"),
    "level": _t("层级", "Level", "層級"),
    "region_code": _t("行政区划代码", "Region code", "行政區劃代碼"),
    "two_new": _t("两新组织", "Two-new type", "兩新組織"),
    "place": _t("场所", "Place", "場所"),
    "address": _t("地址", "Address", "地址"),
    "contact_name": _t("联系人", "Contact", "聯絡人"),
    "contact_phone": _t("联系电话", "Contact phone", "聯絡電話"),
    "status": _t("状态", "Status", "狀態"),
    "credit_code": _t("统一社会信用代码", "Unified social credit code", "統一社會信用代碼"),
    "employees": _t("职工人数", "Employees", "職工人數"),
    "female_employees": _t("女职工人数", "Female employees", "女職工人數"),
    "youth_employees": _t("青年职工人数", "Young employees", "青年職工人數"),
    "area": _t("所在组织", "Area org", "所在組織"),
    "org": _t("组织", "Org", "組織"),
    "org_name": _t("组织名称", "Org name", "組織名稱"),
    "person": _t("人员编号", "Person ID", "人員編號"),
    "role": _t("角色", "Role", "角色"),
    "joined_at": _t("加入时间", "Joined at", "加入時間"),
    "left_at": _t("离开时间", "Left at", "離開時間"),
    "id_number": _t("身份证号", "ID number", "身分證號"),
    "phone": _t("手机", "Mobile phone", "手機"),
    "gender": _t("性别", "Gender", "性別"),
    "birth_date": _t("出生日期", "Birth date", "出生日期"),
    "political_status": _t("政治面貌", "Political status", "政治面貌"),
}

#: Member names in member exports and imports: name is the person's (姓名), not an org's name.
MEMBER_LABELS: Final[dict[str, Text]] = {**LABELS, "name": _t("姓名", "Name", "姓名")}

#: What each import column takes, for the template's notes sheet.
NOTES: Final[dict[str, Text]] = {
    "ref": _t(
        "本文件内的序号，供下面的行作为上级组织引用",
        "A number within this file, for rows below to name as their parent",
        "本檔案內的序號，供下面的行作為上級組織引用",
    ),
    "parent": _t(
        "上级组织：编号（UUID）、本文件的序号，或权限范围内唯一的组织全称",
        "Parent org: its id (UUID), a ref of this file, or its full name when unique within your reach",
        "上級組織：編號（UUID）、本檔案的序號，或權限範圍內唯一的組織全稱",
    ),
    "area": _t(
        "所在组织：编号（UUID）或权限范围内唯一的组织全称",
        "The org the unit belongs to: its id (UUID) or its full name when unique within your reach",
        "所在組織：編號（UUID）或權限範圍內唯一的組織全稱",
    ),
    "org": _t(
        "组织：编号（UUID）或权限范围内唯一的组织全称",
        "The org: its id (UUID) or its full name when unique within your reach",
        "組織：編號（UUID）或權限範圍內唯一的組織全稱",
    ),
    "kind": _t(
        "组织类型代码，如 union.grassroots",
        "An org kind code, e.g. union.grassroots",
        "組織類型代碼，如 union.grassroots",
    ),
    "level": _t(
        "national、province、city、county、township、village 或 unit",
        "national, province, city, county, township, village or unit",
        "national、province、city、county、township、village 或 unit",
    ),
    "region_code": _t("6 位行政区划代码", "A 6-digit administrative division code", "6 位行政區劃代碼"),
    "two_new": _t(
        "空、non_public_enterprise 或 social_organization",
        "empty, non_public_enterprise or social_organization",
        "空、non_public_enterprise 或 social_organization",
    ),
    "place": _t(
        "空、building、park 或 business_district",
        "empty, building, park or business_district",
        "空、building、park 或 business_district",
    ),
    "id_number": _t("18 位公民身份号码", "An 18-character resident ID number", "18 位公民身份號碼"),
    "phone": _t("11 位手机号", "An 11-digit mobile number", "11 位手機號"),
    "role": _t("角色代码，默认 member", "A role code; member by default", "角色代碼，預設 member"),
    "credit_code": _t(
        "18 位统一社会信用代码", "The 18-character unified social credit code", "18 位統一社會信用代碼"
    ),
}


def labels_of(what: str) -> dict[str, Text]:
    return MEMBER_LABELS if what == "members" else LABELS


def header(what: str, fields: list[str], locale: str) -> list[str]:
    """The header row of ``fields`` in ``locale``."""
    labels = labels_of(what)
    return [labels[f].get(locale) if f in labels else f for f in fields]  # type: ignore[arg-type]


def aliases(what: str) -> dict[str, str]:
    """Every accepted header (lower case) → its field: the field name and its three labels."""
    found: dict[str, str] = {}
    for field, text in labels_of(what).items():
        for name in (field, text.get("zh-Hans"), text.get("zh-Hant"), text.get("en")):
            found.setdefault(name.strip().lower(), field)
    return found
