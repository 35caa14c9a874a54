"""Tables of the organization tree and of coverage (覆盖): the registry of units that should be covered."""

from __future__ import annotations

import uuid

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Bytea,
    ForeignKey,
    Integer,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.orgs.paths import PATH_LENGTH


class Org(Table, tablename="core_org"):
    """An organization (组织) of any kind: a Party committee, a 基层工会, a 团支部, a 妇联, a 学会…"""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: The org above this one; null for a root.
    parent = ForeignKey(references="self", null=True)
    #: Materialized path (see core.orgs.paths); a subtree is one range scan on it. "C" collation on PostgreSQL.
    path = Varchar(length=PATH_LENGTH, unique=True)
    #: 1 for a root.
    depth = SmallInt()
    #: An org kind code registered by the core or a plugin, e.g. ``union.grassroots``.
    kind = Varchar(length=64, index=True)
    #: Administrative level (层级): national, province, city, county, township, village, unit.
    level = Varchar(length=16)
    name = Varchar(length=200)
    #: The org's own code (组织代码 / 团组织编码 / 工会组织代码), upper case; unique where set (a unique
    #: index, core_org_code, made by the migration: NULLs are distinct on both databases). Members name the
    #: receiving org of a transfer by it.
    code = Varchar(length=32, null=True, default=None)
    #: active or dissolved (dissolving keeps history).
    status = Varchar(length=16, default="active")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    #: 6-digit administrative division code (行政区划代码), e.g. 330106; empty when unknown.
    region_code = Varchar(length=6, default="", index=True)
    #: Two-new tag (两新组织): "", non_public_enterprise (非公企业) or social_organization (社会组织).
    two_new = Varchar(length=32, default="")
    #: Place tag: "", building (楼宇), park (园区) or business_district (商圈).
    place = Varchar(length=32, default="")
    address = Varchar(length=300, default="")
    #: The org's contact person (an office, a secretary).
    contact_name = Varchar(length=100, default="")
    #: The contact phone as entered, encrypted (core.orgs.contact): often a secretary's own mobile.
    contact_phone_enc = Text(null=True, default=None)
    #: The contact phone masked (138****8000, 010-****5678), kept at write time so reads decrypt nothing.
    contact_phone_masked = Varchar(length=32, default="")
    #: The name folded for search: simplified characters, lower case (工會 → 工会).
    search_name = Varchar(length=200, default="", index=True)
    #: Pinyin initials of the folded name (工会 → gh), for the way Chinese users type.
    initials = Varchar(length=200, default="", index=True)
    dissolved_at = Timestamptz(null=True, default=None)


class Unit(Table, tablename="core_unit"):
    """A unit that should be covered (应建单位): an enterprise, a social organization, a building, a park…

    Units sit in the tree at their ``area`` org (the community or street whose territory they are in),
    so coverage rolls up any subtree with the same range scan as the orgs themselves.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    name = Varchar(length=200)
    search_name = Varchar(length=200, default="", index=True)
    #: non_public_enterprise, social_organization, public_enterprise, institution, building, park,
    #: business_district.
    kind = Varchar(length=32, index=True)
    #: 统一社会信用代码 (GB 32100-2015, checksummed); empty for places without one.
    credit_code = Varchar(length=18, null=True, default=None, unique=True)
    employees = Integer(default=0)
    #: Women among the employees (for 妇联 coverage rules).
    female_employees = Integer(default=0)
    #: Employees aged 28 or under (for 共青团 coverage rules).
    youth_employees = Integer(default=0)
    region_code = Varchar(length=6, default="", index=True)
    area = ForeignKey(references=Org)
    #: The area org's path (kept in step when a subtree moves). "C" collation on PostgreSQL.
    area_path = Varchar(length=PATH_LENGTH, index=True)
    address = Varchar(length=300, default="")
    #: active or closed.
    status = Varchar(length=16, default="active")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class CoverageRequirement(Table, tablename="core_coverage_requirement"):
    """That a unit requires an org of some plugin (a rule said so), and whether one covers it now.

    One row per (unit, rule); ``covered`` is kept current when links change, so a roll-up is one indexed
    aggregate over ``(area_path, rule, covered)``.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    unit = ForeignKey(references=Unit)
    #: The rule's code, ``<slug>.<name>`` (``union.formation``).
    rule = Varchar(length=64)
    area_path = Varchar(length=PATH_LENGTH)
    region_code = Varchar(length=6, default="")
    covered = Boolean(default=False)


class CoverageLink(Table, tablename="core_coverage_link"):
    """An org covers a unit (a 基层工会 set up in an enterprise, a 楼宇团支部 in a building)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    unit = ForeignKey(references=Unit)
    org = ForeignKey(references=Org)
    created_at = Timestamptz(default=TimestamptzNow())


class CoverageSnapshot(Table, tablename="core_coverage_snapshot"):
    """Monthly figures per area org and rule, for time series (summed over a path range like the live ones)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: ``YYYY-MM``.
    month = Varchar(length=7)
    area = ForeignKey(references=Org)
    area_path = Varchar(length=PATH_LENGTH)
    region_code = Varchar(length=6, default="")
    rule = Varchar(length=64)
    required = Integer(default=0)
    covered = Integer(default=0)
    taken_at = Timestamptz(default=TimestamptzNow())


class ImportJob(Table, tablename="core_import_job"):
    """A bulk import run as a background job: the upload, who asked (their reaches) and the report.

    ``content`` is the upload's rows, parsed once on upload, compressed and encrypted (AES-GCM, see
    :mod:`core.orgs.uploads`); it is emptied when the job ends in any state and after
    ``import_upload_retention_hours`` at most. A running job holds a lease (``lease_until``) that its
    worker renews; a lapsed lease means the worker died (see :mod:`core.orgs.jobs`).
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: orgs, units or members.
    what = Varchar(length=16)
    #: all (all-or-nothing) or valid (valid rows only).
    mode = Varchar(length=8)
    filename = Varchar(length=200, default="")
    content = Bytea()
    parent = UUID(null=True, default=None)
    #: The requester's reaches for ``core.data.import`` (JSON list of {path, subtree}).
    reaches = JSON(default=[])
    locale = Varchar(length=8, default="zh-Hans")
    #: queued, running, done or failed.
    status = Varchar(length=16, default="queued")
    report = JSON(null=True, default=None)
    requested_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    #: Times a worker started it.
    attempts = Integer(default=0)
    #: Until when the running attempt's worker is known alive (renewed while it runs).
    lease_until = Timestamptz(null=True, default=None)
    #: Why it failed: ``import_error``, ``worker_lost``, ``expired``, ``erased`` (empty otherwise).
    error = Varchar(length=32, default="")


class ImportSubject(Table, tablename="core_import_subject"):
    """The blind indexes of the ID numbers and phones an unfinished upload holds, so that erasing a
    person (PIPL Art. 47) finds and discards the uploads that would bring their data back."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    job = ForeignKey(references=ImportJob, on_delete=OnDelete.cascade)
    blind_index = Varchar(length=64, index=True)
