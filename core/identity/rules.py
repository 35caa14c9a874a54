"""The checks shared by the administration routes: platform-wide holds, no escalation by granting, and no
action on someone holding more than the caller (:func:`require_outranks`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from core.kernel.access import Principal, Reach
from core.kernel.errors import Problem

PLATFORM = Reach(path="", subtree=True)


def holds_everywhere(principal: Principal, code: str) -> bool:
    return PLATFORM in principal.reach(code)


def require_platform(principal: Principal, code: str) -> None:
    """403 unless ``code`` holds on the whole platform (for global things: roles, API clients)."""
    if not holds_everywhere(principal, code):
        raise Problem("forbidden")


def covers(principal: Principal, code: str, path: str, subtree: bool) -> bool:
    """Whether ``code`` holds on ``path`` — and, when ``subtree``, on everything below it."""
    return any(r.covers(path) and (r.subtree or not subtree) for r in principal.reach(code))


def require_no_escalation(principal: Principal, permissions: Iterable[str], path: str, subtree: bool) -> None:
    """A caller may only give away what it holds itself, where it holds it (403 otherwise)."""
    if not all(covers(principal, code, path, subtree) for code in permissions):
        raise Problem("forbidden")


def holds_all(principal: Principal, authority: Mapping[str, Sequence[Reach]]) -> bool:
    """Whether ``principal`` holds every permission of ``authority`` wherever, and as broadly as, it holds.

    ``authority`` is another principal's (or a person's) ``permission → reaches``: the test of "nobody acts
    on someone above them". A platform-wide reach is covered only by a platform-wide one.
    """
    return all(
        covers(principal, code, r.path, r.subtree) for code, reaches in authority.items() for r in reaches
    )


def require_outranks(principal: Principal, authority: Mapping[str, Sequence[Reach]]) -> None:
    """403 unless the caller holds everything ``authority`` holds (see :func:`holds_all`)."""
    if not holds_all(principal, authority):
        raise Problem("forbidden")
