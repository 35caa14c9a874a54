"""HTTP API of the integration layer: ``/api/v1/webhooks`` and ``/api/v1/stream``. Thin: services decide."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from core.identity.runtime import identity_of
from core.identity.tokens import verify_access_token
from core.integration import feeds
from core.integration import webhooks as service
from core.integration.broadcast import StreamMessage
from core.integration.permissions import STREAM_READ, WEBHOOK_MANAGE, WEBHOOK_READ
from core.integration.relay import stream_message
from core.integration.schemas import (
    Delivery,
    DeliveryDetail,
    RotatedSecret,
    Webhook,
    WebhookCreate,
    WebhookSecretRotation,
    WebhookUpdate,
    WebhookWithSecret,
)
from core.integration.tables import OutboxSignal, WebhookDelivery
from core.integration.tables import Webhook as WebhookRow
from core.kernel.access import Reach, bearer_token, within
from core.kernel.errors import BAD_REQUEST, FIELD_MESSAGES, FieldError, Problem, request_locale
from core.kernel.guards import current_principal, require_permission
from core.kernel.pagination import Page, PageParam, paginate

HEARTBEAT_SECONDS = 15.0
#: The last event of a stream whose caller may no longer read it (token expired or revoked, account or
#: client disabled, permission withdrawn): reconnect with a valid token and ``Last-Event-ID``.
STREAM_END = "stream.end"
#: Feeds are public and change slowly: let portals and proxies cache them briefly, one copy per language
#: (titles follow ``Accept-Language``; every URL in them comes from QUNTUAN_PUBLIC_BASE_URL, not ``Host``).
FEED_HEADERS = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"}
CATCH_UP_LIMIT = 1000
#: The largest ``Last-Event-ID``: outbox sequence numbers are signed 64-bit integers.
MAX_EVENT_ID = 2**63 - 1
#: Stands for "no message came before the wait ended" in the stream loop.
IDLE: Any = object()


def _principal(request: Request[Any, Any, Any]) -> Any:
    principal = current_principal(request)
    assert principal is not None  # require_permission ran
    return principal


def _wake(request: Request[Any, Any, Any]) -> None:
    runtime = getattr(request.app.state, "integration", None)
    if runtime is not None:
        runtime.wake()


class WebhookController(Controller):
    """Webhook subscriptions (推送订阅): Standard Webhooks signed POSTs of domain signals."""

    path = "/webhooks"
    tags: ClassVar[list[str]] = ["webhooks"]
    guards: ClassVar[list[Any]] = [require_permission]
    security: ClassVar[list[Any]] = [{"bearer": []}]

    @get(
        "/",
        opt={"permission": WEBHOOK_READ},
        summary="Webhook 订阅列表",
        description="调用方可管理的 Webhook 订阅，分页返回。",
        summary_en="Webhook subscriptions",
        description_en="The webhook subscriptions the caller may manage, one page at a time.",
    )
    async def list_webhooks(self, request: Request[Any, Any, Any], page: PageParam) -> Page[Webhook]:
        """Subscriptions the caller owns or may read, oldest first."""
        query = await service.list_visible(_principal(request))
        rows, cursor = await paginate(query, [WebhookRow.created_at, WebhookRow.id], page)
        return Page(items=[service.to_webhook(r) for r in rows], next_cursor=cursor)

    @post(
        "/",
        opt={"permission": WEBHOOK_MANAGE},
        summary="新建 Webhook 订阅",
        description=("订阅所选的领域事件，按 Standard Webhooks 签名推送到给定地址；签名密钥只在此返回一次。"),
        summary_en="Subscribe a webhook",
        description_en=(
            "Subscribes an address to the chosen domain signals, delivered signed per Standard Webhooks; "
            "the signing secret is shown only in this answer."
        ),
    )
    async def create_webhook(
        self, request: Request[Any, Any, Any], data: JSONBody[WebhookCreate]
    ) -> Response[WebhookWithSecret]:
        """Subscribe a URL; the answer holds the signing secret, shown only now (and the ETag)."""
        state = request.app.state
        created, tag = await service.create(
            data,
            _principal(request),
            state.settings,
            state.registry,
            state.db,
            request_locale(request),
            identity_of(state).vault,
        )
        return Response(created, status_code=201, headers={"ETag": tag})

    @get(
        "/{webhook_id:uuid}",
        opt={"permission": WEBHOOK_READ},
        summary="Webhook 订阅详情",
        description="一个订阅及其 ETag（修改时用于 If-Match）。",
        summary_en="One subscription (with its ETag)",
        description_en="One subscription with its ETag (send it as If-Match when changing it).",
    )
    async def get_webhook(
        self, request: Request[Any, Any, Any], webhook_id: FromPath[UUID]
    ) -> Response[Webhook]:
        row = await service.load_visible(webhook_id, _principal(request))
        return Response(service.to_webhook(row), headers={"ETag": service.etag(row)})

    @patch(
        "/{webhook_id:uuid}",
        opt={"permission": WEBHOOK_MANAGE, "if_match": "required"},
        summary="修改 Webhook 订阅（须 If-Match）",
        description="修改地址、订阅的事件或启停状态；须带读取时的 ETag 作为 If-Match。",
        summary_en="Change a subscription (If-Match)",
        description_en="Changes the address, the signals or whether it is active; send the ETag you read as If-Match.",
    )
    async def update_webhook(
        self, request: Request[Any, Any, Any], webhook_id: FromPath[UUID], data: JSONBody[WebhookUpdate]
    ) -> Response[Webhook]:
        """Send ``If-Match`` with the ETag from GET to change it only if nobody else did (else 412)."""
        state = request.app.state
        result, tag = await service.update(
            webhook_id,
            data,
            _principal(request),
            state.settings,
            state.registry,
            state.db,
            request_locale(request),
            if_match=request.headers.get("if-match"),
        )
        _wake(request)
        return Response(result, headers={"ETag": tag})

    @delete(
        "/{webhook_id:uuid}",
        opt={"permission": WEBHOOK_MANAGE},
        status_code=HTTP_204_NO_CONTENT,
        summary="删除 Webhook 订阅",
        description="删除订阅，此后不再推送；已有的投递记录保留。",
        summary_en="Delete a webhook subscription",
        description_en="Deletes the subscription: nothing more is delivered to it; its delivery log is kept.",
    )
    async def delete_webhook(self, request: Request[Any, Any, Any], webhook_id: FromPath[UUID]) -> None:
        await service.delete(webhook_id, _principal(request), request.app.state.db)

    @post(
        "/{webhook_id:uuid}/secret/rotate",
        opt={"permission": WEBHOOK_MANAGE},
        summary="轮换签名密钥",
        description="生成新的签名密钥；旧密钥在过渡期内仍被接受。新密钥只在此返回一次。",
        summary_en="Rotate the signing secret",
        description_en=(
            "Makes a new signing secret; the old one still signs alongside it for an overlap. The new "
            "secret is shown only in this answer."
        ),
    )
    async def rotate_webhook_secret(
        self,
        request: Request[Any, Any, Any],
        webhook_id: FromPath[UUID],
        data: JSONBody[WebhookSecretRotation],
    ) -> RotatedSecret:
        """A new secret; the previous one keeps signing (both signatures sent) for ``overlap_seconds``."""
        state = request.app.state
        return await service.rotate_secret(
            webhook_id, data.overlap_seconds, _principal(request), state.db, identity_of(state).vault
        )

    @post(
        "/{webhook_id:uuid}/ping",
        opt={"permission": WEBHOOK_MANAGE},
        status_code=HTTP_202_ACCEPTED,
        summary="发送测试投递",
        description="向订阅地址发送一次 ping 事件，用于检查接收端与签名校验。",
        summary_en="Send a test delivery",
        description_en=(
            "Sends one ping signal to the subscription's address, to check the receiver and its signature "
            "check."
        ),
    )
    async def ping_webhook(self, request: Request[Any, Any, Any], webhook_id: FromPath[UUID]) -> Delivery:
        """Queue a signed ``webhook.ping``; follow it in the delivery log."""
        delivery = await service.ping(webhook_id, _principal(request), request.app.state.db)
        _wake(request)
        return delivery

    @get(
        "/{webhook_id:uuid}/deliveries",
        opt={"permission": WEBHOOK_READ},
        summary="投递记录",
        description="订阅的投递记录，新的在前，可按状态筛选。",
        summary_en="Deliveries of a subscription",
        description_en="The subscription's delivery log, newest first, filterable by status.",
    )
    async def list_deliveries(
        self,
        request: Request[Any, Any, Any],
        webhook_id: FromPath[UUID],
        page: PageParam,
        status: Annotated[
            str | None,
            QueryParameter(
                description="pending, succeeded or failed", pattern="^(pending|succeeded|failed)$"
            ),
        ] = None,
    ) -> Page[Delivery]:
        """The delivery log, newest first."""
        await service.load_visible(webhook_id, _principal(request))
        query = WebhookDelivery.select().where(WebhookDelivery.webhook_id == webhook_id)
        if status is not None:
            query = query.where(WebhookDelivery.status == status)
        rows, cursor = await paginate(
            query, [WebhookDelivery.created_at, WebhookDelivery.id], page, descending=True
        )
        return Page(items=[service.to_delivery(r) for r in rows], next_cursor=cursor)

    @get(
        "/{webhook_id:uuid}/deliveries/{delivery_id:uuid}",
        opt={"permission": WEBHOOK_READ},
        summary="某次投递详情",
        description="一次投递的请求、应答状态、重试次数与下次重试时间。",
        summary_en="One delivery",
        description_en=(
            "One delivery: its request, the answer's status, the attempts made and when the next retry is "
            "due."
        ),
    )
    async def get_delivery(
        self, request: Request[Any, Any, Any], webhook_id: FromPath[UUID], delivery_id: FromPath[UUID]
    ) -> DeliveryDetail:
        """One delivery with every attempt: status code, latency, error."""
        return await service.delivery_detail(webhook_id, delivery_id, _principal(request))

    @post(
        "/{webhook_id:uuid}/deliveries/{delivery_id:uuid}/replay",
        opt={"permission": WEBHOOK_MANAGE},
        status_code=HTTP_202_ACCEPTED,
        summary="重新投递",
        description="把一次已有的投递按原内容重新发送一次（新的投递记录）。",
        summary_en="Replay a delivery",
        description_en="Sends an earlier delivery's payload again, as a new delivery.",
    )
    async def replay_delivery(
        self, request: Request[Any, Any, Any], webhook_id: FromPath[UUID], delivery_id: FromPath[UUID]
    ) -> Delivery:
        """Send the delivery's signal again (same ``webhook-id``) as a new delivery."""
        delivery = await service.replay(webhook_id, delivery_id, _principal(request), request.app.state.db)
        _wake(request)
        return delivery


