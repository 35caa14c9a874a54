"""Import files are bounded before they are expanded: spreadsheet and zip bombs, huge CSV fields.

The bombs are built here (openpyxl, or a zip written by hand). What is asserted is behaviour: the
refusal (413 naming the limit, in three languages; 422 naming the row) and that calamine never saw the
file, so nothing was expanded. The RSS figures are measured outside the suite (see the branch report).
"""

from __future__ import annotations

import io
import os
import threading
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from openpyxl import Workbook

from core.kernel.settings import Settings
from core.orgs import imports
from core.orgs.tables import Org
from core.orgs.tabular import Limits, TooLarge, UnreadableFile, read_rows, scan_xlsx
from tests.conftest import ApiClient, open_client
from tests.core.orgs.conftest import Tree
from tests.helpers import AllowAll, problem, with_principal

SHEET = "xl/worksheets/sheet1.xml"


def workbook(*cells: tuple[str, str]) -> bytes:
    book = Workbook()
    sheet = book.active
    for ref, value in cells:
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(raw: bytes, part: str, body: bytes, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """``raw`` with one part replaced (or added), written as a zip by hand."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info.filename, src.read(info.filename))
        dst.writestr(part, body)
    return out.getvalue()


def sheet_xml(rows: bytes) -> bytes:
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + rows + b"</sheetData></worksheet>"
    )


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The threads calamine was asked to open a workbook in (it must not be, for a refused file)."""
    import python_calamine

    seen: list[str] = []
    original = python_calamine.CalamineWorkbook.from_filelike

    class Spy:
        @staticmethod
        def from_filelike(*args: Any, **kwargs: Any) -> Any:
            seen.append(threading.current_thread().name)
            return original(*args, **kwargs)

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Spy)
    return seen


async def upload(
    api: ApiClient, content: bytes, name: str = "data.xlsx", lang: str = "en", **params: Any
) -> Any:
    return await api.post(
        "/api/v1/imports/orgs",
        params=params,
        files={"file": (name, content)},
        headers={"Accept-Language": lang},
    )


async def test_a_cell_far_away_is_refused_before_calamine_expands_anything(
    api: ApiClient, parsed: list[str]
) -> None:
    bomb = workbook(("A1", "名称"), ("AMJ16000", "x"))  # 1024 columns × 16000 rows
    assert len(bomb) < 6000
    body = problem(await upload(api, bomb), 413)
    assert body["type"].endswith("/import-limit-exceeded")
    assert "QUNTUAN_IMPORT_MAX_COLUMNS" in body["detail"] and "100" in body["detail"]
    zh = problem(await upload(api, bomb, lang="zh-Hans"), 413)
    assert "QUNTUAN_IMPORT_MAX_COLUMNS" in zh["detail"] and "导入限制" in zh["detail"]
    hant = problem(await upload(api, bomb, lang="zh-Hant"), 413)
    assert "匯入限制" in hant["detail"]
    # The sheet's last address (the worst case: 17 billion cells), hand-written.
    last = rewritten(
        bomb,
        SHEET,
        sheet_xml(
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row>'
            b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        ),
    )
    assert problem(await upload(api, last), 413)["type"].endswith("/import-limit-exceeded")
    assert parsed == []  # calamine never opened any of them


async def test_rows_and_cells_are_bounded_whatever_the_references_look_like(api: ApiClient) -> None:
    base = workbook(("A1", "名称"))
    tall = rewritten(base, SHEET, sheet_xml(b'<row r="250000"><c r="A250000"><v>1</v></c></row>'))
    assert "QUNTUAN_IMPORT_MAX_ROWS" in problem(await upload(api, tall), 413)["detail"]
    # Cells without references sit after the previous one; attributes in any order, quotes, prefixes.
    implicit = rewritten(base, SHEET, sheet_xml(b"<row>" + b"<c><v>1</v></c>" * 150 + b"</row>"))
    assert "QUNTUAN_IMPORT_MAX_COLUMNS" in problem(await upload(api, implicit), 413)["detail"]
    reordered = rewritten(base, SHEET, sheet_xml(b"<row r='1'><c t=\"n\" s='1' r='ZZ1'><v>1</v></c></row>"))
    assert "QUNTUAN_IMPORT_MAX_COLUMNS" in problem(await upload(api, reordered), 413)["detail"]
    prefixed = rewritten(
        base,
        SHEET,
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        b'<x:row r="1"><x:c r="CW1500"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>',
    )  # 101 columns × 1500 rows: over the columns limit
    assert problem(await upload(api, prefixed), 413)["type"].endswith("/import-limit-exceeded")


