"""Union membership fields: the member-card number (会员证号), when given, is 8 to 20 digits."""

from __future__ import annotations

import re

from core.sdk import MembershipDraft, MembershipRejected, Text, register_field_code

_CARD = re.compile(r"^\d{8,20}$")
_MESSAGE = Text(
    zh_hans="会员证号应为 8 至 20 位数字",
    zh_hant="會員證號應為 8 至 20 位數字",
    en="A member-card number is 8 to 20 digits",
)
CARD_NUMBER = register_field_code("union_card_number", _MESSAGE)


def check_card_number(draft: MembershipDraft) -> None:
    if not draft.org_kind.startswith("union."):
        return
    card = draft.extra.get("card_number")
    if card is not None and not (isinstance(card, str) and _CARD.match(card)):
        raise MembershipRejected("/extra/card_number", "union_card_number", _MESSAGE)
