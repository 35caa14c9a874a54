"""Where a read path's time goes: the app's own CPU per request, quntuan beside the baseline, in-process.

    .venv/bin/python -m bench.profile org                      # µs of CPU per request, both apps
    .venv/bin/python -m bench.profile person --profile         # and pyinstrument's tree for quntuan

Runs on the benchmark database (``python -m bench.run`` seeds it) against the real PostgreSQL and Redis,
but without a server: each request is handed straight to the ASGI app, so what is measured is the app
alone — the part that differs between quntuan and the baseline — and not uvicorn's HTTP parsing or wrk,
which both share. Requests run ``--concurrency`` at a time, as a loaded server would run them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from bench import fixtures
from bench.run import ADMIN, DATABASE_URL, ENV, PASSWORD, prepare

ASGI = Callable[
    [dict[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]


async def call(app: ASGI, path: str, headers: dict[str, str]) -> int:
    """One GET handed to the app; returns the status (the body is read and dropped)."""
    target, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": target,
        "raw_path": target.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"bench"), *((k.lower().encode(), v.encode()) for k, v in headers.items())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def drive(app: ASGI, path: str, headers: dict[str, str], requests: int, concurrency: int) -> float:
    """CPU seconds per request over ``requests`` calls, ``concurrency`` in flight; every one must be 200."""
    left = requests
    statuses: dict[int, int] = {}

    async def lane() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            status = await call(app, path, headers)
            statuses[status] = statuses.get(status, 0) + 1

    started = time.process_time()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    spent = time.process_time() - started
    if set(statuses) != {200}:
        raise RuntimeError(f"{path}: statuses {statuses}")
    return spent / requests


PATHS = {
    "events": ("/api/v1/events?org={district}&scope=subtree&limit=20", "/events?org={district}", "admin"),
    "org": ("/api/v1/orgs/{district}", "/orgs/{district}", "reader"),
    "children": (
        "/api/v1/orgs?org={district}&scope=children",
        "/orgs?org={district}&scope=children",
        "reader",
    ),
    "person": ("/api/v1/persons/{person}", "/persons/{person}", "reader"),
}


async def main_async(args: argparse.Namespace) -> None:
    os.environ.update(ENV)
    ids = await prepare()
    from bench import baseline
    from core.kernel.app import create_app

    quntuan = create_app()
    async with LifespanManager(quntuan), LifespanManager(baseline.app):
        transport = httpx.ASGITransport(app=quntuan)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            tokens = {}
            for who, (user, password) in {
                "admin": (ADMIN, PASSWORD),
                "reader": (fixtures.READER, fixtures.READER_PASSWORD),
            }.items():
                response = await client.post(
                    "/api/v1/auth/token",
                    json={"grant_type": "password", "username": user, "password": password},
                )
                response.raise_for_status()
                tokens[who] = {"Authorization": f"Bearer {response.json()['access_token']}"}
            if args.path == "person":
                ids["person"] = await fixtures.masked_person(
                    DATABASE_URL, "http://bench", tokens["admin"], ids["district"]
                )
        ours_path, base_path, who = PATHS[args.path]
        ours_path, base_path, headers = ours_path.format(**ids), base_path.format(**ids), tokens[who]
        for app, path in ((quntuan, ours_path), (baseline.app, base_path)):  # warm both
            await drive(app, path, headers, 300, args.concurrency)
        base = await drive(baseline.app, base_path, headers, args.requests, args.concurrency)
        if args.profile:
            from pyinstrument import Profiler

            with Profiler(async_mode="disabled", interval=0.0002) as profiler:
                ours = await drive(quntuan, ours_path, headers, args.requests, args.concurrency)
            profiler.print(show_all=False, short_mode=False)
        else:
            ours = await drive(quntuan, ours_path, headers, args.requests, args.concurrency)
    print(
        f"{args.path}: quntuan {ours * 1e6:.0f} µs CPU per request, baseline {base * 1e6:.0f} µs"
        f" (app alone; ratio of CPU {base / ours:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", choices=sorted(PATHS))
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--profile", action="store_true", help="print pyinstrument's call tree for quntuan")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