def test_zip_bombs_and_lying_zips(make_settings: Callable[..., Settings]) -> None:
    limits = Limits.from_settings(make_settings(import_max_expanded_bytes=4 * 1024 * 1024))
    base = workbook(("A1", "名称"))
    # 64 MiB of zeros deflate to 64 KiB: the ratio gives it away after the first chunk.
    zeros = rewritten(base, "xl/media/pad.bin", bytes(64 * 1024 * 1024))
    with pytest.raises(TooLarge) as ratio:
        scan_xlsx(zeros, limits)
    assert ratio.value.setting == "import_max_compression_ratio"
    # Parts that compress ordinarily but add up beyond the expanded-size limit.
    noise = rewritten(base, "xl/media/noise.bin", os.urandom(5 * 1024 * 1024), zipfile.ZIP_STORED)
    with pytest.raises(TooLarge) as total:
        scan_xlsx(noise, limits)
    assert total.value.setting == "import_max_expanded_bytes"
    # A part declaring fewer bytes than it holds (calamine reads them all): refused, not trusted.
    honest = rewritten(base, "xl/extra.xml", b"<a>" + b"x" * 5000 + b"</a>")
    info = next(i for i in zipfile.ZipFile(io.BytesIO(honest)).infolist() if i.filename == "xl/extra.xml")
    lying = _patch_sizes(honest, info, file_size=100)
    with pytest.raises(UnreadableFile):
        scan_xlsx(lying, limits)
    # ODS and XLSB are no XLSX; legacy XLS is refused by its signature.
    with pytest.raises(UnreadableFile):
        read_rows(rewritten(base, "content.xml", b"<office:document-content/>"), "x.xlsx", limits)
    with pytest.raises(UnreadableFile):
        read_rows(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "x.xls", limits)


def _patch_sizes(raw: bytes, info: zipfile.ZipInfo, *, file_size: int) -> bytes:
    """Rewrite a member's uncompressed size in its local header and the central directory."""
    data = bytearray(raw)
    data[info.header_offset + 22 : info.header_offset + 26] = file_size.to_bytes(4, "little")
    name = info.filename.encode()
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        if data[at + 46 : at + 46 + len(name)] == name:
            data[at + 24 : at + 28] = file_size.to_bytes(4, "little")
        at += 4
    return bytes(data)


async def test_a_csv_field_too_long_is_a_problem_of_its_row(api: ApiClient, tree: Tree) -> None:
    await tree.add("city", "party.committee", "city", name="杭州市委")
    text = f"名称,类型,层级,上级\n甲,party.committee,township,{tree.ids['city']}\n"
    text += "乙" * 200_000 + f",party.committee,township,{tree.ids['city']}\n"
    body = problem(await upload(api, text.encode(), name="orgs.csv"), 422)
    assert body["type"].endswith("/import-refused")
    assert [(e["pointer"], e["code"]) for e in body["errors"]] == [("/rows/3", "too_large")]
    assert "QUNTUAN_IMPORT_MAX_FIELD_CHARS" in body["errors"][0]["message"]
    assert await Org.count().run() == 1  # nothing imported
    wide = "名称," + ",".join(f"extra.{i}" for i in range(150)) + "\n"
    assert (
        "QUNTUAN_IMPORT_MAX_COLUMNS" in problem(await upload(api, wide.encode(), name="w.csv"), 413)["detail"]
    )


async def test_an_upload_is_read_once_off_the_event_loop(
    make_app: Callable[..., Litestar], make_settings: Any, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = imports.read_rows

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(imports, "read_rows", counting)
    app = make_app(settings_=make_settings(embedded_worker=True))
    async for api in open_client(with_principal(app, AllowAll())):
        tree = Tree(api)
        await tree.add("city", "party.committee", "city", name="杭州市委")
        book = Workbook()
        sheet = book.active
        sheet.append(["名称", "类型", "层级", "上级"])
        sheet.append(["西湖街道党工委", "party.committee", "township", tree.ids["city"]])
        out = io.BytesIO()
        book.save(out)
        done = await upload(api, out.getvalue())
        assert done.status_code == 200, done.text
        assert done.json()["imported"] == 1
    main = threading.main_thread().name
    assert len(calls) == 1 and calls[0] != main  # read once, in a worker thread
    assert len(parsed) == 1 and parsed[0] != main
