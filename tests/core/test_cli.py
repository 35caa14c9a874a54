"""The ``quntuan`` command, run as a user runs it."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core import __version__
from core.kernel.cli import app

runner = CliRunner()


def test_version(embedded: Path) -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_plugins_lists_loaded_and_disabled(embedded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUNTUAN_DISABLED_PLUGINS", "women")
    result = runner.invoke(app, ["plugins"])
    assert result.exit_code == 0
    for slug in ("union", "youth", "scitech"):
        assert slug in result.output
    assert "disabled" in result.output


def _entry_points(site: Path, **plugins: str) -> None:
    """Install entry points the way pip leaves them: a dist-info directory on the path."""
    dist = site / "quntuan_test_plugins-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: quntuan-test-plugins\nVersion: 1.0\n")
    lines = "".join(f"{name} = {target}\n" for name, target in plugins.items())
    (dist / "entry_points.txt").write_text(f"[quntuan.plugins]\n{lines}")


def test_plugins_list_shows_versions_ranges_and_compatibility(
    embedded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _entry_points(embedded / "site", older="tests.fixtures.older_plugin")
    monkeypatch.syspath_prepend(str(embedded / "site"))
    monkeypatch.setenv("QUNTUAN_DISABLED_PLUGINS", "women")
    monkeypatch.setenv("COLUMNS", "240")
    result = runner.invoke(app, ["plugins", "list"])
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 2}
    assert "enabled" in rows["union"] and "0.1.0" in rows["union"] and ">=1.0,<2" in rows["union"]
    assert "yes" in rows["union"]
    # disabled: still read, to say what it is
    women_version = importlib.import_module("plugins.women").PLUGIN_INFO.version
    assert "disabled" in rows["women"] and "妇联" in rows["women"] and women_version in rows["women"]
    # incompatible: refused with both versions, the rest loaded
    assert "failed" in rows["older"] and " no " in rows["older"]
    # Its reason names both versions; a narrow console wraps the cell onto the lines below the row.
    reason = " ".join(
        line.split("│")[-2].strip() for line in result.output.splitlines() if line.count("│") > 2
    )
    assert "<1.0" in reason and "1.0" in reason


def test_plugins_check_passes_installed_plugins_and_fails_a_broken_one(
    embedded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only scitech: every other installed plugin (the example 残联 plugin CI installs too) is disabled.
    others = {e.name for e in importlib.metadata.entry_points(group="quntuan.plugins")} - {"scitech"}
    monkeypatch.setenv("QUNTUAN_DISABLED_PLUGINS", ",".join(sorted(others)))
    passed = runner.invoke(app, ["plugins", "check"])
    assert passed.exit_code == 0, passed.output
    assert "✓ scitech" in passed.output and "1 plugin(s) keep the contract" in passed.output

    _entry_points(
        embedded / "site", older="tests.fixtures.older_plugin", broken="tests.fixtures.broken_plugin"
    )
    monkeypatch.syspath_prepend(str(embedded / "site"))
    failed = runner.invoke(app, ["plugins", "check"])
    assert failed.exit_code == 1, failed.output
    assert "✓ scitech" in failed.output
    assert "✗ broken: cannot be loaded: ImportError" in failed.output
    assert "✗ older" in failed.output
    assert "contract failed: broken, older" in failed.output


def test_migrate_creates_the_embedded_database_then_reports_it_current(embedded: Path) -> None:
    check = runner.invoke(app, ["migrate", "--check"])
    first = runner.invoke(app, ["migrate"])
    assert first.exit_code == 0, first.output
    assert (embedded / "quntuan.db").exists()
    second = runner.invoke(app, ["migrate", "--check"])
    assert second.exit_code == 0
    assert "Schema is current" in second.output
    assert check.exit_code in (0, 1)


def test_a_wrong_setting_stops_with_the_variable_named(
    embedded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUNTUAN_PORT", "eighty")
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "QUNTUAN_PORT: expected an integer, got 'eighty'" in result.output


def test_several_workers_on_sqlite_are_refused(embedded: Path) -> None:
    result = runner.invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "SQLite" in result.output


def test_several_workers_without_redis_are_refused(embedded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUNTUAN_DATABASE_URL", "postgresql://postgres@127.0.0.1/none")
    result = runner.invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "QUNTUAN_REDIS_URL" in result.output


def test_serve_answers_on_the_embedded_default(embedded: Path) -> None:
    """The README's first command: start, answer /api/v1/plugins with the four plugins, stop on SIGTERM."""
    import socket
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUNTUAN_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.kernel.cli", "serve", "--port", str(port)],
        cwd=embedded,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/v1/plugins", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        installed = {e.name for e in importlib.metadata.entry_points(group="quntuan.plugins")}
        assert (
            {p["slug"] for p in response.json()["items"]}
            == installed
            >= {"union", "youth", "women", "scitech"}
        )
        assert (embedded / "quntuan.db").exists()
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=30)  # and closes the pipe
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert proc.returncode in (0, -15)
        assert "Application shutdown complete" in output.decode()


