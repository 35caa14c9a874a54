"""The real principal: an account or API client with the reaches its grants give it.

This is the one place that decides who may do what (:func:`load_principal`): an account's own grants,
plus the grants carried by the posts its person holds today, or an API client's grants cut down to its
scopes. A grant without an org holds on the whole platform (``Reach("", subtree=True)``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from core.identity.tables import Account, ApiClient, Grant, Post, RefreshToken
from core.kernel.access import Reach


class AuthPrincipal:
    """Implements :class:`core.kernel.access.Principal` from loaded grants."""

    def __init__(
        self,
        kind: Literal["account", "client"],
        id: uuid.UUID,
        person_id: uuid.UUID | None,
        reaches: dict[str, list[Reach]],
        *,
        name: str = "",
    ) -> None:
        self.kind = kind
        self.id = id
        self.person_id = person_id
        self.name = name
        self.reaches = reaches

    def has_permission(self, code: str) -> bool:
        return bool(self.reaches.get(code))

    def reach(self, code: str) -> Sequence[Reach]:
        return list(self.reaches.get(code, ()))

    def __repr__(self) -> str:
        return f"<{self.kind} {self.id}>"


def _permissions_of(value: Any) -> list[str]:
    if isinstance(value, str):
        value = json.loads(value)
    return [str(code) for code in value or ()]


def reaches_from_grants(
    rows: Iterable[dict[str, Any]], allowed: set[str] | None = None
) -> dict[str, list[Reach]]:
    """``permission → reaches`` from rows of (permissions, org path, subtree), optionally limited to scopes."""
    out: dict[str, list[Reach]] = {}
    for row in rows:
        path = row["org.path"]
        reach = Reach(path="", subtree=True) if path is None and row["org"] is None else None
        if reach is None:
            if path is None:  # the org is gone
                continue
            reach = Reach(path=path, subtree=bool(row["subtree"]))
        for code in _permissions_of(row["role.permissions"]):
            if allowed is not None and code not in allowed:
                continue
            bucket = out.setdefault(code, [])
            if reach not in bucket:
                bucket.append(reach)
    return out


_GRANT_COLUMNS = (Grant.role.permissions, Grant.org, Grant.org.path, Grant.subtree)


def current_posts(person_id: uuid.UUID, today: date) -> Any:
    """Sub-select of the ids of the posts ``person_id`` holds on ``today``."""
    return Post.select(Post.id).where(
        (Post.person == person_id)
        & (Post.start_date <= today)
        & (Post.end_date.is_null() | (Post.end_date >= today))
    )


async def load_principal(
    kind: Literal["account", "client"],
    subject: uuid.UUID,
    version: int | None,
    *,
    timezone: str,
    today: date | None = None,
    session: uuid.UUID | None = None,
) -> AuthPrincipal | None:
    """The principal behind a verified access token, or None when it is disabled, gone or revoked.

    ``version`` is the token's ``token_version``; None loads the account whatever its sessions (for
    what an account owns rather than a token it holds, e.g. a webhook subscription's current reach).
    Posts count when they hold on ``today`` (default: the current date in ``timezone``). Requests get
    their principal through :class:`core.identity.authz_cache.AuthzCache`. ``session`` is the token's
    refresh family: once every token of it is revoked (a spent refresh token was reused), None.
    """
    if kind == "account":
        account = (
            await Account.select(
                Account.id, Account.person, Account.status, Account.token_version, Account.username
            )
            .where(Account.id == subject)
            .first()
            .run()
        )
        if account is None or account["status"] != "active":
            return None
        if version is not None and account["token_version"] != version:
            return None
        if session is not None:
            alive = (
                await RefreshToken.exists()
                .where((RefreshToken.family == session) & RefreshToken.revoked_at.is_null())
                .run()
            )
            if not alive:
                return None
        person_id = account["person"]
        where: Any = Grant.account == subject
        if person_id is not None:
            today = today or datetime.now(ZoneInfo(timezone)).date()
            where = where | Grant.post.is_in(current_posts(person_id, today))
        rows = await Grant.select(*_GRANT_COLUMNS).where(where).run()
        return AuthPrincipal(
            "account", subject, person_id, reaches_from_grants(rows), name=account["username"]
        )
    client = (
        await ApiClient.select(ApiClient.status, ApiClient.scopes, ApiClient.name)
        .where(ApiClient.id == subject)
        .first()
        .run()
    )
    if client is None or client["status"] != "active":
        return None
    rows = await Grant.select(*_GRANT_COLUMNS).where(Grant.client == subject).run()
    scopes = set(_permissions_of(client["scopes"]))
    return AuthPrincipal("client", subject, None, reaches_from_grants(rows, scopes), name=client["name"])
