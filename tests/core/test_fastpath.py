"""Fast routes (core/kernel/fastpath.py) answer exactly as their handlers would, and decline everything unusual.

Two apps on one database: the normal one, and one built without fast routes. Every request goes to
both; status, headers (but the request id) and body must be the same, and the fast route's counter
says whether its twin answered or declined — so the comparison is known to cover both ways.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.handlers import get
from prometheus_client import REGISTRY

from core.kernel import fastpath
from core.kernel.guards import require_authenticated, require_permission
from core.orgs.contact import seal
from core.orgs.tables import Org
from tests.conftest import ApiClient, open_client
from tests.identity_helpers import bearer, make_account, make_org

READ_ORG, READ_PERSON, PD = "core.org.read", "core.person.read", "core.person.personal_data"
ID, PHONE = "11010119900307125X", "13800138000"
ORG_ROUTE, ORGS_ROUTE, PERSON_ROUTE = (
    "/api/v1/orgs/{org_id}",
    "/api/v1/orgs",
    "/api/v1/persons/{person_id}",
)


@pytest.fixture
async def apps(
    make_app: Callable[..., Litestar], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[ApiClient, ApiClient]]:
    fast = make_app(plugins={})
    with monkeypatch.context() as patch:
        patch.setattr("core.kernel.app.fast_routes", lambda app, inner: inner)
        slow = make_app(plugins={})
    # The fast app starts last, so the tables are bound to its database (the one the test writes through).
    async for slow_client in open_client(slow):
        async for fast_client in open_client(fast):
            yield fast_client, slow_client


def _count(route: str, outcome: str) -> float:
    return (
        REGISTRY.get_sample_value("quntuan_fast_route_requests_total", {"route": route, "outcome": outcome})
        or 0.0
    )


def _comparable(response: Any) -> tuple[int, dict[str, str], Any]:
    headers = {k: v for k, v in response.headers.items() if k not in ("x-request-id", "content-length")}
    body = response.json()
    if isinstance(body, dict):
        body.pop("request_id", None)
    return response.status_code, headers, body


async def _same(
    apps: tuple[ApiClient, ApiClient], url: str, route: str, outcome: str, headers: dict[str, str]
) -> Any:
    fast, slow = apps
    before = _count(route, outcome)
    ours = await fast.get(url, headers=headers)
    after = _count(route, outcome)
    theirs = await slow.get(url, headers=headers)
    assert _comparable(ours) == _comparable(theirs), url
    assert int(ours.headers["content-length"]) == len(ours.content)
    assert ours.headers["x-request-id"]
    assert after == before + 1, f"{url}: expected the twin to have {outcome}"
    return ours


async def test_fast_routes_answer_as_their_handlers(apps: tuple[ApiClient, ApiClient]) -> None:
    fast, _ = apps
    db = fast.app.state.db
    root = await make_org(name="市总工会")
    district = await make_org(root, name="甲区")
    for name in ("一街道", "二街道", "三街道"):
        await make_org(district, name=name, level="township")
    elsewhere = await make_org(root, name="乙区")
    # An org with a contact phone: masked for the reader, in full for the one with personal data.
    secretary = await make_org(district, name="四街道", level="township")
    await Org.update(seal(fast.app.state.identity.vault, PHONE)).where(Org.id == secretary["id"]).run()
    reader = await bearer(
        fast, *await make_account(db, grants=[(district["path"], [READ_ORG, READ_PERSON], True)])
    )
    seer = await bearer(
        fast, *await make_account(db, grants=[(district["path"], [READ_ORG, READ_PERSON, PD], True)])
    )
    no_person = await bearer(fast, *await make_account(db, grants=[(district["path"], [READ_ORG], True)]))
    writer = await bearer(
        fast,
        *await make_account(db, grants=[(district["path"], ["core.person.write", READ_PERSON, PD], True)]),
    )
    created = await fast.post(
        "/api/v1/persons",
        json={"name": "李四", "home_org": str(district["id"]), "id_number": ID, "phone": PHONE},
        headers=writer,
    )
    assert created.status_code == 201, created.text
    person = created.json()["id"]

    answered = [
        (f"/api/v1/orgs/{district['id']}", ORG_ROUTE, reader),
        (f"/api/v1/orgs?org={district['id']}&scope=children", ORGS_ROUTE, reader),
        (f"/api/v1/orgs?org={district['id']}&scope=subtree&limit=2", ORGS_ROUTE, reader),
        (f"/api/v1/orgs?org={district['id']}&scope=self", ORGS_ROUTE, reader),
        ("/api/v1/orgs", ORGS_ROUTE, reader),
        (f"/api/v1/persons/{person}", PERSON_ROUTE, reader),
        (f"/api/v1/persons/{person}", PERSON_ROUTE, seer),
        (f"/api/v1/orgs/{secretary['id']}", ORG_ROUTE, reader),
        (f"/api/v1/orgs/{secretary['id']}", ORG_ROUTE, seer),
        (f"/api/v1/orgs?org={district['id']}&scope=children", ORGS_ROUTE, seer),
        ("/api/v1/orgs", ORGS_ROUTE, seer),
    ]
    for url, route, headers in answered:
        await _same(apps, url, route, "answered", headers)

    masked = (await fast.get(f"/api/v1/persons/{person}", headers=reader)).json()
    assert masked["id_number"] == "110101********125X" and masked["phone"] == "138****8000"
    assert (await fast.get(f"/api/v1/persons/{person}", headers=seer)).json()["id_number"] == ID
    org_url = f"/api/v1/orgs/{secretary['id']}"
    assert (await fast.get(org_url, headers=reader)).json()["contact_phone"] == "138****8000"
    assert (await fast.get(org_url, headers=seer)).json()["contact_phone"] == PHONE
    page = (
        await fast.get(f"/api/v1/orgs?org={district['id']}&scope=children&limit=2", headers=reader)
    ).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    await _same(
        apps,
        f"/api/v1/orgs?org={district['id']}&scope=children&limit=2&cursor={page['next_cursor']}",
        ORGS_ROUTE,
        "answered",
        reader,
    )

    declined = [
        (f"/api/v1/orgs/{elsewhere['id']}", ORG_ROUTE, reader),  # out of reach: 404
        (f"/api/v1/orgs/{elsewhere['id']}", ORG_ROUTE, {**reader, "Accept-Language": "en"}),
        ("/api/v1/orgs/00000000-0000-4000-8000-000000000000", ORG_ROUTE, reader),
        (f"/api/v1/orgs/{district['id']}", ORG_ROUTE, {}),  # 401
        (f"/api/v1/orgs/{district['id']}", ORG_ROUTE, {"Authorization": "Bearer forged"}),
        (f"/api/v1/persons/{person}", PERSON_ROUTE, no_person),  # 403
        (f"/api/v1/orgs/{district['id']}?extra=1", ORG_ROUTE, reader),  # unknown parameter: the handler's 200
        (f"/api/v1/orgs?org={district['id']}&scope=everything", ORGS_ROUTE, reader),  # 422
        (f"/api/v1/orgs?org={district['id']}&limit=0", ORGS_ROUTE, reader),
        (f"/api/v1/orgs?org={district['id']}&limit=101", ORGS_ROUTE, reader),
        (f"/api/v1/orgs?org={district['id']}&limit=two", ORGS_ROUTE, reader),
        (f"/api/v1/orgs?org={district['id']}&limit=020", ORGS_ROUTE, reader),
        (f"/api/v1/orgs?org={district['id']}&org={elsewhere['id']}", ORGS_ROUTE, reader),  # repeated
        (f"/api/v1/orgs?org={elsewhere['id']}&scope=children", ORGS_ROUTE, reader),  # anchor out of reach
        ("/api/v1/orgs?org=not-a-uuid", ORGS_ROUTE, reader),
        (f"/api/v1/orgs?org={district['id'].hex}", ORGS_ROUTE, reader),  # not the canonical form
        ("/api/v1/orgs?cursor=bm90LWEtY3Vyc29y", ORGS_ROUTE, reader),  # 400 invalid cursor
        ("/api/v1/orgs?q=%E5%B7%A5%E4%BC%9A", ORGS_ROUTE, reader),  # search: the handler's own
        ("/api/v1/orgs?q=a%00b", ORGS_ROUTE, reader),  # U+0000: 422
        ("/api/v1/orgs?scope=", ORGS_ROUTE, reader),
    ]
    for url, route, headers in declined:
        await _same(apps, url, route, "declined", headers)

    # A Host header outside RFC 3986's characters is never the twin's: Litestar refuses it alike.
    fast_app, slow_app = apps
    bad_host = {**reader, "Host": "bad host"}
    ours = await fast_app.get(f"/api/v1/orgs/{district['id']}", headers=bad_host)
    theirs = await slow_app.get(f"/api/v1/orgs/{district['id']}", headers=bad_host)
    assert ours.status_code == theirs.status_code == 400
    assert _comparable(ours) == _comparable(theirs)


async def test_a_handler_whose_answer_a_twin_cannot_give_has_none(make_app: Callable[..., Litestar]) -> None:
    """A twin is refused at start-up where the handler could answer differently (extra guard, POST…)."""

    async def twin(request: fastpath.FastRequest) -> fastpath.FastAnswer:
        return {}, {}

    async def extra_guard(connection: Any, handler: Any) -> None:
        return None

    @get(
        "/api/v1/guarded",
        guards=[require_authenticated, require_permission, extra_guard],
        opt={"permission": READ_ORG, "fast": twin},
    )
    async def guarded() -> dict[str, str]:
        return {}

    app = make_app(plugins={})
    app.register(guarded)
    with pytest.raises(TypeError, match="other guards"):
        fastpath.fast_routes(app, app.asgi_handler)
