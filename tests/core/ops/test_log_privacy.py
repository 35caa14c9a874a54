"""No personal data in logs: a whole flow with names, phones and ID numbers, every log line scanned.

Logging is configured as in production (JSON lines through structlog, the standard library's loggers
included) but at DEBUG, the most talkative level, so that whatever any logger writes is seen. The flow
creates persons, logs in by phone (wrongly, then rightly), registers for an event, and provokes
validation errors carrying personal data in bodies and query strings.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar import Litestar

from core.events.permissions import EVENT_MANAGE, EVENT_READ, REGISTRATION_MANAGE
from core.kernel.observability import configure_logging
from tests.core.events.conftest import event_body
from tests.core.integration.support import running
from tests.identity_helpers import bearer, make_account, make_org

NAME = "欧阳翠花"
PHONE = "13912345678"
ID_NUMBER = "11010119900307125X"  # valid GB 11643 check digit
BAD_ID_NUMBER = "110101199003071234"  # wrong check digit: refused, and not logged either
ADDRESS = "朝阳区幸福路八十八号"
EMPLOYER = "红星机械厂"
PASSWORD = "correct horse battery"
PERSONAL = (NAME, PHONE, ID_NUMBER, BAD_ID_NUMBER, ADDRESS, EMPLOYER, PASSWORD, "139 1234 5678")
PERMISSIONS = [
    "core.person.read",
    "core.person.write",
    "core.person.personal_data",
    "core.account.manage",
    EVENT_READ,
    EVENT_MANAGE,
    REGISTRATION_MANAGE,
]


@contextlib.contextmanager
def json_logs(settings: Any) -> Iterator[None]:
    """Production logging (JSON, to the current stderr) for a while; the previous configuration after."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging(settings)
    try:
        yield
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


async def test_a_flow_with_personal_data_leaves_none_in_the_logs(
    make_app: Callable[..., Litestar],
    make_settings: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(log_format="json", log_level="debug")
    app = make_app(plugins={}, settings_=settings)
    with json_logs(settings):
        await _flow(app)
    written = capsys.readouterr()
    lines = [ln for ln in (written.err + written.out).splitlines() if ln.strip()]
    requests = [json.loads(ln) for ln in lines if ln.startswith("{") and '"event": "request"' in ln]
    assert len(requests) >= 15  # the log was captured: one line per request
    leaks = [(value, line) for line in lines for value in PERSONAL if value in line]
    assert leaks == []


async def _flow(app: Litestar) -> None:
    """Persons with personal data, logins by phone, a registration, and errors carrying personal data."""
    async with running(app) as client:
        org = await make_org(name="街道总工会")
        admin = await bearer(
            client, *await make_account(client.app.state.db, grants=[(org["path"], PERMISSIONS, True)])
        )
        person = await client.post(
            "/api/v1/persons",
            json={
                "name": NAME,
                "home_org": str(org["id"]),
                "phone": PHONE,
                "id_number": ID_NUMBER,
                "address": ADDRESS,
                "employer": EMPLOYER,
            },
            headers=admin,
        )
        assert person.status_code == 201, person.text
        person_id = person.json()["id"]
        refused = await client.post(
            "/api/v1/persons",
            json={
                "name": NAME,
                "home_org": str(org["id"]),
                "id_number": BAD_ID_NUMBER,
                "phone": "139 1234 5678",
            },
            headers=admin,
        )
        assert refused.status_code == 422
        duplicate = await client.post(
            "/api/v1/persons",
            json={"name": NAME, "home_org": str(org["id"]), "id_number": ID_NUMBER},
            headers=admin,
        )
        assert duplicate.status_code in (201, 409)
        # Lookups with personal data in the query string, and a malformed one.
        assert (await client.get(f"/api/v1/persons?phone={PHONE}", headers=admin)).status_code in (200, 422)
        assert (await client.get(f"/api/v1/persons?id_number={ID_NUMBER}", headers=admin)).status_code in (
            200,
            422,
        )
        assert (await client.get(f"/api/v1/persons?q={NAME}", headers=admin)).status_code in (200, 422)
        assert (await client.get(f"/api/v1/persons/{NAME}", headers=admin)).status_code in (400, 404, 422)

        account = await client.post(
            "/api/v1/accounts",
            json={"username": "cuihua", "password": PASSWORD, "person": person_id},
            headers=admin,
        )
        assert account.status_code == 201, account.text
        for username, password, status in ((PHONE, "wrong password!", 401), (PHONE, PASSWORD, 200)):
            login = await client.post(
                "/api/v1/auth/token",
                json={"grant_type": "password", "username": username, "password": password},
            )
            assert login.status_code == status, login.text
        me = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert (await client.get("/api/v1/me", headers=me)).status_code == 200

        created = await client.post("/api/v1/events", json=event_body(org), headers=admin)
        assert created.status_code == 201, created.text
        event_id = created.json()["id"]
        assert (await client.post(f"/api/v1/events/{event_id}/publish", headers=admin)).status_code == 200
        registered = await client.post(f"/api/v1/events/{event_id}/registrations", headers=me)
        assert registered.status_code == 201, registered.text
        again = await client.post(
            f"/api/v1/events/{event_id}/registrations", json={"person_id": person_id}, headers=admin
        )
        assert again.status_code == 409
        assert (
            await client.get(f"/api/v1/events/{event_id}/registrations", headers=admin)
        ).status_code == 200
        shown = await client.get(f"/api/v1/persons/{person_id}", headers=admin)
        assert shown.status_code == 200 and NAME in shown.text  # the data flowed; the logs must not have it
