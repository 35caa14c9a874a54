"""Login lock-out: engages at the configured count, answers 429 with Retry-After, holds across workers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, open_client
from tests.helpers import problem
from tests.identity_helpers import make_account, make_org
from tests.processes import QuntuanProcesses

TOKEN = "/api/v1/auth/token"


def _login(username: str, password: str) -> dict[str, str]:
    return {"grant_type": "password", "username": username, "password": password}


async def test_lockout_engages_at_the_configured_count(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object]
) -> None:
    app = make_app(plugins={}, settings_=make_settings(login_max_failures=3, login_lockout_seconds=600))
    async for client in open_client(app):
        await make_org()
        username, password = await make_account(client.app.state.db)
        for _ in range(3):
            problem(await client.post(TOKEN, json=_login(username, "wrong-password")), 401)
        locked = problem(await client.post(TOKEN, json=_login(username, password)), 429)
        assert locked["type"] == "/api/v1/problems/rate-limited"
        retry_after = int((await client.post(TOKEN, json=_login(username, password))).headers["retry-after"])
        assert 0 < retry_after <= 600
        # An unknown account locks the same way, so lock-out does not reveal which accounts exist.
        for _ in range(3):
            problem(await client.post(TOKEN, json=_login("nobody", "wrong-password")), 401)
        problem(await client.post(TOKEN, json=_login("nobody", "wrong-password")), 429)


async def test_success_clears_the_account_count(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object]
) -> None:
    app = make_app(plugins={}, settings_=make_settings(login_max_failures=3))
    async for client in open_client(app):
        username, password = await make_account(client.app.state.db)
        for _ in range(3):
            for _ in range(2):
                problem(await client.post(TOKEN, json=_login(username, "wrong-password")), 401)
            assert (await client.post(TOKEN, json=_login(username, password))).status_code == 200


@pytest.mark.skipif(not TEST_REDIS_URL, reason="several workers share state through Redis only")
async def test_lockout_holds_across_two_workers_sharing_redis(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object]
) -> None:
    settings = make_settings(login_max_failures=4)
    one, two = make_app(plugins={}, settings_=settings), make_app(plugins={}, settings_=settings)
    async for first in open_client(one):
        async for second in open_client(two):
            username, password = await make_account(first.app.state.db)
            for i in range(4):
                worker = first if i % 2 == 0 else second
                problem(await worker.post(TOKEN, json=_login(username, "wrong-password")), 401)
            for worker in (first, second):
                problem(await worker.post(TOKEN, json=_login(username, password)), 429)


@pytest.mark.skipif(
    not (TEST_REDIS_URL and TEST_DATABASE_URL), reason="worker processes share PostgreSQL and Redis"
)
async def test_lockout_holds_across_two_worker_processes(
    make_app: Callable[..., Litestar], settings: Any, tmp_path: Path
) -> None:
    """Two real server processes (``quntuan serve``) on one PostgreSQL and one Redis: failures add up."""
    import asyncio

    import httpx

    async for client in open_client(make_app(plugins={})):
        username, password = await make_account(client.app.state.db)
    env = {"QUNTUAN_LOAD_PLUGINS": "false", "QUNTUAN_LOGIN_MAX_FAILURES": "4"}
    async with (
        QuntuanProcesses(tmp_path, settings.database_url, settings.redis_url, **env) as procs,
        httpx.AsyncClient() as http,
    ):
        servers = await asyncio.gather(procs.serve(), procs.serve())
        urls = [server.url + TOKEN for server in servers]
        for i in range(4):
            problem_response = await http.post(urls[i % 2], json=_login(username, "wrong-password"))
            assert problem_response.status_code == 401
        for url in urls:
            locked = await http.post(url, json=_login(username, password))
            assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
