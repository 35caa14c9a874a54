"""Live fan-out of relayed signals to stream subscribers in every web process (Redis pub/sub).

The relay publishes each signal once after its commit; every web process holds one Redis
subscription and hands each message to its local listeners (one queue per open stream), which filter
by what their caller may see. Without Redis, publishing hands messages to local listeners directly.
Live delivery is best effort (a client reconnects with ``Last-Event-ID`` to catch up from the outbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import msgspec
from redis.asyncio import Redis

log = logging.getLogger("quntuan.stream")

CHANNEL = "quntuan:signals"
#: Messages a slow listener may lag behind before it is dropped (it reconnects and catches up).
LISTENER_BACKLOG = 1000


class StreamMessage(msgspec.Struct, kw_only=True):
    """One relayed signal as streamed: public fields only."""

    seq: int
    id: str
    type: str
    resource_type: str
    resource_id: str
    org_path: str | None
    occurred_at: str
    data: Any


class Broadcaster:
    def __init__(self, redis: Redis | None) -> None:
        self.redis = redis
        self._listeners: set[asyncio.Queue[StreamMessage | None]] = set()
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()
        #: Set once the process is stopping: open streams are ended and new ones end at once.
        self.draining = False

    async def publish(self, messages: list[StreamMessage]) -> None:
        if not messages:
            return
        if self.redis is None:
            for message in messages:
                self._deliver(message)
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for message in messages:
                    pipe.publish(CHANNEL, msgspec.json.encode(message))
                await pipe.execute()
        except Exception as exc:  # Redis down: live listeners miss these; they catch up on reconnect
            log.warning("stream publish failed: %s", type(exc).__name__)

    def _deliver(self, message: StreamMessage) -> None:
        for queue in list(self._listeners):
            if queue.qsize() >= LISTENER_BACKLOG:
                self._listeners.discard(queue)
                queue.put_nowait(None)  # tells the stream to end; the client reconnects
                continue
            queue.put_nowait(message)

    @contextlib.asynccontextmanager
    async def listen(self) -> Any:
        """An asyncio queue of messages (None: the listener was dropped) for one open stream."""
        queue: asyncio.Queue[StreamMessage | None] = asyncio.Queue()
        self._listeners.add(queue)
        if self.draining:
            queue.put_nowait(None)
        try:
            yield queue
        finally:
            self._listeners.discard(queue)

    async def start(self) -> None:
        if self.redis is None:
            self.ready.set()
            return
        self._task = asyncio.create_task(self._subscribe(), name="quntuan-stream-subscriber")

    async def _subscribe(self) -> None:
        assert self.redis is not None
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                self.ready.set()
                while True:
                    raw = await pubsub.get_message(timeout=1.0)
                    if raw is None or raw.get("type") != "message":
                        continue
                    try:
                        self._deliver(msgspec.json.decode(raw["data"], type=StreamMessage))
                    except msgspec.DecodeError:
                        continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.ready.clear()
                log.warning("stream subscription lost: %s; resubscribing", type(exc).__name__)
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def drain(self) -> None:
        """End every open stream now (the process is stopping); clients reconnect to another process
        and catch up with ``Last-Event-ID``. Without this an open stream would hold a stopping server
        for its whole graceful-shutdown timeout."""
        self.draining = True
        for queue in list(self._listeners):
            queue.put_nowait(None)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for queue in list(self._listeners):
            queue.put_nowait(None)
