"""The permission matrix, taken from the app itself: every route × method × caller.

Callers: anonymous; an account with no grants; a cadre holding every permission on a *sibling*
subtree (B); a cadre holding every permission on the *parent* subtree (R ⊃ A, B). Resources live in A.

* Every guarded route (core and plugins) answers 401 without a token and 403 to an account without
  the permission it declares.
* Every identity route has an expected outcome for the sibling and the parent cadre; a route added
  without one fails the test. The sibling never sees, changes, exports or erases anything in A (404),
  and its lists contain nothing from A.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from litestar import Litestar

from core.kernel.guards import is_public, require_authenticated, require_permission
from tests.conftest import ApiClient, open_client
from tests.identity_helpers import bearer, make_account, make_org

SKIP_PREFIXES = ("/schema", "/metrics")
#: The identity routes: method, path → (sibling status, parent status). "ok" is any 2xx.
#: Platform-wide things (roles, API clients, the audit check) need a grant on the whole platform: 403.
IDENTITY: dict[tuple[str, str], tuple[Any, Any]] = {
    ("GET", "/api/v1/persons/{person_id}"): (404, "ok"),
    ("PATCH", "/api/v1/persons/{person_id}"): (404, "ok"),
    ("DELETE", "/api/v1/persons/{person_id}"): (404, "ok"),
    ("GET", "/api/v1/persons/{person_id}/export"): (404, "ok"),
    ("GET", "/api/v1/persons/{person_id}/consents"): (404, "ok"),
    ("POST", "/api/v1/persons/{person_id}/consents"): (404, "ok"),
    ("POST", "/api/v1/persons/{person_id}/consents/{consent_id}/withdrawal"): (404, "ok"),
    ("GET", "/api/v1/persons"): ("ok", "ok"),
    ("POST", "/api/v1/persons"): (404, "ok"),
    ("POST", "/api/v1/persons/lookup"): ("ok", "ok"),
    ("GET", "/api/v1/accounts"): ("ok", "ok"),
    ("POST", "/api/v1/accounts"): (404, 409),  # the parent passes reach; the person already has one
    ("GET", "/api/v1/accounts/{account_id}"): (404, "ok"),
    ("POST", "/api/v1/accounts/{account_id}/disable"): (404, "ok"),
    ("POST", "/api/v1/accounts/{account_id}/enable"): (404, "ok"),
    ("GET", "/api/v1/posts"): ("ok", "ok"),
    ("POST", "/api/v1/posts"): (404, "ok"),
    ("GET", "/api/v1/posts/{post_id}"): (404, "ok"),
    ("PATCH", "/api/v1/posts/{post_id}"): (404, "ok"),
    ("GET", "/api/v1/grants"): ("ok", "ok"),
    ("POST", "/api/v1/grants"): (404, "ok"),
    ("DELETE", "/api/v1/grants/{grant_id}"): (404, "ok"),
    ("GET", "/api/v1/roles"): ("ok", "ok"),
    ("POST", "/api/v1/roles"): (403, 403),
    ("PATCH", "/api/v1/roles/{role_id}"): (403, 403),
    ("DELETE", "/api/v1/roles/{role_id}"): (403, 403),
    ("GET", "/api/v1/clients"): (403, 403),
    ("POST", "/api/v1/clients"): (403, 403),
    ("GET", "/api/v1/clients/{client_id}"): (403, 403),
    ("POST", "/api/v1/clients/{client_id}/secrets"): (403, 403),
    ("POST", "/api/v1/clients/{client_id}/disable"): (403, 403),
    ("GET", "/api/v1/audit"): ("ok", "ok"),
    ("GET", "/api/v1/audit/verify"): (403, 403),
    ("POST", "/api/v1/audit/checkpoints"): (403, 403),
    ("GET", "/api/v1/me"): ("ok", "ok"),
    ("PATCH", "/api/v1/me"): ("ok", "ok"),  # self policy: the caller's own profile
    ("POST", "/api/v1/me/password"): (422, 422),
    ("GET", "/api/v1/me/processes"): ("ok", "ok"),  # self policy: the caller's own applications
    ("GET", "/api/v1/me/nominations"): ("ok", "ok"),  # self policy: nominations naming or filed by the caller
    ("GET", "/api/v1/me/honors"): ("ok", "ok"),  # self policy: the caller's own honors
    ("GET", "/api/v1/me/bookings"): ("ok", "ok"),  # self policy: the caller's own bookings
    # Person link requests: the one in the world asks A's person to join B. Only custody of the person
    # (their home org A within reach) answers it; neither caller is the person or the requester.
    ("GET", "/api/v1/person-links"): ("ok", "ok"),
    ("GET", "/api/v1/person-links/sent"): ("ok", "ok"),
    ("POST", "/api/v1/person-links/{link_id}/approve"): (404, "ok"),
    ("POST", "/api/v1/person-links/{link_id}/reject"): (404, 409),  # the parent approved it just before
    ("POST", "/api/v1/person-links/{link_id}/withdraw"): (404, 404),
    ("GET", "/api/v1/me/person-links"): ("ok", "ok"),
    ("POST", "/api/v1/me/person-links/{link_id}/approve"): (404, 404),
    ("POST", "/api/v1/me/person-links/{link_id}/reject"): (404, 404),
    ("POST", "/api/v1/auth/logout"): ("ok", "ok"),
    ("POST", "/api/v1/auth/token"): (422, 422),
    ("POST", "/api/v1/auth/codes"): (422, 422),  # public: an empty body is refused before anything is sent
    ("POST", "/api/v1/auth/signup"): (422, 422),  # public: an empty body is refused
    ("POST", "/api/v1/auth/wechat/bind"): (422, 422),  # self: binds the caller's own account
}
#: Routes that delete or disable run late, and logout last, so they do not disturb the others.
LATE = {"DELETE", "/api/v1/accounts/{account_id}/disable"}
LOGOUT = "/api/v1/auth/logout"
#: Server-sent events never end; its reach is tested by the integration tests.
STREAM = "/api/v1/stream"


def _routes(app: Litestar) -> list[tuple[str, str, Any]]:
    found = []
    for route in app.routes:
        if route.path.startswith(SKIP_PREFIXES) or not route.path.startswith("/api/"):
            continue
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                template = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
                found.append((method, template, handler))
    return sorted(found, key=lambda r: (r[1] == LOGOUT, r[0] in LATE or r[1] in LATE, r[1], r[0]))


def _guarded(handler: Any) -> bool:
    guards = {getattr(g, "func", g) for g in handler.resolve_guards()}
    return bool(guards & {require_authenticated, require_permission}) and not is_public(handler)


@pytest.fixture
async def client(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    async for c in open_client(make_app()):
        yield c


async def test_every_route_refuses_anonymous_and_ungranted_callers(client: ApiClient) -> None:
    nobody = await bearer(client, *await make_account(client.app.state.db))
    checked = 0
    for method, template, handler in _routes(client.app):
        concrete = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), template)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        anonymous = await client.request(method, concrete, json=body)
        if _guarded(handler):
            assert anonymous.status_code == 401, (method, template, anonymous.status_code)
            checked += 1
        assert anonymous.status_code < 500, (method, template)
        if handler.opt.get("permission"):
            refused = await client.request(method, concrete, json=body, headers=nobody)
            assert refused.status_code == 403, (method, template, refused.status_code, refused.text)
    assert checked > 50


async def _world(client: ApiClient) -> dict[str, Any]:
    """R with children A and B; in A a person with a post, a consent, an account and a grant."""
    db = client.app.state.db
    every = sorted(client.app.state.registry.permissions)
    root = await make_org(name="R")
    a, b = await make_org(root, name="A"), await make_org(root, name="B")
    platform = await bearer(client, *await make_account(db, grants=[(None, every, True)]))
    sibling = await bearer(
        client, *await make_account(db, grants=[(b["path"], every, True)], home_org=b["path"])
    )
    parent = await bearer(
        client, *await make_account(db, grants=[(root["path"], every, True)], home_org=root["path"])
    )
    person = (
        await client.post(
            "/api/v1/persons",
            json={"name": "甲", "home_org": str(a["id"]), "phone": "13700137000"},
            headers=platform,
        )
    ).json()
    post = (
        await client.post(
            "/api/v1/posts",
            json={"person": person["id"], "org": str(a["id"]), "title": "主席", "start_date": "2024-01-01"},
            headers=platform,
        )
    ).json()
    consent = (
        await client.post(
            f"/api/v1/persons/{person['id']}/consents", json={"purpose": "registration"}, headers=platform
        )
    ).json()
    account = (
        await client.post(
            "/api/v1/accounts",
            json={"username": "jia", "password": "a long password", "person": person["id"]},
            headers=platform,
        )
    ).json()
    role = (
        await client.post(
            "/api/v1/roles",
            json={"code": "viewer", "name": "查看", "permissions": ["core.person.read"]},
            headers=platform,
        )
    ).json()
    grant = (
        await client.post(
            "/api/v1/grants",
            json={"role": role["id"], "org": str(a["id"]), "account": account["id"]},
            headers=platform,
        )
    ).json()
    api_client = (
        await client.post("/api/v1/clients", json={"name": "门户", "scopes": []}, headers=platform)
    ).json()
    asker = await bearer(
        client,
        *await make_account(db, grants=[(b["path"], ["core.member.manage"], True)], home_org=b["path"]),
    )
    link = await client.post(f"/api/v1/orgs/{b['id']}/members", json={"person": person["id"]}, headers=asker)
    assert link.status_code == 202, link.text
    return {
        "orgs": {"root": root, "a": a, "b": b},
        "callers": {"sibling": sibling, "parent": parent},
        "ids": {
            "person_id": person["id"],
            "post_id": post["id"],
            "consent_id": consent["id"],
            "account_id": account["id"],
            "role_id": role["id"],
            "grant_id": grant["id"],
            "client_id": api_client["client_id"],
            "link_id": link.json()["id"],
        },
    }


def _body(method: str, template: str, world: dict[str, Any]) -> Any:
    a = str(world["orgs"]["a"]["id"])
    ids = world["ids"]
    bodies: dict[tuple[str, str], Any] = {
        ("PATCH", "/api/v1/persons/{person_id}"): {"address": "新地址"},
        ("POST", "/api/v1/persons/{person_id}/consents"): {"purpose": "photos"},
        ("POST", "/api/v1/persons"): {"name": "乙", "home_org": a},
        ("POST", "/api/v1/persons/lookup"): {"phone": "13700137000"},
        ("POST", "/api/v1/accounts"): {
            "username": f"u{uuid.uuid4().hex[:8]}",
            "password": "a long password",
            "person": ids["person_id"],
        },
        ("POST", "/api/v1/posts"): {
            "person": ids["person_id"],
            "org": a,
            "title": "委员",
            "start_date": "2024-01-01",
        },
        ("PATCH", "/api/v1/posts/{post_id}"): {"title": "副主席"},
        ("POST", "/api/v1/grants"): {"role": ids["role_id"], "org": a, "account": ids["account_id"]},
        ("POST", "/api/v1/roles"): {"code": f"r{uuid.uuid4().hex[:6]}", "name": "x", "permissions": []},
        ("PATCH", "/api/v1/roles/{role_id}"): {"name": "y"},
        ("POST", "/api/v1/clients"): {"name": "x", "scopes": []},
        ("POST", "/api/v1/clients/{client_id}/secrets"): {"overlap_seconds": 0},
        ("POST", "/api/v1/me/password"): {
            "current_password": "wrong password",
            "new_password": "another long one",
        },
        ("POST", "/api/v1/auth/token"): {"grant_type": "password"},
    }
    return bodies.get((method, template), {} if method in ("POST", "PATCH") else None)


def _matches(status: int, expected: Any) -> bool:
    return 200 <= status < 300 if expected == "ok" else status == expected


@pytest.mark.parametrize("caller", ["sibling", "parent"])
async def test_identity_routes_by_subtree(client: ApiClient, caller: str) -> None:
    world = await _world(client)
    headers = world["callers"][caller]
    prefixes = (
        "persons",
        "accounts",
        "posts",
        "grants",
        "roles",
        "clients",
        "audit",
        "me",
        "auth",
        "person-links",
    )
    routes = [
        (m, t)
        for m, t, h in _routes(client.app)
        if any(t == f"/api/v1/{p}" or t.startswith(f"/api/v1/{p}/") for p in prefixes)
        # Self-service routes (core.selfservice) act on the caller alone; tests/core/selfservice covers them.
        and not h.fn.__module__.startswith("core.selfservice")
        # A person's honors (core.selections) are walked by the generated test_permission_matrix.py.
        and t != "/api/v1/persons/{person_id}/honors"
    ]
    assert set(routes) == set(IDENTITY), set(routes) ^ set(IDENTITY)
    # Roles and clients are platform-wide; the link request is B's own (asking A's person to join B).
    platform_wide = {world["ids"]["role_id"], world["ids"]["client_id"], world["ids"]["link_id"]}
    foreign = (set(world["ids"].values()) - platform_wide) | {str(world["orgs"]["a"]["id"])}
    for method, template in routes:
        expected = IDENTITY[(method, template)][0 if caller == "sibling" else 1]
        concrete = template.format(**world["ids"])
        response = await client.request(
            method, concrete, json=_body(method, template, world), headers=headers
        )
        assert _matches(response.status_code, expected), (
            caller,
            method,
            template,
            response.status_code,
            response.text,
        )
        if (
            caller == "sibling"
            and method == "GET"
            and response.status_code == 200
            and "items" in response.json()
        ):
            shown = str(response.json()["items"])
            leaked = [v for v in foreign if v in shown]
            assert not leaked, (template, leaked)
            assert world["orgs"]["a"]["path"] not in shown, template


async def test_sibling_cadre_sees_nothing_of_a_in_any_list_or_org_route(client: ApiClient) -> None:
    """Across every GET route of the app (core and plugins): lists show nothing of A, A's org is 404."""
    world = await _world(client)
    sibling = world["callers"]["sibling"]
    a = world["orgs"]["a"]
    foreign = {
        world["ids"]["person_id"],
        world["ids"]["post_id"],
        world["ids"]["account_id"],
        str(a["id"]),
        a["path"],
    }
    checked = 0
    for method, template, handler in _routes(client.app):
        if method != "GET" or not _guarded(handler) or template == STREAM:
            continue
        params = re.findall(r"\{(\w+)\}", template)
        if params and params != ["org_id"]:
            continue
        response = await client.get(template.format(org_id=a["id"]), headers=sibling)
        if params:
            assert response.status_code == 404, (template, response.status_code)
        else:
            assert response.status_code < 500, template
            if response.status_code == 200 and response.headers["content-type"].startswith(
                "application/json"
            ):
                leaked = [v for v in foreign if v in response.text]
                assert not leaked, (template, leaked)
        checked += 1
    assert checked > 10
