"""The principal cache: who a token's subject is and what it may do, without two queries per request.

Loading a principal (:func:`core.identity.principal.load_principal`) costs an account query and a grants
query. Its result changes only when someone's authority changes — a grant created or revoked, a role's
permissions, a post taken up or ended, an account or API client disabled, a token version bumped, an org
subtree moved or dissolved — and every write that does so calls :func:`authority_changed`, which bumps an
**authorization epoch** once its transaction has committed. A cached principal is used only under the
epoch it was loaded in, so the next request after such a change, in any process, loads afresh.

With Redis the epoch is one value shared by every worker and host, replaced by a fresh random one on
every change (so a Redis that lost its data never brings an old epoch back), and principals are
cached there under ``(kind, subject, token version, epoch, local date)``; each request reads the epoch
(one ``GET``) and finds the principal in a small in-process layer in front of Redis. Without Redis
(one process) the epoch is a counter in the process. The local date in the key makes a posts' start and
end dates count from the day boundary in the configured time zone; entries also expire after
:data:`TTL_SECONDS`, bounding what a change made behind the platform's back (raw SQL) can leave stale.

While Redis is unreachable (down, restarting, or frozen past ``QUNTUAN_REDIS_TIMEOUT``) nobody can know
the shared epoch, so nothing cached is used: every principal is loaded from the database, which is
always current, and the cache leaves Redis alone for :data:`REDIS_RETRY_SECONDS` after each failure so
a frozen Redis does not cost every request a timeout. A change made meanwhile still clears this
process's layer, and its new epoch is written to Redis as soon as Redis answers again; until then
other processes that still reach Redis may use what they cached for at most :data:`TTL_SECONDS`.

The order matters and is what makes invalidation exact: a reader reads the epoch *before* loading, and
a writer bumps it *after* committing. A reader that saw the new epoch started after the commit, so it
loads the new state; a reader that loaded the old state stored it under the old epoch, never read again.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

import msgspec
from redis.asyncio import Redis

from core.identity.principal import AuthPrincipal, load_principal
from core.kernel.access import Reach
from core.kernel.db import after_commit
from core.kernel.shared import REDIS_UNAVAILABLE

log = logging.getLogger("quntuan.authz")

#: Seconds a cached principal is used at most, whatever the epoch says.
TTL_SECONDS = 60
#: Principals kept in each process's layer in front of Redis (cleared when full).
LOCAL_ENTRIES = 10_000
#: Seconds Redis is left alone after it failed to answer (principals meanwhile come from the database).
REDIS_RETRY_SECONDS = 1.0
EPOCH_KEY = "quntuan:authz:epoch"
_ENTRY_PREFIX = "quntuan:authz:principal:"


class _Cached(msgspec.Struct, array_like=True):
    """A principal as stored in Redis; ``found`` False records a disabled, gone or revoked subject."""

    found: bool
    person_id: uuid.UUID | None = None
    name: str = ""
    reaches: dict[str, list[Reach]] = msgspec.field(default_factory=dict)


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(_Cached)
_Key = tuple[str, uuid.UUID, int, uuid.UUID | None]


class AuthzCache:
    """One per app: the epoch (Redis or in-process) and the principals loaded under it."""

    def __init__(self, redis: Redis | None, *, timezone: str) -> None:
        self.redis = redis
        self.zone = ZoneInfo(timezone)
        self._local_epoch = secrets.token_hex(8)
        #: (kind, subject, token version, session) → (epoch, local date, expires at, principal or None).
        self._local: dict[_Key, tuple[str, str, float, AuthPrincipal | None]] = {}
        #: Monotonic time until which Redis is not asked (it failed to answer).
        self._redis_down_until = 0.0
        #: A bump made while Redis was unreachable, still to be written there.
        self._unpublished = False

    def _redis_failed(self, exc: Exception) -> None:
        if time.monotonic() >= self._redis_down_until:
            log.warning(
                "authorization cache: Redis unavailable (%s); loading from the database", type(exc).__name__
            )
        self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS

    async def epoch(self) -> str | None:
        """The current epoch: equal values mean no authority changed in between. None while Redis, which
        holds the epoch of every process, is unreachable: then nobody knows whether authority changed."""
        if self.redis is None:
            return self._local_epoch
        if time.monotonic() < self._redis_down_until:
            return None
        try:
            if self._unpublished:
                await self.redis.set(EPOCH_KEY, self._local_epoch)
                self._unpublished = False
            value = await self.redis.get(EPOCH_KEY)
            if value is None:  # never set, or Redis lost its data: start a new epoch
                await self.redis.set(EPOCH_KEY, secrets.token_hex(8), nx=True)
                value = await self.redis.get(EPOCH_KEY)
        except REDIS_UNAVAILABLE as exc:
            self._redis_failed(exc)
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def bump(self) -> None:
        """Make every cached principal stale, in every process."""
        self._local_epoch = secrets.token_hex(8)
        self._local.clear()
        if self.redis is not None:
            try:
                await self.redis.set(EPOCH_KEY, self._local_epoch)
            except REDIS_UNAVAILABLE as exc:  # the change is committed: publish it once Redis answers
                self._unpublished = True
                self._redis_failed(exc)

    async def _shared_get(self, key: str) -> bytes | None:
        """A principal cached in Redis; None when there is none or Redis did not answer."""
        if self.redis is None:
            return None
        try:
            return cast(bytes | None, await self.redis.get(key))
        except REDIS_UNAVAILABLE as exc:
            self._redis_failed(exc)
            return None

    async def principal(
        self,
        kind: Literal["account", "client"],
        subject: uuid.UUID,
        version: int,
        *,
        on: date | None = None,
        session: uuid.UUID | None = None,
    ) -> AuthPrincipal | None:
        """The principal behind verified token claims: from the cache when still valid, else loaded.

        ``on`` is the local date whose posts count (default: today in the configured time zone);
        ``session`` the token's refresh family, whose end (refresh-token reuse) refuses the token.
        """
        epoch = await self.epoch()  # None: Redis unreachable, nothing cached may be used or stored
        on = on or datetime.now(self.zone).date()
        today = on.isoformat()
        now = time.monotonic()
        key = (kind, subject, version, session)
        local = self._local.get(key)
        if local is not None and local[0] == epoch and local[1] == today and local[2] > now:
            return local[3]
        redis_key = f"{_ENTRY_PREFIX}{kind}:{subject}:{version}:{session or '-'}:{epoch}:{today}"
        principal: AuthPrincipal | None
        stored = await self._shared_get(redis_key) if epoch is not None else None
        if stored is not None:
            cached = _decoder.decode(cast(bytes, stored))  # the client does not decode responses
            principal = (
                AuthPrincipal(kind, subject, cached.person_id, cached.reaches, name=cached.name)
                if cached.found
                else None
            )
        else:
            principal = await load_principal(
                kind, subject, version, timezone=self.zone.key, today=on, session=session
            )
            if self.redis is not None and epoch is not None:
                value = (
                    _Cached(True, principal.person_id, principal.name, principal.reaches)
                    if principal is not None
                    else _Cached(False)
                )
                try:
                    await self.redis.set(redis_key, _encoder.encode(value), ex=TTL_SECONDS)
                except REDIS_UNAVAILABLE as exc:  # loaded under a known epoch: still fine to use here
                    self._redis_failed(exc)
        if epoch is None:  # loaded from the database, the only current source while Redis is away
            return principal
        if len(self._local) >= LOCAL_ENTRIES:
            self._local.clear()
        self._local[key] = (epoch, today, now + TTL_SECONDS, principal)
        return principal


#: The cache of the app serving the current request (set by the authentication middleware).
current_cache: ContextVar[AuthzCache | None] = ContextVar("quntuan_authz_cache", default=None)
_bound: AuthzCache | None = None


def bind(cache: AuthzCache) -> None:
    """Make ``cache`` the one changes outside a request invalidate (the last app built in the process)."""
    global _bound
    _bound = cache


async def bump_from_outside(settings: Any) -> bool:
    """From a process that serves no requests (the CLI), after its commit: make every worker's cached
    principals stale through the shared epoch in Redis. Without Redis there is no shared epoch to move and
    each worker's cache ends within :data:`TTL_SECONDS` seconds; returns whether it was moved."""
    if not settings.redis_url:
        return False
    from core.kernel.shared import make_redis

    client = make_redis(settings.redis_url, timeout=settings.redis_timeout)
    try:
        await AuthzCache(client, timezone=settings.timezone).bump()
    finally:
        await client.aclose()
    return True


async def authority_changed() -> None:
    """Call in the transaction of any write that can change anyone's authority; invalidates on commit."""
    cache = current_cache.get() or _bound
    if cache is not None:
        await after_commit(cache.bump)
