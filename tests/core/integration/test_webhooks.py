"""Webhooks end to end: real receivers on 127.0.0.1, verified with the reference ``standardwebhooks``."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from standardwebhooks import Webhook as Verifier

from core.integration.signals import emit
from core.integration.signing import open_secret
from core.integration.tables import OutboxSignal, Webhook, WebhookDelivery
from core.integration.webhooks import reencrypt_secrets
from core.kernel.access import Reach
from core.kernel.vault import Vault
from core.orgs.signals import ORG_CREATED, OrgChanged
from tests.core.integration.support import (
    Receiver,
    emit_org_created,
    eventually,
    make_org,
    persist_owner,
    running,
)
from tests.helpers import GrantedPrincipal, problem

ROOT = "aaaaaa"
CHILD = "aaaaaabbbbbb"
SIBLING = "cccccc"


def admin(path: str = ROOT, kind: str = "client") -> GrantedPrincipal:
    codes = ("core.webhook.read", "core.webhook.manage", "core.stream.read")
    return GrantedPrincipal({c: [Reach(path)] for c in codes}, kind=kind)


async def subscribe(
    client: Any, url: str, org_id: uuid.UUID, types: list[str] | None = None, **request: Any
) -> dict[str, Any]:
    await persist_owner(client.app.state.test_principal)
    response = await client.post(
        "/api/v1/webhooks",
        json={"url": url, "org_id": str(org_id), "signal_types": types or ["org.created"]},
        **request,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_delivery_verifies_with_standardwebhooks(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver()
    async with running(integration_app(admin())) as client:
        org = await make_org(ROOT)
        hook = await subscribe(client, receiver.url, org)
        assert hook["secret"].startswith("whsec_")
        signal_id = await emit_org_created(client.app.state.db, org, ROOT)
        await eventually(lambda: _received(receiver, 1))
        got = receiver.received[0]
        assert got.headers["webhook-id"] == str(signal_id)
        payload = Verifier(hook["secret"]).verify(got.body, got.headers)
        assert payload["type"] == "org.created"
        assert payload["data"] == {
            "org_id": str(org),
            "kind": "party.committee",
            "parent_id": None,
            "fields": [],
        }
        deliveries = await eventually(lambda: _deliveries(client, hook["id"], "succeeded"))
        assert deliveries[0]["attempts"] == 1 and deliveries[0]["last_status_code"] == 200
        assert deliveries[0]["signal_id"] == str(signal_id)


async def _received(receiver: Receiver, n: int) -> bool:
    return len(receiver.received) >= n


async def _deliveries(client: Any, hook_id: str, status: str | None = None) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/webhooks/{hook_id}/deliveries")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    return [d for d in items if status is None or d["status"] == status]


async def test_failing_receiver_gets_the_signal_later_with_the_same_webhook_id(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver(responses=[(500, {}), (503, {})])
    async with running(integration_app(admin())) as client:
        org = await make_org(ROOT)
        hook = await subscribe(client, receiver.url, org)
        signal_id = await emit_org_created(client.app.state.db, org, ROOT)
        [delivery] = await eventually(lambda: _deliveries(client, hook["id"], "succeeded"))
        assert [r.headers["webhook-id"] for r in receiver.received] == [str(signal_id)] * 3
        for got in receiver.received:
            Verifier(hook["secret"]).verify(got.body, got.headers)
        detail = (await client.get(f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}")).json()
        assert [(a["number"], a["status_code"], a["error"]) for a in detail["attempt_log"]] == [
            (1, 500, "http_500"),
            (2, 503, "http_503"),
            (3, 200, None),
        ]
        assert all(a["latency_ms"] is not None for a in detail["attempt_log"])


async def test_persistent_failure_gives_up_and_disables_the_endpoint(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver(default=(500, {}))
    app = integration_app(admin(), webhook_retry_delays=(0.05, 0.05))
    async with running(app) as client:
        org = await make_org(ROOT)
        hook = await subscribe(client, receiver.url, org)
        await emit_org_created(client.app.state.db, org, ROOT)
        [delivery] = await eventually(lambda: _deliveries(client, hook["id"], "failed"))
        assert delivery["attempts"] == 3 and len(receiver.received) == 3
        state = (await client.get(f"/api/v1/webhooks/{hook['id']}")).json()
        assert (state["status"], state["disabled_reason"]) == ("disabled", "failing")
        # Nothing is sent to a disabled endpoint; re-enabling resumes what is pending.
        await emit_org_created(client.app.state.db, org, ROOT, resource_id="another")
        await eventually(lambda: _count_pending(hook["id"], 1))
        assert len(receiver.received) == 3
        receiver.default = (200, {})
        response = await client.patch(
            f"/api/v1/webhooks/{hook['id']}", json={"status": "active"}, headers={"If-Match": "*"}
        )
        assert response.json()["status"] == "active"
        await eventually(lambda: _deliveries(client, hook["id"], "succeeded"))
        assert len(receiver.received) == 4


async def _count_pending(hook_id: str, n: int) -> bool:
    count = await WebhookDelivery.count().where(
        (WebhookDelivery.webhook_id == uuid.UUID(hook_id)) & (WebhookDelivery.status == "pending")
    )
    return count == n


async def test_410_disables_the_endpoint_at_once(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver(default=(410, {}))
    async with running(integration_app(admin())) as client:
        org = await make_org(ROOT)
        hook = await subscribe(client, receiver.url, org)
        await emit_org_created(client.app.state.db, org, ROOT)
        [delivery] = await eventually(lambda: _deliveries(client, hook["id"], "failed"))
        assert delivery["attempts"] == 1 and delivery["last_status_code"] == 410
        state = (await client.get(f"/api/v1/webhooks/{hook['id']}")).json()
        assert (state["status"], state["disabled_reason"]) == ("disabled", "gone")


async def test_signals_of_one_resource_arrive_in_order_despite_retries(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver(responses=[(500, {}), (500, {})])
    async with running(integration_app(admin())) as client:
        org = await make_org(ROOT)
        hook = await subscribe(client, receiver.url, org)
        ids = [await emit_org_created(client.app.state.db, org, ROOT) for _ in range(6)]
        await eventually(lambda: _deliveries_done(client, hook["id"], 6))
        firsts: list[str] = []
        for got in receiver.received:
            if got.headers["webhook-id"] not in firsts:
                firsts.append(got.headers["webhook-id"])
        assert firsts == [str(i) for i in ids]
        # The failing first signal held the others back until it went through.
        assert [r.headers["webhook-id"] for r in receiver.received[:3]] == [str(ids[0])] * 3


async def _deliveries_done(client: Any, hook_id: str, n: int) -> bool:
    return len(await _deliveries(client, hook_id, "succeeded")) == n


async def test_rolled_back_change_emits_nothing(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver()
    async with running(integration_app(admin())) as client:
        db = client.app.state.db
        org = await make_org(ROOT)
        hook = await subscribe(client, receiver.url, org)

        async def failing_change() -> None:
            async with db.transaction():
                await emit(
                    ORG_CREATED, OrgChanged(org_id=org, kind="x"), resource_type="org", resource_id=org
                )
                raise RuntimeError("the change fails")

        with pytest.raises(RuntimeError):
            await failing_change()
        committed = await emit_org_created(db, org, ROOT)
        await eventually(lambda: _deliveries(client, hook["id"], "succeeded"))
        assert await OutboxSignal.count() == 1
        assert [r.headers["webhook-id"] for r in receiver.received] == [str(committed)]


async def test_subscriptions_only_receive_what_their_owner_could_read(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    wide, narrow = make_receiver(), make_receiver()
    owner = admin(CHILD)
    async with running(integration_app(owner)) as client:
        db = client.app.state.db
        root, child, sibling = await make_org(ROOT), await make_org(CHILD), await make_org(SIBLING)
        # The owner reaches CHILD only: it cannot subscribe to ROOT or SIBLING.
        for org in (root, sibling):
            response = await client.post(
                "/api/v1/webhooks",
                json={"url": wide.url, "org_id": str(org), "signal_types": ["org.created"]},
            )
            assert problem(response, 422)["errors"][0]["pointer"] == "/org_id"
        hook = await subscribe(client, narrow.url, child)
        inside = await emit_org_created(db, child, CHILD + "dddddd")
        await emit_org_created(db, root, ROOT)
        await emit_org_created(db, sibling, SIBLING)
        await emit_org_created(db, sibling, None)
        last = await emit_org_created(db, child, CHILD)
        await eventually(lambda: _deliveries_done(client, hook["id"], 2))
        assert {r.headers["webhook-id"] for r in narrow.received} == {str(inside), str(last)}
        assert await WebhookDelivery.count() == 2


async def test_ping_and_replay(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver()
    async with running(integration_app(admin())) as client:
        org = await make_org(ROOT)
        hook = await subscribe(client, receiver.url, org)
        response = await client.post(f"/api/v1/webhooks/{hook['id']}/ping")
        assert response.status_code == 202 and response.json()["signal_type"] == "webhook.ping"
        await eventually(lambda: _received(receiver, 1))
        ping = Verifier(hook["secret"]).verify(receiver.received[0].body, receiver.received[0].headers)
        assert ping["type"] == "webhook.ping" and ping["data"] == {"webhook_id": hook["id"]}

        signal_id = await emit_org_created(client.app.state.db, org, ROOT)
        await eventually(lambda: _received(receiver, 2))
        original = next(d for d in await _deliveries(client, hook["id"]) if d["origin"] == "signal")
        response = await client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{original['id']}/replay")
        assert response.status_code == 202 and response.json()["origin"] == "replay"
        await eventually(lambda: _received(receiver, 3))
        assert receiver.received[2].headers["webhook-id"] == str(signal_id)
        assert receiver.received[2].body == receiver.received[1].body


async def test_secret_rotation_signs_with_both_secrets_during_the_overlap(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver()
    async with running(integration_app(admin())) as client:
        org = await make_org(ROOT)
        hook = await subscribe(client, receiver.url, org)
        rotated = (
            await client.post(f"/api/v1/webhooks/{hook['id']}/secret/rotate", json={"overlap_seconds": 3600})
        ).json()
        assert rotated["secret"] != hook["secret"] and rotated["previous_secret_expires_at"]
        await emit_org_created(client.app.state.db, org, ROOT)
        await eventually(lambda: _received(receiver, 1))
        got = receiver.received[0]
        assert len(got.headers["webhook-signature"].split(" ")) == 2
        Verifier(hook["secret"]).verify(got.body, got.headers)
        Verifier(rotated["secret"]).verify(got.body, got.headers)
        # Without overlap the old secret stops signing at once.
        again = (
            await client.post(f"/api/v1/webhooks/{hook['id']}/secret/rotate", json={"overlap_seconds": 0})
        ).json()
        await emit_org_created(client.app.state.db, org, ROOT, resource_id="second")
        await eventually(lambda: _received(receiver, 2))
        got = receiver.received[1]
        assert len(got.headers["webhook-signature"].split(" ")) == 1
        Verifier(again["secret"]).verify(got.body, got.headers)


async def test_crud_and_visibility(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver()
    owner = admin(CHILD)
    async with running(integration_app(owner)) as client:
        child = await make_org(CHILD)
        hook = await subscribe(client, receiver.url, child, ["org.created", "org.renamed"])
        assert hook["signal_types"] == ["org.created", "org.renamed"] and hook["owner_kind"] == "client"
        listed = (await client.get("/api/v1/webhooks")).json()
        assert [h["id"] for h in listed["items"]] == [hook["id"]] and "secret" not in listed["items"][0]
        response = await client.patch(
            f"/api/v1/webhooks/{hook['id']}",
            json={"description": "门户", "signal_types": ["org.moved"]},
            headers={"If-Match": "*"},
        )
        assert response.json()["description"] == "门户" and response.json()["signal_types"] == ["org.moved"]
        response = await client.patch(
            f"/api/v1/webhooks/{hook['id']}", json={"signal_types": ["no.such"]}, headers={"If-Match": "*"}
        )
        assert problem(response, 422)["errors"][0] == {
            "pointer": "/signal_types/0",
            "code": "unknown_signal",
            "message": "没有这种信号",
        }
        response = await client.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "org_id": str(child), "signal_types": ["org.created"], "secret": "x"},
        )
        problem(response, 422)

    # Someone reaching only a sibling subtree sees nothing of it; a root reader sees it but may not change it.
    for principal, status in (
        (admin(SIBLING), 404),
        (
            GrantedPrincipal({"core.webhook.read": [Reach(ROOT)], "core.webhook.manage": [Reach(SIBLING)]}),
            403,
        ),
    ):
        async with running(integration_app(principal)) as other:
            listed = (await other.get("/api/v1/webhooks")).json()["items"]
            assert len(listed) == (0 if status == 404 else 1)
            if status == 404:
                problem(await other.get(f"/api/v1/webhooks/{hook['id']}"), 404)
            problem(await other.delete(f"/api/v1/webhooks/{hook['id']}"), status)
            problem(await other.post(f"/api/v1/webhooks/{hook['id']}/ping"), status)

    async with running(integration_app(owner)) as client:
        assert (await client.delete(f"/api/v1/webhooks/{hook['id']}")).status_code == 204
        assert await Webhook.count() == 0

    async with running(integration_app(GrantedPrincipal({}))) as nobody:
        problem(await nobody.get("/api/v1/webhooks"), 403)


async def test_secrets_are_encrypted_at_rest_and_follow_key_rotation(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver], make_settings: Any
) -> None:
    receiver = make_receiver()
    async with running(integration_app(admin())) as client:
        org = await make_org(ROOT)
        hook = await subscribe(client, receiver.url, org)
        rotated = (
            await client.post(f"/api/v1/webhooks/{hook['id']}/secret/rotate", json={"overlap_seconds": 600})
        ).json()
        row = await Webhook.select().where(Webhook.id == uuid.UUID(hook["id"])).first()
        # Neither secret is stored as such; the API never shows them again.
        assert rotated["secret"] not in row["secret"] and hook["secret"] not in row["previous_secret"]
        assert row["secret"].startswith("v1.") and row["previous_secret"].startswith("v1.")
        shown = (await client.get(f"/api/v1/webhooks/{hook['id']}")).text
        assert "whsec_" not in shown and "v1." not in shown
        await emit_org_created(client.app.state.db, org, ROOT)
        await eventually(lambda: _received(receiver, 1))
        got = receiver.received[0]
        Verifier(rotated["secret"]).verify(got.body, got.headers)
        Verifier(hook["secret"]).verify(got.body, got.headers)

        # Key rotation (quntuan admin reencrypt): rewritten under the new key, still signing the same.
        new_key = "k2:" + base64.urlsafe_b64encode(bytes(range(32))).decode()
        vault = Vault.from_settings(make_settings(personal_data_keys=(new_key,)))
        assert await reencrypt_secrets(client.app.state.db, vault) == 1
        row = await Webhook.select().where(Webhook.id == uuid.UUID(hook["id"])).first()
        assert row["secret"].startswith("v1.k2.") and not vault.needs_reencryption(row["previous_secret"])
        assert open_secret(vault, row["secret"]) == rotated["secret"]
        assert await reencrypt_secrets(client.app.state.db, vault) == 0


async def test_updates_honour_if_match(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver()
    async with running(integration_app(admin())) as client:
        hook = await subscribe(client, receiver.url, await make_org(ROOT))
        url = f"/api/v1/webhooks/{hook['id']}"
        etag = (await client.get(url)).headers["etag"]
        changed = await client.patch(url, json={"description": "一"}, headers={"If-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag
        # The old ETag no longer matches: nothing is changed.
        problem(await client.patch(url, json={"description": "二"}, headers={"If-Match": etag}), 412)
        assert (await client.get(url)).json()["description"] == "一"
        fresh = changed.headers["etag"]
        assert (await client.get(url)).headers["etag"] == fresh
        response = await client.patch(url, json={"description": "三"}, headers={"If-Match": fresh})
        assert response.status_code == 200 and response.json()["description"] == "三"
        # Like every update of a versioned resource, If-Match is required: no silent last write wins.
        problem(await client.patch(url, json={"description": "四"}), 428)
        assert (await client.get(url)).json()["description"] == "三"


async def test_the_data_migration_encrypts_secrets_stored_in_plain_text(
    integration_app: Callable[..., Litestar],
) -> None:
    import importlib

    from core.integration.signing import new_secret

    migration = importlib.import_module(
        "core.integration.piccolo_migrations.integration_2026_11_21t08_26_49_000000"
    )
    async with running(integration_app(admin())) as client:
        org = await make_org(ROOT)
        plain, previous = new_secret(), new_secret()
        hook_id = uuid.uuid4()
        await Webhook.insert(
            Webhook(
                id=hook_id,
                owner_kind="client",
                owner_id=uuid.uuid4(),
                org_id=org,
                org_path=ROOT,
                url="https://example.org/hook",
                signal_types='["org.created"]',
                secret=plain,
                previous_secret=previous,
            )
        ).run()
        db = client.app.state.db
        async with db.transaction():  # as `quntuan migrate` runs each migration
            await (await migration.forwards()).run()
        row = await Webhook.select().where(Webhook.id == hook_id).first()
        vault = Vault.from_settings(client.app.state.settings)
        assert row["secret"] != plain and open_secret(vault, row["secret"]) == plain
        assert open_secret(vault, row["previous_secret"]) == previous
        async with db.transaction():  # running it again changes nothing
            await (await migration.forwards()).run()
        again = await Webhook.select().where(Webhook.id == hook_id).first()
        assert again["secret"] == row["secret"]
