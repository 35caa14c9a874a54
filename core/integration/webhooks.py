"""Webhook subscriptions: who owns them, what they may receive, secrets, pings and replays.

Ownership and reach: a subscription belongs to the API client or account that created it. It receives
the signals of its org's subtree, and only where its owner holds ``core.webhook.manage`` *now* (checked
by the relay at each signal, so a revoked grant or a disabled owner stops it at once). Others see a
subscription when its org is within their ``core.webhook.read`` reach and may change it within their
``core.webhook.manage`` reach; anything else answers 404. Secrets are stored encrypted and shown only
in the answer that creates or rotates them. Updates honour ``If-Match`` (the ETag of the subscription).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import msgspec

from core.identity import audit
from core.integration import outbound
from core.integration.permissions import WEBHOOK_MANAGE, WEBHOOK_READ
from core.integration.schemas import (
    Attempt,
    Delivery,
    DeliveryDetail,
    RotatedSecret,
    Webhook,
    WebhookCreate,
    WebhookUpdate,
    WebhookWithSecret,
)
from core.integration.signals import PING
from core.integration.signing import SECRET_FIELD, new_secret, seal_secret
from core.integration.tables import Webhook as WebhookRow
from core.integration.tables import WebhookAttempt, WebhookDelivery
from core.kernel import preconditions
from core.kernel.access import Principal, reach_clause, within
from core.kernel.errors import FieldError, Problem
from core.kernel.i18n import Text
from core.kernel.settings import Locale, Settings
from core.kernel.vault import Vault
from core.orgs.tables import Org

URL_MESSAGES: dict[str, Text] = {
    "invalid_url": Text(zh_hans="不是有效的网址", zh_hant="不是有效的網址", en="Not a valid URL"),
    "scheme_not_allowed": Text(
        zh_hans="只接受 https 网址", zh_hant="只接受 https 網址", en="Only https URLs are accepted"
    ),
    "address_not_allowed": Text(
        zh_hans="该网址指向内网、本机或保留地址，不允许推送",
        zh_hant="該網址指向內網、本機或保留位址，不允許推送",
        en="The URL points to a private, loopback or reserved address",
    ),
    "port_not_allowed": Text(
        zh_hans="该端口不允许推送：只接受 443 端口及运维配置允许的端口",
        zh_hant="該連接埠不允許推送：只接受 443 連接埠及維運設定允許的連接埠",
        en="This port is not allowed: only 443 and the ports the operator allows",
    ),
    "unresolvable": Text(
        zh_hans="无法解析该网址的主机名",
        zh_hant="無法解析該網址的主機名稱",
        en="The URL's host does not resolve",
    ),
    "unknown_signal": Text(zh_hans="没有这种信号", zh_hant="沒有這種信號", en="No such signal type"),
    "unknown_org": Text(
        zh_hans="组织不存在或不在您的权限范围内",
        zh_hant="組織不存在或不在您的權限範圍內",
        en="The org does not exist or is outside your reach",
    ),
}


def _error(pointer: str, code: str, locale: Locale) -> FieldError:
    return FieldError(pointer=pointer, code=code, message=URL_MESSAGES[code].get(locale))


def now() -> datetime:
    return datetime.now(UTC)


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, (str, bytes)) else value


def to_webhook(row: dict[str, Any]) -> Webhook:
    return Webhook(
        id=row["id"],
        url=row["url"],
        org_id=row["org_id"],
        signal_types=list(_json(row["signal_types"])),
        description=row["description"],
        owner_kind=row["owner_kind"],
        owner_id=row["owner_id"],
        status=row["status"],
        disabled_reason=row["disabled_reason"],
        previous_secret_expires_at=row["previous_secret_expires_at"]
        if row["previous_secret"]
        and row["previous_secret_expires_at"]
        and row["previous_secret_expires_at"] > now()
        else None,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def to_delivery(row: dict[str, Any]) -> Delivery:
    return Delivery(**_delivery_fields(row))


def _delivery_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "webhook_id": row["webhook_id"],
        "signal_id": row["signal_id"],
        "signal_type": row["signal_name"],
        "status": row["status"],
        "attempts": row["attempts"],
        "origin": row["origin"],
        "next_attempt_at": row["next_attempt_at"] if row["status"] == "pending" else None,
        "last_status_code": row["last_status_code"],
        "last_latency_ms": row["last_latency_ms"],
        "last_error": row["last_error"],
        "created_at": row["created_at"],
        "finished_at": row["finished_at"],
    }


# --- checks ------------------------------------------------------------------------------------------


async def check_url(url: str, settings: Settings, locale: Locale) -> None:
    """422 unless ``url`` is acceptable now (it is checked again before every attempt)."""
    try:
        await outbound.vet(url, settings)
    except outbound.OutboundRefused as exc:
        raise Problem.invalid(_error("/url", exc.code, locale)) from None


def check_signal_types(names: list[str], registry: Any, locale: Locale) -> list[str]:
    known = registry.signals
    bad = [
        _error(f"/signal_types/{i}", "unknown_signal", locale) for i, n in enumerate(names) if n not in known
    ]
    if bad:
        raise Problem.invalid(*bad)
    return sorted(set(names))


def _origin(url: str) -> str:
    """Where a URL sends to (scheme, host and port), without a path or query that may carry a token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _is_owner(row: dict[str, Any], principal: Principal) -> bool:
    return row["owner_id"] == principal.id and row["owner_kind"] == principal.kind


