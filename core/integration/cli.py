"""``quntuan worker``: the outbox relay, webhook deliveries and other background jobs, as processes.

Run it beside the web workers in production (PostgreSQL + Redis): any number of worker processes and
hosts may run at once. In the embedded default (SQLite, no Redis) the web process does this work
itself and no worker is needed.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from typing import Annotated

import typer
from rich.console import Console

from core.kernel.settings import Settings

console = Console()


def _run_one(settings: Settings) -> None:
    """One worker process: runs until SIGTERM or SIGINT, then finishes or hands back what it holds."""
    import core.wiring  # noqa: F401 - the web's modules register the jobs it enqueues (orgs.import, …)
    from core.integration.runtime import run_worker
    from core.kernel.observability import configure_logging

    configure_logging(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run_worker(settings, stop)

    asyncio.run(main())


def worker_command(
    processes: Annotated[int, typer.Option(min=1, max=64, help="Worker processes to run.")] = 1,
) -> None:
    """Run the outbox relay and background jobs (webhook deliveries, imports) until stopped."""
    from core.kernel.cli import plugin_manager_or_exit, refuse, settings_or_exit
    from core.kernel.startup import refusals

    settings = settings_or_exit()
    # What `quntuan config check` reports: the same function, so the check and the start never disagree.
    refuse(
        refusals(settings, workers=1, processes=processes, plugin_manager=plugin_manager_or_exit(settings))
    )
    if settings.runs_embedded_worker and settings.redis_url is None:
        console.print(
            "[yellow]无 Redis：Web 进程已内置工作进程 / without Redis the web process runs the relay itself;[/] "
            "set QUNTUAN_EMBEDDED_WORKER=false there if this worker should do it instead."
        )
    import os

    from core.kernel.metrics_dir import MULTIPROC_ENV, prepare_multiprocess_dir

    if os.environ.get(MULTIPROC_ENV):  # shared with `quntuan serve` on this host: /metrics shows ours too
        prepare_multiprocess_dir()
    console.print(
        f"quntuan worker · {processes} process(es) · jobs: {'redis' if settings.redis_url else 'in-process'}"
    )
    if processes == 1:
        _run_one(settings)
        return
    context = multiprocessing.get_context("spawn")
    children = [context.Process(target=_run_one, args=(settings,), daemon=False) for _ in range(processes)]
    for child in children:
        child.start()

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            if child.is_alive() and child.pid is not None:
                import os

                os.kill(child.pid, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for child in children:
        child.join()
