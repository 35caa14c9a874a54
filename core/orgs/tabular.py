"""Reading and writing tables: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX, safe for spreadsheets.

Reading uses python-calamine for workbooks; writing uses openpyxl (XLSX) or the csv module with a BOM,
so Excel opens Chinese text correctly. Every text cell written is defused against formula injection
(CWE-1236): a value starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe.

Reading is bounded by :class:`Limits` *before* anything is expanded: calamine turns a sheet into one
dense grid from A1 to its farthest cell, so a 1.5 KB workbook with one cell at ``AMJ16000`` would take
600 MB, and one at ``XFD1048576`` all the memory there is. :func:`scan_xlsx` first inflates every part
of the zip itself, in bounded chunks (never trusting the sizes the zip declares), refusing a total or a
ratio over the limits, and reads the cell references of each part with one regular expression, so the
farthest row and column are known before calamine runs. Legacy XLS and ODS are refused (save as XLSX
or CSV): their repeated-row and BIFF records cannot be bounded as cheaply.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from core.kernel.settings import Settings

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Tried in order; GB18030 is a superset of GBK and GB2312.
ENCODINGS = ("utf-8-sig", "gb18030")


class UnreadableFile(Exception):
    """The file is neither a workbook nor text in a supported encoding (``row``: where it broke, if known)."""

    def __init__(self, code: str, row: int = 1) -> None:
        super().__init__(code)
        self.code = code
        self.row = row


class TooLarge(UnreadableFile):
    """The file exceeds one of the import limits; ``setting`` names it, ``limit`` is its value."""

    def __init__(self, setting: str, limit: int, row: int = 1) -> None:
        super().__init__("too_large", row)
        self.setting = setting
        self.limit = limit


@dataclass(frozen=True)
class Limits:
    """Bounds on what reading one file may build: the ``import_max_*`` settings."""

    rows: int
    columns: int
    cells: int
    expanded_bytes: int
    compression_ratio: int
    field_chars: int

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        return cls(
            rows=settings.import_max_rows,
            columns=settings.import_max_columns,
            cells=settings.import_max_cells,
            expanded_bytes=settings.import_max_expanded_bytes,
            compression_ratio=settings.import_max_compression_ratio,
            field_chars=settings.import_max_field_chars,
        )


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


def read_rows(raw: bytes, filename: str = "", limits: Limits | None = None) -> list[list[str]]:
    """All rows of the first sheet of an XLSX workbook or of a CSV file, as stripped strings.

    Raises :class:`TooLarge` (before expanding anything) when the file exceeds ``limits``, and
    :class:`UnreadableFile` when it cannot be read. CPU-bound: call it from a thread in async code.
    """
    limits = limits or Limits.from_settings(Settings())
    is_zip = raw[:4] == b"PK\x03\x04"
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or filename.lower().endswith((".xls", ".ods", ".xlsb")):
        raise UnreadableFile("file_format")
    if is_zip or filename.lower().endswith(".xlsx"):
        scan_xlsx(raw, limits)
        from python_calamine import CalamineWorkbook  # loaded on the first import, not at start-up

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
            rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception:
            raise UnreadableFile("file_format") from None
        table = [[_cell_text(v) for v in row] for row in rows]
        for number, row in enumerate(table, start=1):
            if any(len(c) > limits.field_chars for c in row):
                raise TooLarge("import_max_field_chars", limits.field_chars, row=number)
        return table
    if len(raw) > limits.expanded_bytes:
        raise TooLarge("import_max_expanded_bytes", limits.expanded_bytes)
    text = decode_text(raw)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _csv_rows(text, dialect, limits)


def _csv_rows(text: str, dialect: Any, limits: Limits) -> list[list[str]]:
    """The rows of a CSV text within ``limits``: a field, row count or width over a limit is refused
    naming its row (the csv module's own field limit, 128 KiB, would otherwise surface as an error)."""
    rows: list[list[str]] = []
    cells = 0
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for row in reader:
            number = reader.line_num
            if len(row) > limits.columns:
                raise TooLarge("import_max_columns", limits.columns, row=number)
            if len(rows) > limits.rows:  # the header and ``rows`` rows of data
                raise TooLarge("import_max_rows", limits.rows, row=number)
            cells += len(row)
            if cells > limits.cells:
                raise TooLarge("import_max_cells", limits.cells, row=number)
            if any(len(c) > limits.field_chars for c in row):
                raise TooLarge("import_max_field_chars", limits.field_chars, row=number)
            rows.append([c.strip() for c in row])
    except csv.Error as exc:
        number = reader.line_num + (0 if rows else 1)
        if "field larger than field limit" in str(exc):
            limit = min(limits.field_chars, csv.field_size_limit())
            raise TooLarge("import_max_field_chars", limit, row=number) from None
        raise UnreadableFile("file_format", row=number) from None
    return rows


# --- bounding a workbook before it is parsed -------------------------------------------------------------

#: A ``<row …>`` or ``<c …>`` start tag (any namespace prefix), attributes with quoted ``>`` allowed.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_REF = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL = re.compile(rb"^([A-Z]{1,3})([0-9]{1,7})$")
#: What Excel and openpyxl write: no namespace prefix, ``r`` first on every cell and row. When a part
#: is all in that form, its extent is read with a few C-level searches instead of a walk in Python.
_ODD_TAG = re.compile(rb"<(?:c|row)[>/\t\n\r]")
_PREFIXED_TAG = re.compile(rb":(?:c|row)[\s/>]")
_C_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]{1,7}"')
_C_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_ROW_ROW = re.compile(rb'<row r="([0-9]{1,7})"')
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
#: Bytes inflated at a time while scanning.
_CHUNK = 1 << 20


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


