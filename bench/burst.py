"""A fixed number of POSTs, each with its own body, over ``concurrency`` keep-alive connections.

wrk loads for a duration; a contention run needs an exact count of distinct requests (N registrations
of N different persons), so this small HTTP/1.1 client sends them and counts every status. It runs as its
own process (``python -m bench.burst`` with a JSON spec on stdin, JSON figures on stdout), so the load
comes from outside the server as with wrk, and quntuan and the baseline are driven the same way.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit


async def _worker(
    host: str, port: int, head: bytes, bodies: list[bytes], latencies: list[float], statuses: Counter[int]
) -> int:
    """Send bodies until none is left; returns the number of transport errors."""
    reader, writer = await asyncio.open_connection(host, port)
    errors = 0
    try:
        while bodies:
            body = bodies.pop()
            started = time.perf_counter()
            writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            try:
                status = int((await reader.readline()).split()[1])
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
            except (IndexError, ValueError, asyncio.IncompleteReadError, ConnectionError):
                errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
    finally:
        writer.close()
    return errors


async def burst(url: str, headers: dict[str, str], bodies: list[str], concurrency: int) -> dict[str, Any]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    lines = [f"POST {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{k}: {v}" for k, v in {"Content-Type": "application/json", **headers}.items()]
    head = ("\r\n".join(lines) + "\r\n").encode()
    queue = [b.encode() for b in reversed(bodies)]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    started = time.perf_counter()
    errors = await asyncio.gather(
        *(_worker(host, port, head, queue, latencies, statuses) for _ in range(concurrency))
    )
    seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "errors": sum(errors),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else 0.0,
    }


def run_burst(url: str, headers: dict[str, str], bodies: list[str], concurrency: int) -> dict[str, Any]:
    """Run :func:`burst` in a separate process and return its figures."""
    spec = json.dumps({"url": url, "headers": headers, "bodies": bodies, "concurrency": concurrency})
    done = subprocess.run(
        [sys.executable, "-m", "bench.burst"], input=spec, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"burst driver failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout))


if __name__ == "__main__":
    spec = json.load(sys.stdin)
    print(json.dumps(asyncio.run(burst(spec["url"], spec["headers"], spec["bodies"], spec["concurrency"]))))
