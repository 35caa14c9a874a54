"""Problem types and field-error codes of the organizations domain, in the three languages."""

from __future__ import annotations

from core.kernel.errors import register_field_code, register_problem
from core.kernel.i18n import Text


def _field(code: str, zh_hans: str, en: str, zh_hant: str | None = None) -> str:
    """Register the message of a field-error code so 422s render it in the caller's language."""
    return register_field_code(code, Text(zh_hans=zh_hans, en=en, zh_hant=zh_hant))


# --- field-error codes (422 ``errors[].code``; also row codes of import reports) -----------------------

UNKNOWN_KIND = _field("unknown_kind", "未知的组织类型", "Unknown organization kind", "未知的組織類型")
LEVEL_NOT_ALLOWED = _field(
    "level_not_allowed",
    "该类型的组织不能设在此层级",
    "This kind may not have this level",
    "該類型的組織不能設在此層級",
)
PARENT_KIND_NOT_ALLOWED = _field(
    "parent_kind_not_allowed",
    "该类型的组织不能设在此上级组织下",
    "This kind may not sit under that parent's kind",
    "該類型的組織不能設在此上級組織下",
)
ROOT_NOT_ALLOWED = _field(
    "root_not_allowed", "该类型的组织必须有上级组织", "This kind needs a parent", "該類型的組織必須有上級組織"
)
LEVEL_ABOVE_PARENT = _field(
    "level_above_parent",
    "层级不能高于上级组织",
    "The level may not be above the parent's",
    "層級不能高於上級組織",
)
UNKNOWN_PARENT = _field("unknown_parent", "上级组织不存在", "The parent does not exist", "上級組織不存在")
PARENT_DISSOLVED = _field("parent_dissolved", "上级组织已撤销", "The parent is dissolved", "上級組織已撤銷")
INTO_OWN_SUBTREE = _field(
    "into_own_subtree",
    "不能移到自身或其下级组织之下",
    "Cannot move under itself or its descendants",
    "不能移到自身或其下級組織之下",
)
REGION_CODE = _field(
    "region_code", "行政区划代码应为 6 位数字", "A region code is 6 digits", "行政區劃代碼應為 6 位數字"
)
DUPLICATE = _field("duplicate", "重复", "Duplicate", "重複")
CHECKSUM = _field("checksum", "校验码错误", "Wrong check digit", "校驗碼錯誤")
ORG_DISSOLVED = _field("org_dissolved", "组织已撤销", "The organization is dissolved", "組織已撤銷")
UNKNOWN_ORG = _field(
    "unknown_org",
    "组织不存在或不在权限范围内",
    "Unknown organization or outside your reach",
    "組織不存在或不在權限範圍內",
)
AMBIGUOUS_ORG = _field(
    "ambiguous_org",
    "权限范围内有多个组织叫这个名称，请填写组织编号",
    "Several organizations within your reach have this name: give the org's id",
    "權限範圍內有多個組織叫這個名稱，請填寫組織編號",
)
REQUIRED = "required"
INVALID = "invalid"
ENCODING = _field(
    "encoding",
    "无法识别文件编码（支持 UTF-8、GBK/GB18030）",
    "Unreadable file encoding (UTF-8 and GBK/GB18030 are supported)",
    "無法識別檔案編碼（支援 UTF-8、GBK/GB18030）",
)
UNKNOWN_COLUMN = _field("unknown_column", "无法识别的列", "Unrecognised column", "無法識別的欄")
FORMAT = _field(
    "file_format",
    "文件格式无法读取（支持 XLSX 与 CSV）",
    "The file cannot be read (XLSX and CSV are supported)",
    "檔案格式無法讀取（支援 XLSX 與 CSV）",
)
PHONE = _field("phone", "手机号码格式不正确", "Not a mobile phone number", "手機號碼格式不正確")
TRANSFER_ACROSS = _field(
    "transfer_across_organizations",
    "只能转接到同一群团组织体系内",
    "Transfers stay within one mass organization",
    "只能轉接到同一群團組織體系內",
)

# --- problem types -------------------------------------------------------------------------------------