class _Extent:
    """The farthest row and column of one part's cells, as calamine would place them.

    ``exact`` walks every tag in Python (any attribute order, cells and rows without ``r`` placed
    after the previous one); otherwise the common form (``r`` first on every tag) is read with a few
    C-level regular expressions, and :class:`_Irregular` is raised when some tag is not in it.
    """

    def __init__(self, limits: Limits, *, exact: bool) -> None:
        self.limits = limits
        self.exact = exact
        self.row = 0
        self.column = 0
        self.max_row = 0
        self.max_column = 0
        self.tail = b""

    def feed(self, data: bytes) -> None:
        buffer = self.tail + data
        if self.exact:
            last = self._walk(buffer)
        else:
            last = buffer.rfind(b"<")
            last = len(buffer) if last < 0 else last
            self._count(buffer[:last])
        self.check()
        start = buffer.rfind(b"<", last)
        self.tail = buffer[start:] if start >= 0 else b""
        if len(self.tail) > _CHUNK:  # one tag longer than a chunk is no spreadsheet
            raise UnreadableFile("file_format")

    def _count(self, head: bytes) -> None:
        cells, rows = head.count(b'<c r="'), head.count(b'<row r="')
        if (
            head.count(b"<c ") != cells
            or head.count(b"<row ") != rows
            or _ODD_TAG.search(head)
            or _PREFIXED_TAG.search(head)
        ):
            raise _Irregular
        cell_rows, row_rows = _C_ROW.findall(head), _ROW_ROW.findall(head)
        if len(cell_rows) != cells or len(row_rows) != rows:  # a reference not like ``AB12``
            raise _Irregular
        columns = set(_C_COLUMN.findall(head))
        if columns:
            self.max_column = max(self.max_column, max(_column(c) for c in columns))
        self.max_row = max(
            self.max_row, max(map(int, cell_rows), default=0), max(map(int, row_rows), default=0)
        )

    def _walk(self, buffer: bytes) -> int:
        last = 0
        for match in _TAG.finditer(buffer):
            last = match.end()
            ref = _REF.search(match.group(2))
            value = (ref.group(1) if ref.group(1) is not None else ref.group(2)) if ref else None
            if match.group(1) == b"row":
                if value is None:
                    self.row += 1
                elif value.isdigit() and len(value) <= 7:
                    self.row = int(value)
                else:
                    raise UnreadableFile("file_format")
                self.column = 0
            elif value is None:
                self.column += 1
            else:
                cell = _CELL.match(value)
                if cell is None:
                    raise UnreadableFile("file_format")
                self.column, self.row = _column(cell.group(1)), int(cell.group(2))
            self.max_row = max(self.max_row, self.row)
            self.max_column = max(self.max_column, self.column)
        return last

    def check(self) -> None:
        limits = self.limits
        if self.max_row > limits.rows + 1:  # + 1: the header
            raise TooLarge("import_max_rows", limits.rows)
        if self.max_column > limits.columns:
            raise TooLarge("import_max_columns", limits.columns)
        if self.max_row * self.max_column > limits.cells:
            raise TooLarge("import_max_cells", limits.cells)


