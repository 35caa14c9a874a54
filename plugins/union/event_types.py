"""Event types of the union: labour and skills competitions (劳动竞赛) and union activities."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from core.sdk import EventType, Text


class LabourCompetitionDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A labour or skills competition (劳动竞赛 / 技能比武)."""

    #: The trade competed in (工种), e.g. 焊工, 电工, 数控车工.
    trade: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    #: The level it is held at; winners may go on to the next.
    level: Literal["unit", "county", "city", "province", "national"] = "unit"
    #: Whether it is a team competition (班组) rather than individual.
    team: bool = False


EVENT_TYPES: tuple[EventType, ...] = (
    EventType(
        code="union.labour_competition",
        name=Text(zh_hans="劳动竞赛", zh_hant="勞動競賽", en="Labour competition"),
        details=LabourCompetitionDetails,
        description=Text(
            zh_hans="劳动和技能竞赛，按工种举办。", en="A labour or skills competition held for one trade."
        ),
    ),
    EventType(
        code="union.worker_activity",
        name=Text(zh_hans="职工文体活动", zh_hant="職工文體活動", en="Workers' cultural activity"),
    ),
)
