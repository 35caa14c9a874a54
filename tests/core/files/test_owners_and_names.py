"""Owner-kind declarations checked at start-up; names and download headers built safely."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

from core.files.controllers import content_disposition
from core.files.sniffing import clean_name
from core.files.upload import STALE_SPOOL_SECONDS, remove_stale_spools
from core.kernel.declarations.files import FileOwnerKind
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import Settings
from core.sdk import PluginInfo, Text, hookimpl
from tests.fixtures import files_plugin


def _plugin(slug: str, *kinds: FileOwnerKind) -> SimpleNamespace:
    @hookimpl
    def quntuan_plugin_info() -> PluginInfo:
        return PluginInfo(slug=slug, name=Text(zh_hans="测试", en="Test"), version="1", core_api=">=1,<2")

    @hookimpl
    def quntuan_file_owners() -> list[FileOwnerKind]:
        return list(kinds)

    return SimpleNamespace(quntuan_plugin_info=quntuan_plugin_info, quntuan_file_owners=quntuan_file_owners)


def _kind(code: str) -> FileOwnerKind:
    return FileOwnerKind(
        code=code, name=Text(zh_hans="测试", en="Test"), authorize=files_plugin.dossier_access
    )


def test_owner_kinds_are_registered_and_checked() -> None:
    pm = make_plugin_manager(
        Settings(),
        plugins={
            "filetest": files_plugin,
            "alien": _plugin("alien", _kind("filetest.thing")),  # another plugin's prefix
            "twice": _plugin("twice", _kind("twice.a"), _kind("twice.a")),
            "nocall": _plugin(
                "nocall", FileOwnerKind(code="nocall.a", name=Text(zh_hans="x", en="x"), authorize=None)
            ),
        },
    )
    assert set(pm.registry.file_owners) == {
        "process",  # the core's own: processes, notices, nominations, places and announcements
        "notice",
        "announcement",
        "nomination",
        "place",
        "filetest.dossier",
        "filetest.record",
        "filetest.photo",
    }
    reasons = {f.name: f.reason for f in pm.failures}
    assert "must start with alien." in reasons["alien"]
    assert "declared twice" in reasons["twice"]
    assert "authorize callback" in reasons["nocall"]


def test_names_keep_only_their_last_component_and_printable_characters() -> None:
    assert clean_name("C:\\Users\\张三\\身份证 正面.jpg") == "身份证 正面.jpg"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("a\x00b\u202e.png") == "ab.png"
    assert clean_name("...") == ""
    long = clean_name("长" * 300 + ".pdf")
    assert len(long) == 255 and long.endswith(".pdf")


def test_content_disposition_has_an_ascii_fallback_and_an_rfc5987_name() -> None:
    header = content_disposition('入会申请书"; x=.pdf', "application/pdf")
    disposition, fallback, encoded = header.split("; ", 2)
    assert disposition == "inline"
    assert fallback == 'filename="_______ x=.pdf"'
    assert (
        encoded.startswith("filename*=UTF-8''")
        and unquote(encoded.split("''", 1)[1]) == '入会申请书"; x=.pdf'
    )
    assert content_disposition("a.docx", "application/zip").startswith("attachment;")


async def test_stale_spool_files_are_removed(tmp_path: Path) -> None:
    """What a crashed upload left behind goes; an upload in progress (a fresh spool file) stays."""
    spool = tmp_path / ".incoming"
    spool.mkdir()
    old, fresh, other = spool / "a.part", spool / "b.part", spool / "keep.txt"
    for path in (old, fresh, other):
        path.write_bytes(b"x")
    now = time.time()
    os.utime(old, (now - STALE_SPOOL_SECONDS - 60, now - STALE_SPOOL_SECONDS - 60))
    os.utime(other, (now - STALE_SPOOL_SECONDS - 60, now - STALE_SPOOL_SECONDS - 60))
    assert await remove_stale_spools(spool, now=now) == 1
    assert sorted(p.name for p in spool.iterdir()) == ["b.part", "keep.txt"]
    assert await remove_stale_spools(tmp_path / "absent") == 0
