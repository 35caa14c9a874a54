"""Background jobs: a small API any domain can use, run by SAQ on Redis or by an in-process pool.

Register a job function once, at import time of a module the core or a plugin loads::

    @register_job("orgs.import")
    async def import_orgs(ctx: JobContext, *, upload_id: str) -> None: ...

and enqueue it from a request or a service: ``await request.app.state.jobs.enqueue("orgs.import",
upload_id=...)``. Arguments must be JSON values. With ``QUNTUAN_REDIS_URL`` set, jobs go to a SAQ queue
in Redis and any ``quntuan worker`` process (or a web process with ``QUNTUAN_EMBEDDED_WORKER``) runs
them; without Redis they run in the web process. Redis queues are not the record of what must be done:
work that must not be lost keeps its state in the database (webhook deliveries are claimed from there
by the workers' delivery loops, not queued), so a Redis restart or a killed worker delays it but never
drops it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from redis.asyncio import Redis
from saq import Queue as _SaqQueue
from saq import Worker as _SaqWorker
from saq.queue.redis import RedisQueue

from core.kernel.observability import record_job
from core.kernel.settings import Settings
from core.kernel.shared import QUEUE_BLOCK_SECONDS

log = logging.getLogger("quntuan.jobs")

QUEUE_NAME = "quntuan"


@dataclass
class JobContext:
    """What a job function receives: the process's settings, database and shared state."""

    settings: Settings
    db: Any
    shared: Any
    registry: Any
    jobs: JobRunner
    extra: dict[str, Any] = field(default_factory=dict)


JobFunction = Callable[..., Awaitable[Any]]

_JOBS: dict[str, JobFunction] = {}


def register_job(name: str) -> Callable[[JobFunction], JobFunction]:
    """Decorator: make ``fn(ctx, **kwargs)`` runnable as job ``name`` (``<domain>.<what>``)."""

    def decorate(fn: JobFunction) -> JobFunction:
        existing = _JOBS.get(name)
        if existing is not None and existing is not fn and existing.__qualname__ != fn.__qualname__:
            raise ValueError(f"job {name!r} is already registered")
        _JOBS[name] = fn
        return fn

    return decorate


def registered_jobs() -> dict[str, JobFunction]:
    return dict(_JOBS)


_PERIODIC: dict[str, Callable[[Settings], float]] = {}


def register_periodic(name: str, every: Callable[[Settings], float]) -> None:
    """Have every working process queue job ``name`` (no arguments) each ``every(settings)`` seconds,
    keyed by the interval, so one runs per interval across processes."""
    _PERIODIC[name] = every


def periodic_jobs() -> dict[str, Callable[[Settings], float]]:
    return dict(_PERIODIC)


class _Queue(RedisQueue):
    """SAQ's Redis queue, waiting quietly (instead of spinning) while Redis is unreachable."""

    async def dequeue(self, timeout: float = 0.0, poll_interval: float = 0.0) -> Any:  # noqa: ASYNC109
        try:
            return await super().dequeue(timeout, poll_interval)
        except (ConnectionError, OSError, TimeoutError) as exc:
            log.warning("job queue unreachable: %s", type(exc).__name__)
            await asyncio.sleep(0.5)
            return None
        except Exception as exc:  # redis.exceptions.ConnectionError is not an OSError
            if type(exc).__module__.startswith("redis"):
                log.warning("job queue unreachable: %s", type(exc).__name__)
                await asyncio.sleep(0.5)
                return None
            raise


class _Worker(_SaqWorker):
    """A SAQ worker that leaves signal handling to its host (uvicorn or ``quntuan worker``).

    ``draining`` stops it taking new jobs while the running ones finish (SAQ's own stop cancels them
    after its grace period, which would also wait for its idle upkeep loops).
    """

    SIGNALS: ClassVar[list[Any]] = []
    draining = False

    def _process(self, previous_task: asyncio.Task[Any] | None = None) -> None:
        if not self.draining:
            super()._process(previous_task)
        elif previous_task is not None:
            self.tasks.discard(previous_task)


