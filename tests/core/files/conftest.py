"""Fixtures of the files tests: an app with the fixture plugin's owner kinds, and files to upload."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar

from core.kernel.settings import Settings
from tests.conftest import ApiClient, open_client
from tests.fixtures import files_plugin

PLUGINS = {"filetest": files_plugin}


def png(extra: int = 0) -> bytes:
    """A real 1×1 PNG, padded with an ancillary chunk of ``extra`` bytes to make it as large as needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    body = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    if extra:
        body += chunk(b"tEXt", b"c\x00" + b"x" * extra)
    body += chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "not a picture")
    return buffer.getvalue()


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.fixture
def files_settings(make_settings: Callable[..., Settings], tmp_path: Path) -> Settings:
    return make_settings(files_dir=str(tmp_path / "files"))


@pytest.fixture
async def client(make_app: Callable[..., Litestar], files_settings: Settings) -> AsyncIterator[ApiClient]:
    async for c in open_client(make_app(plugins=PLUGINS, settings_=files_settings)):
        yield c


async def upload(
    client: ApiClient,
    headers: dict[str, str],
    owner_kind: str,
    owner_id: Any,
    content: bytes,
    *,
    name: str = "申请书.png",
    content_type: str = "image/png",
    extra: dict[str, str] | None = None,
) -> Any:
    data = {"owner_kind": owner_kind, "owner_id": str(owner_id), **(extra or {})}
    return await client.post(
        "/api/v1/files", data=data, files={"file": (name, content, content_type)}, headers=headers
    )
