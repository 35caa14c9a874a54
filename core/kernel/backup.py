"""Backups: an online, consistent copy of the embedded SQLite database; pg_dump/pg_restore on PostgreSQL.

SQLite: the copy uses SQLite's online backup API, so it is consistent while the server keeps writing
(WAL readers are not blocked). A restore checks the file first (integrity, a quntuan schema) and copies
it page by page into the live database path; stop the server before restoring.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists`` with the configured URL.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from core.kernel.settings import Settings


class BackupError(RuntimeError):
    """The backup or restore could not be made; the message says why."""


def _check_sqlite(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} fails SQLite's integrity check")
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'migration'").fetchone():
                raise BackupError(f"{path} is not a quntuan database (no migration table)")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database") from exc


def _copy_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst, pages=1024)
    # The copy is a self-contained file: no WAL of its own to carry around.
    with sqlite3.connect(target) as dst:
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return tool


def _pg_url(settings: Settings) -> str:
    return settings.database_url.replace("postgres://", "postgresql://", 1)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "unknown error"


def backup(settings: Settings, target: Path) -> Path:
    """Write a consistent backup of the configured database to ``target``."""
    if settings.is_sqlite:
        source = settings.sqlite_path
        if not source.exists():
            raise BackupError(f"there is no database at {source}")
        _copy_sqlite(source, target)
        _check_sqlite(target)
        return target
    result = subprocess.run(  # noqa: S603 - fixed tool path and arguments, no shell
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", _pg_url(settings)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError("pg_dump failed: " + _last_line(result.stderr))
    return target


def restore(settings: Settings, source: Path) -> None:
    """Replace the configured database's content with the backup at ``source``."""
    if not source.exists():
        raise BackupError(f"there is no backup at {source}")
    if settings.is_sqlite:
        _check_sqlite(source)
        _copy_sqlite(source, settings.sqlite_path)
        return
    result = subprocess.run(  # noqa: S603 - fixed tool path and arguments, no shell
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_pg_url(settings)}",
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError("pg_restore failed: " + _last_line(result.stderr))
