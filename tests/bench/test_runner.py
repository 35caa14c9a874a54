"""The benchmark runner's own logic: how it drives a burst, judges a contention run and prints errors.

These check behaviour (counts, verdicts, the printed table), never timings.
"""

from __future__ import annotations

import asyncio
import json

from bench.burst import burst
from bench.run import Row, _burst_check, _webhook_row, render


async def _server(statuses: dict[str, int]) -> tuple[asyncio.Server, int]:
    """A loopback HTTP/1.1 server answering each POST by its body: ``{"status": n}`` → status n."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if not head:
                break
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            body = json.loads(await reader.readexactly(length))
            status = int(body["status"])
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            writer.write(b"HTTP/1.1 %d X\r\nContent-Length: 2\r\n\r\n{}" % status)
            await writer.drain()

    async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handle(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(guarded, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_a_burst_sends_every_body_once_and_counts_every_status() -> None:
    seen: dict[str, int] = {}
    server, port = await _server(seen)
    bodies = [json.dumps({"status": 201 if i % 10 == 0 else 409, "i": i}) for i in range(250)]
    try:
        figures = await burst(f"http://127.0.0.1:{port}/events/x/registrations", {"X-Test": "1"}, bodies, 8)
    finally:
        server.close()
    assert figures["requests"] == 250 and figures["errors"] == 0
    assert figures["statuses"] == {"201": 25, "409": 225} == seen


def test_a_contention_run_is_judged_by_exact_counts() -> None:
    good = {"requests": 2000, "errors": 0, "statuses": {"201": 200, "409": 1800}}
    assert _burst_check(good, 2000, 200, (200, 200)) is None
    over = {**good, "statuses": {"201": 201, "409": 1799}}
    assert "201 accepted" in (_burst_check(over, 2000, 200, (201, 201)) or "")
    failing = {**good, "statuses": {"201": 200, "409": 1799, "500": 1}}
    assert "statuses" in (_burst_check(failing, 2000, 200, (200, 200)) or "")
    assert "stored" in (_burst_check(good, 2000, 200, (200, 199)) or "")


def test_a_run_with_errors_is_printed_as_an_error_not_a_result() -> None:
    rows = [
        Row(scenario="GET /ok", workers=1, value=950.0, unit="req/s", baseline=1000.0, ratio=0.95,
            target="ratio ≥ 0.8").judge(True),
        Row(scenario="GET /broken", workers=2, error="statuses {'500': 3}", value=5000.0, unit="req/s",
            ratio=5.0, target="ratio ≥ 0.8").judge(True),
    ]  # fmt: skip
    table = render(rows)
    ok, broken = table.splitlines()[2:]
    assert "950.0 req/s" in ok and ok.endswith("| met |")
    assert "**ERROR** statuses" in broken and "5000" not in broken and broken.endswith("| not met |")


def test_webhook_figures_are_judged_per_worker_with_nothing_lost() -> None:
    met = _webhook_row(2, {"signals": 100, "delivered": 100, "lost": 0, "per_worker_per_s": 2500.0})
    lost = _webhook_row(2, {"signals": 100, "delivered": 99, "lost": 1, "per_worker_per_s": 2500.0})
    slow = _webhook_row(1, {"signals": 100, "delivered": 100, "lost": 0, "per_s": 1500.0})
    assert (met.met, lost.met, slow.met) == (True, False, False)
    assert slow.value == 1500.0
