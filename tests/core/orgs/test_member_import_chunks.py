"""Member imports larger than one chunk: lookups prefetched per chunk, rows written in bulk per chunk.

What a row sees must not depend on where the chunks break: a person written by an earlier chunk is the
same person later, a membership written earlier is a duplicate later, a person already on file is found.
"""

from __future__ import annotations

from typing import Any

from core.identity.tables import Person
from core.integration.tables import OutboxSignal
from core.members.tables import Membership
from core.orgs.imports import CHUNK, run_import
from core.orgs.services import EVERYWHERE
from core.orgs.validators import id_number_check
from tests.conftest import ApiClient
from tests.core.orgs.conftest import Tree

HEADER = "组织,姓名,身份证号,手机"


def id_number(serial: int) -> str:
    body = f"330106199003{serial // 1000 % 28 + 1:02d}{serial % 1000:03d}"
    return body + id_number_check(body)


async def _import(api: ApiClient, lines: list[str], mode: str = "all") -> Any:
    state = api.app.state
    raw = "\n".join([HEADER, *lines]).encode()
    return await run_import(
        state.db, state.plugin_manager, state.settings, "members", raw, mode=mode, reaches=EVERYWHERE
    )


async def _tree(tree: Tree) -> tuple[str, str]:
    await tree.add("city", "party.committee", "city", name="杭州市委", region_code="330100")
    # Party branches: a person may be a member of both (a union member belongs to one union at a time).
    await tree.add("fed", "party.committee", "county", "city", name="西湖区委")
    return (
        await tree.add("a", "party.branch", "unit", "fed", name="甲公司支部"),
        await tree.add("b", "party.branch", "unit", "fed", name="乙公司支部"),
    )


async def test_rows_across_chunks_see_what_earlier_chunks_wrote(api: ApiClient, tree: Tree) -> None:
    a, b = await _tree(tree)
    on_file = (await _import(api, [f"{a},既有,{id_number(9999)},"])).created
    assert len(on_file) == 1
    total = CHUNK + 150
    lines = [f"{a},成员{i},{id_number(i)},138{i:08d}" for i in range(total - 3)]
    lines += [
        f"{b},成员0,{id_number(0)},",  # row 1 of chunk 1, again in another org: the same person
        f"{b},既有,{id_number(9999)},",  # on file before this import: found, joins b
        f"{a},既有,{id_number(9999)},",  # already an active member of a
    ]
    report = await _import(api, lines, mode="valid")
    assert [(i.row, i.column, i.code) for i in report.issues] == [(total + 1, "id_number", "duplicate")]
    assert report.committed and report.imported == total - 1
    assert await Person.count().run() == total - 3 + 1
    assert await Membership.count().run() == 1 + total - 1
    first = await Person.select(Person.id).where(Person.name == "成员0").first().run()
    assert first is not None
    joined = await Membership.select(Membership.org).where(Membership.person == first["id"]).run()
    assert sorted(str(r["org"]) for r in joined) == sorted([a, b])
    signals = (
        await OutboxSignal.select(OutboxSignal.name, OutboxSignal.resource_id)
        .order_by(OutboxSignal.seq)
        .run()
    )
    names = [s["name"] for s in signals]
    assert names.count("person.created") == total - 3 + 1 and names.count("member.joined") == total
    # A person's signal comes before the signal of the membership that made them.
    made = (
        await Membership.select(Membership.id)
        .where((Membership.person == first["id"]) & (Membership.org == a))
        .first()
        .run()
    )
    order = [s["resource_id"] for s in signals]
    assert made is not None and order.index(str(first["id"])) < order.index(str(made["id"]))


async def test_a_problem_in_a_later_chunk_keeps_nothing(api: ApiClient, tree: Tree) -> None:
    a, _ = await _tree(tree)
    lines = [f"{a},成员{i},{id_number(i)}," for i in range(CHUNK + 10)]
    lines.append(f"{a},错号,{id_number(5)[:-1]}{'0' if id_number(5)[-1] != '0' else '1'},")
    report = await _import(api, lines)
    assert [(i.row, i.code) for i in report.issues] == [(CHUNK + 12, "checksum")]
    assert not report.committed and report.imported == 0
    assert await Person.count().run() == 0
    assert await Membership.count().run() == 0
    assert await OutboxSignal.count().where(OutboxSignal.name == "member.joined").run() == 0


async def test_an_import_leaves_garbage_collection_as_it_found_it(api: ApiClient, tree: Tree) -> None:
    """The import pauses automatic collection while it runs (see ``_young_cycles_only``), never after."""
    import gc

    a, _ = await _tree(tree)
    assert gc.isenabled()
    assert (await _import(api, [f"{a},甲,{id_number(1)},13800000001"])).committed
    assert gc.isenabled()
    failed = await _import(api, [f"{a},乙,{id_number(2)},", f"{a},丙,not-an-id,"])
    assert not failed.committed and gc.isenabled()
    gc.disable()
    try:
        assert (await _import(api, [f"{a},丁,{id_number(3)},"])).committed
        assert not gc.isenabled()
    finally:
        gc.enable()


async def test_a_new_persons_signal_names_the_fields_the_row_gave(api: ApiClient, tree: Tree) -> None:
    import msgspec

    a, _ = await _tree(tree)
    await _import(
        api, [f"{a},甲,{id_number(1)},13800000001", f"{a},乙,{id_number(2)},", f"{a},丙,,13800000003"]
    )
    rows = (
        await OutboxSignal.select(OutboxSignal.payload)
        .where(OutboxSignal.name == "person.created")
        .order_by(OutboxSignal.seq)
        .run()
    )
    fields = [msgspec.json.decode(r["payload"])["fields"] for r in rows]
    assert fields == [
        ["home_org", "id_number", "name", "phone"],
        ["home_org", "id_number", "name"],
        ["home_org", "name", "phone"],
    ]
