"""Start and stop the processes a benchmark measures: quntuan itself and the baseline app."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


@dataclass
class Running:
    """A started server: where it listens, how long it took to answer, what its workers weigh."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    startup_seconds: float

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker process (the server itself when it has no children)."""
        pids = [pid for pid in _children(self.process.pid) if Path(f"/proc/{pid}").exists()]
        # uvicorn's multiprocess supervisor also spawns a resource-tracker; keep only real workers.
        workers = [pid for pid in pids if "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text()]
        return [_rss_mb(pid) for pid in (workers or [self.process.pid])]

    def settled_rss_mb(self, timeout: float = 5.0) -> list[float]:
        """:meth:`worker_rss_mb` once the requests still in flight when the load stopped have finished
        (two readings 0.25 s apart within 1 MB): a login in flight holds Argon2's 64 MiB until it ends."""
        last = self.worker_rss_mb()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.worker_rss_mb()
            if len(now) == len(last) and all(abs(a - b) < 1 for a, b in zip(now, last, strict=True)):
                return now
            last = now
        return last


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            out = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"server exited with {process.returncode}:\n{out[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not become ready in {timeout} s")


@contextmanager
def serve(name: str, argv: list[str], env: dict[str, str], ready_path: str, port: int) -> Iterator[Running]:
    """Run ``argv`` until the block ends; measures the time until ``ready_path`` answers 200."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}{ready_path}", process)
        yield Running(name, f"http://127.0.0.1:{port}", process, time.perf_counter() - started)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def quntuan(env: dict[str, str], workers: int) -> contextmanager[Running]:  # type: ignore[valid-type]
    port = free_port()
    argv = [
        PYTHON,
        "-m",
        "core.kernel.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    return serve("quntuan", argv, {**env, "QUNTUAN_LOG_LEVEL": "warning"}, "/api/v1/health/live", port)


def baseline(env: dict[str, str], workers: int) -> contextmanager[Running]:  # type: ignore[valid-type]
    port = free_port()
    argv = [
        PYTHON,
        "-m",
        "uvicorn",
        "bench.baseline:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return serve("baseline", argv, env, "/live", port)
