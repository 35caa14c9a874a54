"""Where the bytes of files live: a local directory (the embedded default) or an S3-compatible store.

Keys are made by :func:`storage_key` from the file's id alone — never from a name or anything else a
client sent — so no request can reach outside the storage. Uploads arrive in a spool file first
(:mod:`core.files.upload`); :meth:`FileStorage.put` then moves it into place: a rename on the local
filesystem (atomic: a reader sees the whole file or none), one ``PutObject`` on S3.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import anyio

from core.kernel.settings import Settings

CHUNK = 64 * 1024
_KEY_RE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}$")


def storage_key(file_id: UUID) -> str:
    """``ab/ab12…``: two hex characters of fan-out keep any one directory small."""
    return f"{file_id.hex[:2]}/{file_id.hex}"


def _checked(key: str) -> str:
    if not _KEY_RE.match(key):
        raise ValueError("not a storage key")
    return key


class FileStorage(Protocol):
    """What the files service needs of a storage backend."""

    async def put(self, key: str, spool: Path, *, size: int, content_type: str) -> None:
        """Store the spool file's bytes under ``key`` (the spool file is consumed)."""
        ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The stored bytes, in chunks — the object opened before this returns, so a missing or unreadable
        object fails here (before a response has started), not half-way through a download."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; absent objects are not an error (erasure may run twice)."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def close(self) -> None: ...


class LocalStorage:
    """Files in a directory: ``<root>/<key>``, written by renaming a finished spool file into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    async def put(self, key: str, spool: Path, *, size: int, content_type: str) -> None:
        target = self._path(key)

        def move() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(spool, target)

        await anyio.to_thread.run_sync(move)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        fh = await anyio.open_file(self._path(key), "rb")

        async def chunks() -> AsyncIterator[bytes]:
            async with fh:
                while chunk := await fh.read(CHUNK):
                    yield chunk

        return chunks()

    async def delete(self, key: str) -> None:
        await anyio.to_thread.run_sync(lambda: self._path(key).unlink(missing_ok=True))

    async def exists(self, key: str) -> bool:
        return await anyio.to_thread.run_sync(self._path(key).is_file)

    async def close(self) -> None:
        return None


class S3Storage:
    """Files in a bucket of an S3-compatible store (AWS S3, Aliyun OSS, MinIO…) through aiobotocore.

    One client per app, opened on first use and closed with the app; object keys are the configured
    prefix followed by :func:`storage_key`.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bucket = settings.files_s3_bucket or ""
        self.prefix = settings.files_s3_prefix
        self._client: Any = None
        self._stack = AsyncExitStack()
        self._lock = asyncio.Lock()

    async def _s3(self) -> Any:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    from aiobotocore.config import AioConfig
                    from aiobotocore.session import get_session

                    s = self.settings
                    self._client = await self._stack.enter_async_context(
                        get_session().create_client(
                            "s3",
                            endpoint_url=s.files_s3_endpoint,
                            region_name=s.files_s3_region,
                            aws_access_key_id=s.files_s3_access_key,
                            aws_secret_access_key=s.files_s3_secret_key,
                            config=AioConfig(s3={"addressing_style": "path"}, retries={"max_attempts": 3}),
                        )
                    )
        return self._client

    def _key(self, key: str) -> str:
        return self.prefix + _checked(key)

    async def put(self, key: str, spool: Path, *, size: int, content_type: str) -> None:
        client = await self._s3()
        with spool.open("rb") as body:
            await client.put_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Body=body,
                ContentLength=size,
                ContentType=content_type,
            )
        await anyio.to_thread.run_sync(lambda: spool.unlink(missing_ok=True))

    async def open(self, key: str) -> AsyncIterator[bytes]:
        client = await self._s3()
        response = await client.get_object(Bucket=self.bucket, Key=self._key(key))

        async def chunks() -> AsyncIterator[bytes]:
            async with response["Body"] as stream:
                while chunk := await stream.read(CHUNK):
                    yield chunk

        return chunks()

    async def delete(self, key: str) -> None:
        client = await self._s3()
        await client.delete_object(Bucket=self.bucket, Key=self._key(key))

    async def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        client = await self._s3()
        try:
            await client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None


def make_storage(settings: Settings) -> FileStorage:
    """The storage the settings choose (``QUNTUAN_FILES_STORAGE``)."""
    if settings.files_storage == "s3":
        return S3Storage(settings)
    return LocalStorage(settings.files_path)
