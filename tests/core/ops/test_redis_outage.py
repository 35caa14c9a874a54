"""A Redis that dies or freezes costs a bounded wait, then 503 (or the request is served without it).

A real ``quntuan serve`` process runs against a Redis of the test's own (on a free port: the shared one is
never stopped or frozen), which is then killed (connections refused) and frozen with SIGSTOP (the kernel
still accepts connections; nothing answers). httpx's timeouts bound every request: a request that hung
for the stall would fail the test with a timeout, whatever its status would have been.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from core.orgs.permissions import ORG_READ
from tests.core.integration.support import PrivateRedis, running
from tests.identity_helpers import bearer, make_account, make_org
from tests.processes import QuntuanProcesses, free_port

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")

SERVER_ENV = {
    "QUNTUAN_LOAD_PLUGINS": "false",
    "QUNTUAN_REDIS_TIMEOUT": "0.5",
    "QUNTUAN_REDIS_CONNECT_TIMEOUT": "0.5",
}
#: Longer than any bounded Redis wait a request makes, far shorter than a stall.
BOUND = httpx.Timeout(4.0)
TOKEN = "/api/v1/auth/token"


async def test_a_lost_redis_answers_503_or_is_done_without(
    make_app: Callable[..., Litestar], settings: Any, tmp_path: Path
) -> None:
    redis = PrivateRedis(free_port())
    redis.start()
    try:
        async with (
            QuntuanProcesses(tmp_path, settings.database_url, redis.url, **SERVER_ENV) as procs,
            running(make_app(plugins={})) as client,
        ):
            root = await make_org(name="市委")
            username, password = await make_account(
                client.app.state.db, grants=[(root["path"], [ORG_READ], True)]
            )
            login = {"grant_type": "password", "username": username, "password": password}
            server = await procs.serve()
            org = f"/api/v1/orgs/{root['id']}"
            async with httpx.AsyncClient(base_url=server.url, timeout=BOUND) as http:
                headers = await bearer(http, username, password)
                assert (await http.get(org, headers=headers)).status_code == 200
                assert (await http.get("/api/v1/health/ready")).status_code == 200

                for lose, restore in ((redis.freeze, redis.thaw), (redis.kill, redis.start)):
                    lose()
                    ready = await http.get("/api/v1/health/ready")
                    assert ready.status_code == 503
                    assert ready.json()["redis"] == "unavailable"
                    assert (await http.get("/api/v1/health/live")).status_code == 200
                    # The principal comes from the database (always current) while the epoch is unknown.
                    for _ in range(3):
                        assert (await http.get(org, headers=headers)).status_code == 200
                    # A login needs its throttle window in Redis: 503 with Retry-After, never a 500.
                    refused = await http.post(TOKEN, json=login)
                    assert refused.status_code == 503, refused.text
                    assert refused.headers["content-type"].startswith("application/problem+json")
                    assert refused.json()["type"].endswith("/service-unavailable")
                    assert int(refused.headers["retry-after"]) > 0

                    restore()
                    assert (await http.get("/api/v1/health/ready")).status_code == 200
                    assert (await http.post(TOKEN, json=login)).status_code == 200
                    assert (await http.get(org, headers=headers)).status_code == 200
    finally:
        redis.stop()


async def test_a_change_made_while_redis_is_frozen_reaches_redis_once_it_answers(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Any]
) -> None:
    """A bump after a commit never fails the request: its epoch is written when Redis answers again."""
    import asyncio

    from core.identity.authz_cache import EPOCH_KEY
    from core.kernel.shared import make_redis

    redis = PrivateRedis(free_port())
    redis.start()
    try:
        app = make_app(plugins={}, settings_=make_settings(redis_url=redis.url, redis_timeout=0.3))
        async with running(app):
            cache = app.state.authz
            before = await cache.epoch()
            redis.freeze()
            await asyncio.wait_for(cache.bump(), timeout=5)
            assert await cache.epoch() is None  # unknown: principals now load from the database
            redis.thaw()
            cache._redis_down_until = 0.0  # the pause after a failure is over (instead of waiting it out)
            after = await cache.epoch()
            assert after is not None and after != before
            other = make_redis(redis.url)
            try:
                assert (await other.get(EPOCH_KEY)).decode() == after
            finally:
                await other.aclose()
    finally:
        redis.stop()