class JobRunner:
    """Enqueues jobs and, when this process works, runs them."""

    def __init__(self, settings: Settings, redis: Redis | None) -> None:
        self.settings = settings
        self.redis = redis
        self.context: JobContext | None = None
        self._queue: _SaqQueue | None = _Queue(redis, name=QUEUE_NAME) if redis is not None else None
        self._worker: _Worker | None = None
        self._worker_task: asyncio.Task[Any] | None = None
        self._local: asyncio.Queue[tuple[str, dict[str, Any]]] | None = None
        self._local_keys: set[str] = set()
        self._local_tasks: list[asyncio.Task[Any]] = []
        self._stopping = False

    @property
    def mode(self) -> str:
        return "redis" if self._queue is not None else "in-process"

    queue_name = QUEUE_NAME

    async def queued(self) -> int:
        """Jobs waiting to run (all processes' on Redis; this process's in-process)."""
        if self._queue is not None:
            return await self._queue.count("queued")
        return self._local.qsize() if self._local is not None else 0

    async def enqueue(
        self,
        name: str,
        *,
        key: str | None = None,
        run_for: float = 600,
        **kwargs: Any,
    ) -> bool:
        """Queue job ``name`` with JSON ``kwargs``; a ``key`` already queued is not queued twice.

        Returns whether it was queued. Raises when Redis is unreachable (the caller decides).
        """
        if name not in _JOBS:
            raise LookupError(f"no job named {name!r}")
        if self._queue is not None:
            options: dict[str, Any] = {"timeout": int(run_for), "retries": 1}
            if key is not None:
                options["key"] = key
            job = await self._queue.enqueue(name, **options, **kwargs)
            return job is not None
        if self._local is None:
            self._local = asyncio.Queue()
        if key is not None:
            if key in self._local_keys:
                return False
            self._local_keys.add(key)
        self._local.put_nowait((name, {"__key": key, **kwargs}))
        return True

    # -- working --------------------------------------------------------------------------------------

    async def start_working(self, context: JobContext) -> None:
        """Run queued jobs in this process until :meth:`stop`."""
        self.context = context
        concurrency = self.settings.worker_concurrency
        if self._queue is not None:
            functions = [(name, self._saq_function(name)) for name in _JOBS]
            self._worker = _Worker(
                self._queue,
                functions=functions,
                concurrency=concurrency,
                dequeue_timeout=QUEUE_BLOCK_SECONDS,
            )
            self._worker_task = asyncio.create_task(self._worker.start(), name="quntuan-saq-worker")
            return
        if self._local is None:
            self._local = asyncio.Queue()
        self._local_tasks = [
            asyncio.create_task(self._local_loop(), name=f"quntuan-job-{i}") for i in range(concurrency)
        ]

    def _saq_function(self, name: str) -> Callable[..., Awaitable[Any]]:
        async def run(_saq_ctx: dict[str, Any], **kwargs: Any) -> Any:
            try:
                result = await _JOBS[name](self.context, **kwargs)
            except Exception:
                record_job(name, failed=True)
                raise
            record_job(name, failed=False)
            return result

        run.__qualname__ = name
        return run

    async def _local_loop(self) -> None:
        assert self._local is not None
        while True:
            item = await self._local.get()
            if item is None or self._stopping:  # stopping: jobs still queued in memory are dropped
                return
            name, kwargs = item
            key = kwargs.pop("__key", None)
            if key is not None:
                self._local_keys.discard(key)
            try:
                await _JOBS[name](self.context, **kwargs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                record_job(name, failed=True)
                log.error("job %s failed: %s", name, type(exc).__name__)
            else:
                record_job(name, failed=False)

    async def stop(self) -> None:
        if self._worker is not None:
            # Take no new job, then give the running ones (and any taken in the last poll) the
            # configured time to finish; then stop SAQ's loops at once.
            self._worker.draining = True
            busy = [task for task in self._worker.tasks if task.get_name() == "process"]
            if busy:
                await asyncio.wait(busy, timeout=self.settings.shutdown_timeout)
            await self._worker.stop()
            # SAQ shields running job functions from its own cancellation; stop them here so none
            # outlives the database pool. An interrupted delivery attempt is simply made again later.
            running = [ctx["task"] for ctx in self._worker.job_task_contexts.values()]
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            self._worker = None
        if self._worker_task is not None:
            self._worker_task.cancel()
            await asyncio.gather(self._worker_task, return_exceptions=True)
            self._worker_task = None
        if self._local_tasks:
            # Idle loops take the sentinel at once; busy ones finish their job first (for a moment).
            assert self._local is not None
            self._stopping = True
            for _ in self._local_tasks:
                self._local.put_nowait(None)
            _, pending = await asyncio.wait(self._local_tasks, timeout=self.settings.shutdown_timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*self._local_tasks, return_exceptions=True)
            self._local_tasks = []
        if self._queue is not None:
            # The Redis client is the app's shared one; only SAQ's own pub/sub is closed here.
            await self._queue._pubsub.close()
