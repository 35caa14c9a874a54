"""Tables of selections (评选表彰) and of the honors register (荣誉).

A campaign runs at an org over ``levels`` of its subtree. A nomination sits at one org at a time (its
``org_path``, copied so that each level's list is a range scan) and climbs level by level. Quotas are rows
counted with a conditional update (``used < quota``), votes rows under a unique key, so both stay exact
under any concurrency on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.identity.tables import Person
from core.orgs.paths import PATH_LENGTH
from core.orgs.tables import Org


class Campaign(Table, tablename="core_selection_campaign"):
    """One selection (一次评选) of a declared type, run by an org down its subtree."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: A selection type code declared by the core or a plugin, e.g. ``women.best_family``.
    type = Varchar(length=64, index=True)
    org = ForeignKey(references=Org, index=True)
    org_path = Varchar(length=PATH_LENGTH, index=True)
    title = Varchar(length=200)
    #: The honor the selected receive (2026年度区级最美家庭), written into the register on decision.
    honor_title = Varchar(length=200)
    year = Integer()
    description = Text(default="")
    #: The quota per org of each level, top (the campaign's org: how many are selected) down.
    levels = JSON(default=[])
    notice_days = Integer()
    #: nominating, reviewing, voting, selecting, notice, decided, cancelled.
    stage = Varchar(length=16, default="nominating")
    #: The notice (公示) of the selected, once published.
    notice = UUID(null=True, default=None)
    created_by = UUID()
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)


class Quota(Table, tablename="core_selection_quota"):
    """How many nominations one org of a campaign may pass up (or, at the top, select), and how many it did."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    campaign = ForeignKey(references=Campaign, index=True)
    org = UUID()
    level = Integer()
    quota = Integer()
    used = Integer(default=0)


class Nomination(Table, tablename="core_selection_nomination"):
    """A nomination (推荐/申报): who is nominated, by whom, with which form, and where it is now."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    campaign = ForeignKey(references=Campaign, index=True)
    #: person, family, team or org.
    nominee_kind = Varchar(length=8)
    #: The person nominated (a family's representative), null for teams and orgs.
    nominee_person = ForeignKey(references=Person, null=True, default=None, index=True)
    #: The org nominated (先进集体), or the org a team belongs to.
    nominee_org = UUID(null=True, default=None)
    #: A family's or team's name (张三家庭, 某某班组); for persons and orgs their own name at the time.
    nominee_name = Varchar(length=200, default="")
    #: Unique per campaign among live nominations: one nominee is nominated once.
    nominee_key = Varchar(length=80)
    #: self, person or org.
    source = Varchar(length=8)
    nominated_by_person = ForeignKey(references=Person, null=True, default=None, index=True)
    nominated_by_org = UUID(null=True, default=None)
    #: The org it was filed at (the nominee's unit), and its path.
    entry_org = UUID()
    entry_path = Varchar(length=PATH_LENGTH, index=True)
    #: Where it is now and at which level (0: the campaign's org).
    org = UUID()
    org_path = Varchar(length=PATH_LENGTH, index=True)
    level = Integer()
    #: pending (under review at ``org``), rejected, withdrawn, selected, not_selected, awarded, not_awarded.
    status = Varchar(length=16, default="pending")
    form = JSON(default={})
    votes = Integer(default=0)
    version = Integer(default=1)
    created_by = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class NominationStep(Table, tablename="core_selection_step"):
    """One step of a nomination's history: filed, forwarded, rejected, selected… at which org and level."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    nomination = ForeignKey(references=Nomination, index=True)
    seq = Integer()
    action = Varchar(length=16)
    org = UUID()
    level = Integer()
    actor_kind = Varchar(length=16)
    actor_id = UUID(null=True, default=None)
    comment = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class Vote(Table, tablename="core_selection_vote"):
    """One real-name vote of a person for a candidate; unique per (campaign, nomination, voter)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    campaign = ForeignKey(references=Campaign)
    nomination = UUID()
    voter = ForeignKey(references=Person, index=True)
    account = UUID()
    at = Timestamptz(default=TimestamptzNow())


class VoteBudget(Table, tablename="core_selection_vote_budget"):
    """How many votes a person used in a campaign with a vote budget; unique per (campaign, voter)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    campaign = ForeignKey(references=Campaign)
    voter = ForeignKey(references=Person, index=True)
    used = Integer(default=0)


class Honor(Table, tablename="core_honor"):
    """An honor (荣誉) someone received: from a selection's decision or entered directly by a cadre."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: person, family, team or org.
    recipient_kind = Varchar(length=8)
    person = ForeignKey(references=Person, null=True, default=None, index=True)
    #: The org honored, or the org of a team.
    recipient_org = UUID(null=True, default=None)
    recipient_name = Varchar(length=200)
    #: Where the recipient sits in the tree (their unit), for the lists of an org and its subtree.
    recipient_path = Varchar(length=PATH_LENGTH, index=True)
    title = Varchar(length=200)
    #: The administrative level of the issuing org (国家级, 省级, 市级, 县级…).
    level = Varchar(length=16)
    year = Integer()
    issuing_org = UUID()
    issuing_path = Varchar(length=PATH_LENGTH, index=True)
    #: selection or direct.
    source = Varchar(length=12)
    campaign = UUID(null=True, default=None)
    nomination = UUID(null=True, default=None)
    note = Varchar(length=500, default="")
    #: active or revoked (撤销).
    status = Varchar(length=8, default="active")
    created_by = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
