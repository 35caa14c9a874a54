"""Union membership (会员): who may join, the member file kept beside the core's membership, card numbers.

The core keeps memberships (join, transfer through ``core.transfer``, leave). Every membership that
enters a union org — through the online application (``union.join``), a cadre's registration, an import
or the core's member routes — passes :func:`on_membership` in its transaction, which keeps the member's
file (``union_member``, one per person nationwide) pointing at their union and gives them a member-card
number unique nationwide, so a transfer takes the card and the dues history along (流动会员 too).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from core.sdk import Membership, MembershipDraft, MembershipInfo, MembershipRejected, Org, Text, transaction
from plugins.union.problems import CODES
from plugins.union.tables import UnionMember

_CARD = re.compile(r"^\d{8,20}$")
_MESSAGE = Text(
    zh_hans="会员证号应为 8 至 20 位数字",
    zh_hant="會員證號應為 8 至 20 位數字",
    en="A member-card number is 8 to 20 digits",
)
CODES.setdefault("union_card_number", _MESSAGE)
from core.sdk import register_field_code  # noqa: E402

CARD_NUMBER = register_field_code("union_card_number", _MESSAGE)

#: Kinds a member (role ``member``) may belong to: grassroots unions and their groups.
MEMBER_KINDS = ("union.grassroots", "union.group")
#: 新就业形态: couriers, delivery riders, ride-hailing and truck drivers, domestic workers.
NEW_FORMS = ("courier", "delivery_rider", "ride_hailing", "truck_driver", "domestic", "other_new_form")
EMPLOYMENTS = ("employee", *NEW_FORMS)


def _reject(pointer: str, code: str) -> MembershipRejected:
    return MembershipRejected(pointer, code, CODES[code])


async def card_taken(card: str, person_id: Any) -> bool:
    return bool(
        await UnionMember.exists()
        .where((UnionMember.card_number == card) & (UnionMember.person != person_id))
        .run()
    )


async def new_card_number(region_code: str) -> str:
    """A fresh 18-digit card number: the union's region code (000000 when unknown), then 12 random digits."""
    prefix = region_code if re.fullmatch(r"\d{6}", region_code or "") else "000000"
    while True:
        card = prefix + "".join(secrets.choice("0123456789") for _ in range(12))
        if not await UnionMember.exists().where(UnionMember.card_number == card).run():
            return card


#: The person id a member import validates a row with before the person exists.
NOBODY = UUID(int=0)
_YES = {"true", "1", "是", "yes"}
_NO = {"false", "0", "否", "no", ""}


def file_fields(extra: dict[str, Any]) -> dict[Any, Any]:
    """The member-file fields a membership's ``extra`` may carry (a member import's ``extra.*`` columns):
    ``employment``, ``employer_name`` and ``floating`` (是/否)."""
    out: dict[Any, Any] = {}
    employment = extra.get("employment")
    if employment is not None:
        if employment not in EMPLOYMENTS:
            raise MembershipRejected("/extra/employment", "invalid", CODES["union_employment"])
        out[UnionMember.employment] = employment
    name = extra.get("employer_name")
    if name is not None:
        if not isinstance(name, str) or len(name) > 200:
            raise MembershipRejected("/extra/employer_name", "invalid", CODES["union_employment"])
        out[UnionMember.employer_name] = name
    floating = extra.get("floating")
    if floating is not None:
        text = str(floating).strip().lower()
        if text not in _YES | _NO:
            raise MembershipRejected("/extra/floating", "invalid", CODES["union_employment"])
        out[UnionMember.floating] = text in _YES
    return out


async def on_membership(draft: MembershipDraft) -> None:
    """Validation hook for memberships of union orgs: the rules of who may be a member where, and the
    member file kept current inside the membership's own transaction (vetoed together with it)."""
    if not draft.org_kind.startswith("union."):
        return
    card = draft.extra.get("card_number")
    if card is not None and not (isinstance(card, str) and _CARD.match(card)):
        raise MembershipRejected("/extra/card_number", "union_card_number", _MESSAGE)
    if draft.role != "member" or draft.org_kind not in MEMBER_KINDS:
        return  # a federation's staff or committee, a chair's post: not a 会员 file
    if draft.action == "join":
        elsewhere = (
            await Membership.exists()
            .where(
                (Membership.person == draft.person_id)
                & (Membership.status == "active")
                & (Membership.role == "member")
                & (Membership.org.kind.is_in(list(MEMBER_KINDS)))
                & (Membership.org != draft.org_id)
            )
            .run()
        )
        if elsewhere:
            raise _reject("/person", "union_member_elsewhere")
    if card is not None and await card_taken(card, draft.person_id):
        raise _reject("/extra/card_number", "union_card_taken")
    extra_fields = file_fields(draft.extra)
    if draft.person_id == NOBODY:
        return  # a person an import is about to create: the file follows in member_joined
    org = await Org.select(Org.path, Org.region_code).where(Org.id == draft.org_id).first().run()
    assert org is not None  # the core loaded it before calling the hook
    existing = (
        await UnionMember.select(UnionMember.id, UnionMember.card_number, UnionMember.version)
        .where(UnionMember.person == draft.person_id)
        .first()
        .run()
    )
    now = datetime.now(UTC)
    if existing is None:
        await UnionMember.insert(
            UnionMember(
                person=draft.person_id,
                card_number=card or await new_card_number(org["region_code"]),
                org=draft.org_id,
                org_path=org["path"],
                joined_via="core",
                **{k._meta.name: v for k, v in extra_fields.items()},
                created_at=now,
                updated_at=now,
            )
        ).run()
        return
    values: dict[Any, Any] = {
        UnionMember.org: draft.org_id,
        UnionMember.org_path: org["path"],
        UnionMember.left_reason: "",
        UnionMember.version: existing["version"] + 1,
        UnionMember.updated_at: now,
    }
    if card is not None:
        values[UnionMember.card_number] = card
    values.update(extra_fields)
    await UnionMember.update(values).where(UnionMember.id == existing["id"]).run()


async def on_member_joined(membership: MembershipInfo) -> None:
    """After a membership committed (a member import's new persons): open the file if none exists yet."""
    if membership.role != "member" or membership.org_kind not in MEMBER_KINDS:
        return
    if await UnionMember.exists().where(UnionMember.person == membership.person_id).run():
        return
    org = await Org.select(Org.path, Org.region_code).where(Org.id == membership.org_id).first().run()
    if org is None:
        return
    card = membership.extra.get("card_number")
    if not (isinstance(card, str) and _CARD.match(card)) or await card_taken(card, membership.person_id):
        card = await new_card_number(org["region_code"])
    now = datetime.now(UTC)
    async with transaction():
        await UnionMember.insert(
            UnionMember(
                person=membership.person_id,
                card_number=card,
                org=membership.org_id,
                org_path=org["path"],
                joined_via="import",
                **{k._meta.name: v for k, v in file_fields(membership.extra).items()},
                created_at=now,
                updated_at=now,
            )
        ).run()


async def active_member_path(person_id: Any) -> str | None:
    """The union path of the person's active member file, or None when they are no current member."""
    row = (
        await UnionMember.select(UnionMember.org, UnionMember.org_path)
        .where(UnionMember.person == person_id)
        .first()
        .run()
    )
    if row is None:
        return None
    active = (
        await Membership.exists()
        .where(
            (Membership.person == person_id)
            & (Membership.org == row["org"])
            & (Membership.status == "active")
        )
        .run()
    )
    return row["org_path"] if active else None
