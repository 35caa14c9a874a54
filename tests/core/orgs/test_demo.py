"""The small demo seed (the large one is run by hand, see bench/), and the bulk commands of the CLI."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from litestar import Litestar
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from core.kernel.cli import app as cli
from core.orgs.coverage import coverage_rules, refresh_units
from core.orgs.demo import SCALES, generate, seed
from core.orgs.tables import CoverageRequirement, Org, Unit
from tests.conftest import open_client
from tests.helpers import AllowAll, with_principal


async def test_small_seed_is_deterministic_consistent_and_served(make_app: Callable[..., Litestar]) -> None:
    app = with_principal(make_app(), AllowAll())
    async for api in open_client(app):
        pm = app.state.plugin_manager
        result = await seed(app.state.db, pm, "small", seed=7)
        again, root = generate(pm, SCALES["small"], 7)
        assert root == result.root
        assert {o["id"] for o in again.orgs} == {r["id"] for r in await Org.select(Org.id).run()}
        assert result.orgs == await Org.count().run() and result.units == await Unit.count().run()
        assert result.persons == 1000 and result.memberships > 0

        # Every kind sits where it may, and the coverage rows are what the plugins' rules say.
        kinds = app.state.registry.org_kinds
        parents = {r["id"]: r for r in await Org.select(Org.id, Org.kind).run()}
        for row in await Org.select(Org.kind, Org.parent).where(Org.parent.is_not_null()).run():
            assert parents[row["parent"]]["kind"] in kinds[row["kind"]].parents, row
        before = await CoverageRequirement.select(
            CoverageRequirement.unit, CoverageRequirement.rule, CoverageRequirement.covered
        ).run()
        async with app.state.db.transaction():
            changed = await refresh_units(
                coverage_rules(pm), [u["id"] for u in await Unit.select(Unit.id).run()]
            )
        assert not any(changed.values())
        assert len(before) == result.requirements

        coverage = (await api.get(f"/api/v1/orgs/{result.root}/coverage")).json()
        required = {r["rule"]: r["required"] for r in coverage["rules"]}
        assert sum(required.values()) == result.requirements
        stats = (await api.get(f"/api/v1/orgs/{result.root}/statistics")).json()
        assert stats["orgs_total"] == result.orgs and stats["members_total"] == result.memberships
        first = (await api.get("/api/v1/orgs", params={"q": "總工會", "limit": 5})).json()["items"]
        assert first and all("总工会" in o["name"] for o in first)

        # Events are deterministic too: the same seed creates the same event ids.
        from core.events.tables import Event, EventOrganizer
        from core.orgs.demo import _events

        ids = {r["id"] for r in await Event.select(Event.id).run()}
        assert ids
        async with app.state.db.transaction():
            await EventOrganizer.delete(force=True).run()
            await Event.delete(force=True).run()
        await _events(app.state.db, pm, again.event_hosts, 7, None)
        assert {r["id"] for r in await Event.select(Event.id).run()} == ids
        assert result.events == 4
        events = (
            await api.get("/api/v1/events", params={"org": str(result.root), "scope": "subtree"})
        ).json()
        assert len(events["items"]) == 4 and all(e["status"] == "published" for e in events["items"])
        with pytest.raises(FileExistsError):
            await seed(app.state.db, pm, "small", seed=7)


def test_cli_seed_import_export(embedded: Path) -> None:
    runner = CliRunner()
    seeded = runner.invoke(cli, ["demo", "seed", "--scale", "small", "--seed", "3"])
    assert seeded.exit_code == 0, seeded.output
    root = seeded.output.split("root org")[1].split()[0]
    (embedded / "orgs.csv").write_bytes(
        "名称,类型,层级\n演示总工会,union.federation,province\n".encode("gbk")
    )
    imported = runner.invoke(cli, ["import", "orgs", "orgs.csv", "--parent", root])
    assert imported.exit_code == 0, imported.output
    assert "1 of 1 row(s) imported" in imported.output
    (embedded / "bad.csv").write_text(
        "名称,类型,层级,上级\n某支部,youth.branch,unit,nowhere\n", encoding="utf-8"
    )
    refused = runner.invoke(cli, ["import", "orgs", "bad.csv", "--locale", "en"])
    assert refused.exit_code == 1 and "unknown_parent" in refused.output and "0 of 1" in refused.output
    exported = runner.invoke(cli, ["export", "orgs", "--org", root, "-o", "orgs.xlsx"])
    assert exported.exit_code == 0, exported.output
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO((embedded / "orgs.xlsx").read_bytes()))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert "演示总工会" in [r[2] for r in rows]
    snapshot = runner.invoke(cli, ["coverage", "snapshot", "--month", "2026-01"])
    assert snapshot.exit_code == 0 and "snapshot 2026-01:" in snapshot.output, snapshot.output
    assert runner.invoke(cli, ["coverage", "snapshot", "--month", "2026-13"]).exit_code == 2
