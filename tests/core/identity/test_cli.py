"""``quntuan admin create`` (flags and prompts), the first-admin hint of ``serve``, audit and key commands."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from core.identity.cli import first_admin_hint
from core.kernel.cli import app
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import Settings, load_settings
from tests.conftest import open_client

runner = CliRunner()


async def _login(settings: Settings, username: str, password: str) -> list[str]:
    from core.kernel.app import create_app

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
        app, ["admin", "create", "--username", "Admin", "--password-stdin"], input="a very long password\n"
    )
    assert result.exit_code == 0, result.output
    assert "a very long password" not in result.output
    assert first_admin_hint(settings) is None
    permissions = asyncio.run(_login(settings, "admin", "a very long password"))
    assert "core.role.manage" in permissions and "core.person.personal_data" in permissions
    again = runner.invoke(
        app, ["admin", "create", "--username", "admin", "--password-stdin"], input="another long password\n"
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
    short = runner.invoke(app, ["admin", "create", "--username", "x2y", "--password-stdin"], input="short\n")
    assert short.exit_code == 2
    mismatch = runner.invoke(
        app, ["admin", "create", "--username", "x3y"], input="secret password 2\nsecret password 3\n"
    )
    assert mismatch.exit_code != 0 and "secret password" not in mismatch.output


def test_admin_create_takes_no_password_on_the_command_line(embedded: Path) -> None:
    """A password in argv is visible to every user of the host (ps, /proc) and kept in shell history."""
    refused = runner.invoke(
        app, ["admin", "create", "--username", "boss", "--password", "a very long password"]
    )
    assert refused.exit_code == 2 and "No such option" in refused.output
    assert asyncio.run(_count_accounts()) == 0


def test_admin_create_refuses_weak_passwords(embedded: Path) -> None:
    for weak, why in (
        ("aaaaaaaaaaaa", "Repeats"),
        ("password123", "commonly used"),
        ("1234567890", "commonly used"),
        ("asdfghjkl;", "keys"),
        ("zhangxiaoming9", "login name"),
    ):
        result = runner.invoke(
            app, ["admin", "create", "--username", "zhangxiaoming", "--password-stdin"], input=weak
        )
        assert result.exit_code == 2, (weak, result.output)
        said = " ".join(result.output.split())  # rich wraps long lines
        assert "password too weak" in said and why in said, (weak, said)
    assert asyncio.run(_count_accounts()) == 0


async def _count_accounts() -> int:
    from core.identity.tables import Account
    from core.kernel.app import create_app

    settings = load_settings(env_file=None)
    count = -1
    async for _client in open_client(create_app(settings, make_plugin_manager(settings))):
        count = await Account.count().run()  # the loop runs to its end: the app is shut down
    return count


def test_admin_create_moves_the_shared_authorization_epoch(embedded: Path, monkeypatch) -> None:
    """Workers cache principals under the epoch in Redis: the CLI's grant must make them reload at once."""
    import pytest

    from tests.conftest import TEST_REDIS_URL as url

    if not url:
        pytest.skip("needs QUNTUAN_TEST_REDIS_URL")
    from redis import Redis

    from core.identity.authz_cache import EPOCH_KEY

    monkeypatch.setenv("QUNTUAN_REDIS_URL", url)
    redis = Redis.from_url(url)
    redis.set(EPOCH_KEY, "before")
    result = runner.invoke(
        app,
        ["admin", "create", "--username", "epochadmin", "--password-stdin"],
        input="a very long password\n",
    )
    assert result.exit_code == 0, result.output
    assert redis.get(EPOCH_KEY) not in (None, b"before")
    redis.delete(EPOCH_KEY)
