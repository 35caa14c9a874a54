"""Keyset pagination over a real table, on the test database."""

from __future__ import annotations

import uuid

import pytest
from piccolo.columns import UUID, Integer, Varchar
from piccolo.table import Table

from core.kernel.db import Database
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, decode_cursor, encode_cursor, paginate
from core.kernel.settings import Settings


class PagedItem(Table, tablename="test_paged_item"):
    uid = UUID()
    rank = Integer()
    label = Varchar(length=20)


@pytest.fixture
async def db(settings: Settings):
    database = Database(settings, [])
    await database.start()
    PagedItem._meta.db = database.engine
    await PagedItem.create_table(if_not_exists=True).run()
    await PagedItem.delete(force=True).run()
    yield database
    await PagedItem.alter().drop_table(if_exists=True).run()
    await database.stop()


async def test_pages_walk_every_row_once_in_order(db: Database) -> None:
    rows = [PagedItem(uid=uuid.uuid4(), rank=i % 7, label=f"item {i}") for i in range(53)]
    async with db.transaction():
        await PagedItem.insert(*rows).run()
    expected = sorted((r.rank, r.uid) for r in rows)

    seen: list[tuple[int, uuid.UUID]] = []
    cursor = None
    pages = 0
    while True:
        page = PageRequest(limit=10, after=decode_cursor(cursor) if cursor else None)
        items, cursor = await paginate(PagedItem.select(), [PagedItem.rank, PagedItem.uid], page)
        seen += [(r["rank"], r["uid"]) for r in items]
        pages += 1
        if cursor is None:
            break
    assert pages == 6
    assert seen == expected


async def test_descending_order(db: Database) -> None:
    await PagedItem.insert(*[PagedItem(uid=uuid.uuid4(), rank=i, label="x") for i in range(5)]).run()
    items, cursor = await paginate(
        PagedItem.select(), [PagedItem.rank, PagedItem.uid], PageRequest(limit=3), descending=True
    )
    assert [r["rank"] for r in items] == [4, 3, 2]
    items, cursor = await paginate(
        PagedItem.select(),
        [PagedItem.rank, PagedItem.uid],
        PageRequest(limit=3, after=decode_cursor(cursor)),
        descending=True,
    )
    assert [r["rank"] for r in items] == [1, 0]
    assert cursor is None


@pytest.mark.parametrize(
    "raw", ["!!!", encode_cursor([])[:-1] + "x", "bnVsbA", encode_cursor(["a", "b", "c"])]
)
async def test_tampered_cursors_are_a_client_error(db: Database, raw: str) -> None:
    with pytest.raises(Problem) as info:
        await paginate(
            PagedItem.select(), [PagedItem.rank, PagedItem.uid], PageRequest(after=decode_cursor(raw))
        )
    assert info.value.problem.code == "invalid-cursor"


async def test_cursor_with_wrong_types_is_a_client_error(db: Database) -> None:
    with pytest.raises(Problem):
        await paginate(
            PagedItem.select(),
            [PagedItem.rank, PagedItem.uid],
            PageRequest(after=("not a number", "not a uuid")),
        )
