"""Statistics of processes per type and subtree: opened, open, done, rejected, overdue, median time per state.

Counted with range queries on the org path copied onto each process and step, so a subtree's figures are
index range scans; the core contributes the per-type counts to the org statistics (JSON and XLSX) through
its own ``quntuan_statistics`` implementation.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any

from core.kernel.access import subtree_bounds
from core.kernel.declarations.orgs import StatFigure
from core.kernel.i18n import Text
from core.processes import schemas as S
from core.processes.machine import NO_DUE, now
from core.processes.tables import Process, ProcessStep


async def type_stats(org_path: str, moment: datetime | None = None) -> list[S.TypeStats]:
    moment = moment or now()
    low, high = subtree_bounds(org_path)
    rows = await Process.raw(
        "SELECT type, COUNT(*) AS opened,"
        " SUM(CASE WHEN status IN ('open', 'held') THEN 1 ELSE 0 END) AS open_n,"
        " SUM(CASE WHEN status = 'closed' AND (outcome IS NULL OR outcome <> 'rejected') THEN 1 ELSE 0 END) AS done,"
        " SUM(CASE WHEN status = 'closed' AND outcome = 'rejected' THEN 1 ELSE 0 END) AS rejected,"
        " SUM(CASE WHEN status = 'open' AND due_at <= {} AND due_at < {} THEN 1 ELSE 0 END) AS overdue"
        " FROM core_process WHERE org_path >= {} AND org_path < {} GROUP BY type ORDER BY type",
        moment,
        NO_DUE,
        low,
        high,
    ).run()
    steps = await ProcessStep.raw(
        "SELECT p.type AS type, s.from_state AS state, s.seconds_in_state AS seconds"
        " FROM core_process_step s JOIN core_process p ON p.id = s.process"
        " WHERE p.org_path >= {} AND p.org_path < {} AND s.seconds_in_state IS NOT NULL",
        low,
        high,
    ).run()
    durations: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for s in steps:
        durations[s["type"]][s["state"]].append(int(s["seconds"]))
    return [
        S.TypeStats(
            type=r["type"],
            opened=int(r["opened"]),
            open=int(r["open_n"] or 0),
            done=int(r["done"] or 0),
            rejected=int(r["rejected"] or 0),
            overdue=int(r["overdue"] or 0),
            median_seconds_per_state={
                state: float(statistics.median(values))
                for state, values in sorted(durations[r["type"]].items())
            },
        )
        for r in rows
    ]


async def statistic_figures(org_path: str) -> list[Any]:
    """The per-type counts as figures of the org statistics (``core.process.<type>.<figure>``)."""
    figures: list[StatFigure] = []
    labels = {
        "opened": ("申请数", "Processes opened"),
        "open": ("办理中", "Processes open"),
        "done": ("已办结", "Processes done"),
        "rejected": ("未通过", "Processes rejected"),
        "overdue": ("已逾期", "Processes overdue"),
    }
    for item in await type_stats(org_path):
        for key, (zh, en) in labels.items():
            figures.append(
                StatFigure(
                    code=f"core.process.{item.type}.{key}",
                    label=Text(zh_hans=f"{item.type} {zh}", en=f"{en} ({item.type})"),
                    value=getattr(item, key),
                )
            )
    return figures
