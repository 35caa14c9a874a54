"""Problem types and field codes of the women plugin, in zh-Hans, zh-Hant and en."""

from __future__ import annotations

from core.sdk import Text, register_field_code, register_problem

NOT_A_FEDERATION = register_problem(
    "women-not-a-federation",
    422,
    Text(zh_hans="不是妇联组织", zh_hant="不是婦聯組織", en="Not a women's federation"),
    Text(
        zh_hans="执委只能在妇联或基层妇联中任命。",
        zh_hant="執委只能在婦聯或基層婦聯中任命。",
        en="Executive members are appointed in women's federations and grassroots federations only.",
    ),
)
ALREADY_EXECUTIVE = register_problem(
    "women-already-executive",
    409,
    Text(zh_hans="已是该组织执委", zh_hant="已是該組織執委", en="Already an executive member"),
    Text(
        zh_hans="此人已在该组织担任执委，请修改现有任期。",
        zh_hant="此人已在該組織擔任執委，請修改現有任期。",
        en="The person is already an executive member of this org; change the existing term instead.",
    ),
)
EVALUATED = register_problem(
    "women-already-evaluated",
    409,
    Text(zh_hans="该年度已评价", zh_hant="該年度已評價", en="Year already evaluated"),
    Text(
        zh_hans="该执委本年度已有评价，每年只评价一次。",
        zh_hant="該執委本年度已有評價，每年只評價一次。",
        en="The member already has an evaluation for this year; there is one per year.",
    ),
)
TERM_ORDER = register_field_code(
    "women_term_order",
    Text(
        zh_hans="任期结束日期不能早于开始日期",
        zh_hant="任期結束日期不能早於開始日期",
        en="The term ends before it starts",
    ),
)
CODE_FOR_KIND = register_field_code(
    "women_code_for_kind",
    Text(
        zh_hans="活动记录须填写活动类型，评价须填写等次",
        zh_hant="活動記錄須填寫活動類型，評價須填寫等次",
        en="An activity takes an activity kind, an evaluation a grade",
    ),
)
CONTACT_TARGET = register_field_code(
    "women_contact_target",
    Text(
        zh_hans="联系对象为个人时须填写 person_id，为组织时须填写 org_id",
        zh_hant="聯繫對象為個人時須填寫 person_id，為組織時須填寫 org_id",
        en="A person contact needs person_id, an org contact org_id",
    ),
)
CRITERIA_UNMET = register_field_code(
    "women_criteria_unmet",
    Text(
        zh_hans="未满足项目的全部报名条件",
        zh_hant="未滿足項目的全部報名條件",
        en="Not every enrolment criterion of the program is met",
    ),
)
ALREADY_ENROLLED = register_problem(
    "women-already-enrolled",
    409,
    Text(zh_hans="已报名", zh_hant="已報名", en="Already enrolled"),
    Text(
        zh_hans="此人已报名该项目。",
        zh_hant="此人已報名該項目。",
        en="The person is already enrolled in this program.",
    ),
)
ALL_SESSIONS = register_problem(
    "women-sessions-complete",
    409,
    Text(zh_hans="培训课次已满", zh_hant="培訓課次已滿", en="Every session attended"),
    Text(
        zh_hans="该学员已参加项目的全部 {sessions} 次培训。",
        zh_hant="該學員已參加項目的全部 {sessions} 次培訓。",
        en="The participant attended all {sessions} sessions of the program.",
    ),
)
NOT_A_CHILDRENS_HOME = register_field_code(
    "women_not_a_childrens_home",
    Text(
        zh_hans="须为本单位及下级妇联的在用儿童之家",
        zh_hant="須為本單位及下級婦聯的在用兒童之家",
        en="Must be an open children's home kept by the unit or a federation below it",
    ),
)
# --- the executive import (执委名单导入): codes of its report's issues -----------------------------------
MISSING_COLUMN = register_field_code(
    "women_missing_column",
    Text(zh_hans="缺少必需的列", zh_hant="缺少必需的欄", en="A required column is missing"),
)
PERSON_UNKNOWN = register_field_code(
    "women_person_unknown",
    Text(
        zh_hans="平台上没有此身份证号的人员，或其不在权限范围内",
        zh_hant="平台上沒有此身分證號的人員，或其不在權限範圍內",
        en="No person with this ID number within reach",
    ),
)
NAME_MISMATCH = register_field_code(
    "women_name_mismatch",
    Text(
        zh_hans="姓名与身份证号对应的人员不一致",
        zh_hant="姓名與身分證號對應的人員不一致",
        en="The name is not that of the person with this ID number",
    ),
)
SERVING = register_field_code(
    "women_already_executive",
    Text(
        zh_hans="此人已是该组织在任执委",
        zh_hant="此人已是該組織在任執委",
        en="Already an executive member here",
    ),
)
FILE_UNREADABLE = register_field_code(
    "women_file_unreadable",
    Text(
        zh_hans="无法读取文件（须为 CSV 或 XLSX）",
        zh_hant="無法讀取檔案（須為 CSV 或 XLSX）",
        en="The file cannot be read (CSV or XLSX)",
    ),
)
TOO_MANY_ROWS = register_field_code(
    "women_too_many_rows",
    Text(zh_hans="一次至多导入 1000 行", zh_hant="一次至多匯入 1000 行", en="At most 1000 rows at a time"),
)
