"""League membership rules: members are 14 to 28 years old (团员年龄), checked on joining and transfer."""

from __future__ import annotations

import contextvars
from datetime import date
from typing import Any

from core.sdk import (
    Membership,
    MembershipDraft,
    MembershipRejected,
    PersonFacts,
    Text,
    add_membership,
    person_facts,
    register_field_code,
)

MIN_AGE = 14
MAX_AGE = 28

_AGE = Text(
    zh_hans="团员年龄应在 14 至 28 周岁之间",
    zh_hant="團員年齡應在 14 至 28 週歲之間",
    en="League members are 14 to 28 years old",
)
_BIRTH_DATE = Text(
    zh_hans="人员档案缺少出生日期，请先在人员信息中填写",
    zh_hant="人員檔案缺少出生日期，請先在人員資訊中填寫",
    en="The person's record has no birth date; add it to the person first",
)
YOUTH_AGE = register_field_code("youth_age", _AGE)
YOUTH_BIRTH_DATE = register_field_code("youth_birth_date", _BIRTH_DATE)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_age(draft: MembershipDraft, today: date | None = None) -> None:
    """Veto league memberships (every role) outside the age limit, judged by the birth date on the core's
    person record — never one the caller sends in ``extra``; other plugins' orgs are not ours to judge."""
    if not draft.org_kind.startswith("youth."):
        return
    birth = draft.person.birth_date
    if birth is None:
        raise MembershipRejected("/person", YOUTH_BIRTH_DATE, _BIRTH_DATE)
    if not MIN_AGE <= age_on(birth, today or date.today()) <= MAX_AGE:
        raise MembershipRejected("/person", YOUTH_AGE, _AGE)


#: Set while the plugin itself makes a membership: it writes the register row itself, so its own
#: ``quntuan_member_joined`` (``plugins.youth.register``) leaves that membership alone.
_OWN_JOIN: contextvars.ContextVar[bool] = contextvars.ContextVar("youth_own_join", default=False)


def joining_ourselves() -> bool:
    return _OWN_JOIN.get()


async def join_org(
    plugin_manager: object, *, org_id: object, person_id: object, extra: dict[str, Any] | None = None
) -> object:
    """Inside a write: the person's active membership of ``org_id`` — the one already there, or a new one
    through the core's join (validation hooks, audit, ``member.joined``)."""
    found = (
        await Membership.select(Membership.id)
        .where(
            (Membership.org == org_id) & (Membership.person == person_id) & (Membership.status == "active")
        )
        .first()
        .run()
    )
    if found is not None:
        return found["id"]
    token = _OWN_JOIN.set(True)
    try:
        return await add_membership(plugin_manager, org_id=org_id, person_id=person_id, extra=extra)
    finally:
        _OWN_JOIN.reset(token)


async def facts_of(person_id: object) -> PersonFacts:
    """The core's facts about a person (empty for an id that names nobody: the rules then refuse)."""
    return await person_facts(person_id) or PersonFacts()
