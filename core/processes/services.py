"""Reading processes: one process, the lists, the applicant's progress (进度查询) and the work queue (待办).

Lists are keyset-paginated on indexes: the queue on ``(status, handler_path, due_at, id)`` — a county's
queue is one range scan over its subtree in due order — and "my processes" on
``(applicant, opened_at, id)``. Rows outside the caller's reach are never fetched; a single process
outside it answers 404.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from core.identity import audit
from core.kernel.access import Principal, Reach, reach_clause, reach_sql, within
from core.kernel.db import fetch
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, cursor_values, page_of
from core.processes import machine
from core.processes import schemas as S
from core.processes.machine import NO_DUE, Env, now, utc
from core.processes.permissions import PROCESS_PERSONAL_DATA, PROCESS_READ
from core.processes.tables import Process, ProcessStep


def _name(ptype: Any, code: str, locale: Any) -> str:
    state = ptype.state(code) if ptype is not None else None
    return state.name.get(locale) if state is not None else code


def to_process(
    env: Env,
    row: Mapping[str, Any],
    *,
    personal: bool = False,
    available: Sequence[str] = (),
    read_only: bool = False,
    moment: datetime | None = None,
) -> S.Process:
    moment = moment or now()
    ptype = env.registry.process_types.get(row["type"])
    due = utc(row["due_at"])
    form = machine.open_form(row, env.vault) if personal else dict(machine._json(row["form"]) or {})
    return S.Process(
        id=row["id"],
        type=row["type"],
        type_name=ptype.name.get(env.locale) if ptype is not None else row["type"],
        org_id=row["org"],
        handler_org_id=row["handler_org"],
        applicant_id=row["applicant"],
        state=row["state"],
        state_name=_name(ptype, row["state"], env.locale),
        status=row["status"],
        outcome=row["outcome"],
        assignee_id=row["assignee"],
        form=form,
        due_at=None if due is None or due >= NO_DUE else due,
        overdue=row["status"] == "open" and due is not None and due < NO_DUE and due <= moment,
        referred_from=row["referred_from"],
        referred_to=row["referred_to"],
        version=row["version"],
        opened_at=utc(row["opened_at"]),  # type: ignore[arg-type]
        closed_at=utc(row["closed_at"]),
        updated_at=utc(row["updated_at"]),  # type: ignore[arg-type]
        available_transitions=list(available),
        read_only=read_only,
    )


async def readable(env: Env, principal: Principal, process_id: UUID) -> tuple[dict[str, Any], bool]:
    """The process if the caller may see it (404 otherwise), and whether they see it read-only.

    The sender of a referral sees the process it handed on (read-only), one hop or several.
    """
    row = await machine.load(process_id)
    if row is None:
        raise Problem("not-found")
    if machine.may_read(principal, env.registry, row):
        return row, False
    source_id = row["referred_from"]
    while source_id is not None:
        source = await machine.load(source_id)
        if source is None:
            break
        if machine.may_read(principal, env.registry, source):
            return row, True
        source_id = source["referred_from"]
    await audit_sensitive_read(env, principal, row, denied=True)
    raise Problem("not-found")


async def audit_sensitive_read(
    env: Env, principal: Principal, row: Mapping[str, Any], *, denied: bool
) -> None:
    """``process.read`` / ``process.read_denied`` for a process of a type with its own read permission
    (ids and codes only), seen by its home and handling orgs. In a transaction of its own (reads have
    none; inside a write's it joins it)."""
    from core.kernel.db import active_database

    ptype = env.registry.process_types.get(row["type"])
    db = active_database()
    if ptype is None or not ptype.read_permission or db is None:
        return
    async with db.transaction():
        await audit.record(
            "process.read_denied" if denied else "process.read",
            resource_type="process",
            resource_id=row["id"],
            org_path=row["org_path"],
            org_paths=[row["handler_path"]],
            changes={"type": row["type"], "permission": ptype.read_permission},
            actor=principal,
        )


def _sensitive_sql(env: Env, principal: Principal, column: str, args: list[Any]) -> str | None:
    """SQL keeping rows of sensitive types (their own read permission) to where the caller holds it."""
    hidden = machine.sensitive_types(env.registry)
    if not hidden:
        return None
    codes = sorted(hidden)
    args.extend(codes)
    parts = [f"type NOT IN ({', '.join('{}' for _ in codes)})"]
    for code in codes:
        reach = principal.reach(hidden[code])
        if not reach:
            continue
        args.append(code)
        parts.append(f"(type = {{}} AND ({reach_sql(column, reach, args)}))")
    return "(" + " OR ".join(parts) + ")"


def _visible_clause(env: Env, principal: Principal, org_path: str | None, subtree: bool) -> Any | None:
    """Processes homed or handled within the caller's read reach — those of sensitive types (their own
    read permission) only where the caller holds that permission. None when nothing is visible."""
    hidden = machine.sensitive_types(env.registry)

    def within_reach(reaches: Sequence[Reach]) -> Any | None:
        if org_path is not None:
            reaches = _narrow(reaches, org_path, subtree)
        home = reach_clause(Process.org_path, reaches)
        handled = reach_clause(Process.handler_path, reaches)
        return None if home is None or handled is None else home | handled

    clause = within_reach(machine.read_reach(principal, env.registry))
    if clause is not None and hidden:
        clause = clause & Process.type.not_in(sorted(hidden))
    for code in sorted(hidden):
        own = within_reach(principal.reach(hidden[code]))
        if own is not None:
            part = (Process.type == code) & own
            clause = part if clause is None else clause | part
    return clause


async def detail(env: Env, principal: Principal, row: Mapping[str, Any], read_only: bool) -> S.ProcessDetail:
    ptype = env.type(row["type"])
    offered = [] if read_only else await machine.available(principal, ptype, row)
    personal = machine.sees_personal(principal, row)
    base = to_process(env, row, personal=personal, available=offered, read_only=read_only)
    await audit_sensitive_read(env, principal, row, denied=False)
    if personal and row.get("personal_enc"):  # the applicant's personal fields leave in clear
        await audit.record_personal_data_read(
            principal,
            {row["applicant"]: sorted(ptype.personal_fields)},
            permission=PROCESS_PERSONAL_DATA,
            at=(row["org_path"], row["handler_path"]),
        )
    steps = await ProcessStep.select().where(ProcessStep.process == row["id"]).order_by(ProcessStep.seq).run()
    return S.ProcessDetail(
        **{f: getattr(base, f) for f in base.__struct_fields__},
        steps=[
            S.Step(
                id=s["id"],
                seq=s["seq"],
                action=s["action"],
                from_state=s["from_state"],
                to_state=s["to_state"],
                actor_kind=s["actor_kind"],
                actor_id=s["actor_id"],
                comment=s["comment"],
                form=dict(machine._json(s["form"]) or {}),
                at=utc(s["at"]),  # type: ignore[arg-type]
            )
            for s in steps
        ],
    )


_QUEUE_KEY = (Process.due_at, Process.id)


async def queue(
    env: Env,
    principal: Principal,
    page: PageRequest,
    *,
    org_path: str | None,
    subtree: bool,
    type_code: str | None,
    state: str | None,
    overdue: bool | None,
    mine: bool,
    with_counts: bool = False,
    moment: datetime | None = None,
) -> S.Queue:
    """Open processes handled within the caller's handling reach, soonest due first; with ``with_counts``
    also the open and overdue counts per type (a count reads the whole subtree: asked for separately)."""
    moment = moment or now()
    reaches = machine._merged_reach(principal, machine.handling_permissions(env.registry))
    if org_path is not None:
        reaches = _narrow(reaches, org_path, subtree)
    if not reaches:
        return S.Queue(items=[], next_cursor=None, counts=[])
    args: list[Any] = ["open"]
    where = ["status = {}"]
    clause = reach_sql("handler_path", reaches, args)
    where.append(f"({clause})")
    sensitive = _sensitive_sql(env, principal, "handler_path", args)
    if sensitive is not None:
        where.append(sensitive)
    filters: list[str] = []
    if type_code is not None:
        args.append(type_code)
        filters.append("type = {}")
    if state is not None:
        args.append(state)
        filters.append("state = {}")
    if mine:
        args.append(principal.id)
        filters.append("assignee = {}")
    count_args = list(args)
    count_where = where + filters
    if overdue is True:
        args.append(moment)
        filters.append("due_at <= {}")
    elif overdue is False:
        args.append(moment)
        filters.append("due_at > {}")
    page_where = where + filters
    if page.after is not None:
        due, pid = cursor_values(_QUEUE_KEY, page.after)
        args.extend([due, pid])
        # A row-value comparison (SQLite ≥ 3.15, PostgreSQL) is an index range condition, not a filter.
        page_where.append("(due_at, id) > ({}, {})")
    args.append(page.limit + 1)
    sql = "SELECT * FROM core_process WHERE " + " AND ".join(page_where) + " ORDER BY due_at, id LIMIT {}"  # noqa: S608
    rows = [dict(r) for r in await fetch(Process, sql, args)]
    rows, cursor = page_of(rows, _QUEUE_KEY, page)
    items = [to_process(env, r, moment=moment) for r in rows]
    if not with_counts:
        return S.Queue(items=items, next_cursor=cursor, counts=[])
    count_args.append(moment)
    count_sql = (
        "SELECT type, COUNT(*) AS n, SUM(CASE WHEN due_at <= {} THEN 1 ELSE 0 END) AS late FROM core_process WHERE "  # noqa: S608
        + " AND ".join(count_where)
        + " GROUP BY type ORDER BY type"
    )
    # The moment is the first placeholder of the count query: move it to the front of its arguments.
    count_rows = await fetch(Process, count_sql, [count_args[-1], *count_args[:-1]])
    counts = []
    for r in count_rows:
        ptype = env.registry.process_types.get(r["type"])
        counts.append(
            S.QueueCount(
                type=r["type"],
                type_name=ptype.name.get(env.locale) if ptype else r["type"],
                open=int(r["n"]),
                overdue=int(r["late"] or 0),
            )
        )
    return S.Queue(items=items, next_cursor=cursor, counts=counts)


def _narrow(reaches: Sequence[Reach], org_path: str, subtree: bool) -> list[Reach]:
    """The part of ``reaches`` inside the selected org (or its subtree): the filter stays one range."""
    out: list[Reach] = []
    for r in reaches:
        if r.covers(org_path):
            out.append(Reach(path=org_path, subtree=subtree))
        elif subtree and r.path.startswith(org_path):
            out.append(r)
    return out


_MINE_KEY = (Process.opened_at, Process.id)


async def mine(
    env: Env, principal: Principal, page: PageRequest, *, status: str | None
) -> tuple[list[S.Process], str | None]:
    """The caller's own applications in every org and plugin, newest first, with their progress."""
    if principal.person_id is None:
        return [], None
    query = Process.select().where(Process.applicant == principal.person_id)
    if status is not None:
        query = query.where(Process.status == status)
    if page.after is not None:
        opened, pid = cursor_values(_MINE_KEY, page.after)
        query = query.where(
            (Process.opened_at < opened) | ((Process.opened_at == opened) & (Process.id < pid))
        )
    rows = await query.order_by(Process.opened_at, Process.id, ascending=False).limit(page.limit + 1).run()
    rows, cursor = page_of(rows, _MINE_KEY, page)
    return [to_process(env, r, personal=True) for r in rows], cursor


async def list_processes(
    env: Env,
    principal: Principal,
    page: PageRequest,
    *,
    org_path: str | None,
    subtree: bool,
    type_code: str | None,
    status: str | None,
) -> tuple[list[S.Process], str | None]:
    """Processes homed or handled within the caller's read reach, newest first."""
    visible = _visible_clause(env, principal, org_path, subtree)
    if visible is None:
        return [], None
    query = Process.select().where(visible)
    if type_code is not None:
        query = query.where(Process.type == type_code)
    if status is not None:
        query = query.where(Process.status == status)
    if page.after is not None:
        opened, pid = cursor_values(_MINE_KEY, page.after)
        query = query.where(
            (Process.opened_at < opened) | ((Process.opened_at == opened) & (Process.id < pid))
        )
    rows = await query.order_by(Process.opened_at, Process.id, ascending=False).limit(page.limit + 1).run()
    rows, cursor = page_of(rows, _MINE_KEY, page)
    return [to_process(env, r) for r in rows], cursor


def may_see_statistics(principal: Principal, path: str) -> bool:
    return within(path, principal.reach(PROCESS_READ))
