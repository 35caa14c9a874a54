"""The union's honours as selection types, run by the core (nomination, review up the tree, notice,
decision, the honors register): 工人先锋号 (teams), 劳动模范 and 五一劳动奖章 (persons)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from core.sdk import AdminLevel, SelectionType, Text


class DeedsForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """事迹材料: what the nominee achieved, and the unit they work in."""

    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=3000)]
    unit: Annotated[str, msgspec.Meta(max_length=200)] = ""
    trade: Annotated[str, msgspec.Meta(max_length=50)] = ""


L = AdminLevel
SELECTION_TYPES = (
    SelectionType(
        code="union.pioneer_team",
        name=Text(zh_hans="工人先锋号", zh_hant="工人先鋒號", en="Workers' Pioneer team"),
        nominee_kinds=("team", "org"),
        sources=("org",),
        criteria=Text(
            zh_hans="班组、车间、科室等集体在生产、科研与服务中业绩突出", en="Teams with outstanding results"
        ),
        form=DeedsForm,
        public_fields=("summary", "unit"),
    ),
    SelectionType(
        code="union.model_worker",
        name=Text(zh_hans="劳动模范", zh_hant="勞動模範", en="Model worker"),
        nominee_kinds=("person",),
        sources=("org",),
        criteria=Text(zh_hans="在各行各业作出突出贡献的劳动者", en="Workers of outstanding contribution"),
        honor_levels=(L.NATIONAL, L.PROVINCE, L.CITY, L.COUNTY),
        form=DeedsForm,
        public_fields=("summary", "unit", "trade"),
        notice_days=7,
    ),
    SelectionType(
        code="union.may_day_medal",
        name=Text(zh_hans="五一劳动奖章", zh_hant="五一勞動獎章", en="May Day Labour Medal"),
        nominee_kinds=("person",),
        sources=("org", "person"),
        criteria=Text(zh_hans="在经济社会发展中作出突出贡献的职工", en="Workers of outstanding contribution"),
        honor_levels=(L.NATIONAL, L.PROVINCE, L.CITY),
        form=DeedsForm,
        public_fields=("summary", "unit", "trade"),
    ),
)
