"""Reading and writing tables: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX, safe for spreadsheets.

Reading uses python-calamine for workbooks; writing uses openpyxl (XLSX) or the csv module with a BOM,
so Excel opens Chinese text correctly. Every text cell written is defused against formula injection
(CWE-1236): a value starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Tried in order; GB18030 is a superset of GBK and GB2312.
ENCODINGS = ("utf-8-sig", "gb18030")


class UnreadableFile(Exception):
    """The file is neither a workbook nor text in a supported encoding."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def safe_cell(value: Any) -> Any:
    """A value that a spreadsheet shows as text and never evaluates."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decode_text(raw: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise UnreadableFile("encoding")


def read_rows(raw: bytes, filename: str = "") -> list[list[str]]:
    """All rows of the first sheet (XLSX/XLS/ODS) or of a CSV file, as stripped strings."""
    is_workbook = raw[:4] == b"PK\x03\x04" or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    if is_workbook or filename.lower().endswith((".xlsx", ".xls", ".ods")):
        from python_calamine import CalamineWorkbook  # loaded on the first import, not at start-up

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
            rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception:
            raise UnreadableFile("file_format") from None
        return [[_cell_text(v) for v in row] for row in rows]
    text = decode_text(raw)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """CSV in UTF-8 with a BOM (for Excel), every cell defused; yields chunks for streaming."""
    yield "\ufeff".encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for index, row in enumerate(rows):
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
        if index % 500 == 499:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One-sheet workbook (openpyxl write-only mode), every text cell defused."""
    from openpyxl import Workbook  # loaded on the first export, not at start-up

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
