"""The generic job API, and the signals documented as OpenAPI 3.1 ``webhooks``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar
from openapi_spec_validator import validate

from core.integration.jobs import JobContext, register_job
from core.kernel.access import Reach
from tests.core.integration.support import eventually, running
from tests.helpers import AllowAll, GrantedPrincipal

DONE: list[tuple[str, int]] = []


@register_job("tests.record")
async def record(ctx: JobContext, *, label: str, n: int) -> None:
    assert ctx.db is not None and ctx.settings is not None
    DONE.append((label, n))


async def test_jobs_run_once_per_key(integration_app: Callable[..., Litestar]) -> None:
    DONE.clear()
    app = integration_app(GrantedPrincipal({"core.webhook.read": [Reach("aaaaaa")]}))
    async with running(app):
        jobs = app.state.jobs
        assert await jobs.enqueue("tests.record", label="a", n=1)
        assert await jobs.enqueue("tests.record", key="only-once", label="b", n=2)
        assert not await jobs.enqueue("tests.record", key="only-once", label="b", n=3)

        async def both() -> bool:
            return sorted(DONE) == [("a", 1), ("b", 2)]

        await eventually(both)


async def test_unknown_jobs_are_refused(integration_app: Callable[..., Litestar]) -> None:
    import pytest

    app = integration_app(AllowAll())
    async with running(app):
        with pytest.raises(LookupError):
            await app.state.jobs.enqueue("tests.nothing")


async def test_every_signal_is_an_openapi_webhook(make_app: Callable[..., Litestar]) -> None:
    app = make_app()
    async with running(app) as client:
        document: dict[str, Any] = (await client.get("/schema/openapi.json")).json()
    validate(document)
    webhooks = document["webhooks"]
    assert set(app.state.registry.signals) == set(webhooks)
    ping = webhooks["webhook.ping"]["post"]
    body = ping["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["type", "timestamp", "data"]
    assert body["properties"]["data"]["properties"]["webhook_id"]["format"] == "uuid"
    assert "webhook-signature" in ping["description"]
    org_created = webhooks["org.created"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "org_id" in org_created["properties"]["data"]["properties"]
    assert "$defs" not in str(document["webhooks"])
    for path in ("/api/v1/webhooks", "/api/v1/stream", "/api/v1/webhooks/{webhook_id}/deliveries"):
        assert path in document["paths"]
