"""Logs and metrics: structured JSON logs with the request id, Prometheus metrics by route template.

One request line per request (method, route template — never the raw path or query string, which can
carry personal data —, status, duration, request id). Metrics work with several worker processes:
``quntuan serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before the workers start,
and ``/metrics`` aggregates every worker's figures.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import sys
import time
from typing import Any

import structlog
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prom_multiprocess

from core.kernel.metrics_dir import MULTIPROC_ENV, forget_dead_gauges
from core.kernel.settings import Settings

# --- metrics -----------------------------------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "quntuan_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "quntuan_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
FAST_ROUTES = Counter(
    "quntuan_fast_route_requests_total",
    "Requests to a route with a fast twin (core/kernel/fastpath.py): answered by it, or declined to its handler",
    ["route", "outcome"],
)
DB_POOL = Gauge(
    "quntuan_db_pool_connections",
    "PostgreSQL pool connections of this worker",
    ["state"],
    multiprocess_mode="livesum",
)
JOBS = Counter("quntuan_jobs_total", "Background jobs finished", ["job", "outcome"])
JOB_QUEUE_DEPTH = Gauge(
    "quntuan_job_queue_depth", "Jobs waiting in the queue", ["queue"], multiprocess_mode="livemax"
)
WEBHOOK_DELIVERIES = Counter("quntuan_webhook_deliveries_total", "Webhook delivery attempts", ["outcome"])
SIGNUPS = Counter("quntuan_signups_total", "Accounts persons created themselves", ["method"])
SIGNUP_SPIKES = Counter(
    "quntuan_signup_spikes_total", "Windows in which sign-ups passed QUNTUAN_SIGNUP_ALERT_THRESHOLD"
)
LOGIN_CODES = Counter(
    "quntuan_login_codes_total", "One-time code requests (sent, throttled, failed)", ["outcome"]
)


#: Seconds between two samples of a worker's database pool (taken while it answers requests).
POOL_SAMPLE_SECONDS = 1.0


def metrics_payload() -> tuple[bytes, str]:
    """The exposition text: every worker's figures when several processes share the multiprocess directory."""
    if path := os.environ.get(MULTIPROC_ENV):
        forget_dead_gauges(path)
        registry = CollectorRegistry()
        prom_multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def record_job(name: str, *, failed: bool) -> None:
    """Count one finished background job (``outcome`` ``succeeded`` or ``failed``), in the process that ran it."""
    JOBS.labels(name, "failed" if failed else "succeeded").inc()


def record_webhook_delivery(outcome: str) -> None:
    """Count one webhook delivery attempt by outcome: ``succeeded``, ``retrying`` or ``failed`` (given up)."""
    WEBHOOK_DELIVERIES.labels(outcome).inc()


async def sample_state(state: Any) -> None:
    """Sample what is read rather than counted, before an exposition: pool use and job queue depth."""
    sample_pool(state.db)
    jobs = getattr(state, "jobs", None)
    if jobs is not None:
        # Redis unreachable: the last figure stays (readiness reports the outage).
        with contextlib.suppress(Exception):
            JOB_QUEUE_DEPTH.labels(jobs.queue_name).set(await jobs.queued())


def sample_pool(db: Any) -> None:
    """Record the PostgreSQL pool's size and idle connections (no-op on SQLite)."""
    pool = getattr(db.engine, "pool", None)
    if pool is None:
        return
    size, idle = pool.get_size(), pool.get_idle_size()
    DB_POOL.labels("in_use").set(size - idle)
    DB_POOL.labels("idle").set(idle)


# --- logs --------------------------------------------------------------------------------------------


_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _route_structlog_to_stdlib() -> None:
    """structlog events go to the standard library's loggers, so levels and handlers decide (quiet by default)."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED_PROCESSORS,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


_route_structlog_to_stdlib()


def configure_logging(settings: Settings) -> None:
    """Route the standard library's logging (uvicorn's included) through structlog, as JSON or console."""
    shared = _SHARED_PROCESSORS
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our request line replaces it (no query strings)
    # httpx logs every URL it calls at INFO; outbound URLs (webhooks) may carry tokens or query data.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # aiosqlite logs every statement with its parameters (names, phones) at DEBUG: never wanted.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)


request_log = structlog.get_logger("quntuan.request")
REQUEST_ID_HEADER = "x-request-id"
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def observe_requests(app: Any) -> Any:
    """ASGI wrapper: a request id, one log line and the HTTP metrics per request, labelled by route template.

    Each request gets an id (a well-formed incoming ``X-Request-ID`` from a proxy is kept), in
    ``scope["state"]["request_id"]``, in the ``X-Request-ID`` response header, in problem details and in
    the request line, so a user's report can be matched with the server's log. One layer for all three:
    it runs on every request, so it does the least it can (the labelled metric children are kept, the
    request line is built only when INFO is logged).
    """

    next_pool_sample = 0.0
    counters: dict[tuple[str, str, str], Any] = {}
    histograms: dict[tuple[str, str], Any] = {}
    stdlib_request_log = logging.getLogger("quntuan.request")

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        nonlocal next_pool_sample
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = incoming if incoming and _ACCEPTABLE_ID.match(incoming) else secrets.token_hex(16)
        scope.setdefault("state", {})["request_id"] = request_id
        header = (REQUEST_ID_HEADER.encode(), request_id.encode("latin-1"))
        if started >= next_pool_sample:  # every worker's pool figure stays fresh, at most once a second
            next_pool_sample = started + POOL_SAMPLE_SECONDS
            state = getattr(scope.get("app"), "state", None)
            if state is not None and getattr(state, "db", None) is not None:
                sample_pool(state.db)
        status = 500

        async def capture(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await app(scope, receive, capture)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("path_template") or "unmatched"
            method = scope.get("method", "-")
            key = (method, route, str(status))
            counter = counters.get(key)
            if counter is None:
                counter = counters[key] = HTTP_REQUESTS.labels(*key)
            counter.inc()
            histogram = histograms.get(key[:2])
            if histogram is None:
                histogram = histograms[key[:2]] = HTTP_LATENCY.labels(method, route)
            histogram.observe(elapsed)
            if stdlib_request_log.isEnabledFor(logging.INFO):
                request_log.info(
                    "request",
                    method=method,
                    route=route,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                    request_id=request_id,
                )

    return middleware
