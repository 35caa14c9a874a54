"""Where the integration machinery runs: inside the web process (embedded) or in ``quntuan worker``.

Every web process gets a :class:`~core.integration.jobs.JobRunner` (to enqueue) and a
:class:`~core.integration.broadcast.Broadcaster` (to serve ``/api/v1/stream``). A process that *works*
— ``quntuan worker``, or the web process when ``QUNTUAN_EMBEDDED_WORKER`` is on (the default without
Redis) — also runs the relay loop (fan-out and dispatch) and executes jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar

from core.integration import outbound
from core.integration.broadcast import Broadcaster
from core.integration.jobs import JobContext, JobRunner
from core.integration.relay import dispatch_once, relay_once
from core.settings import Settings

log = logging.getLogger("quntuan.integration")

STOP_TIMEOUT = 5.0


class IntegrationRuntime:
    def __init__(self, settings: Settings, db: Any, shared: Any, registry: Any) -> None:
        self.settings = settings
        self.db = db
        self.shared = shared
        self.jobs = JobRunner(settings, shared.redis)
        self.broadcaster = Broadcaster(shared.redis)
        self.context = JobContext(settings=settings, db=db, shared=shared, registry=registry, jobs=self.jobs)
        self.working = False
        self._loop_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    async def start(self, *, work: bool, serve_stream: bool = True) -> None:
        if serve_stream:
            await self.broadcaster.start()
        if not work:
            return
        self.working = True
        self.context.extra["http"] = outbound.make_client(self.settings)
        self.context.extra["wake"] = self.wake
        await self.jobs.start_working(self.context)
        self._loop_task = asyncio.create_task(self._loop(), name="quntuan-relay")

    def wake(self) -> None:
        """Run the relay now instead of at the next poll (after a local commit that emitted)."""
        self._wake.set()

    async def _loop(self) -> None:
        # Stopping is cooperative: a pass is never cancelled half-way through a transaction (a
        # cancelled transaction can leave its connection checked out of the pool).
        while not self._stopping:
            try:
                while await relay_once(self.db, self.broadcaster) > 0:
                    pass
                await dispatch_once(self.context)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("relay pass failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.relay_interval)
            self._wake.clear()

    async def stop(self) -> None:
        """Stop everything; each step is bounded so a stuck connection cannot hold up shutdown."""
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
        client = self.context.extra.pop("http", None)
        if client is not None:
            await self._bounded("http", client.aclose())

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
    await runtime.start(work=state.settings.runs_embedded_worker)
    try:
        yield
    finally:
        await runtime.stop()


async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    """The body of ``quntuan worker``: relay, dispatch and jobs until ``stop`` is set."""
    from core.db import Database
    from core.migrations import ensure_schema_current
    from core.plugin_host import make_plugin_manager
    from core.shared import SharedState

    pm = make_plugin_manager(settings)
    db = Database(settings, pm.registry.piccolo_apps)
    shared = SharedState(settings)
    await db.start()
    try:
        await ensure_schema_current(db)
        runtime = IntegrationRuntime(settings, db, shared, pm.registry)
        await runtime.start(work=True, serve_stream=False)
        log.info("worker started (%s jobs)", runtime.jobs.mode)
        try:
            await stop.wait()
        finally:
            await runtime.stop()
    finally:
        await shared.close()
        await db.stop()
