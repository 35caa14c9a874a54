"""Expert search (专家检索) over a large library: discipline + tag + text, on PostgreSQL.

Seeds ``--experts`` experts (default 100 000, ``plugins.scitech.demo``) over a province association with
ten city and a hundred county associations into an empty database, then times the plugin's search service
(``plugins.scitech.experts.search``, what ``GET /api/v1/scitech/experts`` calls) for a cadre reaching the
province, against the same two statements (candidates from the discipline and tag indexes, then the page)
sent raw through asyncpg as the baseline, in the same run with the rounds interleaved (raw, quntuan,
quntuan, raw, …) so load on the shared machine weighs on both alike::

    QUNTUAN_DATABASE_URL=postgresql://…/scratch QUNTUAN_SECRET_KEY=… python -m bench.expert_search

Prints p50/p95 per query for both, the ratio (raw p50 / quntuan p50: 1.0 is as fast as raw SQL), whether
the issue's target (p50 ≤ 50 ms for discipline + tag + text) is met, and the plan of the combined query;
it does not pass or fail. Use a scratch database (``--reuse`` keeps the experts a previous run seeded).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from typing import Any

from bench.principals import SubtreeCadre
from core.kernel.db import Database
from core.kernel.migrations import migrate
from core.kernel.pagination import PageRequest
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import load_settings
from core.orgs.tables import Org
from plugins.scitech import demo
from plugins.scitech import experts as E
from plugins.scitech.permissions import EXPERT_READ
from plugins.scitech.tables import ScitechExpert

QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("discipline + tag + text", {"discipline": "520", "tag": "人工智能", "q": "大学"}),
    ("discipline + tag + pinyin", {"discipline": "210", "tag": "水稻育种", "q": "zj"}),
    ("2nd-level discipline + text", {"discipline": "52020", "q": "教授"}),
    ("tag + traditional text", {"tag": "工業互聯網", "q": "杭州"}),
    ("text only (rare)", {"q": "王伟"}),
    ("discipline only", {"discipline": "320"}),
]


async def seed(n: int) -> str:
    rng = random.Random(13)
    province = (uuid.uuid4(), "s00000")
    orgs = [province]
    rows = [
        Org(
            id=province[0],
            path=province[1],
            depth=1,
            kind="scitech.association",
            level="province",
            name="省科协",
        )
    ]
    for c in range(10):
        city = (uuid.uuid4(), f"{province[1]}c{c:05d}")
        rows.append(
            Org(
                id=city[0],
                parent=province[0],
                path=city[1],
                depth=2,
                kind="scitech.association",
                level="city",
                name=f"市科协{c}",
            )
        )
        orgs.append(city)
        for k in range(10):
            county = (uuid.uuid4(), f"{city[1]}k{k:05d}")
            rows.append(
                Org(
                    id=county[0],
                    parent=city[0],
                    path=county[1],
                    depth=3,
                    kind="scitech.association",
                    level="county",
                    name=f"县科协{c}{k}",
                )
            )
            orgs.append(county)
    await Org.insert(*rows).run()
    for start in range(0, n, 10_000):
        await demo.load(demo.expert_rows(rng, min(10_000, n - start), orgs))
    return province[1]


#: The issue's target for the combined query (discipline + tag + text).
TARGET_MS = 50.0


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * q) - 1)]


def _paged(query: Any) -> Any:
    """The query as ``paginate`` sends it for a first page of 20."""
    return query.order_by(ScitechExpert.created_at, ScitechExpert.id).limit(21)


def _candidates_sql(params: dict[str, Any]) -> tuple[Any, ...] | None:
    parts, args = [], []
    if params.get("discipline"):
        parts.append(f"SELECT expert FROM scitech_expert_discipline WHERE code = ${len(args) + 1}")  # noqa: S608
        args.append(params["discipline"])
    if params.get("tag"):
        parts.append(f"SELECT expert FROM scitech_expert_tag WHERE tag = ${len(args) + 1}")  # noqa: S608
        args.append(E.search_fold(params["tag"])[:40])
    if not parts:
        return None
    inner = " INTERSECT ".join(parts) + f" LIMIT ${len(args) + 1}"
    sql = f"SELECT array_agg(expert) AS ids FROM ({inner}) AS candidates"  # noqa: S608
    return (sql, *args, E.MAX_CANDIDATES + 1)


def _sql(query: Any) -> tuple[str, list[Any]]:
    """The SQL text and arguments Piccolo sends for ``query`` (asyncpg's $n placeholders)."""
    compiled = query.querystrings[0]
    template, values = compiled.compile_string(engine_type="postgres")
    return template, list(values)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="keep the experts a previous run seeded")
    args = parser.parse_args()
    settings = load_settings()
    pm = make_plugin_manager(settings)
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    try:
        await migrate(db)
        if db.is_sqlite:
            print("PostgreSQL only: set QUNTUAN_DATABASE_URL to a scratch PostgreSQL database")
            return
        existing = await ScitechExpert.count().run()
        if args.reuse and existing:
            province = "s00000"
            print(f"reusing the {existing} experts seeded before")
        else:
            started = time.perf_counter()
            province = await seed(args.experts)
            print(f"seeded {args.experts} experts in {time.perf_counter() - started:.1f}s")
        import asyncpg

        raw = await asyncpg.connect(settings.database_url)
        for table in ("scitech_expert", "scitech_expert_discipline", "scitech_expert_tag"):
            await raw.execute(f"VACUUM ANALYZE {table}")  # as autovacuum would after a load
        cadre = SubtreeCadre(province, (EXPERT_READ,))
        reaches = cadre.reach(EXPERT_READ)
        try:
            # A shared machine's load weighs on every figure: say what it was.
            print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
            print(
                f"{'query':30} {'found':>5} {'p50 ms':>7} {'p95 ms':>7}"
                f" {'raw p50':>7} {'raw p95':>7} {'ratio':>5}"
            )
            figures = {}
            for label, params in QUERIES:
                page = PageRequest(limit=20)
                found, _ = await E.search(reaches, page, **params)

                async def ours(params: dict[str, Any] = params, page: PageRequest = page) -> None:
                    await E.search(reaches, page, **params)

                # The baseline: the same two statements (candidates from the indexes, then the page) raw.
                ids = await E.candidate_ids(params.get("discipline"), params.get("tag"))
                sql, values = _sql(_paged(E.search_query(reaches, page, **params, candidates=ids)))
                first = _candidates_sql(params)

                async def baseline(
                    first: tuple[Any, ...] | None = first, sql: str = sql, values: list[Any] = values
                ) -> None:
                    if first is not None:
                        await raw.fetch(*first)
                    await raw.fetch(sql, *values)

                for _ in range(5):  # warm both
                    await ours()
                    await baseline()
                times: list[float] = []
                base: list[float] = []
                for i in range(args.rounds):
                    order = (
                        (baseline, ours, ours, baseline) if i % 2 == 0 else (ours, baseline, baseline, ours)
                    )
                    for fn in order:
                        t0 = time.perf_counter()
                        await fn()
                        (base if fn is baseline else times).append((time.perf_counter() - t0) * 1000)
                p50, p50_raw = statistics.median(times), statistics.median(base)
                figures[label] = p50
                print(
                    f"{label:30} {len(found):>5} {p50:>7.1f} {_p(times, 0.95):>7.1f}"
                    f" {p50_raw:>7.1f} {_p(base, 0.95):>7.1f} {p50_raw / p50:>5.2f}"
                )
            combined = figures[QUERIES[0][0]]
            print(
                f"target: p50 ≤ {TARGET_MS:.0f} ms for {QUERIES[0][0]} over {await ScitechExpert.count().run()}"
                f" experts — p50 {combined:.1f} ms, {'met' if combined <= TARGET_MS else 'NOT met'}"
            )
            ids = await E.candidate_ids(QUERIES[0][1]["discipline"], QUERIES[0][1]["tag"])
            sql, values = _sql(
                _paged(E.search_query(reaches, PageRequest(limit=20), **QUERIES[0][1], candidates=ids))
            )
            plan = await raw.fetch("EXPLAIN ANALYZE " + sql, *values)
            # The id lists make lines of kilobytes: each line cut to what a reader needs.
            print("\n".join(r[0] if len(r[0]) <= 160 else r[0][:157] + "..." for r in plan))
        finally:
            await raw.close()
    finally:
        await db.stop()


if __name__ == "__main__":
    asyncio.run(main())