def test_config_check_passes_the_embedded_default(embedded: Path) -> None:
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "Configuration is valid (SQLite" in result.output


@pytest.mark.parametrize(
    ("environment", "arguments", "named"),
    [
        ({"QUNTUAN_DATABASE_URL": "postgresql://postgres@127.0.0.1/none"}, [], "QUNTUAN_SECRET_KEY"),
        ({}, ["--workers", "2"], "SQLite"),
        (
            {"QUNTUAN_DATABASE_URL": "postgresql://postgres@127.0.0.1/none", "QUNTUAN_SECRET_KEY": "k" * 40},
            ["--processes", "2"],
            "QUNTUAN_REDIS_URL",
        ),
        ({"QUNTUAN_SMS_PROVIDER": "nowhere"}, [], "QUNTUAN_SMS_PROVIDER: unknown provider 'nowhere'"),
        ({"QUNTUAN_CAPTCHA_REQUIRED": "true"}, [], "QUNTUAN_CAPTCHA_REQUIRED"),
    ],
)
def test_config_check_refuses_what_serve_and_worker_refuse(
    embedded: Path,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    arguments: list[str],
    named: str,
) -> None:
    """One function decides for all three commands: the check names the setting, exit 2, no traceback."""
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    checked = runner.invoke(app, ["config", "check", *arguments])
    assert checked.exit_code == 2, checked.output
    assert named in checked.output and "Traceback" not in checked.output
    if "--processes" in arguments:
        started = runner.invoke(app, ["worker", *arguments])
    else:
        started = runner.invoke(app, ["serve", *arguments])
    assert started.exit_code == 2, started.output
    assert named in started.output and "Traceback" not in started.output


def test_migrate_prints_one_plain_line_per_migration(embedded: Path) -> None:
    """Piped (not a terminal): one line per migration as it is applied, no escape codes, no partial lines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUNTUAN_")}
    proc = subprocess.run(
        [sys.executable, "-m", "core.kernel.cli", "migrate"],
        cwd=embedded,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert "\x1b" not in out and "\x1b" not in proc.stderr.decode()
    lines = out.splitlines()
    applied = [line for line in lines if line.startswith("applied ")]
    assert applied and lines[-1] == f"{len(applied)} migration(s) applied."
    assert all(line.startswith(("applied ", "  note: ")) for line in lines[:-1]), lines
    assert all(line.endswith(" s)") for line in applied)


def test_a_database_that_cannot_be_reached_is_one_line_and_its_own_exit_code(
    embedded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("QUNTUAN_DATABASE_URL", f"postgresql://postgres@127.0.0.1:{port}/none")
    monkeypatch.setenv("QUNTUAN_SECRET_KEY", "k" * 40)
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 4, result.output
    assert "database unreachable" in result.output and "Traceback" not in result.output