ORG_HAS_ACTIVE_CHILDREN = register_problem(
    "org-has-active-children",
    409,
    Text(
        zh_hans="组织下仍有未撤销的下级组织",
        zh_hant="組織下仍有未撤銷的下級組織",
        en="Organization has active children",
    ),
    Text(
        zh_hans="请先撤销或移走下级组织。",
        zh_hant="請先撤銷或移走下級組織。",
        en="Dissolve or move its child organizations first.",
    ),
)
ORG_ALREADY_DISSOLVED = register_problem(
    "org-dissolved",
    409,
    Text(zh_hans="组织已撤销", zh_hant="組織已撤銷", en="Organization dissolved"),
    Text(
        zh_hans="已撤销的组织不能再修改。",
        zh_hant="已撤銷的組織不能再修改。",
        en="A dissolved organization cannot be changed.",
    ),
)
ALREADY_MEMBER = register_problem(
    "already-member",
    409,
    Text(zh_hans="已是该组织成员", zh_hant="已是該組織成員", en="Already a member"),
    Text(
        zh_hans="此人已是该组织的在册成员。",
        zh_hant="此人已是該組織的在冊成員。",
        en="The person already holds an active membership of this organization.",
    ),
)
MEMBERSHIP_CLOSED = register_problem(
    "membership-closed",
    409,
    Text(zh_hans="成员关系已结束", zh_hant="成員關係已結束", en="Membership closed"),
    Text(
        zh_hans="该成员关系已转出或已退出。",
        zh_hant="該成員關係已轉出或已退出。",
        en="This membership was already transferred or ended.",
    ),
)
MEMBERSHIP_VETOED = register_problem(
    "membership-rejected",
    422,
    Text(zh_hans="不符合入会（入团）条件", zh_hant="不符合入會（入團）條件", en="Membership rejected"),
    Text(
        zh_hans="{reason}",
        zh_hant="{reason}",
        en="{reason}",
    ),
)
UNIT_DUPLICATE = register_problem(
    "unit-duplicate",
    409,
    Text(zh_hans="单位已登记", zh_hant="單位已登記", en="Unit already registered"),
    Text(
        zh_hans="已有相同统一社会信用代码的单位。",
        zh_hant="已有相同統一社會信用代碼的單位。",
        en="A unit with this unified social credit code is already registered.",
    ),
)
ORG_CODE_TAKEN = register_problem(
    "org-code-taken",
    409,
    Text(zh_hans="组织代码已被使用", zh_hant="組織代碼已被使用", en="Org code taken"),
    Text(
        zh_hans="已有组织使用这个组织代码。",
        zh_hant="已有組織使用這個組織代碼。",
        en="Another org already has this code.",
    ),
)
IMPORT_REFUSED = register_problem(
    "import-refused",
    422,
    Text(zh_hans="导入未执行", zh_hant="匯入未執行", en="Import refused"),
    Text(
        zh_hans="文件中有 {count} 处问题，未导入任何数据；详见 errors（每行每列）与 context.report。",
        zh_hant="檔案中有 {count} 處問題，未匯入任何資料；詳見 errors（每行每欄）與 context.report。",
        en="The file has {count} problem(s) and nothing was imported; see errors (per row and column) "
        "and context.report.",
    ),
)
FILE_TOO_LARGE_FOR_UPLOAD = register_problem(
    "import-too-large",
    413,
    Text(
        zh_hans="文件过大，请使用后台导入",
        zh_hant="檔案過大，請使用後台匯入",
        en="File too large for upload import",
    ),
    Text(
        zh_hans="上传导入最多 {limit} 行；更大的文件请使用 quntuan import 命令或后台任务。",
        zh_hant="上傳匯入最多 {limit} 行；更大的檔案請使用 quntuan import 命令或後台任務。",
        en="Upload imports take at most {limit} rows; use `quntuan import` or a background job for larger files.",
    ),
)
IMPORT_LIMIT_EXCEEDED = register_problem(
    "import-limit-exceeded",
    413,
    Text(zh_hans="导入文件超出限制", zh_hant="匯入檔案超出限制", en="Import file over a limit"),
    Text(
        zh_hans="文件超出导入限制 {setting}（{limit}），未读取任何数据；请拆分文件，或由管理员调整该设置。",
        zh_hant="檔案超出匯入限制 {setting}（{limit}），未讀取任何資料；請拆分檔案，或由管理員調整該設定。",
        en="The file exceeds the import limit {setting} ({limit}) and was not read; split it, or ask an "
        "administrator to raise that setting.",
    ),
)
#: Row message of a file over a limit (``{setting}`` and ``{limit}`` filled in).
LIMIT_MESSAGE = Text(
    zh_hans="超出导入限制 {setting}（{limit}）",
    zh_hant="超出匯入限制 {setting}（{limit}）",
    en="Over the import limit {setting} ({limit})",
)
TOO_LARGE = "too_large"

# --- person link requests (人员关联申请) -------------------------------------------------------------------

LINK_CLOSED = register_problem(
    "person-link-closed",
    409,
    Text(zh_hans="关联申请已处理", zh_hant="關聯申請已處理", en="Link request closed"),
    Text(
        zh_hans="该人员关联申请已被同意、拒绝或撤回，不能再处理。",
        zh_hant="該人員關聯申請已被同意、拒絕或撤回，不能再處理。",
        en="This person link request was already approved, rejected or withdrawn.",
    ),
)
LINK_EXPIRED = register_problem(
    "person-link-expired",
    409,
    Text(zh_hans="关联申请已过期", zh_hant="關聯申請已過期", en="Link request expired"),
    Text(
        zh_hans="该人员关联申请已超过有效期，请重新提出。",
        zh_hant="該人員關聯申請已超過有效期，請重新提出。",
        en="This person link request expired; propose it again.",
    ),
)
LINK_LIMIT = register_problem(
    "person-link-limit",
    429,
    Text(zh_hans="关联申请过多", zh_hant="關聯申請過多", en="Too many link requests"),
    Text(
        zh_hans="今日提出的人员关联申请已达上限，请在 {retry_after} 秒后重试。",
        zh_hant="今日提出的人員關聯申請已達上限，請在 {retry_after} 秒後重試。",
        en="You reached today's limit of person link requests; retry after {retry_after} seconds.",
    ),
)
#: Import row note: the ID number belongs to a person outside the importer's reach; a link request was
#: proposed instead of linking them (not an error: the row is reported in ``proposed``).
LINK_PROPOSED = _field(
    "link_proposed",
    "此人不在您的管理范围内，已提出关联申请，待本人或其档案所在组织同意",
    "This person is outside your reach: a link request was proposed for the person or their home org to approve",
    "此人不在您的管理範圍內，已提出關聯申請，待本人或其檔案所在組織同意",
)
#: Import row issue: no link request may be proposed today, so a row naming an ID number outside the
#: importer's reach (or not yet registered) cannot be imported now.
LINK_LIMIT_ROW = _field(
    "link_limit",
    "今日人员关联申请已达上限，含身份证号的此行暂不能导入",
    "Today's limit of person link requests is reached: rows with an ID number cannot be imported now",
    "今日人員關聯申請已達上限，含身分證號的此行暫不能匯入",
)
