"""Routes of the audit log: ``/api/v1/audit`` — entries of the orgs within reach, the chain check, checkpoints."""

from __future__ import annotations

import json
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter

from core.identity import audit, audit_checkpoints
from core.identity.audit_checkpoints import CheckpointOut, Verdict
from core.identity.permissions import AUDIT_READ
from core.identity.rules import holds_everywhere, require_platform
from core.identity.runtime import identity_of
from core.identity.schemas import AuditOut
from core.identity.tables import AuditEntry, AuditOrg
from core.kernel.access import reach_clause
from core.kernel.pagination import Page, PageParam, paginate

#: The periodic checkpoint is registered (as a job and a periodic one) wherever the routes are.
_JOBS = (audit_checkpoints.CHECKPOINT_JOB,)


def _redis(request: Request[Any, Any, Any]) -> Any:
    shared = getattr(request.app.state, "shared", None)
    return getattr(shared, "redis", None)


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]  # noqa: RUF012 - Litestar reads it from the class

    @get(
        "/",
        opt={"permission": AUDIT_READ},
        summary="审计日志（新的在前）",
        description="涉及权限范围内组织的审计记录，新的在前。",
        summary_en="Audit entries naming an org within reach, newest first",
        description_en="The audit entries naming an org within reach, newest first.",
    )
    async def list_entries(
        self,
        request: Request[Any, Any, Any],
        page: PageParam,
        resource_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
        action: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Page[AuditOut]:
        reaches = request.user.reach(AUDIT_READ)
        named = reach_clause(AuditOrg.org_path, reaches)
        if named is None:
            return Page(items=[])
        clause: Any = AuditEntry.seq.is_in(AuditOrg.select(AuditOrg.seq).where(named))
        if holds_everywhere(request.user, AUDIT_READ):
            clause = clause | AuditEntry.org_path.is_null()
        query = AuditEntry.select().where(clause)
        if resource_id is not None:
            query = query.where(AuditEntry.resource_id == resource_id)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        rows, cursor = await paginate(query, [AuditEntry.seq], page, descending=True)
        paths: dict[int, list[str]] = {}
        if rows:
            for org in (
                await AuditOrg.select(AuditOrg.seq, AuditOrg.org_path)
                .where(AuditOrg.seq.is_in([r["seq"] for r in rows]))
                .order_by(AuditOrg.id)
                .run()
            ):
                paths.setdefault(int(org["seq"]), []).append(org["org_path"])
        items = [
            AuditOut(
                seq=r["seq"],
                id=r["id"],
                at=r["at"],
                actor_kind=r["actor_kind"],
                actor_id=r["actor_id"],
                action=r["action"],
                resource_type=r["resource_type"],
                resource_id=r["resource_id"],
                org_path=r["org_path"],
                org_paths=paths.get(int(r["seq"]), []),
                changes=json.loads(r["changes"]) if isinstance(r["changes"], str) else r["changes"],
            )
            for r in rows
        ]
        return Page(items=items, next_cursor=cursor)

    @get(
        "/verify",
        opt={"permission": AUDIT_READ},
        summary="校验审计日志",
        description=(
            "status 为 intact（完整）、broken（broken_at 为第一条断链记录）、"
            "tail_missing（检查点指向日志中已不存在的记录，即最新记录被删除）或 "
            "forged_checkpoint（检查点签名不符）。"
        ),
        summary_en="Check the whole log: its hash chain, and its head against the signed checkpoints",
        description_en=(
            "``status``: ``intact``; ``broken`` (``broken_at``: the first entry that does not chain); "
            "``tail_missing`` (a checkpoint names an entry the log no longer has — its newest entries were "
            "removed — ``tail_missing_at`` that seq, ``last_good_checkpoint`` the newest that still "
            "matches); ``forged_checkpoint`` (a checkpoint whose signature does not verify)."
        ),
    )
    async def verify_audit_log(self, request: Request[Any, Any, Any]) -> Verdict:
        require_platform(request.user, AUDIT_READ)
        state = request.app.state
        return await audit_checkpoints.verify(identity_of(state).vault, state.settings, _redis(request))

    @post(
        "/checkpoints",
        opt={"permission": AUDIT_READ},
        status_code=201,
        summary="立即记录审计日志签名检查点",
        description="对审计日志当前的末尾签名并记录检查点（也会定期自动记录）。",
        summary_en="Record a signed checkpoint of the log's head now (also taken periodically)",
        description_en="Signs and records the audit log's current head as a checkpoint (also taken periodically).",
    )
    async def record_audit_checkpoint(self, request: Request[Any, Any, Any]) -> CheckpointOut:
        require_platform(request.user, AUDIT_READ)
        state = request.app.state
        async with state.db.transaction():
            await audit.record("audit.checkpoint_requested", resource_type="audit", resource_id="head")
        taken = await audit_checkpoints.take(
            state.db, identity_of(state).vault, state.settings, _redis(request), force=True
        )
        assert taken is not None
        return CheckpointOut(
            id=taken.id,
            at=taken.at,
            entry_count=taken.entry_count,
            last_seq=taken.last_seq,
            head_hash=taken.head_hash,
        )
