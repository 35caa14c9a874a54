"""One-time codes: random, short-lived, stored as keyed hashes, single use, a few attempts each.

A code is kept under ``<purpose>:<blind index of the phone>`` — in Redis when the platform has it (one
hash with a TTL; checking is one Lua script, so concurrent entries cannot both spend one code), else in
the ``core_login_code`` table (SQLite-only installs: a single process). A new code for the same phone
replaces the previous one. What is stored is ``HMAC(blind index key, key:code)``: a leaked store does
not give codes away, and 10^6 candidates cannot be tried offline without the key.

Sending is limited in fixed windows (:func:`~core.identity.throttle.window_limiter`): one code per
``login_code_resend_seconds`` and ``login_code_phone_max_per_day`` per phone, a ceiling per client
address per hour, and ``login_code_max_per_day`` over the whole platform. The limits look at the phone
only — never at whether an account has it — so the answer never tells whether a phone is registered.
"""

from __future__ import annotations

import math
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Literal

from limits import RateLimitItemPerDay, RateLimitItemPerHour, RateLimitItemPerSecond
from limits.aio.strategies import FixedWindowRateLimiter
from redis.asyncio import Redis

from core.identity.throttle import STORE_ERRORS, ThrottleUnavailable, window_limiter
from core.kernel.db import Database
from core.kernel.settings import Settings
from core.kernel.shared import SharedState
from core.kernel.vault import Vault
from core.signup.tables import LoginCode

Outcome = Literal["ok", "wrong", "missing"]

#: Checks and spends a code in one step: 1 right (deleted), -1 wrong (deleted on the last attempt), 0 none.
_CHECK = """
local h = redis.call('HGET', KEYS[1], 'h')
if not h then return 0 end
if h == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
if n >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) end
return -1
"""


def new_code(length: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


class CodeStore:
    def __init__(self, settings: Settings, shared: SharedState, db: Database, vault: Vault) -> None:
        self.redis: Redis | None = shared.redis
        self.db = db
        self.vault = vault
        self.ttl = settings.login_code_ttl
        self.max_attempts = settings.login_code_max_attempts
        self._check = self.redis.register_script(_CHECK) if self.redis is not None else None

    def _hash(self, key: str, code: str) -> str:
        return self.vault.blind_index("login-code", f"{key}:{code}")

    async def put(self, key: str, code: str) -> None:
        """Keep ``code`` for ``key`` for the code TTL, replacing any earlier code of the key."""
        code_hash = self._hash(key, code)
        if self.redis is not None:
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.delete(f"quntuan:code:{key}")
                    pipe.hset(f"quntuan:code:{key}", mapping={"h": code_hash, "n": 0})
                    pipe.expire(f"quntuan:code:{key}", self.ttl)
                    await pipe.execute()
            except STORE_ERRORS as exc:
                raise ThrottleUnavailable from exc
            return
        now = datetime.now(UTC)
        async with self.db.transaction():
            await LoginCode.delete().where((LoginCode.key == key) | (LoginCode.expires_at <= now)).run()
            await LoginCode.insert(
                LoginCode(key=key, code_hash=code_hash, expires_at=now + timedelta(seconds=self.ttl))
            ).run()

    async def check(self, key: str, code: str) -> Outcome:
        """Whether ``code`` is the live code of ``key``; a right code is spent, a wrong one costs an attempt."""
        code_hash = self._hash(key, code)
        if self._check is not None:
            try:
                result = await self._check(keys=[f"quntuan:code:{key}"], args=[code_hash, self.max_attempts])
            except STORE_ERRORS as exc:
                raise ThrottleUnavailable from exc
            return "ok" if result == 1 else "wrong" if result == -1 else "missing"
        now = datetime.now(UTC)
        async with self.db.transaction():
            row = (
                await LoginCode.select(LoginCode.id, LoginCode.code_hash)
                .where((LoginCode.key == key) & (LoginCode.expires_at > now))
                .first()
                .run()
            )
            if row is None:
                return "missing"
            if secrets.compare_digest(row["code_hash"], code_hash):
                spent = (
                    await LoginCode.delete().where(LoginCode.id == row["id"]).returning(LoginCode.id).run()
                )
                return "ok" if spent else "missing"
            counted = (
                await LoginCode.update({LoginCode.attempts: LoginCode.attempts + 1})
                .where(LoginCode.id == row["id"])
                .returning(LoginCode.attempts)
                .run()
            )
            if counted and counted[0]["attempts"] >= self.max_attempts:
                await LoginCode.delete().where(LoginCode.id == row["id"]).run()
            return "wrong"


class SendLimits:
    """The windows a code request passes before a code is sent."""

    def __init__(self, settings: Settings, shared: SharedState) -> None:
        self.limiter: FixedWindowRateLimiter = window_limiter(settings, shared, "quntuan:codes")
        self.resend = RateLimitItemPerSecond(1, settings.login_code_resend_seconds)
        self.phone_day = RateLimitItemPerDay(settings.login_code_phone_max_per_day)
        self.address_hour = RateLimitItemPerHour(settings.login_code_address_max_per_hour)
        self.global_day = RateLimitItemPerDay(settings.login_code_max_per_day)
        self.signup_address_hour = RateLimitItemPerHour(settings.signup_address_max_per_hour)
        self.spike = RateLimitItemPerSecond(
            settings.signup_alert_threshold, settings.signup_alert_window_seconds
        )
        self.spike_alerted = RateLimitItemPerSecond(1, settings.signup_alert_window_seconds)

    async def _wait(self, item: RateLimitItemPerSecond, *identifiers: str) -> int:
        stats = await self.limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def code_requested(self, phone_key: str, address: str) -> int | None:
        """Count a request for a code; None when it may be sent, else the seconds to wait.

        Raises :class:`ThrottleUnavailable` when the counters cannot be reached (fail closed: nothing sent).
        """
        checks = (
            (self.address_hour, ("address", address)),
            (self.resend, ("resend", phone_key)),
            (self.phone_day, ("phone", phone_key)),
            (self.global_day, ("global",)),
        )
        try:
            for item, ids in checks:
                if not await self.limiter.hit(item, *ids):
                    return await self._wait(item, *ids)  # type: ignore[arg-type]
        except STORE_ERRORS as exc:
            raise ThrottleUnavailable from exc
        return None

    async def signup_allowed(self, address: str) -> int | None:
        """Count a sign-up from ``address``; None when allowed, else the seconds to wait."""
        try:
            if not await self.limiter.hit(self.signup_address_hour, "signup-address", address):
                return await self._wait(self.signup_address_hour, "signup-address", address)  # type: ignore[arg-type]
        except STORE_ERRORS as exc:
            raise ThrottleUnavailable from exc
        return None

    async def wechat_exchange(self, address: str) -> int | None:
        """Count a ``code2session`` call from ``address`` (each costs the platform's WeChat quota)."""
        try:
            if not await self.limiter.hit(self.address_hour, "wechat", address):
                return await self._wait(self.address_hour, "wechat", address)  # type: ignore[arg-type]
        except STORE_ERRORS as exc:
            raise ThrottleUnavailable from exc
        return None

    async def spike_crossed(self) -> int | None:
        """Count a sign-up platform-wide; the count when this one crossed the threshold first in the window."""
        try:
            if await self.limiter.hit(self.spike, "signups"):
                return None
            if not await self.limiter.hit(self.spike_alerted, "signups-alerted"):
                return None
        except STORE_ERRORS as exc:
            raise ThrottleUnavailable from exc
        return int(self.spike.amount) + 1