async def load_visible(webhook_id: UUID, principal: Principal) -> dict[str, Any]:
    row = await WebhookRow.select().where(WebhookRow.id == webhook_id).first().run()
    if row is None:
        raise Problem("not-found")
    if not (_is_owner(row, principal) or within(row["org_path"], principal.reach(WEBHOOK_READ))):
        raise Problem("not-found")
    return row


async def load_manageable(webhook_id: UUID, principal: Principal) -> dict[str, Any]:
    row = await WebhookRow.select().where(WebhookRow.id == webhook_id).first().run()
    if row is None:
        raise Problem("not-found")
    if _is_owner(row, principal) or within(row["org_path"], principal.reach(WEBHOOK_MANAGE)):
        return row
    if within(row["org_path"], principal.reach(WEBHOOK_READ)):
        raise Problem("forbidden")
    raise Problem("not-found")


# --- subscriptions -----------------------------------------------------------------------------------


def etag(row: dict[str, Any]) -> str:
    """A strong validator for ``If-Match``: changes whenever the subscription is written."""
    stamp: datetime = row["updated_at"]
    return f'"{row["id"].hex[:8]}-{int(stamp.timestamp() * 1_000_000):x}"'


async def create(
    data: WebhookCreate,
    principal: Principal,
    settings: Settings,
    registry: Any,
    db: Any,
    locale: Locale,
    vault: Vault,
) -> tuple[WebhookWithSecret, str]:
    """Subscribe; returns the subscription with its secret (shown only now) and its ETag."""
    org = await Org.select(Org.id, Org.path).where(Org.id == data.org_id).first().run()
    if org is None or not within(org["path"], principal.reach(WEBHOOK_MANAGE)):
        raise Problem.invalid(_error("/org_id", "unknown_org", locale))
    types = check_signal_types(data.signal_types, registry, locale)
    await check_url(data.url, settings, locale)
    moment = now()
    secret = new_secret()
    row = WebhookRow(
        id=uuid4(),
        owner_kind=principal.kind,
        owner_id=principal.id,
        org_id=org["id"],
        org_path=org["path"],
        url=data.url,
        description=data.description,
        signal_types=msgspec.json.encode(types).decode(),
        secret=seal_secret(vault, secret),
        status="active",
        created_at=moment,
        updated_at=moment,
    )
    async with db.transaction():
        await WebhookRow.insert(row).run()
        await audit.record(
            "webhook.created",
            resource_type="webhook",
            resource_id=row.id,
            org_path=org["path"],
            changes={"url_origin": _origin(data.url), "signal_types": types, "owner_kind": principal.kind},
        )
    saved = await WebhookRow.select().where(WebhookRow.id == row.id).first().run()
    assert saved is not None
    return WebhookWithSecret(**msgspec.structs.asdict(to_webhook(saved)), secret=secret), etag(saved)


