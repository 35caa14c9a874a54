"""``quntuan admin create`` (flags and prompts), the first-admin hint of ``serve``, audit and key commands."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from core.cli import app
from core.identity.cli import first_admin_hint
from core.plugin_host import make_plugin_manager
from core.settings import Settings, load_settings
from tests.conftest import open_client

runner = CliRunner()


async def _login(settings: Settings, username: str, password: str) -> list[str]:
    from core.app import create_app

    async for client in open_client(create_app(settings, make_plugin_manager(settings))):
        token = await client.post(
            "/api/v1/auth/token", json={"grant_type": "password", "username": username, "password": password}
        )
        assert token.status_code == 200, token.text
        me = await client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
        )
        return me.json()["permissions"]  # type: ignore[no-any-return]
    raise AssertionError("unreachable")


def test_admin_create_with_flags_then_login(embedded: Path) -> None:
    settings = load_settings(env_file=None)
    assert first_admin_hint(settings) is not None
    result = runner.invoke(
        app, ["admin", "create", "--username", "Admin", "--password", "a very long password"]
    )
    assert result.exit_code == 0, result.output
    assert "a very long password" not in result.output
    assert first_admin_hint(settings) is None
    permissions = asyncio.run(_login(settings, "admin", "a very long password"))
    assert "core.role.manage" in permissions and "core.person.personal_data" in permissions
    again = runner.invoke(
        app, ["admin", "create", "--username", "admin", "--password", "another long password"]
    )
    assert again.exit_code == 1
    assert runner.invoke(app, ["admin", "verify-audit"]).exit_code == 0
    reencrypted = runner.invoke(app, ["admin", "reencrypt"])
    assert reencrypted.exit_code == 0 and "0 person(s)" in reencrypted.output
    assert "0 org contact phone(s)" in reencrypted.output


def test_admin_create_prompts(embedded: Path) -> None:
    result = runner.invoke(app, ["admin", "create"], input="chief\nsecret password 1\nsecret password 1\n")
    assert result.exit_code == 0, result.output
    assert "secret password 1" not in result.output
    short = runner.invoke(app, ["admin", "create", "--username", "x2y", "--password", "short"])
    assert short.exit_code == 2
