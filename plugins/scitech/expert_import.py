"""XLSX (or CSV) import of experts into one library: a header row, then one expert a row.

Columns are found by their header (Chinese or English, any order): 姓名/name (required), 职称/title,
职称级别/title_grade (院士, 正高, 副高, 中级, 初级, 其他 or the codes), 工作单位/employer,
学科/disciplines (codes or names of GB/T 13745, separated by 、,;/ or spaces), 专长/tags (separated by
、,;), 愿意咨询/willing (是/否, yes/no, 1/0), 简介/bio. ``mode=all`` writes nothing unless every row is
valid; ``mode=valid`` writes the valid rows. The report names each problem's row and column.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from core.sdk import FieldError, Problem, Text, register_field_code, search_fold
from plugins.scitech import disciplines as vocab
from plugins.scitech.common import name_schemas
from plugins.scitech.experts import ExpertCreate, new_row

MAX_ROWS = 5000

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "title": ("职称", "title"),
    "title_grade": ("职称级别", "title_grade", "grade"),
    "employer": ("工作单位", "单位", "employer"),
    "disciplines": ("学科", "学科代码", "disciplines"),
    "tags": ("专长", "专长标签", "标签", "tags"),
    "willing": ("愿意咨询", "willing"),
    "bio": ("简介", "bio"),
}
GRADES = {
    "院士": "academician",
    "正高": "senior",
    "正高级": "senior",
    "副高": "associate",
    "副高级": "associate",
    "中级": "intermediate",
    "初级": "junior",
    "其他": "other",
}
YES = {"是", "yes", "y", "1", "true", "愿意"}
NO = {"否", "no", "n", "0", "false", "不愿意", ""}
_LIST = re.compile(r"[、,，;；/\s]+")
_TAGS = re.compile(r"[、,，;；]+")

MISSING_COLUMN = register_field_code(
    "scitech_missing_column",
    Text(zh_hans="缺少必需的列", zh_hant="缺少必需的列", en="A required column is missing"),
)
REQUIRED = register_field_code(
    "scitech_required", Text(zh_hans="必填项为空", zh_hant="必填項為空", en="A required value is empty")
)
BAD_VALUE = register_field_code(
    "scitech_bad_value",
    Text(zh_hans="取值不符合要求", zh_hant="取值不符合要求", en="The value is not accepted"),
)
TOO_MANY_ROWS = register_field_code(
    "scitech_too_many_rows",
    Text(zh_hans="一次导入的行数过多", zh_hant="一次匯入的行數過多", en="Too many rows for one import"),
)
UNREADABLE = register_field_code(
    "scitech_unreadable_file",
    Text(
        zh_hans="无法读取文件（请使用 XLSX 或 CSV）",
        zh_hant="無法讀取檔案（請使用 XLSX 或 CSV）",
        en="The file cannot be read (use XLSX or CSV)",
    ),
)


class ImportIssue(msgspec.Struct, kw_only=True):
    row: int
    column: str
    code: str
    message: str


class ImportReport(msgspec.Struct, kw_only=True):
    rows: int
    imported: int
    committed: bool
    mode: Literal["all", "valid"]
    issues: list[ImportIssue]
    ids: list[uuid.UUID] = []


def _discipline_codes(cell: str) -> list[str] | None:
    by_name = {d.name: d.code for d in vocab.vocabulary().values()}
    codes: list[str] = []
    for part in _LIST.split(cell.strip()):
        if not part:
            continue
        code = part if part in vocab.vocabulary() else by_name.get(part)
        if code is None:
            return None
        if code not in codes:
            codes.append(code)
    return codes


def header_map(header: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = search_fold(cell)
        for field, names in COLUMNS.items():
            if key in {search_fold(n) for n in names} and field not in found:
                found[field] = index
    return found


def parse(
    table: list[list[str]], org: uuid.UUID, org_path: str, locale: str
) -> tuple[list[dict[str, Any]], list[ImportIssue], int]:
    """The rows to write and the issues found (row numbers as the spreadsheet shows them)."""

    def issue(row: int, column: str, code: str) -> ImportIssue:
        message = Problem.invalid(("/", code), locale=locale).field_errors[0].message  # type: ignore[index]
        return ImportIssue(row=row, column=column, code=code, message=message)

    if not table:
        return [], [issue(1, "", REQUIRED)], 0
    columns = header_map(table[0])
    if "name" not in columns or "disciplines" not in columns:
        missing = "姓名" if "name" not in columns else "学科"
        return [], [issue(1, missing, MISSING_COLUMN)], 0
    body = [r for r in table[1:] if any(c.strip() for c in r)]
    if len(body) > MAX_ROWS:
        return [], [issue(MAX_ROWS + 2, "", TOO_MANY_ROWS)], len(body)

    def cell(row: list[str], field: str) -> str:
        index = columns.get(field)
        return row[index].strip() if index is not None and index < len(row) else ""

    rows: list[dict[str, Any]] = []
    issues: list[ImportIssue] = []
    for number, raw in enumerate(table[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        found: list[ImportIssue] = []
        name = cell(raw, "name")
        if not name:
            found.append(issue(number, table[0][columns["name"]], REQUIRED))
        codes = _discipline_codes(cell(raw, "disciplines"))
        if codes is None:
            found.append(issue(number, table[0][columns["disciplines"]], "scitech_unknown_discipline"))
        elif not codes:
            found.append(issue(number, table[0][columns["disciplines"]], REQUIRED))
        grade_cell = cell(raw, "title_grade")
        grade = GRADES.get(grade_cell, grade_cell or "other")
        willing_cell = cell(raw, "willing").lower()
        if willing_cell not in YES | NO:
            found.append(issue(number, table[0][columns["willing"]], BAD_VALUE))
        tags = [t.strip() for t in _TAGS.split(cell(raw, "tags")) if t.strip()]
        if found:
            issues += found
            continue
        try:
            data = msgspec.convert(
                {
                    "org": str(org),
                    "name": name,
                    "title": cell(raw, "title"),
                    "title_grade": grade,
                    "employer": cell(raw, "employer"),
                    "disciplines": codes,
                    "tags": tags,
                    "bio": cell(raw, "bio"),
                    "willing": willing_cell in YES if willing_cell else True,
                },
                ExpertCreate,
            )
            rows.append(new_row(data, org_path))
        except msgspec.ValidationError as exc:
            field = str(exc).rsplit("$.", 1)[-1].split("[")[0].strip("`") if "$." in str(exc) else ""
            header = table[0][columns[field]] if field in columns else ""
            issues.append(issue(number, header, BAD_VALUE))
        except Problem as exc:
            errors: list[FieldError] = exc.field_errors or []
            field = errors[0].pointer.strip("/").split("/")[0] if errors else ""
            header = table[0][columns[field]] if field in columns else ""
            issues.append(issue(number, header, errors[0].code if errors else BAD_VALUE))
    return rows, issues, len(body)


name_schemas(globals())
