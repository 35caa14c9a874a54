"""Real ``quntuan serve`` and ``quntuan worker`` processes for tests that cross process boundaries.

    async with QuntuanProcesses(tmp_path, database_url, redis_url, QUNTUAN_LOGIN_MAX_FAILURES="4") as procs:
        a = await procs.serve()                  # python -m core.kernel.cli serve --port <free port>
        b = await procs.serve(workers=2)
        procs.worker()                           # python -m core.kernel.cli worker
        httpx.get(a.url + "/api/v1/health/live")

Every process runs from the repository with a clean environment (no ``QUNTUAN_*`` of the caller) and
logs to its own file under ``tmp_path``; :meth:`QuntuanProcesses.stop_all` sends SIGTERM to what is
still running, waits, and kills only what does not stop.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT_DIR = Path(__file__).resolve().parents[1]
SECRET = "test-secret-key-that-is-long-enough-for-hs256"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    """One started process: ``url`` is set for servers."""

    popen: subprocess.Popen[bytes]
    log_path: Path
    url: str = ""
    #: The server's ``PROMETHEUS_MULTIPROC_DIR`` (give it to a worker to see its figures at ``/metrics``).
    metrics_dir: Path | None = None

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def terminate(self) -> None:
        """SIGTERM (a graceful stop), if it still runs."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)

    async def wait(self, within: float = 60) -> int:
        """The exit status, waiting (at most ``within`` seconds) without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(loop.run_in_executor(None, self.popen.wait), within)


class QuntuanProcesses:
    """Starts quntuan processes against one database and one Redis; stops them all on exit."""

    def __init__(self, log_dir: Path, database_url: str, redis_url: str | None, **env: str) -> None:
        self.log_dir = log_dir
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("QUNTUAN_")},
            "QUNTUAN_DATABASE_URL": database_url,
            "QUNTUAN_SECRET_KEY": SECRET,
            "QUNTUAN_AUTO_MIGRATE": "false",
            "QUNTUAN_LOG_LEVEL": "warning",
            **({"QUNTUAN_REDIS_URL": redis_url} if redis_url else {}),
            **env,
        }
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.processes: list[Process] = []

    async def __aenter__(self) -> QuntuanProcesses:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop_all()

    def _start(self, args: list[str], name: str, env: dict[str, str]) -> Process:
        log_path = self.log_dir / f"{name}-{len(self.processes)}.log"
        with open(log_path, "wb") as log:
            popen = subprocess.Popen(
                [sys.executable, "-m", "core.kernel.cli", *args],
                cwd=ROOT_DIR,
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process = Process(popen, log_path)
        self.processes.append(process)
        return process

    async def serve(self, *args: str, workers: int = 1, **env: str) -> Process:
        """``quntuan serve`` on a free port, returned once ``/api/v1/health/live`` answers."""
        port = free_port()
        metrics_dir = self.log_dir / f"metrics-{port}"  # one per server, as one per host in production
        process = self._start(
            ["serve", "--port", str(port), "--workers", str(workers), *args],
            "serve",
            {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), **env},
        )
        process.url = f"http://127.0.0.1:{port}"
        process.metrics_dir = metrics_dir
        async with httpx.AsyncClient(timeout=2) as http:
            for _ in range(600):
                if process.popen.poll() is not None:
                    raise AssertionError(
                        f"quntuan serve exited with {process.popen.returncode}:\n{process.log}"
                    )
                try:
                    if (await http.get(process.url + "/api/v1/health/live")).status_code == 200:
                        return process
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"quntuan serve did not answer on port {port}:\n{process.log}")

    def worker(self, *args: str, **env: str) -> Process:
        """``quntuan worker`` (it announces nothing over HTTP; watch its effects)."""
        return self._start(["worker", *args], "worker", env)

    async def stop_all(self, within: float = 30) -> None:
        """SIGTERM every running process, wait for each, kill what did not stop ``within`` seconds."""
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                await process.wait(within)
            except TimeoutError:
                process.popen.kill()
                await process.wait(within)
