"""Coverage roll-up at the root of the demo region: latency of the aggregate and of the HTTP endpoint.

Run after ``quntuan demo seed --scale large`` on PostgreSQL::

    QUNTUAN_DATABASE_URL=postgresql://… python -m bench.coverage_rollup [--runs 50]

Prints figures; it does not pass or fail.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from core.kernel.db import Database
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import load_settings
from core.orgs.coverage import coverage_rules, subtree_rates
from core.orgs.tables import CoverageRequirement, Org


async def main(runs: int) -> None:
    settings = load_settings()
    pm = make_plugin_manager(settings)
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    try:
        rules = coverage_rules(pm)
        root = await Org.select(Org.id, Org.path, Org.name).where(Org.parent.is_null()).first().run()
        total = await CoverageRequirement.count().run()
        orgs = await Org.count().run()
        timings = []
        rates = []
        for _ in range(runs):
            started = time.perf_counter()
            rates = await subtree_rates(rules, root["path"])
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        print(f"root {root['name']} · {orgs} orgs · {total} requirement rows · {runs} runs")
        print(
            f"roll-up ms: p50 {statistics.median(timings):.1f} · p95 {timings[int(0.95 * (runs - 1))]:.1f}"
            f" · min {timings[0]:.1f} · max {timings[-1]:.1f}"
        )
        for rate in rates:
            print(f"  {rate.rule:20} required {rate.required:7} covered {rate.covered:7} rate {rate.rate}")
        if not db.is_sqlite:
            plan = await Org.raw(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT rule, COUNT(*) AS required, "
                "SUM(CASE WHEN covered THEN 1 ELSE 0 END) AS covered FROM core_coverage_requirement "
                "WHERE area_path >= {} AND area_path < {} GROUP BY rule",
                root["path"],
                root["path"] + "~",
            ).run()
            for line in plan:
                print("   ", line["QUERY PLAN"])
    finally:
        await db.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    asyncio.run(main(parser.parse_args().runs))
