"""A cut tail of the audit log shows: signed checkpoints of its head, kept apart, and TRUNCATE refused.

Whoever can switch the append-only triggers off (a database superuser) can delete the newest entries, or
all of them; what is left still chains, so only a record of the head kept elsewhere can show the cut.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from typer.testing import CliRunner

from core.identity.audit_checkpoints import REDIS_KEY, checkpoint_file
from core.identity.tables import AuditCheckpoint, AuditEntry
from core.kernel.cli import app as cli_app
from core.kernel.settings import Settings
from tests.conftest import ApiClient, open_client
from tests.helpers import problem
from tests.identity_helpers import bearer, make_account, make_org

VERIFY = "/api/v1/audit/verify"
CHECKPOINT = "/api/v1/audit/checkpoints"


@pytest.fixture
async def client(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings]
) -> AsyncIterator[ApiClient]:
    # No worker: the periodic checkpoint does not run, so the test decides where the checkpoints are.
    async for c in open_client(make_app(settings_=make_settings(embedded_worker=False))):
        yield c


async def _setup(client: ApiClient) -> tuple[dict[str, str], dict[str, Any]]:
    db = client.app.state.db
    every = sorted(client.app.state.registry.permissions)
    platform = await bearer(client, *await make_account(db, grants=[(None, every, True)]))
    return platform, await make_org(name="R")


async def _persons(client: ApiClient, headers: dict[str, str], org: dict[str, Any], n: int) -> None:
    for i in range(n):
        body = {"name": f"群众{i}", "home_org": str(org["id"])}
        assert (await client.post("/api/v1/persons", json=body, headers=headers)).status_code == 201


async def _head() -> int:
    row = await AuditEntry.select(AuditEntry.seq).order_by(AuditEntry.seq, ascending=False).first().run()
    return int(row["seq"]) if row else 0


@asynccontextmanager
async def _without_protection() -> AsyncIterator[Any]:
    """What an attacker with the database's superuser does: the append-only triggers off."""
    engine = AuditEntry._meta.db
    tables = ("core_audit", "core_audit_org", "core_audit_checkpoint")
    if engine.engine_type == "postgres":
        for table in tables:
            await engine.run_ddl(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        try:
            yield engine
        finally:
            for table in tables:
                await engine.run_ddl(f"ALTER TABLE {table} ENABLE TRIGGER ALL")
    else:
        for table in tables:
            await engine.run_ddl(f"DROP TRIGGER {table}_no_delete")
        yield engine


async def test_deleting_the_newest_entries_is_reported_as_a_missing_tail(client: ApiClient) -> None:
    platform, org = await _setup(client)
    await _persons(client, platform, org, 3)
    first = await client.post(CHECKPOINT, headers=platform)
    assert first.status_code == 201, first.text
    assert first.json()["last_seq"] == await _head()
    await _persons(client, platform, org, 3)
    second = (await client.post(CHECKPOINT, headers=platform)).json()
    verdict = (await client.get(VERIFY, headers=platform)).json()
    assert verdict["status"] == "intact" and verdict["intact"] is True
    assert verdict["last_good_checkpoint"]["id"] == second["id"]
    assert verdict["outside_copy"] == ("redis" if client.app.state.shared.redis else "file")

    # The newest entries go, with the triggers off: what is left still chains.
    cut_after = first.json()["last_seq"]
    async with _without_protection():
        await AuditEntry.delete().where(AuditEntry.seq > cut_after).run()
    from core.identity.audit import verify_chain

    assert await verify_chain() is None  # the chain alone cannot see it
    verdict = (await client.get(VERIFY, headers=platform)).json()
    assert verdict["status"] == "tail_missing" and verdict["intact"] is False
    assert verdict["tail_missing_at"] == second["last_seq"]
    assert verdict["last_good_checkpoint"]["id"] == first.json()["id"]
    assert verdict["head_seq"] == cut_after

    # New entries after the cut do not hide it, nor a new checkpoint of the cut log.
    await _persons(client, platform, org, 1)
    await client.post(CHECKPOINT, headers=platform)
    assert (await client.get(VERIFY, headers=platform)).json()["status"] == "tail_missing"


async def test_emptying_the_log_and_its_checkpoints_is_caught_by_the_copy_outside(client: ApiClient) -> None:
    platform, org = await _setup(client)
    await _persons(client, platform, org, 2)
    taken = (await client.post(CHECKPOINT, headers=platform)).json()
    async with _without_protection() as engine:
        await engine.run_ddl("DELETE FROM core_audit_org")
        await engine.run_ddl("DELETE FROM core_audit")
        await engine.run_ddl("DELETE FROM core_audit_checkpoint")
    assert await AuditCheckpoint.count().run() == 0
    verdict = (await client.get(VERIFY, headers=platform)).json()
    assert verdict["status"] == "tail_missing", verdict
    assert verdict["tail_missing_at"] == taken["last_seq"] and verdict["entries"] == 0
    assert verdict["last_good_checkpoint"] is None


async def test_truncate_is_refused_on_postgresql(client: ApiClient) -> None:
    platform, org = await _setup(client)
    await _persons(client, platform, org, 1)
    await client.post(CHECKPOINT, headers=platform)
    engine = AuditEntry._meta.db
    if engine.engine_type != "postgres":
        # SQLite has no TRUNCATE; its "DELETE FROM t" (what stands for one) fires the row triggers.
        for table in ("core_audit", "core_audit_org", "core_audit_checkpoint"):
            with pytest.raises(Exception, match="append-only"):
                await engine.run_ddl(f"DELETE FROM {table}")
        return
    for table in ("core_audit", "core_audit_org", "core_audit_checkpoint"):
        with pytest.raises(Exception, match="append-only"):
            await engine.run_ddl(f"TRUNCATE {table}")
        with pytest.raises(Exception, match="append-only"):
            await engine.run_ddl(f"DELETE FROM {table}")
    assert await AuditEntry.count().run() > 0
    assert (await client.get(VERIFY, headers=platform)).json()["status"] == "intact"


async def test_a_forged_checkpoint_is_reported(client: ApiClient) -> None:
    platform, org = await _setup(client)
    await _persons(client, platform, org, 2)
    real = (await client.post(CHECKPOINT, headers=platform)).json()
    row = await AuditCheckpoint.select().where(AuditCheckpoint.id == real["id"]).first().run()
    assert row is not None
    # Someone who can insert rows claims a shorter log (to bless a cut) without the signing key.
    forged = {**row, "id": uuid.uuid4(), "last_seq": 1, "entry_count": 1}
    forged["signature"] = "0" * 64
    await AuditCheckpoint.insert(AuditCheckpoint(**forged)).run()
    verdict = (await client.get(VERIFY, headers=platform)).json()
    assert verdict["status"] == "forged_checkpoint" and verdict["intact"] is False
    assert verdict["forged_checkpoints"] == [str(forged["id"])]
    assert verdict["last_good_checkpoint"]["id"] == real["id"]
    # The same in the copy outside the database.
    shared = client.app.state.shared
    if shared.redis is not None:
        members = await shared.redis.zrange(REDIS_KEY, 0, -1)
        assert len(members) == 1 and real["id"] in members[0].decode()
    else:
        assert real["id"] in checkpoint_file(client.app.state.settings).read_text()


async def test_only_the_platform_checks_and_anchors_the_log(client: ApiClient) -> None:
    _, org = await _setup(client)
    db = client.app.state.db
    local = await bearer(client, *await make_account(db, grants=[(org["path"], ["core.audit.read"], True)]))
    problem(await client.get(VERIFY, headers=local), 403)
    problem(await client.post(CHECKPOINT, headers=local), 403)
    assert await AuditCheckpoint.count().run() == 0


def test_the_cli_reports_a_cut_tail(embedded: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(
        cli_app, ["admin", "create", "--username", "root", "--password-stdin"], input="a long password 1\n"
    )
    assert made.exit_code == 0, made.output
    taken = runner.invoke(cli_app, ["admin", "audit-checkpoint"])
    assert taken.exit_code == 0 and "1 entries" in taken.output, taken.output
    assert runner.invoke(cli_app, ["admin", "verify-audit"]).exit_code == 0
    database = next(embedded.rglob("*.db"))
    with sqlite3.connect(database) as conn:
        conn.execute("DROP TRIGGER core_audit_no_delete")
        conn.execute("DELETE FROM core_audit")
    verified = runner.invoke(cli_app, ["admin", "verify-audit"])
    assert verified.exit_code == 1
    assert "missing" in verified.output, verified.output
