"""Receiving an upload: ``multipart/form-data`` streamed into a spool file, hashed and counted on the way.

What ``wx.uploadFile`` (WeChat mini-programs) and browsers send: one part named ``file`` with a file
name, and plain form fields beside it. The body is parsed as it arrives (``multipart``'s push parser, the
one Litestar itself depends on) — never held in memory whole: each chunk goes to the SHA-256, to the
spool file and, for its first 8 KiB, to the sniffer's buffer. Past the size limit the upload stops
with 413 at once, whatever the client announced.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any
from uuid import uuid4

import anyio
import multipart
from litestar import Request

from core.files import problems
from core.files.sniffing import HEAD_SIZE
from core.kernel.errors import Problem

FILE_FIELD = "file"
#: The spool directory's name inside ``QUNTUAN_FILES_DIR``.
SPOOL_DIR = ".incoming"
#: Longest accepted value of a plain form field, in bytes.
FIELD_LIMIT = 1024
#: Room for the boundaries and part headers of a form beside the file itself.
FORM_OVERHEAD = 64 * 1024


class Received:
    """An upload received whole into ``spool``: its form fields and what was learnt of the file."""

    def __init__(self, spool: Path) -> None:
        self.spool = spool
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.declared_type: str | None = None
        self.size = 0
        self.head = b""
        self.sha256 = ""

    def discard(self) -> None:
        self.spool.unlink(missing_ok=True)


#: Age after which a spool file is taken for the remains of a crashed process.
STALE_SPOOL_SECONDS = 24 * 3600


async def remove_stale_spools(spool_dir: Path, *, now: float | None = None) -> int:
    """Delete spool files older than :data:`STALE_SPOOL_SECONDS`; returns how many went.

    A finished or refused upload removes its own spool file; only a process that died mid-upload leaves
    one behind, so each app does this once when it starts (no upload in progress anywhere is that old).
    """

    def sweep() -> int:
        if not spool_dir.is_dir():
            return 0
        limit = (now if now is not None else time.time()) - STALE_SPOOL_SECONDS
        removed = 0
        for path in spool_dir.glob("*.part"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    return await anyio.to_thread.run_sync(sweep)


def _boundary(request: Request[Any, Any, Any]) -> str:
    media_type, options = multipart.parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get("boundary")
    if media_type != "multipart/form-data" or not boundary:
        raise Problem(problems.MULTIPART_REQUIRED)
    return str(boundary)


async def receive(
    request: Request[Any, Any, Any],
    spool_dir: Path,
    max_size: int,
    limit_for: Callable[[Mapping[str, str]], Awaitable[int]],
) -> Received:
    """Stream the request's form into a spool file under ``spool_dir``.

    ``limit_for(fields)`` is awaited when the file part begins, with the fields sent before it; it may
    refuse (raise) at once — an owner the caller may not attach to — and returns the size limit for the
    file. ``max_size`` bounds the whole body. The caller owns the spool file (``Received.discard``).
    """
    parser = multipart.PushMultipartParser(
        _boundary(request), max_header_count=8, max_segment_count=16, max_header_size=4096
    )
    await anyio.to_thread.run_sync(lambda: spool_dir.mkdir(parents=True, exist_ok=True))
    received = Received(spool_dir / f"{uuid4().hex}.part")
    digest = hashlib.sha256()
    head = bytearray()
    total = 0
    limit = max_size
    current: str | None = None  # name of the part being read; FILE_FIELD while in the file
    value = bytearray()
    fh: Any = None
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > max_size + FORM_OVERHEAD:
                raise Problem(problems.FILE_TOO_LARGE, limit=limit)
            try:
                events = list(parser.parse(chunk))
            except multipart.ParserError:
                raise Problem(problems.MALFORMED_MULTIPART) from None
            for event in events:
                if isinstance(event, multipart.MultipartSegment):
                    current = event.name or ""
                    if current == FILE_FIELD:
                        if fh is not None or event.filename is None:
                            raise Problem.invalid(("/file", "invalid"))
                        limit = min(max_size, await limit_for(received.fields))
                        received.filename = event.filename
                        received.declared_type = event.content_type
                        fh = await anyio.open_file(received.spool, "xb")
                    value = bytearray()
                elif event is None:
                    if current != FILE_FIELD and current is not None:
                        if current in received.fields:
                            raise Problem.invalid((f"/{current}", "invalid"))
                        try:
                            received.fields[current] = value.decode()
                        except UnicodeDecodeError:
                            raise Problem.invalid((f"/{current}", "invalid")) from None
                    current = None
                elif current == FILE_FIELD:
                    received.size += len(event)
                    if received.size > limit:
                        raise Problem(problems.FILE_TOO_LARGE, limit=limit)
                    digest.update(event)
                    if len(head) < HEAD_SIZE:
                        head += event[: HEAD_SIZE - len(head)]
                    await fh.write(event)
                else:
                    value += event
                    if len(value) > FIELD_LIMIT:
                        raise Problem.invalid((f"/{current}", "too_long"))
        try:
            list(parser.parse(b""))
            parser.close()
        except multipart.ParserError:
            raise Problem(problems.MALFORMED_MULTIPART) from None
        if fh is None:
            raise Problem.invalid(("/file", "required"))
        await fh.flush()
        await anyio.to_thread.run_sync(os.fsync, fh.wrapped.fileno())
    except BaseException:
        if fh is not None:
            await fh.aclose()
        received.discard()
        raise
    await fh.aclose()
    received.head = bytes(head)
    received.sha256 = digest.hexdigest()
    return received
