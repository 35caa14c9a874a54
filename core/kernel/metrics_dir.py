"""The shared directory of Prometheus metrics for several processes (``PROMETHEUS_MULTIPROC_DIR``).

Kept apart from :mod:`core.kernel.observability` on purpose: prometheus-client decides at import time whether
metrics are shared through files, so the directory must be in the environment before that import. The
CLI prepares it here, then starts the processes that import the metrics.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir() -> str:
    """Make ``PROMETHEUS_MULTIPROC_DIR`` ready before this process tree creates any metric; returns it.

    Unset, a fresh temporary directory is used (figures of this ``quntuan serve`` alone). Set — the
    same directory for ``quntuan serve`` and ``quntuan worker`` on a host — files of processes no longer
    running are removed (their counters restart, which Prometheus reads as a reset) and files of running
    ones are kept, so the web's ``/metrics`` also shows the job worker's figures.
    """
    path = os.environ.get(MULTIPROC_ENV) or tempfile.mkdtemp(prefix="quntuan-metrics-")
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        pid = name.removesuffix(".db").rsplit("_", 1)[-1]
        if name.endswith(".db") and pid.isdigit() and not _running(int(pid)):
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(path, name))
    os.environ[MULTIPROC_ENV] = path
    return path


def forget_dead_gauges(path: str) -> None:
    """Drop the live gauges (pool connections, queue depth) of processes no longer running — a worker
    uvicorn restarted, one killed — so ``/metrics`` never sums a dead worker's last figures into the
    living ones'. Counters stay: their totals are still true."""
    from prometheus_client import multiprocess

    for name in os.listdir(path):
        if not (name.startswith("gauge_live") and name.endswith(".db")):
            continue
        pid = name.removesuffix(".db").rsplit("_", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            multiprocess.mark_process_dead(int(pid), path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        return True
    return True