async def list_visible(principal: Principal) -> Any:
    """A query of the subscriptions the caller may see (its own, and those in its read reach)."""
    clause = reach_clause(WebhookRow.org_path, principal.reach(WEBHOOK_READ))
    mine = (WebhookRow.owner_id == principal.id) & (WebhookRow.owner_kind == principal.kind)
    return WebhookRow.select().where(mine if clause is None else (mine | clause))


async def update(
    webhook_id: UUID,
    data: WebhookUpdate,
    principal: Principal,
    settings: Settings,
    registry: Any,
    db: Any,
    locale: Locale,
    *,
    if_match: str | None = None,
) -> tuple[Webhook, str]:
    """Change a subscription; with ``if_match`` (its ETag) only if nobody changed it since (else 412)."""
    row = await load_manageable(webhook_id, principal)
    preconditions.check_if_match(etag(row), if_match)
    values: dict[Any, Any] = {WebhookRow.updated_at: now()}
    if data.url is not None:
        await check_url(data.url, settings, locale)
        values[WebhookRow.url] = data.url
    if data.signal_types is not None:
        types = check_signal_types(data.signal_types, registry, locale)
        values[WebhookRow.signal_types] = msgspec.json.encode(types).decode()
    if data.description is not None:
        values[WebhookRow.description] = data.description
    if data.status is not None and data.status != row["status"]:
        values[WebhookRow.status] = data.status
        values[WebhookRow.disabled_reason] = "owner" if data.status == "disabled" else None
    async with db.transaction():
        query = WebhookRow.update(values).where(WebhookRow.id == webhook_id)
        if if_match.strip() != "*":  # compare-and-set: a change made since the check also fails it
            query = query.where(WebhookRow.updated_at == row["updated_at"])
        changed = await query.returning(WebhookRow.id).run()
        if changed:
            logged: dict[str, Any] = {
                c._meta.name: v for c, v in values.items() if c is not WebhookRow.updated_at
            }
            if "url" in logged:  # where signals now go; a path or query may carry the receiver's token
                logged["url"] = audit.CHANGED
                logged["url_origin"] = _origin(data.url or "")
                logged["previous_url_origin"] = _origin(row["url"])
            logged.pop("signal_types", None)
            if data.signal_types is not None:
                logged["signal_types"] = types
            await audit.record(
                "webhook.updated",
                resource_type="webhook",
                resource_id=webhook_id,
                org_path=row["org_path"],
                changes=logged,
            )
    if not changed:
        raise Problem("precondition-failed")
    saved = await WebhookRow.select().where(WebhookRow.id == webhook_id).first().run()
    assert saved is not None
    return to_webhook(saved), etag(saved)


async def delete(webhook_id: UUID, principal: Principal, db: Any) -> None:
    row = await load_manageable(webhook_id, principal)
    async with db.transaction():
        deliveries = WebhookDelivery.select(WebhookDelivery.id).where(
            WebhookDelivery.webhook_id == webhook_id
        )
        await WebhookAttempt.delete().where(WebhookAttempt.delivery_id.is_in(deliveries)).run()
        await WebhookDelivery.delete().where(WebhookDelivery.webhook_id == webhook_id).run()
        await WebhookRow.delete().where(WebhookRow.id == webhook_id).run()
        await audit.record(
            "webhook.deleted",
            resource_type="webhook",
            resource_id=webhook_id,
            org_path=row["org_path"],
            changes={"url_origin": _origin(row["url"])},
        )


