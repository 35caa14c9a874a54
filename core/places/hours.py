"""Opening hours with dated exceptions: the periods a place is open on a day, and whether an interval
of a booking lies inside one of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.places import schemas as S


def _clock(value: str) -> time | None:
    """``"08:30"`` as a time; ``"24:00"`` (closing at midnight) as None, meaning the end of the day."""
    if value == "24:00":
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def periods_on(
    day: date, weekly: Iterable[Mapping[str, Any]], exceptions: Iterable[Mapping[str, Any]]
) -> S.DayHours:
    """The periods of ``day``: a dated exception wins over the weekly hours."""
    for exc in exceptions:
        if str(exc["date"]) == day.isoformat():
            if exc.get("closed", True) or not exc.get("opens") or not exc.get("closes"):
                return S.DayHours(date=day, closed=True, periods=[], note=exc.get("note", ""))
            return S.DayHours(
                date=day, closed=False, periods=[[exc["opens"], exc["closes"]]], note=exc.get("note", "")
            )
    periods = sorted(
        [h["opens"], h["closes"]]
        for h in weekly
        if day.isoweekday() in h["days"] and h["opens"] < h["closes"]
    )
    return S.DayHours(date=day, closed=not periods, periods=periods)


def within_hours(
    starts: datetime,
    ends: datetime,
    tz: ZoneInfo,
    weekly: list[Mapping[str, Any]],
    exceptions: list[Mapping[str, Any]],
) -> bool:
    """Whether ``[starts, ends)`` lies inside one open period of its local day (always, without hours)."""
    if not weekly and not exceptions:
        return True
    local_start, local_end = starts.astimezone(tz), ends.astimezone(tz)
    day = local_start.date()
    if local_end.date() != day and not (
        local_end.date() == day + timedelta(days=1) and local_end.time() == time(0)
    ):
        return False
    for opens, closes in periods_on(day, weekly, exceptions).periods:
        start_bound = datetime.combine(day, _clock(opens) or time(0), tz)
        closing = _clock(closes)
        end_bound = (
            datetime.combine(day + timedelta(days=1), time(0), tz)
            if closing is None
            else datetime.combine(day, closing, tz)
        )
        if start_bound <= local_start and local_end <= end_bound:
            return True
    return False


def schedule(
    first: date, days: int, weekly: list[Mapping[str, Any]], exceptions: list[Mapping[str, Any]]
) -> list[S.DayHours]:
    return [periods_on(first + timedelta(days=i), weekly, exceptions) for i in range(days)]