class StreamController(Controller):
    """Live signals as server-sent events."""

    path = "/stream"
    tags: ClassVar[list[str]] = ["webhooks"]
    guards: ClassVar[list[Any]] = [require_permission]
    security: ClassVar[list[Any]] = [{"bearer": []}]

    @get(
        "/",
        opt={"permission": STREAM_READ},
        media_type="text/event-stream",
        summary="实时事件流（SSE）",
        description=("以 Server-Sent Events 推送调用方可见的领域事件；断线后用 Last-Event-ID 续传。"),
        summary_en="Live signals (server-sent events)",
        description_en=(
            "Pushes the domain signals the caller may see as server-sent events; reconnect with "
            "Last-Event-ID to resume."
        ),
    )
    async def stream(
        self,
        request: Request[Any, Any, Any],
        types: Annotated[
            str | None,
            QueryParameter(
                description="Comma-separated signal types to receive (default: all)", max_length=2000
            ),
        ] = None,
        last_event_id: Annotated[
            str | None,
            HeaderParameter(
                name="Last-Event-ID",
                description="Resume after this event id",
                max_length=20,
                pattern=r"^\d+$",
            ),
        ] = None,
    ) -> ServerSentEvent:
        """Server-sent events of the signals within the caller's ``core.stream.read`` reach.

        Each event's ``event`` is the signal type, ``id`` its outbox sequence number (send it back as
        ``Last-Event-ID`` to catch up after a reconnect) and ``data`` ``{"id", "type", "resource_type",
        "resource_id", "occurred_at", "data"}``. A comment line is sent every 15 s to keep proxies open.

        The caller's token and reach are checked again every ``QUNTUAN_STREAM_RECHECK_SECONDS`` while
        the stream is open, and within ``QUNTUAN_STREAM_EPOCH_CHECK_SECONDS`` of any change of anyone's
        authority: a narrower grant narrows it, and when the token has expired or was revoked, or the
        account, client or permission is gone, a last ``stream.end`` event is sent and the stream closes.
        A ``Last-Event-ID`` beyond 2⁶³−1 is refused (400).
        """
        settings = request.app.state.settings
        authz = request.app.state.authz
        reaches: list[Reach] = list(_principal(request).reach(STREAM_READ))
        wanted = {t.strip() for t in types.split(",") if t.strip()} if types else None
        runtime = request.app.state.integration
        after = int(last_event_id) if last_event_id else None
        if after is not None and after > MAX_EVENT_ID:
            locale = request_locale(request)
            message = FIELD_MESSAGES["too_large"].format(locale, limit=MAX_EVENT_ID)
            raise Problem(
                BAD_REQUEST,
                errors=[FieldError(pointer="header:/Last-Event-ID", code="too_large", message=message)],
            )
        token = bearer_token(request.scope)

        def visible(message: StreamMessage) -> bool:
            return (wanted is None or message.type in wanted) and within(message.org_path or "", reaches)

        async def current_reach() -> list[Reach] | None:
            """The caller's stream reach now; None when it may no longer follow the stream."""
            if token is None:  # a principal put on the request by the host itself, not by a token
                return reaches
            claims = verify_access_token(request.app.state.identity.secret, token)
            if claims is None:
                return None
            # The principal cache: reloaded only when authority changed (its epoch moved) or a day began.
            principal = await authz.principal(
                claims.kind, claims.subject, claims.version, session=claims.session
            )
            found = list(principal.reach(STREAM_READ)) if principal is not None else []
            return found or None

        def event(message: StreamMessage) -> ServerSentEventMessage:
            data = {
                "id": message.id,
                "type": message.type,
                "resource_type": message.resource_type,
                "resource_id": message.resource_id,
                "occurred_at": message.occurred_at,
                "data": message.data,
            }
            return ServerSentEventMessage(
                data=msgspec.json.encode(data).decode(), event=message.type, id=str(message.seq)
            )

        async def events() -> AsyncIterator[ServerSentEventMessage]:
            async with runtime.broadcaster.listen() as queue:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(runtime.broadcaster.ready.wait(), timeout=5)
                yield ServerSentEventMessage(comment="connected", data=None, retry=3000)
                last = after
                if after is not None:
                    rows = await (
                        OutboxSignal.select()
                        .where((OutboxSignal.seq > after) & OutboxSignal.relayed_at.is_not_null())
                        .order_by(OutboxSignal.seq)
                        .limit(CATCH_UP_LIMIT)
                        .run()
                    )
                    for row in rows:
                        message = stream_message(row)
                        last = max(last or 0, message.seq)
                        if visible(message):
                            yield event(message)
                clock = asyncio.get_running_loop().time
                next_check = clock() + settings.stream_recheck_seconds
                next_beat = clock() + HEARTBEAT_SECONDS
                # The first look always re-checks (the epoch the request's principal was loaded under is
                # not known here); afterwards only a moved epoch, or one unknown (Redis unreachable), does.
                next_epoch = clock() + settings.stream_epoch_check_seconds
                seen_epoch: str | None = None
                while True:
                    try:
                        wait = max(0.0, min(next_beat, next_check, next_epoch) - clock())
                        message = await asyncio.wait_for(queue.get(), timeout=wait)
                    except TimeoutError:
                        message = IDLE
                    if clock() >= next_epoch:
                        epoch = await authz.epoch()
                        if epoch is None or epoch != seen_epoch:
                            next_check = clock()
                        seen_epoch = epoch
                        next_epoch = clock() + settings.stream_epoch_check_seconds
                    if clock() >= next_check:
                        now_reach = await current_reach()
                        if now_reach is None:
                            yield ServerSentEventMessage(
                                data='{"reason":"unauthorized"}', event=STREAM_END, retry=3000
                            )
                            return
                        reaches[:] = now_reach
                        next_check = clock() + settings.stream_recheck_seconds
                    if message is IDLE:
                        if clock() >= next_beat:
                            next_beat = clock() + HEARTBEAT_SECONDS
                            yield ServerSentEventMessage(comment="keep-alive", data=None)
                        continue
                    if message is None:
                        return
                    if last is not None and message.seq <= last:
                        continue
                    if visible(message):
                        yield event(message)

        return ServerSentEvent(events(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


class FeedController(Controller):
    """Public portal feeds of an org subtree (no token): public events, announcements and places, and
    announcement-like signals."""

    path = "/feeds/orgs"
    tags: ClassVar[list[str]] = ["feeds"]

    async def _feed(self, request: Request[Any, Any, Any], org_id: UUID, suffix: str) -> feeds.Feed:
        base = request.app.state.settings.base_url
        return await feeds.build(
            org_id,
            request.app.state.registry,
            base,
            f"{base}/api/v1/feeds/orgs/{org_id}/{suffix}",
            request_locale(request),
            request.app.state.settings.timezone,
        )

    @get(
        "/{org_id:uuid}/feed.json",
        opt={"policy": "public"},
        media_type="application/feed+json",
        summary="组织及下级的 JSON Feed 订阅源",
        description="与 Atom 订阅源内容相同，JSON Feed 1.1 格式。无需登录。",
        summary_en="JSON Feed of an org subtree",
        description_en="The same items as the Atom feed, as JSON Feed 1.1. No token needed.",
    )
    async def json_feed(self, request: Request[Any, Any, Any], org_id: FromPath[UUID]) -> Response[bytes]:
        feed = await self._feed(request, org_id, "feed.json")
        return Response(
            feeds.to_json_feed(feed, request_locale(request)),
            media_type="application/feed+json",
            headers=FEED_HEADERS,
        )

    @get(
        "/{org_id:uuid}/feed.atom",
        opt={"policy": "public"},
        media_type="application/atom+xml",
        summary="组织及下级的 Atom 订阅源",
        description=(
            "组织及其下级的公开活动、正在展示的公开公告、开放的公开阵地和声明为公开的信号，Atom 格式；"
            "活动与公告条目链接到其公开页（无需登录），阵地条目链接到其 API 地址；时间为本地时间"
            "（活动所在时区，否则为配置的时区，默认 Asia/Shanghai），带偏移。无需登录。"
        ),
        summary_en="Atom feed of an org subtree",
        description_en=(
            "The public events, public announcements being shown, open public places and public-declared "
            "signals of an org and its subtree as Atom; event and announcement entries link to their public "
            "page (no token needed), place entries to their API address; times are local (the event's zone, "
            "else the configured one, Asia/Shanghai by default) with their offset. No token needed."
        ),
    )
    async def atom_feed(self, request: Request[Any, Any, Any], org_id: FromPath[UUID]) -> Response[bytes]:
        feed = await self._feed(request, org_id, "feed.atom")
        return Response(feeds.to_atom(feed), media_type="application/atom+xml", headers=FEED_HEADERS)
