"""A subscription never delivers what its owner could not read *now*: real accounts, clients and grants.

Whether a signal was considered is seen in the outbox (``relayed_at`` set once the relay fanned it out);
whether a subscription got it is seen in its deliveries, created at fan-out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from litestar import Litestar

from core.identity.tables import Account
from core.integration.tables import OutboxSignal, WebhookDelivery
from tests.core.integration.support import Receiver, emit_org_created, eventually, running
from tests.identity_helpers import bearer, make_account, make_org

MANAGE = ["core.webhook.manage", "core.webhook.read"]
ADMIN = ["core.client.manage", "core.grant.manage", "core.role.manage", "core.account.manage", *MANAGE]


class Platform:
    """A platform administrator acting through the API: roles, grants, clients, accounts."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.role: str | None = None

    async def grant(self, org: dict[str, Any], *, subtree: bool = True, **holder: str) -> str:
        if self.role is None:
            response = await self.client.post(
                "/api/v1/roles",
                json={"code": "hooks", "name": "推送", "permissions": MANAGE},
                headers=self.headers,
            )
            assert response.status_code == 201, response.text
            self.role = response.json()["id"]
        response = await self.client.post(
            "/api/v1/grants",
            json={"role": self.role, "org": str(org["id"]), "subtree": subtree, **holder},
            headers=self.headers,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def revoke(self, grant_id: str) -> None:
        response = await self.client.delete(f"/api/v1/grants/{grant_id}", headers=self.headers)
        assert response.status_code in (200, 204), response.text


async def platform(client: Any) -> Platform:
    db = client.app.state.db
    return Platform(client, await bearer(client, *await make_account(db, grants=[(None, ADMIN, True)])))


async def subscribe(client: Any, headers: dict[str, str], url: str, org: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/webhooks",
        json={"url": url, "org_id": str(org["id"]), "signal_types": ["org.created"]},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def emit_and_fan_out(db: Any, org: dict[str, Any]) -> uuid.UUID:
    """Emit a signal about ``org`` and wait until the relay has fanned it out."""
    signal_id = await emit_org_created(db, org["id"], org["path"])

    async def relayed() -> bool:
        row = await OutboxSignal.select(OutboxSignal.relayed_at).where(OutboxSignal.id == signal_id).first()
        return row is not None and row["relayed_at"] is not None

    await eventually(relayed)
    return signal_id


async def delivered(hook: dict[str, Any], signal_id: uuid.UUID) -> bool:
    count = await WebhookDelivery.count().where(
        (WebhookDelivery.webhook_id == uuid.UUID(hook["id"])) & (WebhookDelivery.signal_id == signal_id)
    )
    return count == 1


async def test_an_accounts_subscription_follows_its_grants(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver()
    async with running(integration_app(None)) as client:
        db = client.app.state.db
        admin = await platform(client)
        root = await make_org()
        child, other = await make_org(parent=root), await make_org(parent=root)
        username, password = await make_account(db, home_org=root["id"])
        account_id = str((await Account.select(Account.id).where(Account.username == username).first())["id"])
        wide = await admin.grant(root, account=account_id)
        owner = await bearer(client, username, password)
        hook = await subscribe(client, owner, receiver.url, root)

        # Granted: delivered (and received, signed).
        first = await emit_and_fan_out(db, child)
        assert await delivered(hook, first)
        await eventually(lambda: _received(receiver, first))

        # Revoked: the next signal is not delivered, although the subscription still exists.
        await admin.revoke(wide)
        assert not await delivered(hook, await emit_and_fan_out(db, child))

        # A narrower grant: only that subtree's signals.
        await admin.grant(child, account=account_id)
        inside = await emit_and_fan_out(db, child)
        outside = await emit_and_fan_out(db, other)
        at_root = await emit_and_fan_out(db, root)
        assert await delivered(hook, inside)
        assert not await delivered(hook, outside) and not await delivered(hook, at_root)

        # The account disabled: nothing at all; enabled again: delivered again.
        response = await client.post(f"/api/v1/accounts/{account_id}/disable", headers=admin.headers)
        assert response.status_code == 200, response.text
        assert not await delivered(hook, await emit_and_fan_out(db, child))
        response = await client.post(f"/api/v1/accounts/{account_id}/enable", headers=admin.headers)
        assert response.status_code == 200, response.text
        assert await delivered(hook, await emit_and_fan_out(db, child))


async def test_an_api_clients_subscription_follows_its_grants_and_status(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver()
    async with running(integration_app(None)) as client:
        db = client.app.state.db
        admin = await platform(client)
        root = await make_org()
        created = await client.post(
            "/api/v1/clients", json={"name": "政务服务网", "scopes": MANAGE}, headers=admin.headers
        )
        assert created.status_code == 201, created.text
        client_id, secret = created.json()["client_id"], created.json()["client_secret"]
        grant = await admin.grant(root, client=client_id)
        issued = await client.post(
            "/api/v1/auth/token",
            json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        )
        headers = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        hook = await subscribe(client, headers, receiver.url, root)
        assert hook["owner_kind"] == "client"

        assert await delivered(hook, await emit_and_fan_out(db, root))
        await admin.revoke(grant)
        assert not await delivered(hook, await emit_and_fan_out(db, root))
        await admin.grant(root, client=client_id)
        assert await delivered(hook, await emit_and_fan_out(db, root))
        response = await client.post(f"/api/v1/clients/{client_id}/disable", headers=admin.headers)
        assert response.status_code == 200, response.text
        assert not await delivered(hook, await emit_and_fan_out(db, root))


async def _received(receiver: Receiver, signal_id: uuid.UUID) -> bool:
    return any(r.headers["webhook-id"] == str(signal_id) for r in receiver.received)


async def test_a_retry_is_not_sent_once_the_owner_lost_its_reach(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver(default=(503, {}))
    async with running(integration_app(None, webhook_retry_delays=(1.0, 1.0))) as client:
        db = client.app.state.db
        admin = await platform(client)
        root = await make_org()
        username, password = await make_account(db, home_org=root["id"])
        account_id = str((await Account.select(Account.id).where(Account.username == username).first())["id"])
        grant = await admin.grant(root, account=account_id)
        hook = await subscribe(client, await bearer(client, username, password), receiver.url, root)
        signal_id = await emit_and_fan_out(db, root)
        await eventually(lambda: _received(receiver, signal_id))  # the first attempt failed (503)
        await admin.revoke(grant)
        receiver.default = (200, {})

        async def ended() -> dict[str, Any] | None:
            row = await WebhookDelivery.select().where(WebhookDelivery.signal_id == signal_id).first()
            return row if row is not None and row["status"] != "pending" else None

        delivery = await eventually(ended)
        assert (delivery["status"], delivery["last_error"]) == ("failed", "owner_reach")
        assert len(receiver.received) == 1
        state = (await client.get(f"/api/v1/webhooks/{hook['id']}", headers=admin.headers)).json()
        assert state["status"] == "active"  # the receiver is not to blame