class _Irregular(Exception):
    """A tag not in the common form: the part is read again tag by tag."""


def scan_xlsx(raw: bytes, limits: Limits) -> None:
    """Refuse a workbook that would expand beyond ``limits``, reading no more than the limits allow.

    Every part is inflated here from its raw bytes (stored or deflated only), counting what comes out:
    the zip's declared sizes are checked against it, never trusted. The total and each part's ratio to
    its compressed size are bounded; the XML is read for cell references (``<c r="AMJ16000">``, or the
    next position when a cell or row has none), and the farthest row, column and the grid they span
    are bounded. Raises :class:`TooLarge` or :class:`UnreadableFile`; returns when calamine may run.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableFile("file_format") from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names or "xl/workbook.bin" in names or "content.xml" in names:
        raise UnreadableFile("file_format")  # not XLSX (XLSB or ODS): refused, as XLS is
    expanded = 0
    for member in members:
        if member.is_dir():
            continue
        # Every part, whatever its name: a workbook's relationships may name any part as its sheet.
        try:
            produced = _scan_part(raw, member, limits, expanded, exact=False)
        except _Irregular:
            produced = _scan_part(raw, member, limits, expanded, exact=True)
        expanded += produced


def _scan_part(raw: bytes, member: zipfile.ZipInfo, limits: Limits, before: int, *, exact: bool) -> int:
    """Inflate one part within the limits (``before``: bytes the previous parts expanded to)."""
    extent = _Extent(limits, exact=exact)
    produced = 0
    for data, consumed in _inflate(raw, member):
        produced += len(data)
        if produced > _CHUNK and produced > limits.compression_ratio * max(consumed, 1):
            raise TooLarge("import_max_compression_ratio", limits.compression_ratio)
        if before + produced > limits.expanded_bytes:
            raise TooLarge("import_max_expanded_bytes", limits.expanded_bytes)
        extent.feed(data)
    extent.feed(b"<")  # what was left waiting for the rest of a tag
    if produced != member.file_size:
        raise UnreadableFile("file_format")
    return produced


def _inflate(raw: bytes, member: zipfile.ZipInfo) -> Iterator[tuple[bytes, int]]:
    """The member's content in chunks of at most :data:`_CHUNK` bytes, each with how many compressed
    bytes were consumed so far, read from its local header on (stored or deflated parts only)."""
    offset = member.header_offset
    header = raw[offset : offset + _LOCAL_HEADER.size]
    if len(header) != _LOCAL_HEADER.size:
        raise UnreadableFile("file_format")
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != b"PK\x03\x04":
        raise UnreadableFile("file_format")
    start = offset + _LOCAL_HEADER.size + fields[9] + fields[10]
    body = memoryview(raw)[start : start + member.compress_size]
    if len(body) != member.compress_size:
        raise UnreadableFile("file_format")
    if member.compress_type == zipfile.ZIP_STORED:
        for at in range(0, len(body), _CHUNK):
            yield bytes(body[at : at + _CHUNK]), min(at + _CHUNK, len(body))
        return
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise UnreadableFile("file_format")
    inflater = zlib.decompressobj(-15)
    pending = bytes(body)
    try:
        while pending and not inflater.eof:
            data = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            yield data, len(body) - len(pending)
        if not inflater.eof:
            yield inflater.decompress(b"", _CHUNK), len(body)
    except zlib.error:
        raise UnreadableFile("file_format") from None
    if not inflater.eof:
        raise UnreadableFile("file_format")


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


def write_xlsx(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    more: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]] = (),
) -> bytes:
    """A workbook (openpyxl write-only mode) of one sheet, and the ``more`` (title, header, rows) sheets
    after it; every text cell defused."""
    from openpyxl import Workbook  # loaded on the first export, not at start-up

    book = Workbook(write_only=True)
    for name, head, body in ((title, header, rows), *more):
        sheet = book.create_sheet(name[:31])
        sheet.append([safe_cell(h) for h in head])
        for row in body:
            sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
