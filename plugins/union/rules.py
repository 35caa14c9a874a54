"""The rules a union sets for its subtree (会费、经费、建会): defaults, and the nearest setting up the tree.

A county federation writes its rules once (``PUT /api/v1/union/orgs/{id}/rules``); every union below it
follows them unless it sets its own. Without any row the national defaults hold: dues 0.5% of the
monthly wage rounded half-up to the fen, funds 2% of payroll of which the grassroots union keeps 60%,
a union committee from 25 employees.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Annotated, Literal

import msgspec

from core.sdk import Org
from plugins.union.tables import UnionSetting

Permille = Annotated[int, msgspec.Meta(ge=0, le=1000)]
Exemption = Literal["hardship", "unemployed", "no_income", "retired"]
Share = Literal["grassroots", "township", "county", "city", "province", "national"]


class UnionRules(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """会费、经费与建会规则。Rates are in permille (5 = 0.5%)."""

    #: 会费比例（‰ of the monthly wage）.
    dues_permille: Annotated[int, msgspec.Meta(ge=0, le=100)] = 5
    #: 会费取整单位: fen (分), jiao (角) or yuan (元).
    dues_rounding_unit: Literal["fen", "jiao", "yuan"] = "fen"
    #: 取整方式: half_up (四舍五入), up (进位) or down (舍去).
    dues_rounding: Literal["half_up", "up", "down"] = "half_up"
    #: Exemption categories this union honours (免缴会费); members in others pay.
    dues_exemptions: tuple[Exemption, ...] = ("hardship", "unemployed", "no_income")
    #: 工会经费比例（‰ of the payroll）.
    funds_permille: Annotated[int, msgspec.Meta(ge=0, le=100)] = 20
    #: How the funds are split (‰ per level; the shares add up to 1000).
    funds_split: dict[Share, Permille] = msgspec.field(
        default_factory=lambda: {"grassroots": 600, "county": 250, "city": 50, "province": 75, "national": 25}
    )
    #: 建立工会委员会的职工人数下限; below it an organizer (组织员) or a joint union.
    committee_min_employees: Annotated[int, msgspec.Meta(ge=1, le=100000)] = 25


DEFAULT = UnionRules()
#: Width of one segment of an org path (paths are segments joined without separators).
SEGMENT = 6
_UNITS = {"fen": Decimal(1), "jiao": Decimal(10), "yuan": Decimal(100)}
_MODES = {"half_up": ROUND_HALF_UP, "up": ROUND_CEILING, "down": ROUND_FLOOR}


def split_ok(rules: UnionRules) -> bool:
    return sum(rules.funds_split.values()) == 1000 and rules.funds_split.get("grassroots", 0) > 0


def dues_for(wage: int, rules: UnionRules) -> int:
    """会费 of a monthly wage (fen) under the rules: wage × rate, rounded to the unit as the rules say."""
    unit = _UNITS[rules.dues_rounding_unit]
    raw = Decimal(wage) * rules.dues_permille / 1000 / unit
    return int(raw.quantize(Decimal(1), rounding=_MODES[rules.dues_rounding]) * unit)


def funds_for(payroll: int, rules: UnionRules) -> tuple[int, dict[str, int]]:
    """工会经费 of a monthly payroll (fen) and its split; what rounding leaves over stays with the grassroots."""
    amount = int(
        (Decimal(payroll) * rules.funds_permille / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
    split = {level: amount * share // 1000 for level, share in rules.funds_split.items() if share}
    split["grassroots"] = split.get("grassroots", 0) + amount - sum(split.values())
    return amount, split


async def rules_at(org_path: str) -> UnionRules:
    """The rules in force at ``org_path``: its own, else the nearest ancestor's, else the defaults."""
    prefixes = [org_path[:i] for i in range(SEGMENT, len(org_path) + 1, SEGMENT)]
    rows = (
        await UnionSetting.select(UnionSetting.org_path, UnionSetting.rules)
        .where(UnionSetting.org_path.is_in(prefixes or [org_path]))
        .run()
    )
    if not rows:
        return DEFAULT
    nearest = max(rows, key=lambda r: len(r["org_path"]))
    raw = nearest["rules"]
    return (
        msgspec.json.decode(raw, type=UnionRules)
        if isinstance(raw, str)
        else msgspec.convert(raw, UnionRules)
    )


async def org_row(org_id: object) -> dict | None:
    return (
        await Org.select(Org.id, Org.path, Org.kind, Org.name, Org.status, Org.level, Org.parent)
        .where(Org.id == org_id)
        .first()
        .run()
    )
