"""The union's problem types and field-error codes, in zh-Hans, zh-Hant and en."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.sdk import Problem, Text, register_field_code, register_problem


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


CHANGED = register_problem(
    "union-changed",
    412,
    _t("记录已被他人修改", "記錄已被他人修改", "The record was changed"),
    _t(
        "记录已被他人修改，请重新读取后再提交。",
        "記錄已被他人修改，請重新讀取後再提交。",
        "The record changed since you read it; read it again and resend.",
    ),
)
NOT_A_MEMBER = register_problem(
    "union-not-a-member",
    409,
    _t("不是在册会员", "不是在冊會員", "Not a current union member"),
    _t(
        "此人目前没有有效的工会会籍。",
        "此人目前沒有有效的工會會籍。",
        "This person has no active union membership.",
    ),
)
QUOTA_EXHAUSTED = register_problem(
    "union-quota-exhausted",
    409,
    _t("本年度福利额度已用完", "本年度福利額度已用完", "The yearly quota is used up"),
    _t(
        "该会员本年度此项福利的剩余额度不足以满足本次申请。",
        "該會員本年度此項福利的剩餘額度不足以滿足本次申請。",
        "What is left of this member's quota for the year does not cover the application.",
    ),
)

CODES = {
    "union_card_taken": _t("会员证号已被使用", "會員證號已被使用", "The member-card number is taken"),
    "union_member_elsewhere": _t(
        "此人已是其他工会的会员，请办理转会",
        "此人已是其他工會的會員，請辦理轉會",
        "Already a member of another union: transfer instead",
    ),
    "union_not_wage_earner": _t(
        "以工资收入为主要生活来源的劳动者方可入会",
        "以工資收入為主要生活來源的勞動者方可入會",
        "Only workers living mainly on a wage may join",
    ),
    "union_new_form_union": _t(
        "新就业形态劳动者请向行业、联合、楼宇或街道工会申请入会",
        "新就業形態勞動者請向行業、聯合、樓宇或街道工會申請入會",
        "New-form workers join through an industry, joint, building or street union",
    ),
    "union_grassroots_only": _t(
        "会员须加入基层工会", "會員須加入基層工會", "Members belong to a grassroots union"
    ),
    "union_unit_unknown": _t(
        "用人单位不在本工会区域的单位名录中",
        "用人單位不在本工會區域的單位名錄中",
        "The employer is not a registered unit of this union's area",
    ),
    "union_split_total": _t(
        "经费分成合计须为 1000‰，且基层工会份额大于零",
        "經費分成合計須為 1000‰，且基層工會份額大於零",
        "The funds split adds up to 1000‰ with a grassroots share",
    ),
    "union_notice_open": _t("公示期未满", "公示期未滿", "The public notice is still open"),
    "union_not_member": _t(
        "申请人不是在册会员", "申請人不是在冊會員", "The applicant is not a current union member"
    ),
    "union_term": _t(
        "协议期限的结束日应晚于开始日", "協議期限的結束日應晚於開始日", "The term ends after it starts"
    ),
    "union_already_evaluated": _t(
        "本年度已评议过该代表", "本年度已評議過該代表", "Already evaluated this year"
    ),
    "union_already_reported": _t("该代表本年度已述职", "該代表本年度已述職", "Already reported this year"),
    "union_already_representative": _t(
        "此人已是本工会的会员代表", "此人已是本工會的會員代表", "Already a representative here"
    ),
    "union_file_unreadable": _t(
        "无法读取文件（须为 CSV 或 XLSX）",
        "無法讀取檔案（須為 CSV 或 XLSX）",
        "The file cannot be read (CSV or XLSX)",
    ),
    "union_too_many_rows": _t("一次至多导入 5000 行", "一次至多匯入 5000 行", "At most 5000 rows at a time"),
    "union_employment": _t(
        "就业形态、用人单位或流动会员标记无效",
        "就業形態、用人單位或流動會員標記無效",
        "Invalid employment, employer or floating flag",
    ),
    "union_month": _t("月份格式为 YYYY-MM", "月份格式為 YYYY-MM", "A month is YYYY-MM"),
    "union_month_range": _t(
        "结束月份不得早于开始月份", "結束月份不得早於開始月份", "The last month is not before the first"
    ),
    "union_overpaid": _t("缴费金额超过应缴", "繳費金額超過應繳", "More than is due"),
    "union_nothing_due": _t("所选月份没有待缴会费", "所選月份沒有待繳會費", "Nothing due in these months"),
    "union_file_closed": _t("困难档案已关闭", "困難檔案已關閉", "The hardship file is closed"),
    "union_not_hardship": _t("不是困难职工建档流程", "不是困難職工建檔流程", "Not a hardship process"),
    "union_income_high": _t(
        "家庭人均月收入高于困难认定标准",
        "家庭人均月收入高於困難認定標準",
        "Household income per head is above the hardship line",
    ),
    "union_year": _t("年度须在 2000 至 2100 之间", "年度須在 2000 至 2100 之間", "A year from 2000 to 2100"),
    "union_competition_not_over": _t(
        "竞赛结束后方可登记成绩",
        "競賽結束後方可登記成績",
        "Results are recorded once the competition is over",
    ),
    "union_competition_cancelled": _t("竞赛已取消", "競賽已取消", "The competition was cancelled"),
    "union_no_results": _t("尚未登记成绩", "尚未登記成績", "No results are recorded yet"),
    "union_results_published": _t("成绩已公布", "成績已公佈", "The results are already published"),
    "union_rank_taken": _t("名次重复", "名次重複", "The rank is given twice"),
    "union_entrant_twice": _t(
        "同一参赛者登记了两次", "同一參賽者登記了兩次", "The same entrant is listed twice"
    ),
    "union_team_entrant": _t(
        "班组赛的成绩须填写队伍名称", "班組賽的成績須填寫隊伍名稱", "A team competition's results name teams"
    ),
    "union_person_entrant": _t(
        "个人赛的成绩须指明参赛职工",
        "個人賽的成績須指明參賽職工",
        "An individual competition's results name persons",
    ),
    "union_score": _t("得分须为数字，如 96.5", "得分須為數字，如 96.5", "A score is a number such as 96.5"),
    "union_union_only": _t(
        "须为总工会或基层工会", "須為總工會或基層工會", "Only a federation or grassroots union"
    ),
    "union_benefit_unknown": _t(
        "本工会没有此福利项目", "本工會沒有此福利項目", "This union has no such benefit programme"
    ),
    "union_benefit_closed": _t(
        "该福利项目已停止申请", "該福利項目已停止申請", "The benefit programme takes no applications"
    ),
    "union_benefit_not_eligible": _t(
        "仅本工会及下级工会的在册会员可以申请",
        "僅本工會及下級工會的在冊會員可以申請",
        "Only current members of this union's subtree may apply",
    ),
}
for _code, _text in CODES.items():
    register_field_code(_code, _text)


def invalid(pointer: str, code: str) -> Problem:
    """A 422 naming one field with one of the union's codes."""
    return Problem.invalid((pointer, code))


def check_version(row: Mapping[str, Any], if_match: str | None) -> None:
    """``If-Match`` must carry the row's ETag (``"<version>"``): 428 without, 412 when it moved on."""
    if if_match is None:
        raise Problem("precondition-required")
    tag = f'"{row["version"]}"'
    if if_match.strip() not in (tag, "W/" + tag, "*"):
        raise Problem(CHANGED)
