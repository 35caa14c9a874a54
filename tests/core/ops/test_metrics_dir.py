"""The shared metrics directory forgets the live gauges of processes that are gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from core.kernel.metrics_dir import forget_dead_gauges

WRITER = """
from prometheus_client import Counter, Gauge
Gauge("demo_pool", "connections", multiprocess_mode="livesum").set(7)
Counter("demo_requests", "requests").inc(3)
"""


def _exposition(path: Path) -> str:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(path))
    return generate_latest(registry).decode()


def test_a_dead_workers_live_gauges_leave_and_its_counters_stay(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", WRITER], env=env, check=True)  # a worker that ran and died
    before = _exposition(tmp_path)
    assert "demo_pool 7.0" in before and "demo_requests_total 3.0" in before
    forget_dead_gauges(str(tmp_path))
    after = _exposition(tmp_path)
    assert "demo_pool 7.0" not in after
    assert "demo_requests_total 3.0" in after


def test_a_running_processes_gauges_stay(tmp_path: Path) -> None:
    live = tmp_path / f"gauge_livesum_{os.getpid()}.db"
    live.write_bytes(b"")
    forget_dead_gauges(str(tmp_path))
    assert live.exists()
