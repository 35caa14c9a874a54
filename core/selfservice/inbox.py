"""The inbox (消息中心): a person's notifications, written from the signals that concern them.

A signal listener (:func:`core.integration.signals.listen`) writes each notification in the transaction
of the change it tells about, so the inbox is exactly as durable as the change: a step that rolls back
leaves no message. What concerns a person:

* ``process.*`` — every step of their own processes (applications, claims, transfers): opened by a cadre
  on their behalf, a step, escalation, a hold by an objection;
* ``registration.promoted`` — their waitlisted registration became confirmed;
* ``event.updated`` / ``event.cancelled`` — an event they registered for changed or was cancelled;
* ``event.reminder`` — written by the periodic job :data:`REMINDER_JOB` for events starting within
  ``QUNTUAN_EVENT_REMINDER_HOURS``, once per registration and start time (``dedupe``).

A person mutes kinds in their preferences (nothing of a muted kind is written) and names channels
(``sms``, ``wechat``…) beyond the inbox: after the change commits, the runtime hook ``quntuan_notify``
is called for each such notification; the core itself sends nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec

from core.integration.jobs import JobContext, register_job, register_periodic
from core.integration.signals import SignalType, listen
from core.kernel.db import after_commit
from core.kernel.i18n import Text
from core.selfservice.tables import Notification, NotificationPreference

log = logging.getLogger("quntuan.selfservice.inbox")

REMINDER_JOB = "selfservice.event_reminders"
#: The kinds a person may mute (and that the inbox writes).
KINDS = (
    "process.opened",
    "process.stepped",
    "process.escalated",
    "process.held",
    "registration.promoted",
    "event.updated",
    "event.cancelled",
    "event.reminder",
)
CHANNELS = ("sms", "wechat", "email", "app")

_state: dict[str, Any] = {}


def bind(plugin_manager: Any, app_state: Any = None) -> None:
    """The plugin manager whose ``quntuan_notify`` delivers beyond the inbox, and the app's state (for
    steps that need the whole app, such as an approved erasure request) — the last app built."""
    _state["pm"] = plugin_manager
    if app_state is not None:
        _state["app"] = app_state


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class Delivered(msgspec.Struct, frozen=True, kw_only=True):
    """What ``quntuan_notify`` gets: ids, codes and the message texts — never personal data."""

    id: UUID
    person_id: UUID
    kind: str
    title: dict[str, str]
    resource_type: str
    resource_id: str
    data: dict[str, Any]
    created_at: datetime


async def _preferences(person_ids: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
    if not person_ids:
        return {}
    rows = (
        await NotificationPreference.select()
        .where(NotificationPreference.person.is_in(list(person_ids)))
        .run()
    )
    return {
        r["person"]: {"muted": _json(r["muted"]) or [], "channels": _json(r["channels"]) or []} for r in rows
    }


async def notify(
    person_ids: Iterable[UUID],
    *,
    kind: str,
    resource_type: str,
    resource_id: UUID | str,
    data: dict[str, Any],
    title: Text | None = None,
    dedupe: str | None = None,
) -> int:
    """Write one notification per person (inside the caller's transaction); returns how many."""
    people = list(dict.fromkeys(person_ids))
    prefs = await _preferences(people)
    now = datetime.now(UTC)
    seen: set[UUID] = set()
    if dedupe and people:
        done = (
            await Notification.select(Notification.person)
            .where((Notification.dedupe == dedupe) & Notification.person.is_in(people))
            .run()
        )
        seen = {r["person"] for r in done}
    rows: list[dict[str, Any]] = []
    for person_id in people:
        pref = prefs.get(person_id, {"muted": [], "channels": []})
        if kind in pref["muted"] or person_id in seen:
            continue
        key = dedupe or f"{kind}:{resource_id}:{uuid4().hex}"
        rows.append(
            {
                "id": uuid4(),
                "person": person_id,
                "kind": kind,
                "title": title.as_dict() if title is not None else {},
                "resource_type": resource_type,
                "resource_id": str(resource_id),
                "data": data,
                "dedupe": key,
                "created_at": now,
                "read_at": None,
                "channels": pref["channels"],
            }
        )
    if not rows:
        return 0
    await Notification.insert(
        *[Notification(**{k: v for k, v in r.items() if k != "channels"}) for r in rows]
    ).run()
    outgoing = [r for r in rows if r["channels"]]
    if outgoing and _state.get("pm") is not None:
        await after_commit(lambda: _deliver(outgoing))
    return len(rows)


async def _deliver(rows: Sequence[dict[str, Any]]) -> None:
    from core.kernel.plugin_host import call_runtime_hook

    pm = _state.get("pm")
    if pm is None:
        return
    for r in rows:
        note = Delivered(
            id=r["id"],
            person_id=r["person"],
            kind=r["kind"],
            title=r["title"],
            resource_type=r["resource_type"],
            resource_id=r["resource_id"],
            data=r["data"],
            created_at=r["created_at"],
        )
        await call_runtime_hook(
            pm, "quntuan_notify", person_id=r["person"], notification=note, channels=list(r["channels"])
        )


# --- listeners -------------------------------------------------------------------------------------------


async def _on_process(signal: SignalType, payload: Any) -> None:
    from core.identity.authn import current_actor

    actor = current_actor.get()
    if signal.name == "process.opened" and getattr(actor, "person_id", None) == payload.applicant_id:
        return  # the person's own application: nothing to tell them
    await notify(
        [payload.applicant_id],
        kind=signal.name,
        resource_type="process",
        resource_id=payload.process_id,
        data={
            "process_id": str(payload.process_id),
            "type": payload.type,
            "action": payload.action,
            "state": payload.state,
            "status": payload.status,
            "outcome": payload.outcome,
        },
        dedupe=f"{signal.name}:{payload.process_id}:{payload.version}",
    )


async def _event_title(event_id: UUID) -> tuple[str, datetime | None]:
    from core.events.tables import Event

    row = await Event.select(Event.title, Event.starts_at).where(Event.id == event_id).first().run()
    return (row["title"], row["starts_at"]) if row else ("", None)


def _event_text(kind: str, title: str, starts_at: datetime | None) -> Text:
    when = starts_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if starts_at else ""
    if kind == "registration.promoted":
        return Text(
            zh_hans=f"候补成功：您已获得活动“{title}”的名额",
            zh_hant=f"候補成功：您已獲得活動「{title}」的名額",
            en=f"You are off the waitlist: your place at “{title}” is confirmed",
        )
    if kind == "event.cancelled":
        return Text(
            zh_hans=f"活动“{title}”已取消", zh_hant=f"活動「{title}」已取消", en=f"“{title}” was cancelled"
        )
    if kind == "event.reminder":
        return Text(
            zh_hans=f"活动提醒：“{title}”将于 {when} 开始",
            zh_hant=f"活動提醒：「{title}」將於 {when} 開始",
            en=f"Reminder: “{title}” starts at {when}",
        )
    return Text(
        zh_hans=f"活动“{title}”有变更，请查看",
        zh_hant=f"活動「{title}」有變更，請查看",
        en=f"“{title}” has changed; please check",
    )


async def _on_promoted(signal: SignalType, payload: Any) -> None:
    title, starts = await _event_title(payload.event_id)
    await notify(
        [payload.person_id],
        kind=signal.name,
        resource_type="event",
        resource_id=payload.event_id,
        data={"event_id": str(payload.event_id), "registration_id": str(payload.registration_id)},
        title=_event_text(signal.name, title, starts),
        dedupe=f"{signal.name}:{payload.registration_id}:{uuid4().hex}",
    )


async def _on_event_changed(signal: SignalType, payload: Any) -> None:
    from core.events.tables import Registration

    if payload.status not in ("published", "cancelled"):
        return  # drafts have no registrants to tell
    people = (
        await Registration.select(Registration.person)
        .where(
            (Registration.event == payload.event_id) & Registration.status.is_in(["confirmed", "waitlisted"])
        )
        .run()
    )
    if not people:
        return
    title, starts = await _event_title(payload.event_id)
    await notify(
        [r["person"] for r in people],
        kind=signal.name,
        resource_type="event",
        resource_id=payload.event_id,
        data={"event_id": str(payload.event_id), "version": payload.version},
        title=_event_text(signal.name, title, starts),
        dedupe=f"{signal.name}:{payload.event_id}:{payload.version}",
    )


def register_listeners() -> None:
    for name in ("process.opened", "process.stepped", "process.escalated", "process.held"):
        listen(name, _on_process)
    listen("registration.promoted", _on_promoted)
    listen("event.updated", _on_event_changed)
    listen("event.cancelled", _on_event_changed)


register_listeners()


# --- event reminders -----------------------------------------------------------------------------------


async def send_reminders(db: Any, hours: float, *, moment: datetime | None = None) -> int:
    """Remind every confirmed registrant of events starting within ``hours`` (once per start time)."""
    from core.events.tables import Event, Registration

    moment = moment or datetime.now(UTC)
    events = (
        await Event.select(Event.id, Event.title, Event.starts_at)
        .where(
            (Event.status == "published")
            & (Event.starts_at > moment)
            & (Event.starts_at <= moment + timedelta(hours=hours))
        )
        .run()
    )
    sent = 0
    for event in events:
        people = (
            await Registration.select(Registration.person)
            .where((Registration.event == event["id"]) & (Registration.status == "confirmed"))
            .run()
        )
        if not people:
            continue
        starts = event["starts_at"]
        starts = starts.replace(tzinfo=UTC) if starts.tzinfo is None else starts
        async with db.transaction():
            sent += await notify(
                [r["person"] for r in people],
                kind="event.reminder",
                resource_type="event",
                resource_id=event["id"],
                data={"event_id": str(event["id"]), "starts_at": starts.isoformat()},
                title=_event_text("event.reminder", event["title"], starts),
                dedupe=f"event.reminder:{event['id']}:{starts.isoformat()}",
            )
    return sent


@register_job(REMINDER_JOB)
async def event_reminders(ctx: JobContext) -> int:
    return await send_reminders(ctx.db, ctx.settings.event_reminder_hours)


register_periodic(REMINDER_JOB, lambda settings: settings.event_reminder_interval)
