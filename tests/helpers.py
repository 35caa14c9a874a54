"""Small helpers shared by tests."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Litestar

from core.kernel.access import Reach


class AllowAll:
    """A principal holding every permission everywhere, for tests of the HTTP plumbing below authorization."""

    kind = "account"
    id = uuid.UUID(int=1)
    person_id = None

    def has_permission(self, code: str) -> bool:
        return True

    def reach(self, code: str) -> list[Reach]:
        return [Reach(path="", subtree=True)]


class AllowNone:
    kind = "account"
    id = uuid.UUID(int=2)
    person_id = None

    def has_permission(self, code: str) -> bool:
        return False

    def reach(self, code: str) -> list[Reach]:
        return []


class GrantedPrincipal:
    """A principal with explicit reaches per permission: ``GrantedPrincipal({"orgs.org.read": [Reach(p)]})``.

    For tests of services and routes before (or apart from) token authentication; the identity tests
    exercise the same decisions with real accounts, roles and grants.
    """

    def __init__(
        self,
        reaches: dict[str, list[Reach]],
        kind: str = "account",
        id: uuid.UUID | None = None,
        person_id: uuid.UUID | None = None,
    ):
        self.reaches = reaches
        self.kind = kind
        self.id = id or uuid.uuid4()
        self.person_id = person_id

    def has_permission(self, code: str) -> bool:
        return bool(self.reaches.get(code))

    def reach(self, code: str) -> list[Reach]:
        return list(self.reaches.get(code, []))


def with_principal(app: Litestar, principal: Any) -> Litestar:
    """Put ``principal`` on every request's scope, as the authentication middleware does."""
    inner = app.asgi_handler

    async def handler(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope["user"] = principal
        await inner(scope, receive, send)

    app.asgi_handler = handler
    return app


def problem(response: Any, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 response with ``status`` and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("/api/v1/problems/")
    assert body["title"] and body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body
