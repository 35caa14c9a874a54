"""Fixtures for self-service: orgs, an imported person record, real accounts and the code outbox."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import pytest
from litestar import Litestar

from core.identity.runtime import identity_of
from core.identity.tables import Person
from core.selfservice import codes
from tests.conftest import ApiClient, open_client
from tests.identity_helpers import bearer, make_account, make_org

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(born: date | None = None) -> str:
    """A random resident ID number with a valid GB 11643 check digit."""
    born = born or date(1990, 1, 1) + timedelta(days=random.randrange(8000))
    body = f"110105{born:%Y%m%d}{random.randrange(1000):03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


@pytest.fixture
def sent() -> Any:
    """Codes sent through :func:`core.selfservice.codes.send_code` during the test: (phone, code, purpose)."""
    outbox: list[tuple[str, str, str]] = []

    async def capture(phone: str, code: str, purpose: str) -> None:
        outbox.append((phone, code, purpose))

    previous = codes.set_code_sender(capture)
    yield outbox
    codes.set_code_sender(previous)


@pytest.fixture
async def api(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    async for client in open_client(make_app()):
        yield client


async def make_record(
    api: ApiClient, *, name: str, number: str, phone: str | None, home_org: dict[str, Any]
) -> uuid.UUID:
    """A person record as a cadre imports it (ID number and phone encrypted, blind-indexed)."""
    vault = identity_of(api.app.state).vault
    person_id = uuid.uuid4()
    await Person.insert(
        Person(
            id=person_id,
            name=name,
            home_org=home_org["id"],
            id_number_enc=vault.encrypt("id_number", number),
            id_number_index=vault.blind_index("id_number", number),
            phone_enc=vault.encrypt("phone", phone) if phone else None,
            phone_index=vault.blind_index("phone", phone) if phone else None,
        )
    ).run()
    return person_id


async def person_login(api: ApiClient, **kwargs: Any) -> dict[str, str]:
    """A self-signed-up person: an account with a person of its own and no grant at all."""
    username, password = await make_account(api.app.state.db, **kwargs)
    return await bearer(api, username, password)


async def cadre_login(api: ApiClient, org: dict[str, Any], *codes_: str) -> dict[str, str]:
    username, password = await make_account(api.app.state.db, grants=[(org["id"], list(codes_), True)])
    return await bearer(api, username, password)


__all__ = ["bearer", "cadre_login", "id_number", "make_org", "make_record", "person_login"]