async def rotate_secret(
    webhook_id: UUID, overlap_seconds: int, principal: Principal, db: Any, vault: Vault
) -> RotatedSecret:
    row = await load_manageable(webhook_id, principal)
    expires = now() + timedelta(seconds=overlap_seconds) if overlap_seconds else None
    secret = new_secret()
    async with db.transaction():
        await (
            WebhookRow.update(
                {
                    WebhookRow.secret: seal_secret(vault, secret),
                    WebhookRow.previous_secret: row["secret"] if expires else None,
                    WebhookRow.previous_secret_expires_at: expires,
                    WebhookRow.updated_at: now(),
                }
            )
            .where(WebhookRow.id == webhook_id)
            .run()
        )
        await audit.record(
            "webhook.secret_rotated",
            resource_type="webhook",
            resource_id=webhook_id,
            org_path=row["org_path"],
            changes={"secret": audit.CHANGED, "overlap_seconds": overlap_seconds},
        )
    return RotatedSecret(secret=secret, previous_secret_expires_at=expires)


async def ping(webhook_id: UUID, principal: Principal, db: Any) -> Delivery:
    """Queue a signed ``webhook.ping`` to the subscription (even when it does not list that type)."""
    row = await load_manageable(webhook_id, principal)
    delivery_id = uuid4()
    async with db.transaction():
        await WebhookDelivery.insert(
            WebhookDelivery(
                id=delivery_id,
                seq=0,
                webhook_id=webhook_id,
                signal_id=uuid4(),
                signal_name=PING.name,
                resource_key=f"ping:{delivery_id}",
                payload=msgspec.json.encode(PING.payload(webhook_id=webhook_id)).decode(),
                origin="ping",
                created_at=now(),
                next_attempt_at=now(),
            )
        ).run()
        await audit.record(
            "webhook.pinged",
            resource_type="webhook",
            resource_id=webhook_id,
            org_path=row["org_path"],
            changes={"delivery": delivery_id},
        )
    return to_delivery(await _delivery_row(webhook_id, delivery_id))


async def replay(webhook_id: UUID, delivery_id: UUID, principal: Principal, db: Any) -> Delivery:
    """Send a delivered (or failed) signal again, with the same ``webhook-id``, as a new delivery."""
    row = await load_manageable(webhook_id, principal)
    original = await _delivery_row(webhook_id, delivery_id)
    new_id = uuid4()
    async with db.transaction():
        await WebhookDelivery.insert(
            WebhookDelivery(
                id=new_id,
                seq=0,
                webhook_id=webhook_id,
                signal_id=original["signal_id"],
                signal_name=original["signal_name"],
                resource_key=f"replay:{new_id}",
                payload=original["payload"],
                origin="replay",
                created_at=now(),
                next_attempt_at=now(),
            )
        ).run()
        await audit.record(
            "webhook.replayed",
            resource_type="webhook",
            resource_id=webhook_id,
            org_path=row["org_path"],
            changes={"delivery": new_id, "replay_of": delivery_id, "signal": original["signal_id"]},
        )
    return to_delivery(await _delivery_row(webhook_id, new_id))


async def _delivery_row(webhook_id: UUID, delivery_id: UUID) -> dict[str, Any]:
    row = await (
        WebhookDelivery.select()
        .where((WebhookDelivery.id == delivery_id) & (WebhookDelivery.webhook_id == webhook_id))
        .first()
        .run()
    )
    if row is None:
        raise Problem("not-found")
    return row


async def delivery_detail(webhook_id: UUID, delivery_id: UUID, principal: Principal) -> DeliveryDetail:
    await load_visible(webhook_id, principal)
    row = await _delivery_row(webhook_id, delivery_id)
    attempts = await (
        WebhookAttempt.select()
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(WebhookAttempt.number)
        .run()
    )
    log = [
        Attempt(
            number=a["number"],
            started_at=a["started_at"],
            status_code=a["status_code"],
            latency_ms=a["latency_ms"],
            error=a["error"],
        )
        for a in attempts
    ]
    return DeliveryDetail(**_delivery_fields(row), attempt_log=log)


async def reencrypt_secrets(db: Any, vault: Vault) -> int:
    """Re-encrypt webhook secrets not yet under ``vault.current`` (``quntuan admin reencrypt``)."""
    from core.identity.keys import reencrypt_columns

    fields = {WebhookRow.secret: SECRET_FIELD, WebhookRow.previous_secret: SECRET_FIELD}
    return await reencrypt_columns(db, vault, WebhookRow, fields)
