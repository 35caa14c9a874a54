"""Request and response bodies of selections (campaigns, nominations, votes) and of honors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from core.kernel.declarations.selections import MAX_LEVELS, MIN_NOTICE_DAYS, NominationSource, NomineeKind

TypeCode = Annotated[str, msgspec.Meta(min_length=3, max_length=64)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Comment = Annotated[str, msgspec.Meta(max_length=2000)]
Year = Annotated[int, msgspec.Meta(ge=1949, le=2100)]
QuotaValue = Annotated[int, msgspec.Meta(ge=0, le=100000)]
Stage = Literal["nominating", "reviewing", "voting", "selecting", "notice", "decided", "cancelled"]
NominationStatus = Literal[
    "pending", "rejected", "withdrawn", "selected", "not_selected", "awarded", "not_awarded"
]
AdminLevelCode = Literal["national", "province", "city", "county", "township", "village", "unit"]


class LevelQuota(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The quota of each org at one level: how many nominations it may pass up (at the top: select)."""

    quota: QuotaValue


class CampaignCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new campaign at ``org_id``. ``levels`` run top down: ``levels[0]`` is the campaign's org itself
    (its quota is how many are selected), ``levels[1]`` its child orgs, and so on. ``notice_days`` defaults
    to the type's and is at least 3."""

    type: TypeCode
    org_id: UUID
    title: Title
    honor_title: Title
    year: Year | None = None
    description: Annotated[str, msgspec.Meta(max_length=20000)] = ""
    levels: Annotated[list[LevelQuota], msgspec.Meta(min_length=1, max_length=MAX_LEVELS)]
    notice_days: Annotated[int, msgspec.Meta(ge=MIN_NOTICE_DAYS, le=90)] | None = None


class QuotaSet(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The quota of one org of the campaign (at its level), instead of its level's default."""

    org_id: UUID
    quota: QuotaValue


class QuotaInfo(msgspec.Struct, kw_only=True):
    org_id: UUID
    level: int
    quota: int
    used: int


class StageChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Move the campaign on (send ``If-Match``): nominating → reviewing → voting (when the type votes) →
    selecting → notice (publishes the notice of the selected); or ``cancelled``."""

    stage: Literal["reviewing", "voting", "selecting", "notice", "cancelled"]
    notice_title: Title | None = None
    notice_body: Annotated[str, msgspec.Meta(max_length=20000)] | None = None


class Decision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Decide the result once the notice ended with no objection pending (send ``If-Match``): every
    selected nomination is awarded and entered into the honors register, except those in ``exclude``
    (an upheld objection)."""

    exclude: Annotated[list[UUID], msgspec.Meta(max_length=1000)] = []
    comment: Comment = ""


class Campaign(msgspec.Struct, kw_only=True):
    """A campaign as the API shows it. ``result_held`` is true while an objection to its notice waits."""

    id: UUID
    type: str
    type_name: str
    org_id: UUID
    title: str
    honor_title: str
    year: int
    description: str
    levels: list[LevelQuota]
    notice_days: int
    stage: Stage
    vote: bool
    vote_rule: str | None
    vote_budget: int | None
    results_hidden: bool
    notice_id: UUID | None
    result_held: bool
    version: int
    created_at: datetime
    decided_at: datetime | None


class NominationCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A nomination filed at ``org_id`` (the nominee's unit, inside the campaign's subtree).

    ``source`` ``self``: the caller nominates themself (``nominee_kind`` person, or family with
    ``nominee_name``); ``person``: the caller nominates ``nominee_person_id`` (or, for a team, names it);
    ``org``: a cadre holding ``core.selection.nominate`` on ``org_id`` nominates in its name — for an
    ``org`` nominee, ``nominee_org_id``. ``form`` follows the type's form."""

    source: NominationSource
    nominee_kind: NomineeKind
    org_id: UUID
    nominee_person_id: UUID | None = None
    nominee_org_id: UUID | None = None
    nominee_name: Name | None = None
    form: dict[str, Any] = {}


class Review(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A reviewer's step at the nomination's current org: ``forward`` it to the org above (within this
    org's quota), ``reject`` it, or at the campaign's org ``select`` it (within the top quota) or
    ``deselect`` it again while selecting."""

    action: Literal["forward", "reject", "select", "deselect"]
    comment: Comment = ""


class NominationStep(msgspec.Struct, kw_only=True):
    seq: int
    action: str
    org_id: UUID
    level: int
    actor_kind: str
    actor_id: UUID | None
    comment: str
    at: datetime


class Nomination(msgspec.Struct, kw_only=True):
    """A nomination. ``votes`` is null while the campaign hides the counts."""

    id: UUID
    campaign_id: UUID
    nominee_kind: str
    nominee_person_id: UUID | None
    nominee_org_id: UUID | None
    nominee_name: str
    source: str
    nominated_by_person_id: UUID | None
    nominated_by_org_id: UUID | None
    entry_org_id: UUID
    org_id: UUID
    level: int
    status: NominationStatus
    form: dict[str, Any]
    votes: int | None
    version: int
    created_at: datetime


class NominationDetail(Nomination, kw_only=True):
    steps: list[NominationStep]


class Candidate(msgspec.Struct, kw_only=True):
    """A candidate of the public vote (or of the results): the public form fields only."""

    nomination_id: UUID
    nominee_kind: str
    nominee_name: str
    unit: str
    form: dict[str, Any]
    status: NominationStatus
    votes: int | None


class VoteCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    nomination_id: UUID


class VoteOut(msgspec.Struct, kw_only=True):
    """A vote that was counted, and how many votes the voter has left (null: one per candidate)."""

    nomination_id: UUID
    at: datetime
    votes_left: int | None


class MyVotes(msgspec.Struct, kw_only=True):
    nomination_ids: list[UUID]
    votes_left: int | None


class Results(msgspec.Struct, kw_only=True):
    """Where the campaign stands: counts (null while hidden), the selected, and once decided the awarded."""

    campaign_id: UUID
    stage: Stage
    results_hidden: bool
    result_held: bool
    candidates: list[Candidate]


class HonorCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An honor entered directly by a cadre of ``issuing_org_id`` (holding ``core.honor.manage`` there).

    A ``person`` (or ``family``) honor names ``person_id``; an ``org`` honor ``org_id``; a ``team`` honor
    ``name`` and the team's ``org_id``. ``level`` defaults to the issuing org's administrative level."""

    recipient_kind: NomineeKind
    issuing_org_id: UUID
    title: Title
    year: Year
    person_id: UUID | None = None
    org_id: UUID | None = None
    name: Name | None = None
    level: AdminLevelCode | None = None
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class Honor(msgspec.Struct, kw_only=True):
    id: UUID
    recipient_kind: str
    person_id: UUID | None
    recipient_org_id: UUID | None
    recipient_name: str
    title: str
    level: str
    year: int
    issuing_org_id: UUID
    source: str
    campaign_id: UUID | None
    note: str
    status: Literal["active", "revoked"]
    created_at: datetime


class SelectionTypeInfo(msgspec.Struct, kw_only=True):
    code: str
    plugin: str
    name: dict[str, str]
    nominee_kinds: list[str]
    sources: list[str]
    criteria: dict[str, str] | None
    honor_levels: list[str]
    max_levels: int
    org_kinds: list[str]
    form_schema: dict[str, Any] | None
    public_fields: list[str]
    vote: dict[str, Any] | None
    notice_days: int
