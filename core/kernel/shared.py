"""Shared state: Redis when ``QUNTUAN_REDIS_URL`` is set, in-process stand-ins otherwise.

Everything that must hold across worker processes — caches, rate-limit windows, pub/sub, job queues —
reaches Redis through the one client here. Without Redis the same interfaces are served from memory,
which is correct only for a single process; ``quntuan serve`` refuses several workers in that case.
"""

from __future__ import annotations

import time

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from core.kernel.settings import Settings

#: What a Redis that is down, restarting, frozen or read-only raises: the dependency is lost, not a bug.
REDIS_UNAVAILABLE: tuple[type[Exception], ...] = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.ReadOnlyError,
)
#: Seconds the job queue's blocking dequeue waits for a job (its reads may take that much longer).
QUEUE_BLOCK_SECONDS = 1.0


def make_redis(url: str, *, timeout: float = 1.0, connect_timeout: float = 1.0) -> Redis:
    """A redis-py asyncio client whose every command is bounded in time.

    ``timeout`` bounds each reply (redis-py 8 defaults to 5 s; blocking reads — pub/sub, a queue's
    dequeue — pass their own wait), ``connect_timeout`` each connection. A command is tried again once
    on a broken connection (a pooled one from before a Redis restart) but never after a timeout, so a
    frozen Redis costs a request one ``timeout``, not several. RESP2, as the stores and SAQ expect.
    """
    return Redis.from_url(
        url,
        protocol=2,
        socket_timeout=timeout,
        socket_connect_timeout=connect_timeout,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 1, supported_errors=(redis_errors.ConnectionError,)),
    )


class SharedState:
    """The app's handle on shared state: ``redis`` (or None) and key-value stores by namespace."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        timeouts = {"timeout": settings.redis_timeout, "connect_timeout": settings.redis_connect_timeout}
        self.redis: Redis | None = make_redis(settings.redis_url, **timeouts) if settings.redis_url else None
        #: The job queue's own client: its blocking dequeue holds a read open for QUEUE_BLOCK_SECONDS.
        self.queue_redis: Redis | None = (
            make_redis(
                settings.redis_url,
                timeout=settings.redis_timeout + QUEUE_BLOCK_SECONDS,
                connect_timeout=settings.redis_connect_timeout,
            )
            if settings.redis_url
            else None
        )
        self._stores: dict[str, Store] = {}

    def store(self, namespace: str) -> Store:
        """A Litestar :class:`Store` whose keys live apart from every other namespace's."""
        if namespace not in self._stores:
            self._stores[namespace] = (
                RedisStore(self.redis, namespace=f"quntuan:{namespace}")
                if self.redis is not None
                else MemoryStore()
            )
        return self._stores[namespace]

    @property
    def mode(self) -> str:
        return "redis" if self.redis is not None else "in-process"

    async def ping(self) -> float:
        """Latency of a PING in milliseconds; 0 for the in-process stand-ins (raises when unreachable)."""
        if self.redis is None:
            return 0.0
        started = time.perf_counter()
        await self.redis.ping()
        return (time.perf_counter() - started) * 1000

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        if self.queue_redis is not None:
            await self.queue_redis.aclose()
