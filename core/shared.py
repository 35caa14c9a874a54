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
from redis.asyncio import Redis

from core.settings import Settings


def make_redis(url: str) -> Redis:
    """A redis-py asyncio client with the settings blocking reads need (redis-py 8 changed the defaults)."""
    return Redis.from_url(
        url,
        protocol=2,
        socket_timeout=None,
        socket_connect_timeout=5,
        health_check_interval=30,
        retry_on_timeout=True,
    )


class SharedState:
    """The app's handle on shared state: ``redis`` (or None) and key-value stores by namespace."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.redis: Redis | None = make_redis(settings.redis_url) if settings.redis_url else None
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
