"""The S3 storage against a real S3-protocol server (moto's) run on loopback for the test."""

from __future__ import annotations

import contextlib
import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from litestar import Litestar

from core.files.storage import storage_key
from core.identity.tables import Account
from core.kernel.settings import Settings
from tests.conftest import ApiClient, open_client
from tests.core.files.conftest import PLUGINS, png, upload
from tests.helpers import problem
from tests.identity_helpers import bearer, make_account, make_org

BUCKET = "quntuan-test"


def _spooled(client: ApiClient) -> list[Path]:
    return [p for p in Path(client.app.state.settings.files_path).rglob("*") if p.is_file()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        pytest.skip("moto[server] is not installed (pip install -e '.[test]' installs it)")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{endpoint}/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the moto S3 server did not start")
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
async def s3_client(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings], s3_endpoint: str, tmp_path: Any
) -> AsyncIterator[ApiClient]:
    settings = make_settings(
        files_storage="s3",
        files_dir=str(tmp_path / "spool"),
        files_s3_endpoint=s3_endpoint,
        files_s3_bucket=BUCKET,
        files_s3_access_key="testing",
        files_s3_secret_key="testing",
    )
    async for client in open_client(make_app(plugins=PLUGINS, settings_=settings)):
        storage = client.app.state.files
        s3 = await storage._s3()
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            await s3.create_bucket(Bucket=BUCKET)
        yield client


async def test_s3_round_trip(s3_client: ApiClient) -> None:
    client = s3_client
    db = client.app.state.db
    root = await make_org()
    left, right = await make_org(root), await make_org(root)
    writer = await bearer(
        client, *await make_account(db, grants=[(left["path"], ["core.org.read", "core.org.update"], True)])
    )
    sibling = await bearer(client, *await make_account(db, grants=[(right["path"], ["core.org.read"], True)]))
    content = png(200_000)  # several chunks each way
    created = await upload(client, writer, "filetest.dossier", left["id"], content, name="阵地照片.png")
    assert created.status_code == 201, created.text
    file_id = created.json()["id"]

    storage = client.app.state.files
    s3 = await storage._s3()
    key = storage.prefix + storage_key(UUID(file_id))
    head = await s3.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentLength"] == len(content) and head["ContentType"] == "image/png"

    body = await client.get(f"/api/v1/files/{file_id}/content", headers=writer)
    assert body.status_code == 200 and body.content == content
    problem(await client.get(f"/api/v1/files/{file_id}/content", headers=sibling), 404)

    assert (await client.delete(f"/api/v1/files/{file_id}", headers=writer)).status_code == 204
    assert not await storage.exists(storage_key(UUID(file_id)))
    assert _spooled(client) == []  # the spool file went to S3, nothing stays behind


async def test_s3_objects_are_removed_by_erasure(s3_client: ApiClient) -> None:
    client = s3_client
    db = client.app.state.db
    root = await make_org()
    perms = ["core.person.read", "core.person.write", "core.person.erase"]
    admin = await bearer(client, *await make_account(db, grants=[(root["path"], perms, True)]))
    username, _ = await make_account(db, home_org=root["id"])
    person = (await Account.select(Account.person).where(Account.username == username).first().run())[
        "person"
    ]
    created = await upload(client, admin, "filetest.record", person, png(), name="困难证明.png")
    assert created.status_code == 201, created.text
    key = storage_key(UUID(created.json()["id"]))
    storage = client.app.state.files
    assert await storage.exists(key)
    erased = await client.delete(f"/api/v1/persons/{person}", headers=admin)
    assert erased.status_code in (200, 204), erased.text
    assert not await storage.exists(key)
