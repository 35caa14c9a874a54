"""Owner kinds: who may see, attach to and delete the files of an owner (a process, a notice, a place…).

The files package knows nothing about processes or places. Each domain that attaches files registers an
owner kind through the ``quntuan_file_owners`` hook; its ``authorize`` callback answers, for a principal,
one owner id and the :class:`OwnerContext`, an :class:`OwnerAccess` — or ``None`` when the owner does not
exist or lies outside the principal's reach, which the API answers with 404 so that existence does not
leak.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from uuid import UUID

import msgspec

from core.kernel.access import Principal
from core.kernel.errors import Problem
from core.kernel.i18n import Text

#: ``process`` for the core's own kinds, ``<slug>.<name>`` for a plugin's.
OWNER_KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")


class OwnerAccess(msgspec.Struct, frozen=True, kw_only=True):
    """What a principal may do with the files of one owner it may see.

    ``org_path`` places the owner in the tree (audit entries and signals of its files carry it).
    ``subject`` is the person the owner concerns (the applicant of a process): the files count as that
    person's personal data, exported and erased with it. Owners that concern nobody in particular (a
    notice, a place) leave it unset: their files are the organization's records, and an uploader's
    erasure only clears the link to them. Reading is implied: a principal that may not
    see the owner gets ``None``, not an ``OwnerAccess``.
    """

    org_path: str | None = None
    may_attach: bool = False
    may_delete: bool = False
    subject: UUID | None = None


class OwnerContext(msgspec.Struct, frozen=True, kw_only=True):
    """What an ``authorize`` callback may consult besides the principal: the platform's declarations
    (``registry.process_types``, ``registry.place_kinds``, … — who may handle what is declared there)."""

    registry: Any


#: ``authorize(principal, owner_id, context)``: plain or ``async``; returns ``None`` when the owner is
#: absent or outside the principal's reach.
Authorize = Callable[[Principal, UUID, OwnerContext], "OwnerAccess | Awaitable[OwnerAccess | None] | None"]


class FileOwnerKind(msgspec.Struct, frozen=True, kw_only=True):
    """A kind of owner files may be attached to, declared by the core or a plugin.

    ``max_size`` (bytes) and ``allowed_types`` (MIME types) narrow the platform-wide limits
    (``QUNTUAN_FILES_MAX_SIZE``, ``QUNTUAN_FILES_ALLOWED_TYPES``) for this kind; they never widen them.
    """

    code: str
    name: Text
    authorize: Any  #: an :data:`Authorize` callback
    max_size: int | None = None
    allowed_types: tuple[str, ...] | None = None


def check_owner_kinds(plugin: str, kinds: list[FileOwnerKind], taken: Mapping[str, FileOwnerKind]) -> None:
    """Reject malformed or clashing declarations at start-up (a plugin's codes start with its slug)."""
    seen: set[str] = set()
    for kind in kinds:
        if not isinstance(kind, FileOwnerKind):
            raise ValueError("quntuan_file_owners must return FileOwnerKind values")
        if not OWNER_KIND_RE.match(kind.code) or len(kind.code) > 64:
            raise ValueError(f"file owner kind {kind.code!r} is not a valid code")
        if plugin != "core" and not kind.code.startswith(f"{plugin}."):
            raise ValueError(f"file owner kind {kind.code!r} must start with {plugin}.")
        if kind.code in taken or kind.code in seen:
            raise ValueError(f"file owner kind {kind.code!r} is declared twice")
        seen.add(kind.code)
        if not callable(kind.authorize):
            raise ValueError(f"file owner kind {kind.code!r} needs an authorize callback")


async def owner_access(
    registry: Any, principal: Principal, kind: str, owner_id: UUID
) -> tuple[FileOwnerKind, OwnerAccess]:
    """The owner kind and the principal's access to one owner; 404 for an unknown kind or a hidden owner."""
    declared = registry.file_owners.get(kind)
    if declared is None:
        raise Problem("not-found")
    result = declared.authorize(principal, owner_id, OwnerContext(registry=registry))
    if inspect.isawaitable(result):
        result = await result
    if result is None:
        raise Problem("not-found")
    if not isinstance(result, OwnerAccess):
        raise TypeError(f"authorize of {kind!r} must return an OwnerAccess or None")
    return declared, result
