"""The core's generic selection type (评选表彰): any nominee, any source, deeds in a short form, no vote.

For selections no plugin owns (a joint 1+3+X 先进评选); a plugin declares its own types with their own
form, criteria and public vote (最美家庭, 五四红旗团支部, 工人先锋号…).
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from core.kernel.declarations.selections import SelectionType
from core.kernel.i18n import Text


class DeedsForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The nomination's deeds (事迹): a summary shown to voters and in the notice, and the full text."""

    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    deeds: Annotated[str, msgspec.Meta(max_length=10000)] = ""


GENERIC_TYPE = SelectionType(
    code="core.generic",
    name=Text(zh_hans="先进评选", zh_hant="先進評選", en="Selection"),
    nominee_kinds=("person", "family", "team", "org"),
    criteria=Text(
        zh_hans="政治立场坚定，事迹突出，群众认可。",
        zh_hant="政治立場堅定，事蹟突出，群眾認可。",
        en="Steadfast, with outstanding deeds recognised by the people.",
    ),
    form=DeedsForm,
    public_fields=("summary",),
    notice_days=5,
)
