"""Where the integration machinery runs: inside the web process (embedded) or in ``quntuan worker``.

Every web process gets a :class:`~core.integration.jobs.JobRunner` (to enqueue) and a
:class:`~core.integration.broadcast.Broadcaster` (to serve ``/api/v1/stream``). A process that *works*
— ``quntuan worker``, or the web process when ``QUNTUAN_EMBEDDED_WORKER`` is on (the default without
Redis) — also runs the relay loop (fan-out), the delivery loops (:mod:`core.integration.delivery`),
executes jobs, and enqueues the retention purge (:mod:`core.integration.retention`) every
``retention_interval`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar

from core.integration.broadcast import Broadcaster
from core.integration.delivery import Deliverer, delivery_loop
from core.integration.jobs import JobContext, JobRunner, periodic_jobs
from core.integration.relay import relay_once
from core.integration.retention import PURGE_JOB
from core.kernel.settings import Settings

log = logging.getLogger("quntuan.integration")

STOP_TIMEOUT = 5.0


class IntegrationRuntime:
    def __init__(self, settings: Settings, db: Any, shared: Any, registry: Any) -> None:
        self.settings = settings
        self.db = db
        self.shared = shared
        self.jobs = JobRunner(settings, shared.queue_redis)
        self.broadcaster = Broadcaster(shared.redis)
        self.context = JobContext(settings=settings, db=db, shared=shared, registry=registry, jobs=self.jobs)
        self.working = False
        self._loop_task: asyncio.Task[None] | None = None
        self._delivery_tasks: list[asyncio.Task[None]] = []
        self._deliverer: Deliverer | None = None
        self._wake = asyncio.Event()
        self._delivery_wakes: list[asyncio.Event] = []
        self._stopping = False
        self._stop_delivering = asyncio.Event()
        self._next_purge = 0.0
        self._next_periodic: dict[str, float] = {}

    async def start(self, *, work: bool, serve_stream: bool = True) -> None:
        if serve_stream:
            await self.broadcaster.start()
        if not work:
            return
        self.working = True
        self.context.extra["wake"] = self.wake
        await self.jobs.start_working(self.context)
        self._loop_task = asyncio.create_task(self._loop(), name="quntuan-relay")
        self._deliverer = Deliverer.for_settings(self.db, self.settings)
        self._delivery_wakes = [asyncio.Event() for _ in range(self.settings.webhook_delivery_loops)]
        self._delivery_tasks = [
            asyncio.create_task(
                delivery_loop(self._deliverer, wake, self._stop_delivering), name=f"quntuan-delivery-{i}"
            )
            for i, wake in enumerate(self._delivery_wakes)
        ]

    def wake(self) -> None:
        """Relay and deliver now instead of at the next poll (after a local commit that emitted)."""
        self._wake.set()
        for wake in self._delivery_wakes:
            wake.set()

    async def _loop(self) -> None:
        # Stopping is cooperative: a pass is never cancelled half-way through a transaction (a
        # cancelled transaction can leave its connection checked out of the pool).
        while not self._stopping:
            try:
                relayed = 0
                while (n := await relay_once(self.db, self.broadcaster, timezone=self.settings.timezone)) > 0:
                    relayed += n
                if relayed:
                    for wake in self._delivery_wakes:
                        wake.set()
                await self._maybe_purge()
                await self._queue_periodic()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("relay pass failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.relay_interval)
            self._wake.clear()

    async def _maybe_purge(self) -> None:
        """Queue the retention purge when it is due (one at a time: its key dedupes across workers)."""
        moment = asyncio.get_running_loop().time()
        if moment < self._next_purge:
            return
        self._next_purge = moment + self.settings.retention_interval
        try:
            await self.jobs.enqueue(PURGE_JOB, key=PURGE_JOB, run_for=self.settings.retention_interval)
        except Exception as exc:  # queue unreachable: try again at the next interval
            log.warning("could not queue the retention purge: %s", type(exc).__name__)

    async def _queue_periodic(self) -> None:
        """Queue the jobs registered with ``register_periodic`` that are due (e.g. the import sweep)."""
        moment = asyncio.get_running_loop().time()
        for name, every in periodic_jobs().items():
            if moment < self._next_periodic.get(name, 0.0):
                continue
            interval = every(self.settings)
            self._next_periodic[name] = moment + interval
            # Keyed by the interval it is due in (wall clock, shared by every process): one queued per
            # interval across workers, and one that a killed worker left "active" blocks no later one.
            slot = int(time.time() // interval)
            try:
                await self.jobs.enqueue(name, key=f"{name}:{slot}", run_for=max(interval, 60))
            except Exception as exc:  # queue unreachable: try again at the next interval
                log.warning("could not queue %s: %s", name, type(exc).__name__)

    async def stop(self) -> None:
        """Stop everything; each step is bounded so a stuck connection cannot hold up shutdown."""
        if self._delivery_tasks:
            self._stop_delivering.set()
            for wake in self._delivery_wakes:
                wake.set()
            # Batches being sent finish and are recorded within QUNTUAN_SHUTDOWN_TIMEOUT.
            _, pending = await asyncio.wait(self._delivery_tasks, timeout=self.settings.shutdown_timeout)
            for task in pending:  # a batch still sending: its leases expire and it is made again
                task.cancel()
            await asyncio.gather(*self._delivery_tasks, return_exceptions=True)
            self._delivery_tasks = []
        if self._loop_task is not None:
            self._stopping = True
            self._wake.set()
            done, _ = await asyncio.wait([self._loop_task], timeout=STOP_TIMEOUT)
            if not done:
                log.warning("the relay pass did not end within %ss; cancelled", STOP_TIMEOUT)
                self._loop_task.cancel()
                await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None
        # Running jobs get the configured shutdown time to finish (QUNTUAN_SHUTDOWN_TIMEOUT).
        await self._bounded("jobs", self.jobs.stop(), self.settings.shutdown_timeout + STOP_TIMEOUT)
        await self._bounded("stream", self.broadcaster.stop())
        if self._deliverer is not None:
            await self._bounded("http", self._deliverer.senders.aclose())
            self._deliverer = None

    async def _bounded(self, what: str, step: Any, within: float = STOP_TIMEOUT) -> None:
        try:
            await asyncio.wait_for(step, timeout=within)
        except TimeoutError:
            log.warning("stopping %s took longer than %ss; abandoned", what, within)


@contextlib.asynccontextmanager
async def integration_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Lifespan of the web app: stream subscription always; relay and jobs when embedded."""
    state = app.state
    runtime = IntegrationRuntime(state.settings, state.db, state.shared, state.registry)
    state.integration = runtime
    state.jobs = runtime.jobs
    runtime.context.extra["plugin_manager"] = state.plugin_manager
    await runtime.start(work=state.settings.runs_embedded_worker)
    try:
        yield
    finally:
        await runtime.stop()


async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    """The body of ``quntuan worker``: relay, dispatch and jobs until ``stop`` is set."""
    from core.kernel.db import Database
    from core.kernel.migrations import ensure_schema_current
    from core.kernel.plugin_host import make_plugin_manager
    from core.kernel.shared import SharedState

    pm = make_plugin_manager(settings)
    db = Database(settings, pm.registry.piccolo_apps)
    shared = SharedState(settings)
    await db.start()
    try:
        await ensure_schema_current(db)
        runtime = IntegrationRuntime(settings, db, shared, pm.registry)
        runtime.context.extra["plugin_manager"] = pm
        from core.selfservice import inbox

        inbox.bind(pm)  # notifications written by jobs are delivered through this worker's plugins
        await runtime.start(work=True, serve_stream=False)
        log.info("worker started (%s jobs)", runtime.jobs.mode)
        try:
            await stop.wait()
        finally:
            await runtime.stop()
    finally:
        await shared.close()
        await db.stop()
