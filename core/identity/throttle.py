"""Login throttling: failures of one *account* counted per client address and overall, then lock-out.

Three fixed windows (``limits``, atomic in Redis, in memory for the embedded single process), all of
``login_lockout_seconds``:

- **pair** — one subject from one client address: ``login_max_failures`` attempts, then that address
  is locked out of that subject. A success clears it. This is the lock an attacker guessing from one
  address runs into, and the only one a colleague mistyping behind the same office NAT address meets.
- **subject** — one subject from every address together: ``login_account_max_failures`` attempts
  (guessing spread over many addresses), then the subject is locked out everywhere.
- **address** — one client address over every subject: ``login_address_max_failures`` attempts, a
  generous ceiling against floods only, so that an office behind one NAT address is not locked out
  because a few of its people mistyped.

A *subject* is the account the login name or phone number resolves to (``a:<account id>``), so a lock
engaged through the username holds for the phone number too; a login name that names no account is a
subject of its own (``u:<keyed hash>``) and is counted exactly like an account, so that locks answer
the same for names that exist and names that do not. Keys never hold a name or phone in plaintext.

Each attempt is counted *before* the password is checked, so concurrent attempts on several worker
processes cannot slip past a limit; a success clears its pair and gives its attempt back to the subject
and address windows, which therefore count failures (and attempts still being checked).

The windows live in Redis and are not persisted by the platform. While the store cannot be reached the
throttle **fails closed**: :class:`ThrottleUnavailable` (answered 503) refuses the attempt before any
password is checked, so an outage never opens unlimited guessing. A Redis that restarts without
persistence comes back with empty windows: run it with AOF or RDB persistence (docs/deploy.md).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerDay, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError
from redis.exceptions import RedisError

from core.kernel.settings import Settings
from core.kernel.shared import SharedState

#: Seconds a client is asked to wait before retrying while the counter store is unreachable.
UNAVAILABLE_RETRY_AFTER = 5


class ThrottleUnavailable(Exception):
    """The counter store cannot be reached: the attempt is refused (fail closed)."""


class _RedispyStorage(RedisStorage):
    """limits' Redis storage, importing redis-py only: the base class also imports coredis and valkey on
    construction (0.2 s of every start-up and tens of MB per worker), although we use redis-py."""

    DEPENDENCIES = {"redis": RedisStorage.DEPENDENCIES["redis"]}  # noqa: RUF012 - as limits declares it


#: What a limiter raises when its store cannot be reached.
STORE_ERRORS = (StorageError, RedisError, OSError)


def window_limiter(settings: Settings, shared: SharedState, key_prefix: str) -> FixedWindowRateLimiter:
    """Fixed windows counted in Redis under ``key_prefix`` (in memory without Redis: one process only).

    Errors of the store are wrapped (:data:`STORE_ERRORS`): callers fail closed on them.
    """
    storage: Storage
    if shared.redis is not None:
        storage = _RedispyStorage(
            "async+" + (settings.redis_url or ""),
            implementation="redispy",
            key_prefix=key_prefix,
            connection_pool=shared.redis.connection_pool,  # type: ignore[arg-type]
            wrap_exceptions=True,
        )
    else:
        storage = MemoryStorage()
    return FixedWindowRateLimiter(storage)


class Throttle:
    def __init__(self, settings: Settings, shared: SharedState) -> None:
        self.limiter = window_limiter(settings, shared, "quntuan:login")
        window = settings.login_lockout_seconds
        self.pair_item = RateLimitItemPerSecond(settings.login_max_failures, window)
        self.subject_item = RateLimitItemPerSecond(settings.login_account_max_failures, window)
        self.address_item = RateLimitItemPerSecond(settings.login_address_max_failures, window)

    async def _retry_after(self, item: RateLimitItemPerSecond, *identifiers: str) -> int:
        stats = await self.limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def attempt(self, subject: str, address: str) -> int | None:
        """Count one attempt; None when it may proceed, else the seconds until it may be retried.

        Raises :class:`ThrottleUnavailable` when the counters cannot be reached.
        """
        try:
            if not await self.limiter.hit(self.address_item, "address", address):
                return await self._retry_after(self.address_item, "address", address)
            if not await self.limiter.hit(self.pair_item, "pair", subject, address):
                return await self._retry_after(self.pair_item, "pair", subject, address)
            if not await self.limiter.hit(self.subject_item, "subject", subject):
                return await self._retry_after(self.subject_item, "subject", subject)
        except (StorageError, RedisError, OSError) as exc:
            raise ThrottleUnavailable from exc
        return None

    async def succeeded(self, subject: str, address: str) -> None:
        """The attempt was right: clear its pair, give its attempt back to the subject and address."""
        try:
            await self.limiter.clear(self.pair_item, "pair", subject, address)
            # A negative cost gives the attempt counted by :meth:`attempt` back (same window, atomic).
            await self.limiter.hit(self.subject_item, "subject", subject, cost=-1)
            await self.limiter.hit(self.address_item, "address", address, cost=-1)
        except (StorageError, RedisError, OSError) as exc:
            raise ThrottleUnavailable from exc


class LinkBudget:
    """How many person link requests one account or API client may still propose today.

    A cadre who names a person outside their reach (by id when adding a member, by an ID number when
    registering or importing a person) gets a link request instead of the person (see
    :mod:`core.members.links`). Each proposal spends one of ``person_link_max_per_day`` (a fixed window
    of a day, atomic in Redis, in memory for the embedded single process). While nothing is left, every
    answer that *could* turn into a proposal is 429 — whatever the person's existence — so the budget
    bounds what those answers tell about persons outside reach. Fails closed like the login throttle:
    while the counters cannot be reached, 503 (``service-unavailable``).
    """

    def __init__(self, settings: Settings, shared: SharedState) -> None:

        storage: Storage
        if shared.redis is not None:
            storage = _RedispyStorage(
                "async+" + (settings.redis_url or ""),
                implementation="redispy",
                key_prefix="quntuan:links",
                connection_pool=shared.redis.connection_pool,  # type: ignore[arg-type]
                wrap_exceptions=True,
            )
        else:
            storage = MemoryStorage()
        self.limiter = FixedWindowRateLimiter(storage)
        self.item = RateLimitItemPerDay(max(settings.person_link_max_per_day, 0))

    @staticmethod
    def of(settings: Settings, shared: SharedState) -> LinkBudget:
        """The budget of this app's shared state (one per process, so the in-memory window is shared)."""
        budget: LinkBudget | None = getattr(shared, "_link_budget", None)
        if budget is None:
            budget = LinkBudget(settings, shared)
            shared._link_budget = budget  # type: ignore[attr-defined]
        return budget

    async def left(self, actor: str) -> int:
        """Proposals ``actor`` (``account:<id>`` or ``client:<id>``) may still make in this window."""
        if self.item.amount <= 0:
            return 0
        try:
            stats = await self.limiter.get_window_stats(self.item, "link", actor)
        except (StorageError, RedisError, OSError) as exc:
            raise _unavailable() from exc
        return int(stats.remaining)

    async def retry_after(self, actor: str) -> int:
        try:
            stats = await self.limiter.get_window_stats(self.item, "link", actor)
        except (StorageError, RedisError, OSError) as exc:
            raise _unavailable() from exc
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def spend(self, actor: str, cost: int = 1) -> bool:
        """Spend ``cost`` proposals; False (nothing spent) when fewer are left."""
        if cost <= 0:
            return True
        if self.item.amount <= 0:
            return False
        try:
            return bool(await self.limiter.hit(self.item, "link", actor, cost=cost))
        except (StorageError, RedisError, OSError) as exc:
            raise _unavailable() from exc


def _unavailable() -> Exception:
    from core.kernel.errors import Problem

    return Problem("service-unavailable", headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)})
