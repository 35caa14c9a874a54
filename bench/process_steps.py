"""Processes written per second: create + two transitions, against a raw-SQL baseline in the same run.

Each round opens a process of a two-step type declared by a bench plugin (``bench.two_step``: submitted →
reviewed → approved), reviews it and approves it — three transactions, as three HTTP calls would be, each
through :mod:`core.processes.machine` (form conversion, access check, compare-and-set, history row, audit
entry with its hash chain, outbox signal). The baseline writes the same rows with hand-written SQL on the
same connection pool in the same three transactions: process insert, step insert, audit entry (reading the
chain's head and hashing, as the log must), outbox insert; then per transition the versioned ``UPDATE …
RETURNING``, step, audit and outbox. Runs alternate (baseline, quntuan, baseline, …) so both see the same
machine::

    QUNTUAN_DATABASE_URL=postgresql://…/scratch QUNTUAN_SECRET_KEY=… python -m bench.process_steps

Prints figures and the ratio; it does not pass or fail. Use a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import statistics
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from bench.principals import SubtreeCadre
from core.identity.tables import AuditEntry, Person
from core.kernel.db import Database
from core.kernel.migrations import migrate
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import load_settings
from core.kernel.vault import Vault
from core.orgs.tables import Org
from core.processes import machine
from core.processes.machine import Env
from core.processes.permissions import PROCESS_HANDLE
from core.sdk import PluginInfo, ProcessType, State, Text, Transition, hookimpl


class BenchPlugin:
    """A plugin declaring the two-step type the bench writes."""

    TYPE = ProcessType(
        code="bench.two_step",
        name=Text(zh_hans="两步审批", en="Two-step approval"),
        states=(
            State(code="submitted", name=Text(zh_hans="已提交", en="Submitted")),
            State(code="reviewed", name=Text(zh_hans="已审核", en="Reviewed")),
            State(
                code="approved", name=Text(zh_hans="已批准", en="Approved"), final=True, outcome="approved"
            ),
        ),
        initial="submitted",
        transitions=(
            Transition(
                code="review",
                name=Text(zh_hans="审核", en="Review"),
                sources=("submitted",),
                target="reviewed",
                permission=PROCESS_HANDLE,
            ),
            Transition(
                code="approve",
                name=Text(zh_hans="批准", en="Approve"),
                sources=("reviewed",),
                target="approved",
                permission=PROCESS_HANDLE,
            ),
        ),
    )

    @hookimpl
    def quntuan_plugin_info(self) -> PluginInfo:
        return PluginInfo(
            slug="bench", name=Text(zh_hans="基准", en="Bench"), version="1.0.0", core_api=">=1,<2"
        )

    @hookimpl
    def quntuan_process_types(self) -> Sequence[ProcessType]:
        return (self.TYPE,)


#: The baseline's actor (the quntuan side acts as a :class:`SubtreeCadre`).
ACTOR_ID = uuid.uuid4()


async def quntuan_round(
    db: Database, env: Env, cadre: SubtreeCadre, org_id: uuid.UUID, applicant: uuid.UUID
) -> None:
    ptype = env.type("bench.two_step")
    async with db.transaction():
        row = await machine.open_process(
            env, cadre, type_code=ptype.code, org_id=org_id, applicant_id=applicant, form={}
        )
    for code in ("review", "approve"):
        async with db.transaction():
            current = await machine.load(row["id"])
            assert current is not None
            machine.check_if_match(current, machine.etag(current["version"]))
            (t,) = [t for t in ptype.transitions if t.code == code]
            if not await machine.may_take(cadre, t, current):
                raise RuntimeError("the bench cadre may not take the step")
            row = await machine.step(env, cadre, current, t)


_PROCESS_SQL = (
    "INSERT INTO core_process (id, type, org, org_path, handler_org, handler_path, applicant, opened_by, state,"
    " status, form, due_at, reminded, state_since, entered_by, version, opened_at, updated_at)"
    " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)
_STEP_SQL = (
    "INSERT INTO core_process_step (id, process, seq, action, from_state, to_state, actor_kind, actor_id,"
    " org_path, comment, form, at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)
_UPDATE_SQL = (
    "UPDATE core_process SET state = {}, status = {}, outcome = {}, version = version + 1, updated_at = {},"
    " state_since = {}, closed_at = {} WHERE id = {} AND version = {} RETURNING version"
)
_OUTBOX_SQL = (
    "INSERT INTO core_outbox (id, name, resource_type, resource_id, org_path, payload, occurred_at)"
    " VALUES ({}, {}, {}, {}, {}, {}, {})"
)
_AUDIT_SQL = (
    "INSERT INTO core_audit (id, at, actor_kind, actor_id, action, resource_type, resource_id, org_path,"
    " changes, prev_hash, hash) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)


async def _raw_audit(
    db: Database, action: str, process_id: uuid.UUID, path: str, changes: dict[str, str]
) -> None:
    if not db.is_sqlite:
        await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", 7_042_001).run()
    last = await AuditEntry.raw("SELECT hash FROM core_audit ORDER BY seq DESC LIMIT 1").run()
    prev = last[0]["hash"] if last else "0" * 64
    body = json.dumps(changes, sort_keys=True)
    digest = hashlib.sha256((prev + action + str(process_id) + body).encode()).hexdigest()
    now = datetime.now(UTC)
    await AuditEntry.raw(
        _AUDIT_SQL, uuid.uuid4(), now, "account", str(ACTOR_ID), action, "process", str(process_id), path,
        body, prev, digest,
    ).run()  # fmt: skip


async def raw_round(db: Database, org_id: uuid.UUID, path: str, applicant: uuid.UUID) -> None:
    process_id = uuid.uuid4()
    now = datetime.now(UTC)
    async with db.transaction():
        await AuditEntry.raw(
            _PROCESS_SQL, process_id, "bench.two_step", org_id, path, org_id, path, applicant, ACTOR_ID,
            "submitted", "open", "{}", datetime.max.replace(tzinfo=UTC), 0, now, "", 1, now, now,
        ).run()  # fmt: skip
        await AuditEntry.raw(
            _STEP_SQL, uuid.uuid4(), process_id, 1, "open", None, "submitted", "account", ACTOR_ID, path, "",
            "{}", now,
        ).run()  # fmt: skip
        await _raw_audit(db, "process.open", process_id, path, {"state": "submitted"})
        await AuditEntry.raw(
            _OUTBOX_SQL, uuid.uuid4(), "process.opened", "process", str(process_id), path, "{}", now
        ).run()
    version = 1
    for source, target, status in (("submitted", "reviewed", "open"), ("reviewed", "approved", "closed")):
        now = datetime.now(UTC)
        async with db.transaction():
            outcome = "approved" if status == "closed" else None
            closed = now if status == "closed" else None
            done = await AuditEntry.raw(
                _UPDATE_SQL, target, status, outcome, now, now, closed, process_id, version
            ).run()
            version = int(done[0]["version"])
            await AuditEntry.raw(
                _STEP_SQL, uuid.uuid4(), process_id, version, target, source, target, "account", ACTOR_ID, path,
                "", "{}", now,
            ).run()  # fmt: skip
            await _raw_audit(db, f"process.{target}", process_id, path, {"state": target})
            await AuditEntry.raw(
                _OUTBOX_SQL, uuid.uuid4(), "process.stepped", "process", str(process_id), path, "{}", now
            ).run()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200, help="processes per run")
    parser.add_argument("--runs", type=int, default=5, help="alternating runs of each side")
    args = parser.parse_args()
    settings = load_settings()
    pm = make_plugin_manager(settings, plugins={"bench": BenchPlugin()})
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    try:
        await migrate(db)
        org_id, path = uuid.uuid4(), f"b{uuid.uuid4().hex[:5]}"
        await Org.insert(
            Org(id=org_id, path=path, depth=1, kind="party.committee", level="county", name="基准县委")
        ).run()
        applicants = [uuid.uuid4() for _ in range(100)]
        await Person.insert(*[Person(id=p, name="群众") for p in applicants]).run()
        env = Env(pm.registry, pm, Vault.from_settings(settings))
        cadre = SubtreeCadre(path)
        rates: dict[str, list[float]] = {"raw SQL": [], "quntuan": []}
        for run in range(args.runs):
            for label in ("raw SQL", "quntuan"):
                started = time.perf_counter()
                for i in range(args.rounds):
                    applicant = applicants[(run * args.rounds + i) % len(applicants)]
                    if label == "raw SQL":
                        await raw_round(db, org_id, path, applicant)
                    else:
                        await quntuan_round(db, env, cadre, org_id, applicant)
                rates[label].append(args.rounds / (time.perf_counter() - started))
        raw, ours = statistics.median(rates["raw SQL"]), statistics.median(rates["quntuan"])
        print(
            f"backend: {'sqlite' if db.is_sqlite else 'postgresql'}; {args.runs} runs of {args.rounds} processes"
        )
        print(f"raw SQL baseline: {raw:.0f} processes/s (create + 2 transitions, 3 transactions each)")
        print(f"quntuan machine:  {ours:.0f} processes/s")
        print(f"ratio quntuan/raw: {ours / raw:.2f}")
    finally:
        await db.stop()


if __name__ == "__main__":
    asyncio.run(main())
