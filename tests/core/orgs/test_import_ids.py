"""The ids a member import draws in bulk are valid, distinct, random (version 4) UUIDs — like every id of
the platform, they say nothing of when their record was made."""

from __future__ import annotations

import uuid

from core.orgs.imports import _RandomIds


def test_drawn_ids_are_distinct_version_4_uuids() -> None:
    draw = _RandomIds()
    ids = [draw() for _ in range(2500)]  # three draws of a thousand
    ids.append(_RandomIds()())
    assert len(set(ids)) == len(ids)
    for value in ids:
        assert value.version == 4
        assert value.variant == uuid.RFC_4122
        assert uuid.UUID(str(value)) == value
    # No shared prefix: the leading 48 bits (a v7 id's timestamp) differ between neighbours.
    assert len({value.int >> 80 for value in ids}) == len(ids)
