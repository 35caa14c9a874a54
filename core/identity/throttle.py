"""Login throttling: failures counted per account and per client in one atomic window, then lock-out.

Each attempt is counted *before* the password is checked (an atomic increment in Redis, or in memory
for the embedded single process), so concurrent attempts on several worker processes cannot slip past
the limit; a successful login clears the account's count. Keys hold a keyed hash of the login name,
never the name or phone itself.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter

from core.settings import Settings
from core.shared import SharedState

#: A client (address or API client id) may fail this many times more often than one account.
CLIENT_FACTOR = 4


class _RedispyStorage(RedisStorage):
    """limits' Redis storage, importing redis-py only: the base class also imports coredis and valkey on
    construction (0.2 s of every start-up and tens of MB per worker), although we use redis-py."""

    DEPENDENCIES = {"redis": RedisStorage.DEPENDENCIES["redis"]}  # noqa: RUF012 - as limits declares it


class Throttle:
    def __init__(self, settings: Settings, shared: SharedState) -> None:
        storage: Storage
        if shared.redis is not None:
            storage = _RedispyStorage(
                "async+" + (settings.redis_url or ""),
                implementation="redispy",
                key_prefix="quntuan:login",
                connection_pool=shared.redis.connection_pool,  # type: ignore[arg-type]
            )
        else:
            storage = MemoryStorage()
        self.limiter = FixedWindowRateLimiter(storage)
        window = settings.login_lockout_seconds
        self.account_item = RateLimitItemPerSecond(settings.login_max_failures, window)
        self.client_item = RateLimitItemPerSecond(settings.login_max_failures * CLIENT_FACTOR, window)

    async def _retry_after(self, item: RateLimitItemPerSecond, scope: str, key: str) -> int:
        stats = await self.limiter.get_window_stats(item, scope, key)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def attempt(self, account_key: str, client_key: str) -> int | None:
        """Count one attempt; None when it may proceed, else the seconds until it may be retried.

        The account's window counts every attempt atomically (cleared on success); the client's counts
        failures only (:meth:`failed`), so a busy front end's successful logins never lock it out.
        """
        if not await self.limiter.test(self.client_item, "client", client_key):
            return await self._retry_after(self.client_item, "client", client_key)
        if not await self.limiter.hit(self.account_item, "account", account_key):
            return await self._retry_after(self.account_item, "account", account_key)
        return None

    async def failed(self, client_key: str) -> None:
        await self.limiter.hit(self.client_item, "client", client_key)

    async def succeeded(self, account_key: str) -> None:
        await self.limiter.clear(self.account_item, "account", account_key)
