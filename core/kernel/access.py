"""Who may see what: reaches on the organization tree, and the SQL that filters by them.

A grant gives a role on an org, for that org only or for its whole subtree. For a permission, a
principal's *reach* is the list of those org paths. Every list query is filtered in SQL by
:func:`reach_clause` (never fetched and filtered in Python), and a single resource outside the reach
answers 404 (:func:`require_within`), so existence does not leak.

Org paths are concatenations of fixed-width segments of ``[0-9a-z]`` (see :mod:`core.orgs.paths`), so
a subtree is one range ``path >= p AND path < p || '~'`` — an indexed range scan on SQLite and on
PostgreSQL (where the column uses the "C" collation).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Literal, Protocol, runtime_checkable
from uuid import UUID

import msgspec
from piccolo.columns import Column

#: Sorts after every character a path may contain: ``[p, p + SUBTREE_END)`` is p's subtree.
SUBTREE_END = "~"


class Reach(msgspec.Struct, frozen=True):
    """Where a permission holds: the org at ``path``, and with ``subtree`` everything under it."""

    path: str
    subtree: bool = True

    def covers(self, path: str) -> bool:
        return path == self.path or (self.subtree and path.startswith(self.path))


@runtime_checkable
class Principal(Protocol):
    """Who is calling: an account or an API client, with the reaches of its grants."""

    kind: Literal["account", "client"]
    id: UUID
    #: The person an account belongs to (None for API clients and accounts without a person).
    person_id: UUID | None

    def has_permission(self, code: str) -> bool:
        """Whether the permission holds anywhere (the route-level check)."""
        ...

    def reach(self, code: str) -> Sequence[Reach]:
        """The org paths where the permission holds (the row-level check)."""
        ...


class Authenticates(Protocol):
    """What turns a request's bearer token into its principal (identity's authenticator, in ``app.state.authn``)."""

    async def principal(self, token: str | None) -> Principal | None:
        """The principal of the token; None without one or for a bad one."""
        ...


def bearer_token(scope: Any) -> str | None:
    """The bearer token of an ASGI scope's ``Authorization`` header, or None."""
    for key, value in scope.get("headers", ()):
        if key == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


def subtree_bounds(path: str) -> tuple[str, str]:
    return path, path + SUBTREE_END


def _reach_parts(reaches: Sequence[Reach]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The subtree paths and the single-org paths of ``reaches``, without what another subtree covers."""
    return _parts_of(tuple(reaches))


@functools.lru_cache(maxsize=4096)
def _parts_of(reaches: tuple[Reach, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Memoised: a principal's reaches are the same on each of its requests (and reaches are frozen).
    subtrees = sorted(r.path for r in reaches if r.subtree)
    kept: list[str] = []
    for path in subtrees:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    exact = sorted({r.path for r in reaches if not r.subtree and not any(r.path.startswith(k) for k in kept)})
    return tuple(kept), tuple(exact)


def reach_clause(path_column: Column, reaches: Sequence[Reach]) -> Any | None:
    """A Piccolo where-clause selecting rows whose org path lies within ``reaches``.

    Returns None when the reach is empty: the caller must then return nothing (not everything).
    Reaches nested inside another subtree reach are dropped, keeping the clause short.
    """
    kept, exact = _reach_parts(reaches)
    clause: Any = None
    for path in kept:
        low, high = subtree_bounds(path)
        part = (path_column >= low) & (path_column < high)
        clause = part if clause is None else clause | part
    if exact:
        part = path_column.is_in(list(exact))
        clause = part if clause is None else clause | part
    return clause


def reach_sql(path_column: str, reaches: Sequence[Reach], args: list[Any]) -> str | None:
    """:func:`reach_clause` as SQL text with ``{}`` placeholders (values appended to ``args``).

    For hot paths that run raw parameterised SQL (``Table.raw``) rather than build a Piccolo query.
    """
    kept, exact = _reach_parts(reaches)
    parts: list[str] = []
    for path in kept:
        args.extend(subtree_bounds(path))
        parts.append(f"({path_column} >= {{}} AND {path_column} < {{}})")
    if exact:
        args.extend(exact)
        parts.append(f"{path_column} IN ({', '.join('{}' for _ in exact)})")
    return " OR ".join(parts) if parts else None


def within(path: str, reaches: Sequence[Reach]) -> bool:
    """Whether an org path is inside the reach (for checks on one loaded resource)."""
    return any(r.covers(path) for r in reaches)
