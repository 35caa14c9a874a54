"""What a plugin declares about a selection type (评选类型): who may be nominated, how, the vote, the form.

A plugin returns :class:`SelectionType` values from ``quntuan_selection_types``; the core checks them once
at start-up (:func:`check_selection_type`) and runs every campaign of the type the same way: nominations
from below, review and forwarding up the tree within quotas, an optional public vote, a public notice
(公示) with objections, a decision, and honors (荣誉) in the register.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import msgspec

from core.kernel.declarations import AdminLevel
from core.kernel.i18n import Text

CODE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]{0,39}$")

#: What may be nominated: a person, a family (家庭, named after its representative person), a team
#: (班组, 志愿服务队: a named group, optionally of an org) or an org (先进集体).
NomineeKind = Literal["person", "family", "team", "org"]
NOMINEE_KINDS: tuple[NomineeKind, ...] = ("person", "family", "team", "org")
#: Who nominates: the nominee themself (自荐), another person (他人推荐), or an org (组织推荐).
NominationSource = Literal["self", "person", "org"]
NOMINATION_SOURCES: tuple[NominationSource, ...] = ("self", "person", "org")
#: Least days a selection's public notice (公示) runs.
MIN_NOTICE_DAYS = 3
#: Most levels a campaign may run down the tree (the campaign's org, then each level below).
MAX_LEVELS = 6


class PublicVote(msgspec.Struct, frozen=True, kw_only=True):
    """A real-name public vote (网络投票) among the candidates that reached the campaign's org.

    ``rule`` ``per_nominee``: each logged-in person gives at most one vote to each candidate;
    ``budget``: each person has ``budget`` votes in the campaign, at most one per candidate.
    ``hide_results`` keeps the counts from everyone (cadres too) until the vote closes.
    ``per_minute`` throttles each person's vote requests (answered 429 with ``Retry-After`` beyond it).
    """

    rule: Literal["per_nominee", "budget"] = "per_nominee"
    budget: int = 1
    hide_results: bool = True
    per_minute: int = 30


@dataclass(frozen=True)
class NominationContext:
    """What a selection type's ``validate_nomination`` gets: the nomination about to be filed."""

    campaign_id: UUID
    type: str
    #: The campaign's org (where it is decided) and its path.
    campaign_org_id: UUID
    campaign_org_path: str
    #: The org the nomination is filed at (the nominee's unit) and its path.
    unit_id: UUID
    unit_path: str
    source: NominationSource
    nominee_kind: NomineeKind
    nominee_person_id: UUID | None
    nominee_org_id: UUID | None
    nominee_name: str
    #: The form as decoded into the type's Struct (None for a type without a form).
    form: Any
    #: The principal filing it (``actor.reach(permission)``, ``actor.person_id``).
    actor: Any
    #: The caller's language, for ``Problem.invalid(..., locale=ctx.locale)``.
    locale: str = "zh-Hans"


class SelectionType(msgspec.Struct, frozen=True, kw_only=True):
    """A type of selection (最美家庭, 五四红旗团支部, 工人先锋号…), code ``<owner>.<name>``.

    ``nominee_kinds`` says what may be nominated and ``sources`` who may nominate. ``criteria`` are the
    conditions (评选条件) shown to nominators. ``honor_levels`` are the administrative levels of the orgs
    that may run a campaign of the type (the honors' level; empty: any); ``max_levels`` bounds how many
    levels down the tree one campaign may run. ``form`` is the nomination's msgspec Struct (事迹材料,
    shown in OpenAPI and ``GET /api/v1/selections/types``); ``public_fields`` name the form fields voters
    and the notice may see. ``vote`` makes a public vote part of every campaign of the type.
    ``notice_days`` (at least 3) is the default window of the notice (公示) of the selected.
    ``validate_nomination(ctx)`` (a :class:`NominationContext`; may be ``async``) runs inside the filing's
    transaction after the form validated, to check what the form names against the platform (a place id
    is a place of the right kind within reach…); it vetoes by raising ``Problem.invalid`` naming the
    field (422) or another ``Problem``.
    """

    code: str
    name: Text
    nominee_kinds: tuple[NomineeKind, ...]
    sources: tuple[NominationSource, ...] = NOMINATION_SOURCES
    criteria: Text | None = None
    honor_levels: tuple[AdminLevel, ...] = ()
    max_levels: int = 4
    form: Any = None
    public_fields: tuple[str, ...] = ()
    vote: PublicVote | None = None
    notice_days: int = 5
    org_kinds: tuple[str, ...] = ()
    description: Text | None = None
    validate_nomination: Callable[[NominationContext], Any] | None = None


def check_selection_type(stype: SelectionType) -> None:
    """Raise ValueError naming what is wrong with a declared selection type."""
    code = stype.code
    if not CODE_RE.match(code) or len(code) > 64:
        raise ValueError(f"selection type {code!r} is not a valid code")
    if not stype.nominee_kinds or any(k not in NOMINEE_KINDS for k in stype.nominee_kinds):
        raise ValueError(f"selection type {code!r}: nominee_kinds must name person, family, team or org")
    if not stype.sources or any(s not in NOMINATION_SOURCES for s in stype.sources):
        raise ValueError(f"selection type {code!r}: sources must name self, person or org")
    if "self" in stype.sources and not ({"person", "family"} & set(stype.nominee_kinds)):
        raise ValueError(f"selection type {code!r}: self-nomination needs person or family nominees")
    if not 1 <= stype.max_levels <= MAX_LEVELS:
        raise ValueError(f"selection type {code!r}: max_levels must be 1 to {MAX_LEVELS}")
    for level in stype.honor_levels:
        if level not in tuple(AdminLevel):
            raise ValueError(f"selection type {code!r}: {level!r} is not an administrative level")
    if stype.form is not None and not (
        isinstance(stype.form, type) and issubclass(stype.form, msgspec.Struct)
    ):
        raise ValueError(f"selection type {code!r}: form must be a msgspec Struct")
    fields = set(stype.form.__struct_fields__) if stype.form is not None else set()
    for name in stype.public_fields:
        if name not in fields:
            raise ValueError(f"selection type {code!r}: public field {name!r} is not in the form")
    if not MIN_NOTICE_DAYS <= stype.notice_days <= 90:
        raise ValueError(f"selection type {code!r}: notice_days must be {MIN_NOTICE_DAYS} to 90")
    if stype.validate_nomination is not None and not callable(stype.validate_nomination):
        raise ValueError(f"selection type {code!r}: validate_nomination must be callable")
    vote = stype.vote
    if vote is not None:
        if vote.rule not in ("per_nominee", "budget"):
            raise ValueError(f"selection type {code!r}: vote rule must be per_nominee or budget")
        if not 1 <= vote.budget <= 1000:
            raise ValueError(f"selection type {code!r}: vote budget must be 1 to 1000")
        if not 1 <= vote.per_minute <= 10000:
            raise ValueError(f"selection type {code!r}: vote per_minute must be 1 to 10000")
