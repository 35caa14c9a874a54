"""Sign-up and login by phone and one-time code, through HTTP: codes, limits, no enumeration."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar

from core.identity.tables import Account, Grant, Person
from core.integration.tables import OutboxSignal
from core.kernel.observability import SIGNUP_SPIKES, SIGNUPS
from core.kernel.settings import Settings
from core.signup.tables import LoginCode
from tests.core.signup.support import (
    ask_code,
    code_login,
    from_address,
    logged_code,
    running,
    sign_up_by_phone,
    signup_overrides,
)
from tests.helpers import problem
from tests.identity_helpers import make_account

PHONE = "13800138000"
OTHER = "13900139000"


@pytest.fixture
def app_with(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings]
) -> Callable[..., Litestar]:
    def make(**overrides: Any) -> Litestar:
        return make_app(settings_=make_settings(**signup_overrides(**overrides)))

    return make


async def _stored_codes(client: Any) -> list[str]:
    """Every code entry as stored (Redis keys with their fields, or rows of the fallback table)."""
    redis = client.app.state.shared.redis
    if redis is not None:
        keys = await redis.keys("quntuan:code:*")
        return [f"{k!r} {await redis.hgetall(k)!r}" for k in keys]
    return [f"{r['key']} {r['code_hash']}" for r in await LoginCode.select().run()]


@pytest.fixture(autouse=True)
def _capture_codes(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="quntuan.sms")


async def test_sign_up_by_phone_then_log_in_again(
    app_with: Callable[..., Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(app_with(login_code_resend_seconds=1)) as client:
        sent = await ask_code(client, "+86 138 0013 8000".replace(" ", ""))
        assert sent.status_code == 202
        assert sent.json() == {"status": "code_sent", "expires_in": 300, "resend_after": 1}
        code = logged_code(caplog, PHONE)
        assert len(code) == 6 and code.isdigit()
        # At rest the code is a keyed hash under a keyed hash of the phone: neither is stored in plaintext.
        stored = await _stored_codes(client)
        assert len(stored) == 1
        assert code not in stored[0] and PHONE not in stored[0]
        first = await code_login(client, PHONE, code, name="张三")
        assert first.status_code == 200, first.text
        tokens = first.json()
        assert tokens["account_created"] is True and tokens["refresh_token"]

        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        me = (await client.get("/api/v1/me", headers=headers)).json()
        assert me["permissions"] == []
        assert me["person"]["name"] == "张三" and me["person"]["phone"] == PHONE
        account = await Account.select().where(Account.id == uuid.UUID(me["id"])).first().run()
        assert account is not None and account["password_hash"] == ""
        assert await Grant.count().where(Grant.account == account["id"]).run() == 0
        assert await _stored_codes(client) == []  # spent

        await asyncio.sleep(1.1)
        assert (await ask_code(client, PHONE)).status_code == 202
        again = await code_login(client, PHONE, logged_code(caplog, PHONE))
        assert again.status_code == 200
        assert again.json()["account_created"] is False
        headers = {"Authorization": f"Bearer {again.json()['access_token']}"}
        assert (await client.get("/api/v1/me", headers=headers)).json()["id"] == me["id"]
        assert await Account.count().run() == 1


async def test_a_signed_up_account_reaches_only_what_is_declared_for_persons(
    app_with: Callable[..., Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(app_with()) as client:
        tokens = await sign_up_by_phone(client, caplog, PHONE)
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        for path in (
            "/api/v1/orgs",
            "/api/v1/persons",
            "/api/v1/accounts",
            "/api/v1/audit",
            "/api/v1/webhooks",
        ):
            assert (await client.get(path, headers=headers)).status_code == 403, path
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
        assert (await client.get("/api/v1/me/processes", headers=headers)).status_code == 200
        assert (await client.get("/api/v1/events", headers=headers)).status_code == 200


async def test_wrong_expired_and_reused_codes_are_refused(
    app_with: Callable[..., Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(app_with(login_code_ttl=1, login_code_resend_seconds=1)) as client:
        await ask_code(client, PHONE)
        code = logged_code(caplog, PHONE)
        wrong = "000000" if code != "000000" else "111111"
        assert problem(await code_login(client, PHONE, wrong), 400)["type"].endswith("/invalid-code")
        # Expired: the code's lifetime (1 s) has passed.
        await asyncio.sleep(1.2)
        assert problem(await code_login(client, PHONE, code), 400)["type"].endswith("/invalid-code")

        await ask_code(client, PHONE)
        code = logged_code(caplog, PHONE)
        assert (await code_login(client, PHONE, code)).status_code == 200
        # Reused: a code works once.
        assert problem(await code_login(client, PHONE, code), 400)["type"].endswith("/invalid-code")
        assert await Account.count().run() == 1


async def test_a_code_is_spent_after_its_attempts(
    app_with: Callable[..., Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(app_with(login_code_max_attempts=2)) as client:
        await ask_code(client, PHONE)
        code = logged_code(caplog, PHONE)
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(2):
            assert (await code_login(client, PHONE, wrong)).status_code == 400
        # The right code no longer works: two wrong entries spent it.
        assert (await code_login(client, PHONE, code)).status_code == 400
        assert await Account.count().run() == 0


async def test_guessing_codes_runs_into_the_login_lockout(
    app_with: Callable[..., Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(app_with(login_max_failures=3, login_code_max_attempts=100)) as client:
        await ask_code(client, PHONE)
        code = logged_code(caplog, PHONE)
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(3):
            assert (await code_login(client, PHONE, wrong)).status_code == 400
        locked = await code_login(client, PHONE, code)
        assert problem(locked, 429)["type"].endswith("/rate-limited")
        assert int(locked.headers["Retry-After"]) > 0


async def test_resend_and_daily_limits_per_phone(app_with: Callable[..., Litestar]) -> None:
    async with running(app_with(login_code_resend_seconds=1, login_code_phone_max_per_day=2)) as client:
        assert (await ask_code(client, PHONE)).status_code == 202
        too_soon = await ask_code(client, PHONE)
        assert problem(too_soon, 429)["type"].endswith("/rate-limited")
        assert 1 <= int(too_soon.headers["Retry-After"]) <= 1
        assert (await ask_code(client, OTHER)).status_code == 202  # another phone is not held up
        await asyncio.sleep(1.1)
        assert (await ask_code(client, PHONE)).status_code == 202
        await asyncio.sleep(1.1)
        daily = await ask_code(client, PHONE)
        assert daily.status_code == 429
        assert int(daily.headers["Retry-After"]) > 60  # until the day's window ends


async def test_limits_per_address_and_for_the_platform(app_with: Callable[..., Litestar]) -> None:
    async with running(app_with(login_code_address_max_per_hour=2, login_code_max_per_day=3)) as client:
        one = from_address(client, "10.0.0.1")
        two = from_address(client, "10.0.0.2")
        assert (await ask_code(one, "13800000001")).status_code == 202
        assert (await ask_code(one, "13800000002")).status_code == 202
        per_address = await ask_code(one, "13800000003")
        assert per_address.status_code == 429 and "Retry-After" in per_address.headers
        assert (await ask_code(two, "13800000004")).status_code == 202
        # Three codes sent today: the platform's ceiling holds for every address.
        platform = await ask_code(two, "13800000005")
        assert platform.status_code == 429 and "Retry-After" in platform.headers


async def test_no_enumeration_of_phones(
    app_with: Callable[..., Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(app_with()) as client:
        db = client.app.state.db
        vault = client.app.state.identity.vault
        person = uuid.uuid4()
        await Person.insert(
            Person(
                id=person,
                name="已有",
                phone_enc=vault.encrypt("phone", PHONE),
                phone_index=vault.blind_index("phone", PHONE),
            )
        ).run()
        await make_account(db, person=person)
        known = await ask_code(client, PHONE)
        unknown = await ask_code(client, OTHER)
        assert known.status_code == unknown.status_code == 202
        assert known.json() == unknown.json()
        assert set(known.headers) - {"x-request-id", "date"} == set(unknown.headers) - {
            "x-request-id",
            "date",
        }
        # Wrong codes answer alike too.
        for phone in (PHONE, OTHER):
            code = logged_code(caplog, phone)
            wrong = "000000" if code != "000000" else "111111"
            assert problem(await code_login(client, phone, wrong), 400)["type"].endswith("/invalid-code")
        # The known phone logs in to its existing account, the unknown one signs up.
        assert (await code_login(client, PHONE, logged_code(caplog, PHONE))).json()[
            "account_created"
        ] is False
        assert (await code_login(client, OTHER, logged_code(caplog, OTHER))).json()["account_created"] is True


async def test_closed_sign_up_still_logs_in_existing_accounts(
    app_with: Callable[..., Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(app_with(signup_enabled=False)) as client:
        vault = client.app.state.identity.vault
        person = uuid.uuid4()
        await Person.insert(
            Person(
                id=person,
                name="已有",
                phone_enc=vault.encrypt("phone", PHONE),
                phone_index=vault.blind_index("phone", PHONE),
            )
        ).run()
        await make_account(client.app.state.db, person=person)
        assert (await ask_code(client, PHONE)).status_code == 202
        assert (await ask_code(client, OTHER)).status_code == 202
        closed = await code_login(client, OTHER, logged_code(caplog, OTHER))
        assert problem(closed, 403)["type"].endswith("/signup-closed")
        assert (await code_login(client, PHONE, logged_code(caplog, PHONE))).status_code == 200
        assert await Account.count().run() == 1


async def test_sign_ups_per_address_are_limited(
    app_with: Callable[..., Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(app_with(signup_address_max_per_hour=1)) as client:
        await sign_up_by_phone(client, caplog, PHONE)
        await ask_code(client, OTHER)
        second = await code_login(client, OTHER, logged_code(caplog, OTHER))
        assert problem(second, 429)["type"].endswith("/rate-limited")
        assert "Retry-After" in second.headers
        assert await Account.count().run() == 1


async def test_a_sign_up_spike_is_counted_and_signalled_once(
    app_with: Callable[..., Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    before_signups = SIGNUPS.labels("phone")._value.get()
    before_spikes = SIGNUP_SPIKES._value.get()
    async with running(app_with(signup_alert_threshold=2)) as client:
        for i in range(4):
            await sign_up_by_phone(client, caplog, f"1370000000{i}")
        spikes = (
            await OutboxSignal.select(OutboxSignal.payload).where(OutboxSignal.name == "signup.spike").run()
        )
        assert len(spikes) == 1
        assert '"threshold":2' in spikes[0]["payload"]
        assert await OutboxSignal.count().where(OutboxSignal.name == "account.signed_up").run() == 4
    assert SIGNUPS.labels("phone")._value.get() == before_signups + 4
    assert SIGNUP_SPIKES._value.get() == before_spikes + 1
    assert any("sign-up spike" in r.getMessage() for r in caplog.records)


async def test_a_password_set_at_sign_up_logs_in(
    app_with: Callable[..., Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(app_with()) as client:
        assert (await ask_code(client, PHONE)).status_code == 202
        code = logged_code(caplog, PHONE)
        refused = await code_login(client, PHONE, code, password="password123")
        assert problem(refused, 422)["errors"][0]["pointer"] == "/password"
        short = await code_login(client, PHONE, code, password="x7#Qz")
        assert problem(short, 422)["errors"][0]["code"] == "too_short"
        # A refused password does not spend the code.
        tokens = await code_login(client, PHONE, code, password="correct horse battery staple")
        assert tokens.json()["account_created"] is True
        login = await client.post(
            "/api/v1/auth/token",
            json={"grant_type": "password", "username": PHONE, "password": "correct horse battery staple"},
        )
        assert login.status_code == 200, login.text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"phone": "12345"}, 422),
        ({"phone": "not a phone"}, 422),
        ({"phone": ""}, 422),
        ({"phone": PHONE, "purpose": "other"}, 422),
        ({"phone": PHONE, "extra": 1}, 422),
        ({}, 422),
        ({"phone": ["13800138000"]}, 422),
    ],
)
async def test_bad_code_requests_are_4xx(
    app_with: Callable[..., Litestar], body: dict[str, Any], status: int
) -> None:
    async with running(app_with()) as client:
        response = await client.post("/api/v1/auth/codes", json=body)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "body",
    [
        {"grant_type": "phone_code", "phone": PHONE},
        {"grant_type": "phone_code", "code": "123456"},
        {"grant_type": "phone_code", "phone": "123", "code": "123456"},
        {"grant_type": "phone_code", "phone": PHONE, "code": "x" * 200},
        {"grant_type": "phone_code", "phone": PHONE, "code": "123456", "name": ""},
        {"grant_type": "phone_code", "phone": PHONE, "code": "123456", "name": "名" * 101},
        {"grant_type": "wechat"},
    ],
)
async def test_bad_grants_are_4xx(app_with: Callable[..., Litestar], body: dict[str, Any]) -> None:
    async with running(app_with()) as client:
        response = await client.post("/api/v1/auth/token", json=body)
        assert 400 <= response.status_code < 500, response.text


async def test_no_provider_means_no_codes(make_app: Callable[..., Litestar]) -> None:
    async with running(make_app()) as client:
        response = await ask_code(client, PHONE)
        assert problem(response, 403)["type"].endswith("/login-method-disabled")
