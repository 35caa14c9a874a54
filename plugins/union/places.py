"""The union's places (工会阵地): 职工之家 (workers' homes) and 劳模之家 (model workers' homes)."""

from __future__ import annotations

from core.sdk import PlaceKind, PlaceService, Text

PLACE_KINDS = (
    PlaceKind(
        code="union.workers_home",
        name=Text(zh_hans="职工之家", zh_hant="職工之家", en="Workers' home"),
        services=(
            PlaceService(code="legal_aid", name=Text(zh_hans="法律援助", zh_hant="法律援助", en="Legal aid")),
            PlaceService(
                code="reading", name=Text(zh_hans="职工书屋", zh_hant="職工書屋", en="Reading room")
            ),
            PlaceService(code="fitness", name=Text(zh_hans="健身活动", zh_hant="健身活動", en="Fitness")),
        ),
    ),
    PlaceKind(
        code="union.model_workers_home",
        name=Text(zh_hans="劳模之家", zh_hant="勞模之家", en="Model workers' home"),
    ),
)
