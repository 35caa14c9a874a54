"""The ids a member import draws in bulk are valid, distinct, time-ordered UUIDs."""

from __future__ import annotations

import time
import uuid

from core.orgs.imports import _RandomIds


def test_drawn_ids_are_distinct_version_7_uuids_that_grow_with_time() -> None:
    draw = _RandomIds()
    before = time.time_ns() // 1_000_000
    first = [draw() for _ in range(2500)]  # three draws of a thousand
    time.sleep(0.002)
    later = draw()  # still from the third draw
    fresh = _RandomIds()()
    after = time.time_ns() // 1_000_000
    ids = [*first, later, fresh]
    assert len(set(ids)) == len(ids)
    for value in ids:
        assert value.version == 7
        assert value.variant == uuid.RFC_4122
        assert uuid.UUID(str(value)) == value
        assert before <= value.int >> 80 <= after
    assert fresh.int >> 80 > first[0].int >> 80
