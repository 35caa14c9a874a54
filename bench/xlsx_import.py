"""Import of a large XLSX of members through the real import path, in rows per second.

An import row of ``members`` is a person with a resident ID number and a mobile, joining an org: every
row is validated (ID check digit, phone, org within reach and active, duplicates), the person's ID number
and phone are encrypted with a blind index, and the person, the membership and their two signals are
written in one all-or-nothing transaction: what ``quntuan import members`` and the upload endpoint do
(:func:`core.orgs.imports.run_import`). The file is generated with openpyxl (write-only) over the
villages of one district. The import runs inside a transaction that is rolled back afterwards, so the
shared benchmark database stays as seeded and reruns measure the same::

    QUNTUAN_DATABASE_URL=postgresql://… QUNTUAN_SECRET_KEY=… python -m bench.xlsx_import [--rows 100000]

Prints JSON figures. Profile it with ``python -m pyinstrument -m bench.xlsx_import --rows 20000``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import time
from datetime import date, timedelta
from typing import Any

import asyncpg
from openpyxl import Workbook

from core.kernel.db import Database
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import load_settings
from core.orgs.imports import run_import
from core.orgs.services import EVERYWHERE
from core.orgs.tables import Org
from core.orgs.validators import id_number_check

HEADER = ("组织", "姓名", "身份证号", "手机", "角色")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def workbook(orgs: list[str], rows: int, seed: int) -> bytes:
    """``rows`` members with valid, distinct ID numbers and mobiles, spread over ``orgs``."""
    rng = random.Random(seed)
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 3000))
    phone0 = 13_000_000_000 + rng.randrange(0, 6_900_000_000 - rows)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("members")
    sheet.append(HEADER)
    for i in range(rows):
        day, seq = divmod(i, 999)
        first17 = f"110105{born + timedelta(days=day):%Y%m%d}{seq + 1:03d}"
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 3) % len(GIVEN)]
        sheet.append(
            (orgs[i % len(orgs)], name, first17 + id_number_check(first17), str(phone0 + i), "member")
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Undo(Exception):
    """Leaves the outer transaction, rolling back what the import wrote."""


async def measure(rows: int, orgs: int = 200, keep: bool = False) -> dict[str, Any]:
    settings = load_settings()
    pm = make_plugin_manager(settings)
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    try:
        district = (
            await Org.select(Org.path)
            .where((Org.level == "county") & (Org.kind == "party.committee"))
            .order_by(Org.path)
            .first()
            .run()
        )
        targets = (
            await Org.select(Org.id)
            .where(
                (Org.path >= district["path"])
                & (Org.path < district["path"] + "~")
                & (Org.level == "village")
                # The Youth League's branches also want a birth date (under 28): not in this file.
                & (Org.kind != "youth.branch")
                & (Org.status == "active")
            )
            .order_by(Org.path)
            .limit(orgs)
            .run()
        )
        ids = [str(r["id"]) for r in targets] or [str(district["id"])]
        started = time.perf_counter()
        raw = workbook(ids, rows, seed=int(time.time()))
        generated = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        try:
            # run_import joins this outer transaction, which is rolled back unless --keep: the shared
            # benchmark database stays as seeded (the final commit, one WAL flush, is not timed).
            async with db.transaction():
                report = await run_import(
                    db, pm, settings, "members", raw, filename="members.xlsx", mode="all", reaches=EVERYWHERE
                )
                seconds = time.perf_counter() - started
                cpu = time.process_time() - cpu
                if not keep:
                    raise _Undo
        except _Undo:
            if not db.is_sqlite:
                # The rolled-back rows stay as dead tuples (and index entries) until vacuumed: clear
                # them now, untimed, so the next run does not pay for this one.
                conn = await asyncpg.connect(settings.database_url.replace("postgres://", "postgresql://", 1))
                try:
                    await conn.execute("VACUUM core_person, core_membership, core_outbox")
                finally:
                    await conn.close()
        result = {
            "rows": report.rows,
            "imported": report.imported,
            "committed": report.committed,
            "kept": keep,
            "issues": len(report.issues),
            "first_issues": [msgspec_issue(i) for i in report.issues[:5]],
            "orgs": len(ids),
            "file_mb": round(len(raw) / 1e6, 2),
            "generate_s": round(generated, 2),
            "seconds": round(seconds, 2),
            "cpu_s": round(cpu, 2),
            "rows_per_s": round(report.rows / seconds, 1) if seconds else 0.0,
        }
        return result
    finally:
        await db.stop()


def msgspec_issue(issue: Any) -> dict[str, Any]:
    return {"row": issue.row, "column": issue.column, "code": issue.code}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--orgs", type=int, default=200, help="villages (communities) the members join")
    parser.add_argument("--keep", action="store_true", help="keep what was imported")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.rows, args.orgs, args.keep))))
