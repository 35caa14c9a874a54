"""``quntuan plugins new`` writes a package that passes its own tests straight away, that the platform
discovers through its entry point once installed, and that keeps the contract; bad slugs are refused."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.kernel.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
#: Every other installed plugin (the bundled ones; the example 残联 plugin CI installs), disabled for the check.
OTHERS = ",".join(ep.name for ep in importlib.metadata.entry_points(group="quntuan.plugins"))


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("QUNTUAN_") or k.startswith("QUNTUAN_TEST_")
    }
    env.update(extra)
    return env


def _install(package: Path, site: Path) -> None:
    """What ``pip install`` leaves for discovery: a dist-info with the entry points (pip needs the network
    to fetch setuptools for an isolated build, which the test must not depend on)."""
    dist = site / "quntuan_tmpl-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: quntuan-tmpl\nVersion: 0.1.0\n")
    pyproject = (package / "pyproject.toml").read_text()
    section = pyproject.split('[project.entry-points."quntuan.plugins"]\n')[1].split("\n\n")[0]
    entry = section.replace('"', "")
    (dist / "entry_points.txt").write_text(f"[quntuan.plugins]\n{entry}\n")


def test_new_plugin_passes_its_own_tests_and_the_contract_once_installed(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plugins", "new", "tmpl", "--dir", str(tmp_path), "--name-zh", "模板会"])
    assert result.exit_code == 0, result.output
    package = tmp_path / "quntuan-tmpl"
    assert (package / "quntuan_tmpl" / "hooks.py").is_file()
    assert [p.name for p in (package / "quntuan_tmpl" / "migrations").glob("tmpl_*.py")]
    assert 'tmpl = "quntuan_tmpl.hooks"' in (package / "pyproject.toml").read_text()
    assert 'zh_hans="模板会"' in (package / "quntuan_tmpl" / "__init__.py").read_text()

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=package,
        env=_env(PYTHONPATH=os.pathsep.join([str(package), str(ROOT)])),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "3 passed" in tests.stdout

    site = tmp_path / "site"
    _install(package, site)
    env = _env(PYTHONPATH=os.pathsep.join([str(site), str(package), str(ROOT)]), COLUMNS="200")
    listed = subprocess.run(
        [sys.executable, "-m", "core.kernel.cli", "plugins", "list"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if " tmpl " in line)
    assert "模板会" in row and "0.1.0" in row and "yes" in row and "enabled" in row, row

    checked = subprocess.run(
        [sys.executable, "-m", "core.kernel.cli", "plugins", "check"],
        cwd=tmp_path, env={**env, "QUNTUAN_DISABLED_PLUGINS": OTHERS},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "✓ tmpl" in checked.stdout
    assert "1 plugin(s) keep the contract" in checked.stdout


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("Bad", "not allowed"),
        ("with_underscore", "not allowed"),
        ("x", "not allowed"),
        ("orgs", "reserved"),
        ("union", "already installed"),
    ],
)
def test_a_bad_slug_is_refused_with_exit_2(tmp_path: Path, slug: str, reason: str) -> None:
    result = runner.invoke(app, ["plugins", "new", slug, "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert reason in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_directory_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "quntuan-taken").mkdir()
    (tmp_path / "quntuan-taken" / "mine.txt").write_text("keep")
    result = runner.invoke(app, ["plugins", "new", "taken", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert [p.name for p in (tmp_path / "quntuan-taken").iterdir()] == ["mine.txt"]
