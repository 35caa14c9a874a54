"""团员编号: one platform-wide sequence per year, taken inside the admission's transaction."""

from __future__ import annotations

from plugins.youth.tables import YouthCounter


async def issue_member_number(year: int) -> str:
    """The next 团员编号 of ``year`` (``Y2026000001``): the counter row is updated in the caller's
    transaction, so two admissions never get the same number and a rolled-back one gives its back."""
    key = f"member:{year}"
    await YouthCounter.insert(YouthCounter(id=key, value=0)).on_conflict(action="DO NOTHING").run()
    rows = (
        await YouthCounter.update({YouthCounter.value: YouthCounter.value + 1})
        .where(YouthCounter.id == key)
        .returning(YouthCounter.value)
        .run()
    )
    return f"Y{year}{rows[0]['value']:06d}"


async def reserve_member_numbers(year: int, count: int) -> list[str]:
    """``count`` consecutive 团员编号 of ``year`` taken at once (the demo seed and bulk entry), in the
    caller's transaction like :func:`issue_member_number`."""
    if count <= 0:
        return []
    key = f"member:{year}"
    await YouthCounter.insert(YouthCounter(id=key, value=0)).on_conflict(action="DO NOTHING").run()
    rows = (
        await YouthCounter.update({YouthCounter.value: YouthCounter.value + count})
        .where(YouthCounter.id == key)
        .returning(YouthCounter.value)
        .run()
    )
    last = rows[0]["value"]
    return [f"Y{year}{value:06d}" for value in range(last - count + 1, last + 1)]
