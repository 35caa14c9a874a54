"""Helpers of the sign-up tests: apps with sign-up open, the codes the development provider logs."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.conftest import ApiClient, open_client

_LOGGED = re.compile(r"code (\d+) for (\d+)")


def signup_overrides(**overrides: Any) -> dict[str, Any]:
    """Sign-up open, codes written to the log (``debug`` lets the log provider run on PostgreSQL too)."""
    values: dict[str, Any] = {"signup_enabled": True, "sms_provider": "log", "debug": True}
    values.update(overrides)
    return values


def logged_code(caplog: pytest.LogCaptureFixture, phone: str) -> str:
    """The last code the development provider wrote for ``phone``."""
    for record in reversed(caplog.records):
        if record.name == "quntuan.sms":
            match = _LOGGED.search(record.getMessage())
            if match and match.group(2) == phone:
                return match.group(1)
    raise AssertionError(f"no code was logged for {phone}")


@asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[ApiClient]:
    async for client in open_client(app):
        yield client


def from_address(client: ApiClient, address: str) -> httpx.AsyncClient:
    """Another client of the same running app, whose requests come from ``address``."""
    transport = httpx.ASGITransport(app=client.app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def ask_code(client: httpx.AsyncClient, phone: str, **extra: Any) -> httpx.Response:
    return await client.post("/api/v1/auth/codes", json={"phone": phone, **extra})


async def code_login(client: httpx.AsyncClient, phone: str, code: str, **extra: Any) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token", json={"grant_type": "phone_code", "phone": phone, "code": code, **extra}
    )


async def sign_up_by_phone(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, phone: str, **extra: Any
) -> dict[str, Any]:
    caplog.set_level(logging.WARNING, logger="quntuan.sms")
    sent = await ask_code(client, phone)
    assert sent.status_code == 202, sent.text
    response = await code_login(client, phone, logged_code(caplog, phone), **extra)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]
