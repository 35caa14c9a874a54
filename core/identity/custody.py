"""Two levels of reach over a person: *visible*, and *custody* (档案保管) of their file.

* **Visible** (:func:`core.identity.persons.visible`): the person's home org, an org they are an active
  member of, or the org of a post they hold is within reach. The cadre may read them, see their data
  unmasked with ``core.person.personal_data``, and edit their own fields.
* **Custody**: the person's *home org* — the org that keeps their file — is within reach. Acting on the
  person's standing rather than their record needs custody: giving them a login, disabling or enabling
  their account, exporting (PIPL Art. 45) and erasing them (Art. 47). And it needs that the actor holds
  every permission the target holds, where and as broadly as the target holds it (:func:`authority_of_person`,
  :func:`~core.identity.rules.require_outranks`): nobody disables, erases or gives a login to someone
  above them, and the platform administrator answers only to another platform administrator.

A membership makes a person visible, never in custody: who can add a member cannot thereby take over
the person (see :mod:`core.members.links` for how a person outside reach becomes visible at all).
API clients have no file: a client is in a cadre's custody when every grant it has lies within the
cadre's reach (:func:`client_in_custody`), and acting on it needs the same superset of authority.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from core.identity.principal import reaches_from_grants
from core.identity.rules import PLATFORM, covers
from core.identity.tables import Account, ApiClient, Grant, Person, Post
from core.kernel.access import Principal, Reach, within
from core.kernel.errors import Problem

Authority = dict[str, list[Reach]]
_GRANT_COLUMNS = (Grant.role.permissions, Grant.org, Grant.org.path, Grant.subtree)


def in_custody(principal: Principal, permission: str, home_path: str | None) -> bool:
    """Whether ``permission`` reaches the org keeping the person's file (a person without one: only the
    platform-wide holders)."""
    reaches = principal.reach(permission)
    if PLATFORM in reaches:
        return True
    return home_path is not None and within(home_path, reaches)


def require_custody(principal: Principal, permission: str, home_path: str | None) -> None:
    """403 when the person is visible to the caller but their file is kept outside the caller's reach."""
    if not in_custody(principal, permission, home_path):
        raise Problem("forbidden")


def _open_posts(person_id: uuid.UUID, today: date) -> Any:
    """The posts the person holds or is appointed to (not ended by ``today``): their grants are theirs."""
    return Post.select(Post.id).where(
        (Post.person == person_id) & (Post.end_date.is_null() | (Post.end_date >= today))
    )


async def authority_of_person(person_id: uuid.UUID, today: date) -> Authority:
    """Everything the person may do or will be able to do: the grants of their account and of the posts
    they hold or are appointed to. What an actor must hold to give them a login or erase them."""
    account = await Account.select(Account.id).where(Account.person == person_id).first().run()
    where: Any = Grant.post.is_in(_open_posts(person_id, today))
    if account is not None:
        where = where | (Grant.account == account["id"])
    return reaches_from_grants(await Grant.select(*_GRANT_COLUMNS).where(where).run())


async def authority_of_account(account_id: uuid.UUID, person_id: uuid.UUID | None, today: date) -> Authority:
    """The account's own grants and those of its person's posts (current or to come)."""
    where: Any = Grant.account == account_id
    if person_id is not None:
        where = where | Grant.post.is_in(_open_posts(person_id, today))
    return reaches_from_grants(await Grant.select(*_GRANT_COLUMNS).where(where).run())


async def authority_of_client(client_id: uuid.UUID) -> Authority:
    """An API client's grants, cut down to its scopes (what it can actually do)."""
    client = await ApiClient.select(ApiClient.scopes).where(ApiClient.id == client_id).first().run()
    if client is None:
        return {}
    scopes = client["scopes"]
    if isinstance(scopes, str):
        scopes = json.loads(scopes)
    rows = await Grant.select(*_GRANT_COLUMNS).where(Grant.client == client_id).run()
    return reaches_from_grants(rows, {str(s) for s in scopes or ()})


async def client_in_custody(principal: Principal, permission: str, client_id: uuid.UUID) -> bool:
    """Whether the client exists and every grant it holds lies within ``permission``'s reach (a client
    without grants: only platform-wide holders). Clients have no home org; their grants place them."""
    if not await ApiClient.exists().where(ApiClient.id == client_id).run():
        return False
    if PLATFORM in principal.reach(permission):
        return True
    rows = await Grant.select(Grant.org, Grant.org.path, Grant.subtree).where(Grant.client == client_id).run()
    if not rows:
        return False
    for row in rows:
        if row["org"] is None or row["org.path"] is None:
            return False
        if not covers(principal, permission, row["org.path"], bool(row["subtree"])):
            return False
    return True


async def home_path_of(person_id: uuid.UUID | None) -> str | None:
    if person_id is None:
        return None
    row = await Person.select(Person.home_org.path).where(Person.id == person_id).first().run()
    return row["home_org.path"] if row else None
