"""Feedback (群众评议): attendees rate (1–5) and comment after an event; ratings aggregate per event
and per organizing org, so the masses' evaluation of each organization can be published."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from core.events import problems
from core.events.permissions import EVENT_MANAGE
from core.events.schemas import Feedback as FeedbackOut
from core.events.schemas import FeedbackCreate, OrgRating, RatingSummary
from core.events.services import load_event, load_managed_event, utc, visible_sql
from core.events.signals import FEEDBACK_GIVEN, FeedbackSignal
from core.events.tables import CheckIn, EventOrganizer, Feedback
from core.identity import audit
from core.integration.signals import emit
from core.kernel.access import Principal, subtree_bounds
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, cursor_values, encode_cursor, paginate

FEEDBACK_COLUMNS = [
    Feedback.id,
    Feedback.event,
    Feedback.person,
    Feedback.rating,
    Feedback.comment,
    Feedback.created_at,
]


def to_feedback(row: dict[str, Any]) -> FeedbackOut:
    return FeedbackOut(
        id=row["id"],
        event_id=row["event"],
        person_id=row["person"],
        rating=row["rating"],
        comment=row["comment"],
        created_at=utc(row["created_at"]),
    )


async def give_feedback(principal: Principal, event_id: UUID, data: FeedbackCreate) -> dict[str, Any]:
    """Rate an event one attended (checked in), once it has ended; once per person."""
    event, _ = await load_event(principal, event_id)
    person = principal.person_id
    if person is None:
        raise Problem(problems.NO_PERSON)
    ended = event["status"] == "finished" or (
        event["status"] == "published" and utc(event["ends_at"]) <= datetime.now(UTC)
    )
    attended = await CheckIn.exists().where((CheckIn.event == event_id) & (CheckIn.person == person)).run()
    if not ended or not attended:
        raise Problem(problems.FEEDBACK_NOT_ALLOWED)
    feedback_id = uuid4()
    inserted = await Feedback.raw(
        "INSERT INTO core_feedback (id, event, person, rating, comment, created_at) "
        "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (event, person) DO NOTHING RETURNING id",
        feedback_id,
        event_id,
        person,
        data.rating,
        data.comment,
        datetime.now(UTC),
    ).run()
    if not inserted:
        raise Problem(problems.ALREADY_GAVE_FEEDBACK)
    row = await Feedback.select(*FEEDBACK_COLUMNS).where(Feedback.id == feedback_id).first().run()
    assert row is not None
    await audit.record(
        FEEDBACK_GIVEN.name,
        resource_type="feedback",
        resource_id=feedback_id,
        org_path=event["org_path"],
        changes={"event": event_id, "rating": data.rating, "comment": audit.CHANGED if data.comment else ""},
    )
    await emit(
        FEEDBACK_GIVEN,
        FeedbackSignal(event_id=event_id, feedback_id=feedback_id, rating=data.rating),
        resource_type="feedback",
        resource_id=feedback_id,
        org_path=event["org_path"],
    )
    return row


async def rating_summary(principal: Principal, event_id: UUID) -> RatingSummary:
    """Count, average and distribution of an event's ratings (for whoever may see the event)."""
    await load_event(principal, event_id)
    rows = await Feedback.raw(
        "SELECT rating, COUNT(*) AS n FROM core_feedback WHERE event = {} GROUP BY rating", event_id
    ).run()
    distribution = {str(r): 0 for r in range(1, 6)}
    for row in rows:
        distribution[str(row["rating"])] = int(row["n"])
    count = sum(distribution.values())
    total = sum(int(k) * v for k, v in distribution.items())
    return RatingSummary(
        event_id=event_id,
        count=count,
        average=round(total / count, 2) if count else None,
        distribution=distribution,
    )


async def list_feedback(
    principal: Principal, event_id: UUID, page: PageRequest
) -> tuple[list[dict[str, Any]], str | None]:
    """The comments themselves, for those who manage the event."""
    await load_managed_event(principal, event_id, EVENT_MANAGE)
    query = Feedback.select(*FEEDBACK_COLUMNS).where(Feedback.event == event_id)
    return await paginate(query, [Feedback.created_at, Feedback.id], page)


_RATINGS_SQL = (
    "SELECT o.org AS org, o.org_path AS org_path, COUNT(DISTINCT o.event) AS events, "
    "COUNT(f.id) AS n, AVG(f.rating) AS average "
    "FROM core_event_organizer o JOIN core_event e ON e.id = o.event "
    "LEFT JOIN core_feedback f ON f.event = o.event "
    "WHERE {where} AND o.org_path > {{}} AND e.status IN ('published', 'finished') "
    "AND e.id IN (SELECT id FROM core_event WHERE {visible}) "
    "GROUP BY o.org, o.org_path ORDER BY o.org_path LIMIT {{}}"
)
_SUBTREE = "o.org_path >= {} AND o.org_path < {}"
_ORG = "o.org_path = {} AND o.org_path <> {}"


async def org_ratings(
    principal: Principal, org_path: str, *, subtree: bool, page: PageRequest
) -> tuple[list[OrgRating], str | None]:
    """Ratings per organizing org within ``org_path`` (each org's events, jointly organized ones included),
    over the events the caller may see: public ones for everyone, members-only ones for their members,
    and all of them for cadres reaching an organizer — as the events list and each event's summary.

    One grouped query over organizers and feedback, keyset-paginated by org path.
    """
    low, high = subtree_bounds(org_path)
    after = cursor_values([EventOrganizer.org_path], page.after)[0] if page.after else ""
    args: list[Any] = [low, high, after]
    visible = await visible_sql(principal, args)
    args.append(page.limit + 1)
    sql = _RATINGS_SQL.format(where=_SUBTREE if subtree else _ORG, visible=visible)
    rows = await EventOrganizer.raw(sql, *args).run()
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    items = [
        OrgRating(
            org_id=r["org"] if isinstance(r["org"], UUID) else UUID(str(r["org"])),
            events=int(r["events"]),
            count=int(r["n"]),
            average=round(float(r["average"]), 2) if r["average"] is not None else None,
        )
        for r in rows
    ]
    return items, encode_cursor([rows[-1]["org_path"]]) if more and rows else None
