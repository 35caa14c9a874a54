"""Login hardening, through HTTP: the lock-out holds the *account* (whatever name or phone reaches it),
throttles per (account, address) so that an office behind one NAT address keeps logging in, counts wrong
current passwords, refuses weak new passwords, ends a reused refresh family's access tokens at once, and
fails closed while the counter store is unreachable."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.conftest import TEST_REDIS_URL, open_client
from tests.helpers import problem
from tests.identity_helpers import bearer, make_account, make_org, token

TOKEN = "/api/v1/auth/token"
PASSWORD_CHANGE = "/api/v1/me/password"
PHONE = "13912345678"


def _login(username: str, password: str) -> dict[str, str]:
    return {"grant_type": "password", "username": username, "password": password}


@asynccontextmanager
async def _from(app: Litestar, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``app`` (already started) whose requests come from ``address``."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def _same_answer(one: dict[str, Any], two: dict[str, Any]) -> None:
    """Two problem bodies equal but for what differs per request (its id, the seconds of a Retry-After:
    the two windows began in different seconds)."""

    def kept(body: dict[str, Any]) -> dict[str, Any]:
        return {
            k: re.sub(r"\d+", "N", v) if k == "detail" else v for k, v in body.items() if k != "request_id"
        }

    assert kept(one) == kept(two)


async def _account_with_phone(client: Any) -> tuple[str, str]:
    """An account whose person has ``PHONE`` (created through the API, as an admin would)."""
    db = client.app.state.db
    org = await make_org()
    admin = await bearer(
        client,
        *await make_account(db, grants=[(org["path"], ["core.person.write", "core.account.manage"], True)]),
    )
    person = await client.post(
        "/api/v1/persons", json={"name": "李明", "home_org": str(org["id"]), "phone": PHONE}, headers=admin
    )
    assert person.status_code == 201, person.text
    created = await client.post(
        "/api/v1/accounts",
        json={"username": "liming", "password": "correct horse battery", "person": person.json()["id"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    return "liming", "correct horse battery"


# --- 1. the account is locked, not the name typed ---------------------------------------------------


async def test_lockout_by_username_holds_for_the_phone_number(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object]
) -> None:
    app = make_app(plugins={}, settings_=make_settings(login_max_failures=3))
    async for client in open_client(app):
        username, password = await _account_with_phone(client)
        for _ in range(3):
            problem(await client.post(TOKEN, json=_login(username, "wrong password 1")), 401)
        problem(await client.post(TOKEN, json=_login(PHONE, password)), 429)
        problem(await client.post(TOKEN, json=_login("+86 139 1234 5678", password)), 429)
        problem(await client.post(TOKEN, json=_login(username.upper(), password)), 429)


async def test_unknown_names_answer_like_accounts_and_are_counted_apart(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object]
) -> None:
    app = make_app(plugins={}, settings_=make_settings(login_max_failures=3))
    async for client in open_client(app):
        username, password = await make_account(client.app.state.db)
        known, unknown = [], []
        for _ in range(4):
            known.append(await client.post(TOKEN, json=_login(username, "wrong password 1")))
            unknown.append(await client.post(TOKEN, json=_login("nosuchuser", "wrong password 1")))
        for mine, theirs in zip(known, unknown, strict=True):
            assert mine.status_code == theirs.status_code
            assert mine.headers.get("www-authenticate") == theirs.headers.get("www-authenticate")
            _same_answer(mine.json(), theirs.json())
        assert [r.status_code for r in known] == [401, 401, 401, 429]
        # Failures on names that exist nowhere do not lock a real account, and the reverse.
        async with _from(app, "10.9.0.1") as other:
            for _ in range(3):
                problem(await other.post(TOKEN, json=_login("ghost", "wrong password 1")), 401)
            problem(await other.post(TOKEN, json=_login("ghost", "wrong password 1")), 429)
            assert (await other.post(TOKEN, json=_login(username, password))).status_code == 200


# --- 2. one address, many accounts ------------------------------------------------------------------


async def test_failures_behind_one_address_do_not_lock_out_its_other_accounts(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object]
) -> None:
    """An organization behind one NAT address: 25 failures there, then a colleague logs in."""
    app = make_app(plugins={}, settings_=make_settings(login_max_failures=3))
    async for client in open_client(app):
        db = client.app.state.db
        victim, victim_password = await make_account(db)
        colleague, colleague_password = await make_account(db)
        for i in range(25):
            name = victim if i % 5 == 0 else f"typo{i}"
            await client.post(TOKEN, json=_login(name, "wrong password 1"))
        assert (await client.post(TOKEN, json=_login(colleague, colleague_password))).status_code == 200
        # The guessed account is locked from the guessing address only; its owner elsewhere logs in.
        problem(await client.post(TOKEN, json=_login(victim, victim_password)), 429)
        async with _from(app, "10.9.0.2") as home:
            assert (await home.post(TOKEN, json=_login(victim, victim_password))).status_code == 200


async def test_guessing_spread_over_addresses_locks_the_account_everywhere(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object]
) -> None:
    settings = make_settings(login_max_failures=3, login_account_max_failures=6)
    app = make_app(plugins={}, settings_=settings)
    async for client in open_client(app):
        username, password = await make_account(client.app.state.db)
        for address in ("10.9.1.1", "10.9.1.2"):
            async with _from(app, address) as guesser:
                for _ in range(3):
                    problem(await guesser.post(TOKEN, json=_login(username, "wrong password 1")), 401)
        async with _from(app, "10.9.1.3") as owner:
            locked = problem(await owner.post(TOKEN, json=_login(username, password)), 429)
            assert locked["type"] == "/api/v1/problems/rate-limited"


async def test_a_flood_from_one_address_meets_the_address_ceiling(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object]
) -> None:
    settings = make_settings(login_max_failures=3, login_address_max_failures=10)
    app = make_app(plugins={}, settings_=settings)
    async for client in open_client(app):
        username, password = await make_account(client.app.state.db)
        for i in range(10):
            problem(await client.post(TOKEN, json=_login(f"spray{i}", "wrong password 1")), 401)
        flooded = await client.post(TOKEN, json=_login(username, password))
        assert flooded.status_code == 429 and int(flooded.headers["retry-after"]) > 0
        async with _from(app, "10.9.2.1") as elsewhere:
            assert (await elsewhere.post(TOKEN, json=_login(username, password))).status_code == 200


# --- 3. password change -----------------------------------------------------------------------------


async def test_wrong_current_passwords_count_into_the_lockout(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object]
) -> None:
    """A stolen session cannot guess the current password without limit."""
    app = make_app(plugins={}, settings_=make_settings(login_max_failures=3))
    async for client in open_client(app):
        username, password = await make_account(client.app.state.db)
        auth = await bearer(client, username, password)
        body = {"current_password": "guess number 1", "new_password": "a new long password"}
        for _ in range(3):
            wrong = problem(await client.post(PASSWORD_CHANGE, json=body, headers=auth), 422)
            assert wrong["errors"][0]["pointer"] == "/current_password"
        locked = await client.post(PASSWORD_CHANGE, json={**body, "current_password": password}, headers=auth)
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
        problem(await client.post(TOKEN, json=_login(username, password)), 429)


async def test_weak_new_passwords_are_refused_with_the_reason(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object]
) -> None:
    app = make_app(plugins={}, settings_=make_settings(login_max_failures=3))
    async for client in open_client(app):
        username, password = await make_account(client.app.state.db, username="wangfang")
        auth = await bearer(client, username, password)
        cases = {
            "aaaaaaaaaa": "password_repeated",
            "password123": "password_common",
            "1234567890": "password_common",
            "abcdefghijk": "password_sequence",
            "wangfang2024": "password_personal",
        }
        for weak, code in cases.items():
            refused = problem(
                await client.post(
                    PASSWORD_CHANGE,
                    json={"current_password": password, "new_password": weak},
                    headers={**auth, "Accept-Language": "en"},
                ),
                422,
            )
            assert refused["errors"] == [
                {"pointer": "/new_password", "code": code, "message": refused["errors"][0]["message"]}
            ], weak
            assert "guess" in refused["errors"][0]["message"] or "name" in refused["errors"][0]["message"]
        messages = {}
        for locale in ("zh-Hans", "zh-Hant", "en"):
            answer = await client.post(
                PASSWORD_CHANGE,
                json={"current_password": password, "new_password": "aaaaaaaaaa"},
                headers={**auth, "Accept-Language": locale},
            )
            messages[locale] = problem(answer, 422)["errors"][0]["message"]
        assert messages["zh-Hans"] == "重复的字符（如 aaa、abcabc）很容易被猜中"
        assert messages["zh-Hant"] == "重複的字元（如 aaa、abcabc）很容易被猜中"
        assert messages["en"] == 'Repeats like "aaa" or "abcabc" are easy to guess'
        # Refusals for weakness spent no attempt of the lock-out: the session still changes it.
        ok = await client.post(
            PASSWORD_CHANGE,
            json={"current_password": password, "new_password": "a new long password"},
            headers=auth,
        )
        assert ok.status_code == 204, ok.text


async def test_admin_created_accounts_need_strong_passwords(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object]
) -> None:
    async for client in open_client(make_app(plugins={}, settings_=make_settings(password_min_score=4))):
        db = client.app.state.db
        org = await make_org()
        admin = await bearer(
            client,
            *await make_account(
                db, grants=[(org["path"], ["core.person.write", "core.account.manage"], True)]
            ),
        )
        person = await client.post(
            "/api/v1/persons", json={"name": "赵敏", "home_org": str(org["id"])}, headers=admin
        )
        person_id = person.json()["id"]
        refused = problem(
            await client.post(
                "/api/v1/accounts",
                json={"username": "zhaomin", "password": "aaaaaaaaaa", "person": person_id},
                headers=admin,
            ),
            422,
        )
        assert refused["errors"][0]["pointer"] == "/password"
        assert refused["errors"][0]["code"] == "password_repeated"
        # Score 3 is enough by default; here the setting asks for 4.
        refused = problem(
            await client.post(
                "/api/v1/accounts",
                json={"username": "zhaomin", "password": "a long password", "person": person_id},
                headers=admin,
            ),
            422,
        )
        assert refused["errors"][0]["pointer"] == "/password"
        created = await client.post(
            "/api/v1/accounts",
            json={"username": "zhaomin", "password": "correct horse battery", "person": person_id},
            headers=admin,
        )
        assert created.status_code == 201, created.text


# --- 4. refresh-token reuse -------------------------------------------------------------------------


async def _reuse_ends_the_family(first: Any, second: Any) -> None:
    username, password = await make_account(first.app.state.db)
    login = await token(first, username, password)
    other_session = await token(first, username, password)
    rotated = (
        await first.post(TOKEN, json={"grant_type": "refresh_token", "refresh_token": login["refresh_token"]})
    ).json()
    family_tokens = (login["access_token"], rotated["access_token"])
    for access in (*family_tokens, other_session["access_token"]):
        for worker in (first, second):  # warm both workers' principal caches
            me = await worker.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
            assert me.status_code == 200, me.text
    # The first refresh token is used again: it was stolen. Its whole family ends, access tokens too.
    problem(
        await second.post(
            TOKEN, json={"grant_type": "refresh_token", "refresh_token": login["refresh_token"]}
        ),
        400,
    )
    for access in family_tokens:
        for worker in (first, second):
            problem(await worker.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"}), 401)
    for worker in (first, second):
        other = await worker.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {other_session['access_token']}"}
        )
        assert other.status_code == 200, "another login of the same account is not that family"


async def test_refresh_reuse_ends_the_family_access_tokens_at_once(make_app: Callable[..., Litestar]) -> None:
    async for client in open_client(make_app(plugins={})):
        await _reuse_ends_the_family(client, client)


@pytest.mark.skipif(not TEST_REDIS_URL, reason="several workers share state through Redis only")
async def test_refresh_reuse_ends_the_family_on_every_worker(make_app: Callable[..., Litestar]) -> None:
    async for first in open_client(make_app(plugins={})):
        async for second in open_client(make_app(plugins={})):
            await _reuse_ends_the_family(first, second)


# --- 5. the counter store is unreachable --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _start_redis(port: int, workdir: Path) -> asyncio.subprocess.Process:
    command = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = await asyncio.create_subprocess_exec(
        str(shutil.which("redis-server")),
        *command,
        "--dir",
        str(workdir),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return process
        except OSError:
            await asyncio.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


async def _stop(process: asyncio.subprocess.Process) -> None:
    process.terminate()
    await asyncio.wait_for(process.wait(), timeout=10)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs a redis-server binary")
async def test_logins_fail_closed_while_the_counter_store_is_down(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object], tmp_path: Path
) -> None:
    """A Redis of the test's own (never the shared one) is stopped and started again under the app."""
    port = _free_port()
    redis = await _start_redis(port, tmp_path)
    try:
        settings = make_settings(redis_url=f"redis://127.0.0.1:{port}/0", login_max_failures=3)
        async for client in open_client(make_app(plugins={}, settings_=settings)):
            username, password = await make_account(client.app.state.db)
            problem(await client.post(TOKEN, json=_login(username, "wrong password 1")), 401)
            await _stop(redis)
            for attempt in (_login(username, password), _login(username, "wrong password 1")):
                down = problem(await client.post(TOKEN, json=attempt), 503)
                assert down["type"] == "/api/v1/problems/service-unavailable"
            redis = await _start_redis(port, tmp_path)
            assert (await client.post(TOKEN, json=_login(username, password))).status_code == 200
    finally:
        if redis.returncode is None:
            await _stop(redis)
