"""``If-Match`` (RFC 9110 §13.1.1): the one check every update of a versioned resource makes.

A versioned resource answers reads with an ``ETag``; an update must send it back as ``If-Match`` (428
``precondition-required`` without one) and fails when the resource changed since (412, or the domain's
own problem naming the current version). ``*`` matches any current version; weak tags compare weakly.
"""

from __future__ import annotations

from typing import Any

from core.kernel.errors import Problem


def version_etag(version: int) -> str:
    """The ETag of a resource that counts its versions."""
    return f'"{version}"'


def matches(tag: str, if_match: str) -> bool:
    """Whether the ``If-Match`` header (one tag, a list, or ``*``) names ``tag``."""
    wanted = tag.removeprefix("W/")
    for candidate in if_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def check_if_match(
    tag: str,
    if_match: str | None,
    *,
    required: bool = True,
    changed: str = "precondition-failed",
    **args: Any,
) -> None:
    """Refuse the update unless ``If-Match`` names ``tag``: 428 without the header (when ``required``),
    else the problem ``changed`` (412 by default) with ``args``."""
    if if_match is None:
        if required:
            raise Problem("precondition-required")
        return
    if not matches(tag, if_match):
        raise Problem(changed, **args)
