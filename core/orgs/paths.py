"""Materialized paths of the org tree.

A path is the concatenation of one fixed-width segment per ancestor (root first) and the org's own.
Segments are random ``[0-9a-z]`` strings of :data:`SEGMENT_WIDTH`; uniqueness of the full path is
enforced by the database (a collision among siblings is retried by the writer).
"""

from __future__ import annotations

import secrets
import string

SEGMENT_WIDTH = 6
ALPHABET = string.digits + string.ascii_lowercase
#: Enough for national → province → city → county → township → village → unit → group, and more.
MAX_DEPTH = 20
PATH_LENGTH = SEGMENT_WIDTH * MAX_DEPTH


def new_segment() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SEGMENT_WIDTH))


def depth_of(path: str) -> int:
    """1 for a root, 2 for its children, …"""
    return len(path) // SEGMENT_WIDTH


def parent_path(path: str) -> str | None:
    return path[:-SEGMENT_WIDTH] or None


def ancestor_paths(path: str) -> list[str]:
    """Every ancestor's path, root first, including ``path`` itself."""
    return [path[:i] for i in range(SEGMENT_WIDTH, len(path) + 1, SEGMENT_WIDTH)]
