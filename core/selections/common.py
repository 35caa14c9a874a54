"""What the selection services share: their environment, the clock, campaign loading and stage names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from core.kernel import preconditions
from core.kernel.access import Principal, within
from core.kernel.declarations.selections import SelectionType
from core.kernel.errors import Problem
from core.kernel.settings import Locale
from core.processes.machine import utc
from core.selections import problems
from core.selections.permissions import SELECTION_MANAGE, SELECTION_NOMINATE, SELECTION_READ, SELECTION_REVIEW
from core.selections.tables import Campaign

#: The stages a campaign passes through, in order (``cancelled`` may follow any before ``decided``).
STAGES = ("nominating", "reviewing", "voting", "selecting", "notice", "decided")
#: Permissions whose holders see the nominations filed within their reach.
READERS = (SELECTION_READ, SELECTION_REVIEW, SELECTION_MANAGE, SELECTION_NOMINATE)

__all__ = ["STAGES", "Env", "now", "utc"]


def now() -> datetime:
    return datetime.now(UTC)


def json_value(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


@dataclass(frozen=True)
class Env:
    """What the services need besides the database: the declarations, the app state, the language."""

    registry: Any
    state: Any
    locale: Locale = "zh-Hans"

    @classmethod
    def of(cls, state: Any, locale: Locale = "zh-Hans") -> Env:
        return cls(state.registry, state, locale)

    def type(self, code: str) -> SelectionType:
        stype = self.registry.selection_types.get(code)
        if stype is None:
            raise Problem(problems.UNKNOWN_TYPE, type=code)
        return stype  # type: ignore[no-any-return]

    def owner(self, code: str) -> str:
        return self.registry.selection_type_owner(code) or code.split(".", 1)[0]

    def processes_env(self) -> Any:
        """The environment the notices (公示) of :mod:`core.processes` expect."""
        from core.processes.machine import Env as ProcessEnv

        return ProcessEnv.of(self.state, self.locale)


async def load_campaign(campaign_id: UUID) -> dict[str, Any]:
    row = await Campaign.select().where(Campaign.id == campaign_id).first().run()
    if row is None:
        raise Problem("not-found")
    row["levels"] = json_value(row["levels"]) or []
    return row


def quota_of_level(campaign: Mapping[str, Any], level: int) -> int:
    return int(campaign["levels"][level]["quota"])


def manages(principal: Principal, campaign: Mapping[str, Any]) -> bool:
    return within(campaign["org_path"], principal.reach(SELECTION_MANAGE))


def require_stage(campaign: Mapping[str, Any], stages: tuple[str, ...], action: str) -> None:
    if campaign["stage"] not in stages:
        raise Problem(problems.WRONG_STAGE, stage=campaign["stage"], action=action)


def check_if_match(version: int, if_match: str | None, *, required: bool) -> None:
    """Honour ``If-Match`` (required on campaign changes): 412 when the resource moved on."""
    preconditions.check_if_match(etag(version), if_match, required=required)


etag = preconditions.version_etag
