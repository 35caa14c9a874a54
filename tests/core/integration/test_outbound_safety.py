"""Outbound safety: hostile webhook URLs are refused at subscription or at delivery; nothing reaches them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar

from core.integration import outbound
from core.integration.tables import WebhookAttempt
from tests.core.integration.support import FAST, Receiver, emit_org_created, eventually, make_org, running
from tests.core.integration.test_webhooks import ROOT, admin, subscribe
from tests.helpers import problem

#: Production-like: no allow-list, https only.
STRICT = {"webhook_allowed_networks": (), "webhook_allow_http_loopback": False}


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://127.0.0.1/hook", "address_not_allowed"),
        ("https://[::1]/hook", "address_not_allowed"),
        ("https://[::ffff:127.0.0.1]/hook", "address_not_allowed"),
        ("https://169.254.169.254/latest/meta-data/", "address_not_allowed"),
        ("https://10.0.0.5/hook", "address_not_allowed"),
        ("https://192.168.1.1/hook", "address_not_allowed"),
        ("https://100.64.0.1/hook", "address_not_allowed"),
        ("https://0.0.0.0/hook", "address_not_allowed"),
        ("https://localhost/hook", "address_not_allowed"),
        ("file:///etc/passwd", "scheme_not_allowed"),
        ("gopher://127.0.0.1/x", "scheme_not_allowed"),
        ("http://93.184.216.34/hook", "scheme_not_allowed"),
        ("https://user:secret@127.0.0.1/hook", "invalid_url"),
        ("https://exa mple/hook", "unresolvable"),
        ("https://93.184.216.34:22/", "port_not_allowed"),
        ("https://93.184.216.34:8443/hook", "port_not_allowed"),
    ],
)
async def test_hostile_urls_are_refused_at_subscription(
    integration_app: Callable[..., Litestar], url: str, code: str
) -> None:
    async with running(integration_app(admin(), **STRICT)) as client:
        org = await make_org(ROOT)
        response = await client.post(
            "/api/v1/webhooks", json={"url": url, "org_id": str(org), "signal_types": ["org.created"]}
        )
        body = problem(response, 422)
        assert [(e["pointer"], e["code"]) for e in body["errors"]] == [("/url", code)]
        assert "secret" not in response.text  # the URL's credentials are never echoed


@pytest.mark.parametrize(
    "url", ["https://93.184.216.34/hook", "https://93.184.216.34:443/hook", "https://93.184.216.34:8443/hook"]
)
async def test_443_and_the_configured_ports_are_accepted(
    integration_app: Callable[..., Litestar], url: str
) -> None:
    async with running(integration_app(admin(), **STRICT, webhook_allowed_ports=(8443,))) as client:
        org = await make_org(ROOT)
        response = await client.post(
            "/api/v1/webhooks", json={"url": url, "org_id": str(org), "signal_types": ["org.created"]}
        )
        assert response.status_code == 201, response.text


def test_webhook_ports_are_checked_at_start_up() -> None:
    from core.kernel.settings import SettingsError, load_settings

    assert load_settings(
        {"QUNTUAN_WEBHOOK_ALLOWED_PORTS": "8443, 9443"}, env_file=None
    ).webhook_allowed_ports == (8443, 9443)
    with pytest.raises(SettingsError, match="QUNTUAN_WEBHOOK_ALLOWED_PORTS"):
        load_settings({"QUNTUAN_WEBHOOK_ALLOWED_PORTS": "70000"}, env_file=None)


async def test_a_local_receiver_is_refused_without_the_allow_list_and_gets_nothing(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver()
    for url in (
        receiver.url,
        receiver.url.replace("127.0.0.1", "localhost"),
        receiver.url.replace("http:", "https:"),
    ):
        app = integration_app(admin(), webhook_allow_http_loopback=True, webhook_allowed_networks=())
        async with running(app) as client:
            org = await make_org(ROOT + uuid.uuid4().hex[:6])
            response = await client.post(
                "/api/v1/webhooks", json={"url": url, "org_id": str(org), "signal_types": ["org.created"]}
            )
            problem(response, 422)
    assert receiver.received == []


async def test_an_address_that_became_internal_is_refused_at_delivery(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    """Checked again before every attempt: what was allowed when subscribing may not be any more."""
    receiver = make_receiver()
    async with running(integration_app(admin())) as client:
        org = await make_org(ROOT)
        hook = await subscribe(client, receiver.url, org)
    async with running(integration_app(admin(), webhook_allowed_networks=())) as client:
        await emit_org_created(client.app.state.db, org, ROOT)
        attempt = await eventually(
            lambda: WebhookAttempt.select().where(WebhookAttempt.error.is_not_null()).first()
        )
        assert attempt["error"] == "address_not_allowed" and attempt["status_code"] is None
        response = await client.get(f"/api/v1/webhooks/{hook['id']}/deliveries")
        assert response.json()["items"][0]["last_error"] == "address_not_allowed"
    assert receiver.received == []


async def test_redirects_are_not_followed(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    target = make_receiver()
    locations = (target.url, "http://169.254.169.254/latest/meta-data/")
    redirectors = [make_receiver(default=(307, {"location": location})) for location in locations]
    async with running(integration_app(admin())) as client:
        hooks = []
        for n, redirector in enumerate(redirectors):
            path = ROOT + f"r{n}r{n}r{n}"
            org = await make_org(path)
            hooks.append(await subscribe(client, redirector.url, org))
            await emit_org_created(client.app.state.db, org, path)
        for hook in hooks:
            detail = await eventually(lambda hook=hook: _first_attempt(client, hook["id"]))
            assert (detail["status_code"], detail["error"]) == (307, "http_307")
    assert all(r.received for r in redirectors)
    assert target.received == []


async def _first_attempt(client: Any, hook_id: str) -> dict[str, Any] | None:
    items = (await client.get(f"/api/v1/webhooks/{hook_id}/deliveries")).json()["items"]
    if not items:
        return None
    detail = (await client.get(f"/api/v1/webhooks/{hook_id}/deliveries/{items[0]['id']}")).json()
    log = [a for a in detail["attempt_log"] if a["latency_ms"] is not None]
    return log[0] if log else None


async def test_slow_receivers_time_out_and_large_answers_are_capped(
    make_receiver: Callable[..., Receiver], settings: Any
) -> None:
    import msgspec

    strict = msgspec.structs.replace(
        settings, **{**FAST, "webhook_read_timeout": 0.3, "webhook_max_response_bytes": 1000}
    )
    slow = make_receiver(delay=1.0)
    big = make_receiver(body=b"x" * 100_000)
    async with outbound.Senders(strict) as senders:
        timed_out = await outbound.post(senders, slow.url, b"{}", {}, strict)
        assert (timed_out.status_code, timed_out.error) == (None, "timeout")
        capped = await outbound.post(senders, big.url, b"{}", {}, strict)
        assert capped.ok and len(capped.excerpt) <= 256


async def test_the_connection_goes_to_the_vetted_address_with_the_original_host(
    make_receiver: Callable[..., Receiver], settings: Any
) -> None:
    import msgspec

    allowed = msgspec.structs.replace(settings, **FAST)
    receiver = make_receiver()
    url = f"http://localhost:{receiver.port}/hook"
    target = await outbound.vet(url, allowed)
    assert target.address.is_loopback
    async with outbound.Senders(allowed) as senders:
        outcome = await outbound.post(senders, url, b"{}", {"content-type": "application/json"}, allowed)
        # Kept-alive connections are per destination: another host name at the same address gets its own.
        literal = f"http://127.0.0.1:{receiver.port}/hook"
        assert (await outbound.post(senders, literal, b"{}", {}, allowed)).ok
        assert (await outbound.post(senders, url, b"{}", {}, allowed)).ok
        hosts = [host for _, host, _, _ in senders.destinations()]
        assert sorted(hosts) == ["127.0.0.1", "localhost"]
    if str(target.address) == "127.0.0.1":
        assert outcome.ok
        assert receiver.received[0].headers["host"] == f"localhost:{receiver.port}"
    strict = msgspec.structs.replace(settings, **STRICT)
    with pytest.raises(outbound.OutboundRefused):
        await outbound.vet(url, strict)
