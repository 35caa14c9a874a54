"""Bulk import of orgs, units and members from CSV or XLSX, with a row-by-row report.

Files are read within the ``import_max_*`` limits before anything is expanded (see
:mod:`core.orgs.tabular`), once, in a thread.

The caller chooses the mode: ``all`` writes nothing unless every row is valid (all-or-nothing, one
transaction rolled back); ``valid`` writes the valid rows and reports the others. Each problem is
``(row, column, code, message)``, row numbers as a spreadsheet shows them (the header is row 1). The
same function serves the CLI (``quntuan import``), the upload endpoint and the background job.
"""

from __future__ import annotations

import asyncio
import gc
import os
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID, SafeUUID, uuid4

import anyio
import anyio.to_thread
import msgspec
import pluggy
from piccolo.table import Table

from core.identity import audit
from core.identity.persons import PERSONAL_FIELDS, visible_within
from core.identity.rules import PLATFORM
from core.identity.signals import PERSON_CREATED, PersonChanged
from core.identity.tables import Person
from core.identity.throttle import LinkBudget
from core.integration.signals import emit, outbox_row
from core.integration.tables import OutboxSignal
from core.kernel.access import Reach, within
from core.kernel.db import Database, fetch
from core.kernel.declarations import AdminLevel
from core.kernel.declarations.orgs import UNIT_KINDS, MembershipDraft, MembershipInfo, PersonFacts
from core.kernel.errors import FIELD_MESSAGES
from core.kernel.i18n import Text
from core.kernel.plugin_host import call_runtime_hook, kind_owner, validation_hook
from core.kernel.settings import Locale, Settings
from core.kernel.vault import Vault, normalise_phone
from core.members import links
from core.members.services import MembershipRejected, person_facts
from core.members.tables import Membership
from core.orgs import columns
from core.orgs import problems as P
from core.orgs import signals as sig
from core.orgs.contact import seal
from core.orgs.coverage import coverage_rules, refresh_units, unit_row
from core.orgs.paths import SEGMENT_WIDTH, new_segment
from core.orgs.schemas import UnitCreate
from core.orgs.search import fold, initials
from core.orgs.services import placement_errors, tree_lock
from core.orgs.tables import Org, Unit
from core.orgs.tabular import Limits, TooLarge, UnreadableFile, read_rows
from core.orgs.validators import birth_date_of, valid_credit_code, valid_id_number, valid_mobile

What = Literal["orgs", "units", "members"]
Mode = Literal["all", "valid"]
Progress = Callable[[int, int], None]

#: Accepted headers per column (English names and the usual Chinese ones).
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "orgs": {
        "ref": ("编号", "序号"),
        "name": ("名称", "组织名称"),
        "kind": ("类型", "组织类型"),
        "level": ("层级",),
        "parent": ("上级", "上级组织"),
        "code": ("组织代码",),
        "region_code": ("行政区划代码", "区划代码"),
        "two_new": ("两新组织",),
        "place": ("场所",),
        "address": ("地址",),
        "contact_name": ("联系人",),
        "contact_phone": ("联系电话",),
    },
    "units": {
        "name": ("名称", "单位名称"),
        "kind": ("类型", "单位类型"),
        "credit_code": ("统一社会信用代码", "信用代码"),
        "employees": ("职工人数", "从业人数"),
        "female_employees": ("女职工人数",),
        "youth_employees": ("青年职工人数",),
        "area": ("所在组织", "属地组织"),
        "region_code": ("行政区划代码", "区划代码"),
        "address": ("地址",),
    },
    "members": {
        "org": ("组织", "所在组织"),
        "name": ("姓名",),
        "id_number": ("身份证号", "公民身份号码"),
        "phone": ("手机", "手机号码"),
        "role": ("角色",),
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "orgs": ("name", "kind", "level"),
    "units": ("name", "kind", "area"),
    "members": ("org", "name"),
}
#: Rows validated, looked up and written together (a member import makes a few queries per chunk).
CHUNK = 1000
_ROLE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_REGION = re.compile(r"^(\d{6})?$")
#: An org's own code (as :data:`core.orgs.schemas.OrgCode`), or empty.
_ORG_CODE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]{1,31})?$")


class RowIssue(msgspec.Struct, kw_only=True):
    """One problem in one cell (or row, when ``column`` is empty)."""

    row: int
    column: str
    code: str
    message: str


class ProposedLink(msgspec.Struct, kw_only=True):
    """A row answered with a person link request (see :mod:`core.members.links`)."""

    row: int
    column: str
    code: str
    message: str
    link: UUID


class ImportReport(msgspec.Struct, kw_only=True):
    what: str
    mode: str
    #: Data rows read (header excluded).
    rows: int
    #: Rows written (0 when an all-or-nothing import found problems).
    imported: int
    committed: bool
    issues: list[RowIssue]
    #: Ids of what was written, in row order (for the CLI and tests; empty when nothing was).
    created: list[UUID] = msgspec.field(default_factory=list)
    #: Member rows whose ID number belongs to a person outside the importer's reach: that person was not
    #: linked, a person link request was proposed instead (``code`` ``link_proposed``; not an error).
    proposed: list[ProposedLink] = msgspec.field(default_factory=list)


class _Abort(Exception):
    pass


class _Rows:
    """Collects issues with messages in the report's language."""

    def __init__(self, locale: Locale) -> None:
        self.locale = locale
        self.issues: list[RowIssue] = []
        self.proposed: list[ProposedLink] = []

    def add(self, row: int, column: str, code: str, message: Text | None = None) -> None:
        text = (message or FIELD_MESSAGES.get(code) or FIELD_MESSAGES["invalid"]).get(self.locale)
        self.issues.append(RowIssue(row=row, column=column, code=code, message=text))


def _header_map(what: str, header: Sequence[str], rows: _Rows) -> dict[str, int]:
    aliases = {k: k for k in COLUMNS[what]}
    for key, names in COLUMNS[what].items():
        aliases.update(dict.fromkeys(names, key))
    for name, key in columns.aliases(what).items():  # the export's headers in every language
        if key in COLUMNS[what]:
            aliases.setdefault(name, key)
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = raw.strip().lower().lstrip("\ufeff")
        if not name:
            continue
        if what == "members" and name.startswith("extra."):
            found[name] = index
        elif name in aliases and aliases[name] not in found:
            found[aliases[name]] = index
        else:
            rows.add(1, raw, P.UNKNOWN_COLUMN)
    for key in REQUIRED[what]:
        if key not in found:
            rows.add(1, key, "required")
    return found


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


async def run_import(
    db: Database,
    pm: pluggy.PluginManager,
    settings: Settings,
    what: What,
    raw: bytes,
    *,
    filename: str = "",
    mode: Mode = "all",
    reaches: Sequence[Reach],
    locale: Locale = "zh-Hans",
    parent: UUID | None = None,
    progress: Progress | None = None,
    requester: Any = None,
    budget: LinkBudget | None = None,
) -> ImportReport:
    """Import ``raw`` (CSV in UTF-8/GBK or an XLSX workbook) as ``what``; see the module docstring for modes.

    The file is read within the ``import_max_*`` limits, in a thread (see :func:`read_table`); a file
    over one is reported as a problem of the row where it was found, and nothing is written.
    """
    try:
        table = await read_table(raw, filename, settings)
    except UnreadableFile as exc:
        return unreadable_report(what, mode, exc, locale)
    return await import_table(
        db,
        pm,
        settings,
        what,
        table,
        mode=mode,
        reaches=reaches,
        locale=locale,
        parent=parent,
        progress=progress,
        requester=requester,
        budget=budget,
    )


_parsers: anyio.CapacityLimiter | None = None
#: Files parsed at once per process: each may build up to ``import_max_cells`` cells.
PARSERS = 2


async def read_table(raw: bytes, filename: str, settings: Settings) -> list[list[str]]:
    """The rows of an upload, read off the event loop (at most :data:`PARSERS` at once per process)
    within the ``import_max_*`` limits: raises :class:`~core.orgs.tabular.TooLarge` or
    :class:`~core.orgs.tabular.UnreadableFile`."""
    global _parsers
    if _parsers is None:
        _parsers = anyio.CapacityLimiter(PARSERS)
    return await anyio.to_thread.run_sync(
        read_rows, raw, filename, Limits.from_settings(settings), limiter=_parsers
    )


def unreadable_report(what: str, mode: str, exc: UnreadableFile, locale: Locale) -> ImportReport:
    """The report of a file that could not be read (or is over a limit, which it names)."""
    report = _Rows(locale)
    if isinstance(exc, TooLarge):
        setting = "QUNTUAN_" + exc.setting.upper()
        message = P.LIMIT_MESSAGE.format(locale, setting=setting, limit=exc.limit)
        report.issues.append(RowIssue(row=exc.row, column="", code=P.TOO_LARGE, message=message))
    else:
        report.add(exc.row, "", exc.code)
    return ImportReport(what=what, mode=mode, rows=0, imported=0, committed=False, issues=report.issues)


async def import_table(
    db: Database,
    pm: pluggy.PluginManager,
    settings: Settings,
    what: What,
    table: list[list[str]],
    *,
    mode: Mode = "all",
    reaches: Sequence[Reach],
    locale: Locale = "zh-Hans",
    parent: UUID | None = None,
    progress: Progress | None = None,
    before_commit: Callable[[ImportReport], Awaitable[None]] | None = None,
    requester: Any = None,
    budget: LinkBudget | None = None,
) -> ImportReport:
    """Import rows already read (:func:`read_table`); ``before_commit`` is awaited with the report
    inside the import's transaction once everything is written (a background job records its end
    there, so a worker dying after the commit cannot leave it to be imported twice); raising there
    rolls the import back.

    A member row whose ID number belongs to a person the importer cannot see (under ``reaches``) never
    links that person: a person link request of ``requester`` (the request's principal, or a
    :class:`core.members.links.Requester`) is proposed instead, spending its ``budget``, and the row is
    reported in ``proposed``. Without a requester or budget left, such rows — and, so that the report
    tells nothing about who exists, every row with an ID number no visible person holds — are refused
    with ``link_limit``."""
    with _young_cycles_only():
        return await _run_import(
            db,
            pm,
            settings,
            what,
            table,
            mode=mode,
            reaches=reaches,
            locale=locale,
            parent=parent,
            progress=progress,
            before_commit=before_commit,
            requester=requester,
            budget=budget,
        )


@contextmanager
def _young_cycles_only() -> Iterator[None]:
    """Keep the cyclic garbage collector off what an import builds up, for the import's duration.

    An import keeps every row it read, and the ids, rows and signals it made, until it ends: hundreds of
    thousands of objects the collector would otherwise scan again and again as they pass into its older
    generations (a third of a 100k-row import's CPU). Automatic collection pauses (and resumes as it was,
    even on an error); each chunk ends with a collection of the youngest generation only, so cycles
    made and dropped meanwhile are still freed. Reference counting frees everything else as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def _run_import(
    db: Database,
    pm: pluggy.PluginManager,
    settings: Settings,
    what: What,
    table: list[list[str]],
    *,
    mode: Mode,
    reaches: Sequence[Reach],
    locale: Locale,
    parent: UUID | None,
    progress: Progress | None,
    before_commit: Callable[[ImportReport], Awaitable[None]] | None,
    requester: Any = None,
    budget: LinkBudget | None = None,
) -> ImportReport:
    report = _Rows(locale)
    table = [r for r in table if any(c for c in r)]
    if not table:
        report.add(1, "", "required")
        return ImportReport(what=what, mode=mode, rows=0, imported=0, committed=False, issues=report.issues)
    columns = _header_map(what, table[0], report)
    body = table[1:]
    if report.issues:
        return ImportReport(
            what=what, mode=mode, rows=len(body), imported=0, committed=False, issues=report.issues
        )

    def cell(row: Sequence[str], key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    writer = {"orgs": _import_orgs, "units": _import_units, "members": _import_members}[what]
    created: list[UUID] = []
    after: list[MembershipInfo] = []
    ctx = _Ctx(
        pm=pm,
        settings=settings,
        reaches=reaches,
        parent=parent,
        columns=columns,
        after=after,
        extra_columns=[k for k in columns if k.startswith("extra.")],
        validate_membership=validation_hook(pm, "quntuan_validate_membership", vetoes=(MembershipRejected,)),
        requester=requester,
        budget=budget,
        links_left=(
            await budget.left(links.actor_key(requester))
            if what == "members" and requester is not None and budget is not None
            else 0
        ),
    )
    try:
        async with db.transaction():
            await tree_lock(db)
            writing: asyncio.Future[None] | None = None
            try:
                for start in range(0, len(body), CHUNK):
                    gets: list[Callable[[str], str]] = [
                        lambda key, row=row: cell(row, key) for row in body[start : start + CHUNK]
                    ]
                    # What needs no query is prepared while PostgreSQL still writes the previous chunk;
                    # the chunk's lookups wait for that write (one connection, one transaction).
                    lookups = _prepare_members(ctx, gets) if what == "members" else []
                    if writing is not None:
                        await writing
                    if what == "members":
                        await _prefetch_members(ctx, gets, lookups)
                    # The previous chunk is written while this one is validated: PostgreSQL works on the
                    # COPY meanwhile. Once an all-or-nothing import has a problem nothing is kept or written.
                    writing = _flush(db, ctx, write=not (report.issues and mode == "all"))
                    for number, get in enumerate(gets, start=start + 2):
                        before = len(report.issues)
                        new_id = await writer(ctx=ctx, number=number, get=get, report=report)
                        if len(report.issues) == before and new_id is not None:
                            created.append(new_id)
                        if progress:
                            progress(number - 1, len(body))
                        if number % 10 == 0:
                            await asyncio.sleep(0)  # let the write make progress
                    gc.collect(0)  # see _young_cycles_only
                if writing is not None:
                    await writing
                await _flush(db, ctx, write=not (report.issues and mode == "all"))
                if ctx.proposals and not (report.issues and mode == "all"):
                    await _propose_links(ctx, report)
            finally:
                if writing is not None and not writing.done():
                    # Leaving on an error: let the write end before the transaction rolls back.
                    await asyncio.wait([writing])
            if report.issues and mode == "all":
                raise _Abort
            await _record_audit(ctx, what, mode, len(body), len(created))
            if before_commit is not None:
                await before_commit(
                    ImportReport(
                        what=what,
                        mode=mode,
                        rows=len(body),
                        imported=len(created),
                        committed=True,
                        issues=report.issues,
                        created=created,
                        proposed=report.proposed,
                    )
                )
    except _Abort:
        return ImportReport(
            what=what, mode=mode, rows=len(body), imported=0, committed=False, issues=report.issues
        )
    if after and pm.hook.quntuan_member_joined.get_hookimpls():
        for info in after:
            await call_runtime_hook(pm, "quntuan_member_joined", membership=info)
    return ImportReport(
        what=what,
        mode=mode,
        rows=len(body),
        imported=len(created),
        committed=True,
        issues=report.issues,
        created=created,
        proposed=report.proposed,
    )


async def _propose_links(ctx: _Ctx, report: _Rows) -> None:
    """Store the link requests the member rows proposed (after every chunk was written: one query each,
    which never runs beside a chunk's COPY), and report each row with its request."""
    for proposal in ctx.proposals:
        row = await links.propose(
            ctx.requester,
            person_id=proposal["person"],
            org=proposal["org"],
            source="import",
            ttl_days=ctx.settings.person_link_ttl_days,
            role=proposal["role"],
            extra=proposal["extra"],
        )
        message = FIELD_MESSAGES[P.LINK_PROPOSED].get(report.locale)
        report.proposed.append(
            ProposedLink(
                row=proposal["row"], column="id_number", code=P.LINK_PROPOSED, message=message, link=row["id"]
            )
        )


_IDS_PER_DRAW = 1000
#: Bits of a draw kept random: all but each id's version and variant.
_KEEP_BITS = int.from_bytes(bytes.fromhex("ffffffffffff0fff3fffffffffffffff") * _IDS_PER_DRAW)
#: The version (4) and variant (RFC 9562) bits of every id of a draw.
_V4_BITS = int.from_bytes(bytes.fromhex("00000000000040008000000000000000") * _IDS_PER_DRAW)


class _RandomIds:
    """Random (version 4) UUIDs like every other id of the platform (an id says nothing of when its
    record was made: see docs/architecture.md), their bits drawn from the OS a thousand at a time — one
    ``getrandom`` call instead of one per id, version and variant set on the whole draw (an import of
    100k members makes 400k ids)."""

    def __init__(self) -> None:
        self._ids: list[UUID] = []

    def __call__(self) -> UUID:
        if not self._ids:
            raw = os.urandom(16 * _IDS_PER_DRAW)
            raw = ((int.from_bytes(raw) & _KEEP_BITS) | _V4_BITS).to_bytes(len(raw))
            self._ids = [_uuid_of(int.from_bytes(raw[i : i + 16])) for i in range(len(raw) - 16, -1, -16)]
        return self._ids.pop()


#: Read once: an enum member's lookup is a property call, and an import makes 400k ids.
_UNKNOWN_SAFETY = SafeUUID.unknown


def _uuid_of(value: int) -> UUID:
    """What ``UUID(int=value)`` makes, without its argument checks (``value`` is 128 bits, version set)."""
    made = object.__new__(UUID)
    object.__setattr__(made, "int", value)
    object.__setattr__(made, "is_safe", _UNKNOWN_SAFETY)
    return made


class _Ctx(msgspec.Struct, kw_only=True):
    pm: Any
    settings: Any
    reaches: Any
    parent: UUID | None
    columns: dict[str, int]
    after: list[MembershipInfo]
    refs: dict[str, UUID] = msgspec.field(default_factory=dict)
    seen: set[str] = msgspec.field(default_factory=set)
    #: Org codes this import gave so far (unique like those in the table).
    codes: set[str] = msgspec.field(default_factory=set)
    pairs: set[tuple[str, str]] = msgspec.field(default_factory=set)
    extra_columns: list[str] = msgspec.field(default_factory=list)
    vault: Any = None
    #: Members: what was looked up for a whole chunk at once (org by reference, person by blind index,
    #: the orgs a person is an active member of), and what this import wrote so far.
    orgs: dict[str, dict[str, Any] | None] = msgspec.field(default_factory=dict)
    indexes: dict[str, str] = msgspec.field(default_factory=dict)
    persons: dict[str, UUID | None] = msgspec.field(default_factory=dict)
    #: The core's facts of the persons found or written (validation must not query: a COPY may be running).
    facts: dict[UUID, PersonFacts] = msgspec.field(default_factory=dict)
    member_of: dict[UUID, set[UUID]] = msgspec.field(default_factory=dict)
    #: Rows waiting to be written by :func:`_flush` (persons before memberships; signals in order).
    new_persons: list[dict[str, Any]] = msgspec.field(default_factory=list)
    new_memberships: list[dict[str, Any]] = msgspec.field(default_factory=list)
    new_signals: list[dict[str, Any]] = msgspec.field(default_factory=list)
    new_id: Callable[[], UUID] = msgspec.field(default_factory=_RandomIds)
    #: The plugins' membership validation, looked up once for the import.
    validate_membership: Callable[..., Awaitable[list[Any]]]
    #: Persons found by ID number whom the importer can see (their rows link them as before).
    visible: set[UUID] = msgspec.field(default_factory=set)
    #: Who proposes link requests for persons outside reach, their budget, and what is left of it.
    requester: Any = None
    budget: Any = None
    links_left: int = 0
    #: Link requests to store at the end: person, org, role, extra, row.
    proposals: list[dict[str, Any]] = msgspec.field(default_factory=list)
    #: Audit entries of what the import wrote, appended at its end (:func:`_record_audit`), and the
    #: persons it linked who existed before (their own orgs see the new membership too).
    audit_entries: list[audit.Pending] = msgspec.field(default_factory=list)
    linked: set[UUID] = msgspec.field(default_factory=set)
    #: Cells naming an org by a name several orgs within reach bear.
    ambiguous: set[str] = msgspec.field(default_factory=set)


#: How many orgs of one name a lookup reads before telling them apart by reach.
_SAME_NAME = 50


async def _org_by_ref(ctx: _Ctx, ref: str) -> dict[str, Any] | None:
    """The org a cell names within reach: a ref of this file, an id, its code (组织代码), or a full name
    that one active org within reach bears (several: None, and ``ref`` joins ``ctx.ambiguous`` for the
    row's error)."""
    org_id = ctx.refs.get(ref) or _uuid(ref)
    if org_id is not None:
        row = await Org.select().where(Org.id == org_id).first().run()
        return row if row is not None and within(row["path"], ctx.reaches) else None
    name = ref.strip()
    if not name:
        return None
    if _ORG_CODE.match(name):
        row = await Org.select().where(Org.code == name.upper()).first().run()
        if row is not None and within(row["path"], ctx.reaches):
            return row
    named = await Org.select().where((Org.name == name) & (Org.status == "active")).limit(_SAME_NAME).run()
    reached = [r for r in named if within(r["path"], ctx.reaches)]
    if len(reached) > 1:
        ctx.ambiguous.add(ref)
        return None
    return reached[0] if reached else None


def _unknown(ctx: _Ctx, ref: str, code: str) -> str:
    """The row error of a cell that named no org: ``code``, or ``ambiguous_org`` for a shared name."""
    return P.AMBIGUOUS_ORG if ref in ctx.ambiguous else code


async def _import_orgs(*, ctx: _Ctx, number: int, get: Callable[[str], str], report: _Rows) -> UUID | None:
    before = len(report.issues)
    ref, name, kind, level = get("ref"), get("name"), get("kind"), get("level")
    for key in ("name", "kind", "level"):
        if not get(key):
            report.add(number, key, "required")
    if len(name) > 200:
        report.add(number, "name", "too_long")
    if ref:
        if ref in ctx.seen:
            report.add(number, "ref", P.DUPLICATE)
        ctx.seen.add(ref)
    if level and level not in {lvl.value for lvl in AdminLevel}:
        report.add(number, "level", "enum")
    region = get("region_code")
    if not _REGION.match(region):
        report.add(number, "region_code", P.REGION_CODE)
    two_new, place = get("two_new"), get("place")
    if two_new not in ("", "non_public_enterprise", "social_organization"):
        report.add(number, "two_new", "enum")
    if place not in ("", "building", "park", "business_district"):
        report.add(number, "place", "enum")
    code = get("code").upper()
    if not _ORG_CODE.match(code):
        report.add(number, "code", P.INVALID)
    elif code and (code in ctx.codes or await Org.exists().where(Org.code == code).run()):
        report.add(number, "code", P.DUPLICATE)
    parent_ref = get("parent")
    parent = None
    if parent_ref:
        parent = await _org_by_ref(ctx, parent_ref)
        if parent is None:
            report.add(number, "parent", _unknown(ctx, parent_ref, P.UNKNOWN_PARENT))
    elif ctx.parent is not None:
        parent = await _org_by_ref(ctx, str(ctx.parent))
        if parent is None:
            report.add(number, "parent", P.UNKNOWN_PARENT)
    elif not within("", ctx.reaches):
        report.add(number, "parent", "required")
    if len(report.issues) > before:
        return None
    kinds = _registry_kinds(ctx.pm)
    for pointer, code in placement_errors(kinds, kind, level, parent, pointer_parent="/parent"):
        report.add(number, pointer.lstrip("/"), code)
    if (
        parent is not None
        and name
        and await Org.exists()
        .where((Org.parent == parent["id"]) & (Org.name == name) & (Org.status == "active"))
        .run()
    ):
        report.add(number, "name", P.DUPLICATE)
    if len(report.issues) > before:
        return None
    prefix = parent["path"] if parent else ""
    path = prefix + new_segment()
    while await Org.exists().where(Org.path == path).run():
        path = prefix + new_segment()
    stamp = datetime.now(UTC)
    org_id = uuid4()
    if ctx.vault is None:
        ctx.vault = Vault.from_settings(ctx.settings)
    await Org.insert(
        Org(
            id=org_id,
            parent=parent["id"] if parent else None,
            path=path,
            depth=len(path) // SEGMENT_WIDTH,
            kind=kind,
            level=level,
            name=name,
            code=code or None,
            status="active",
            region_code=region,
            two_new=two_new,
            place=place,
            address=get("address")[:300],
            contact_name=get("contact_name")[:100],
            **seal(ctx.vault, get("contact_phone")[:32]),
            search_name=fold(name),
            initials=initials(name),
            created_at=stamp,
            updated_at=stamp,
        )
    ).run()
    if ref:
        ctx.refs[ref] = org_id
    if code:
        ctx.codes.add(code)
    ctx.audit_entries.append(
        audit.Pending(
            "org.created", "org", org_id, [path], {"kind": kind, "level": level, "source": "import"}
        )
    )
    await emit(
        sig.ORG_CREATED,
        sig.OrgChanged(org_id=org_id, kind=kind, parent_id=parent["id"] if parent else None),
        resource_type="org",
        resource_id=org_id,
        org_path=path,
    )
    return org_id


def personal_fields(values: Mapping[str, Any]) -> list[str]:
    return [f for f in ("id_number", "phone") if f"{f}_enc" in values]


def _registry_kinds(pm: Any) -> Mapping[str, Any]:
    return pm.registry.org_kinds  # type: ignore[no-any-return]


def _count(value: str, column: str, number: int, report: _Rows) -> int:
    if not value:
        return 0
    try:
        count = int(float(value))
    except ValueError:
        report.add(number, column, "type")
        return 0
    if count < 0:
        report.add(number, column, "too_small")
    return count


async def _import_units(*, ctx: _Ctx, number: int, get: Callable[[str], str], report: _Rows) -> UUID | None:
    before = len(report.issues)
    name, kind, code = get("name"), get("kind"), get("credit_code").upper()
    for key in ("name", "kind", "area"):
        if not get(key):
            report.add(number, key, "required")
    if kind and kind not in UNIT_KINDS:
        report.add(number, "kind", "enum")
    if code:
        if not valid_credit_code(code):
            report.add(number, "credit_code", P.CHECKSUM)
        elif code in ctx.seen or await Unit.exists().where(Unit.credit_code == code).run():
            report.add(number, "credit_code", P.DUPLICATE)
        ctx.seen.add(code)
    counts = {
        k: _count(get(k), k, number, report) for k in ("employees", "female_employees", "youth_employees")
    }
    region = get("region_code")
    if not _REGION.match(region):
        report.add(number, "region_code", P.REGION_CODE)
    area = None
    if get("area"):
        area = await _org_by_ref(ctx, get("area"))
        if area is None:
            report.add(number, "area", _unknown(ctx, get("area"), P.UNKNOWN_ORG))
        elif area["status"] != "active":
            report.add(number, "area", P.ORG_DISSOLVED)
    if len(report.issues) > before or area is None:
        return None
    data = UnitCreate(
        name=name[:200],
        kind=kind,  # type: ignore[arg-type]
        area=area["id"],
        credit_code=code or None,
        region_code=region,
        address=get("address")[:300],
        **counts,
    )
    row = unit_row(data, area)
    await Unit.insert(row).run()
    await refresh_units(coverage_rules(ctx.pm), [row.id])
    ctx.audit_entries.append(
        audit.Pending("unit.registered", "unit", row.id, [area["path"]], {"kind": kind, "source": "import"})
    )
    await emit(
        sig.UNIT_REGISTERED,
        sig.UnitChanged(unit_id=row.id, kind=kind, area_id=area["id"]),
        resource_type="unit",
        resource_id=row.id,
        org_path=area["path"],
    )
    return row.id


def _prepare_members(ctx: _Ctx, gets: Sequence[Callable[[str], str]]) -> list[str]:
    """The part of a chunk's lookups that needs no query: the blind index of each valid ID number, and
    which of them are not known yet (neither looked up nor written by this import) — returned."""
    if ctx.vault is None:
        ctx.vault = Vault.from_settings(ctx.settings)
    for get in gets:
        id_number = get("id_number").upper()
        if id_number and id_number not in ctx.indexes and valid_id_number(id_number):
            ctx.indexes[id_number] = ctx.vault.blind_index("id_number", id_number)
    return list(
        {ctx.indexes[n] for g in gets if (n := g("id_number").upper()) in ctx.indexes} - ctx.persons.keys()
    )


async def _prefetch_members(ctx: _Ctx, gets: Sequence[Callable[[str], str]], unknown: list[str]) -> None:
    """Look up what a chunk of member rows refers to in three queries instead of three per row: the orgs
    not seen yet, and the persons with the ``unknown`` blind indexes (:func:`_prepare_members`) with the
    orgs they are active members of."""
    refs = {get("org") for get in gets} - ctx.orgs.keys() - {""}
    wanted = {ref: ctx.refs.get(ref) or _uuid(ref) for ref in refs}
    ids = list({i for i in wanted.values() if i is not None})
    rows = {r["id"]: r for r in await Org.select().where(Org.id.is_in(ids)).run()} if ids else {}
    for ref, org_id in wanted.items():
        if org_id is not None:
            row = rows.get(org_id)
            ctx.orgs[ref] = row if row is not None and within(row["path"], ctx.reaches) else None
    names = sorted(ref.strip() for ref, org_id in wanted.items() if org_id is None)
    if names:  # orgs named by their full name: one query for the chunk
        named: dict[str, list[dict[str, Any]]] = {}
        for row in await Org.select().where(Org.name.is_in(names) & (Org.status == "active")).run():
            if within(row["path"], ctx.reaches):
                named.setdefault(row["name"], []).append(row)
        for ref, org_id in wanted.items():
            if org_id is None:
                same = named.get(ref.strip(), [])
                ctx.orgs[ref] = same[0] if len(same) == 1 else None
                if len(same) > 1:
                    ctx.ambiguous.add(ref)
    if not unknown:
        return
    marks = ", ".join("{}" for _ in unknown)
    found = await fetch(
        Person,
        f"SELECT id, id_number_index, birth_date, gender FROM core_person WHERE id_number_index IN ({marks})",  # noqa: S608 - placeholders only
        unknown,
    )
    ctx.persons.update(dict.fromkeys(unknown))
    ctx.persons.update({r["id_number_index"]: r["id"] for r in found})
    ctx.facts.update({r["id"]: PersonFacts(birth_date=r["birth_date"], gender=r["gender"]) for r in found})
    for person_id in (r["id"] for r in found):
        ctx.member_of.setdefault(person_id, set())
    if found:
        ctx.visible |= await visible_within(ctx.reaches, [r["id"] for r in found], ctx.settings.timezone)
        active = await (
            Membership.select(Membership.org, Membership.person)
            .where(Membership.person.is_in([r["id"] for r in found]) & (Membership.status == "active"))
            .run()
        )
        for r in active:
            ctx.member_of[r["person"]].add(r["org"])


def _flush(db: Database, ctx: _Ctx, *, write: bool = True) -> asyncio.Future[None]:
    """Start writing the rows the members of a chunk produced (or drop them when nothing will be kept).

    The write runs as a task beside the next chunk's validation, which makes no query of its own (its
    lookups were prefetched) until the write is awaited.
    """
    batches = [(Person, ctx.new_persons), (Membership, ctx.new_memberships), (OutboxSignal, ctx.new_signals)]
    ctx.new_persons, ctx.new_memberships, ctx.new_signals = [], [], []

    async def run() -> None:
        for table, rows in batches:
            await bulk_insert(db, table, rows)

    if not write or not any(rows for _, rows in batches):
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done
    return asyncio.ensure_future(run())


async def bulk_insert(db: Database, table: type[Table], rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows in the current transaction: ``COPY`` on PostgreSQL, batched multi-row ``INSERT``
    through Piccolo on SQLite. Every row has the same columns in the same order; JSON values as text."""
    if not rows:
        return
    if db.is_sqlite:
        for start in range(0, len(rows), 200):
            await table.insert(*(table(**r) for r in rows[start : start + 200])).run()
        return
    connection = db.engine.current_transaction.get().connection
    await connection.copy_records_to_table(
        table._meta.tablename, records=[tuple(r.values()) for r in rows], columns=list(rows[0])
    )


async def _import_members(*, ctx: _Ctx, number: int, get: Callable[[str], str], report: _Rows) -> UUID | None:
    """Validate one member row; the writes wait in ``ctx`` for :func:`_flush` (see :func:`_prefetch_members`)."""
    if ctx.vault is None:
        ctx.vault = Vault.from_settings(ctx.settings)
    before = len(report.issues)
    ref, name, id_number, phone, role = (
        get("org"),
        get("name"),
        get("id_number").upper(),
        get("phone"),
        get("role") or "member",
    )
    for key, value in (("org", ref), ("name", name)):
        if not value:
            report.add(number, key, "required")
    if len(name) > 100:
        report.add(number, "name", "too_long")
    if id_number:
        if id_number not in ctx.indexes and not valid_id_number(id_number):
            report.add(number, "id_number", P.CHECKSUM)
        elif (ref, id_number) in ctx.pairs:
            report.add(number, "id_number", P.DUPLICATE)
        ctx.pairs.add((ref, id_number))
    normal_phone = normalise_phone(phone) if phone else None
    if phone and (normal_phone is None or not valid_mobile(normal_phone)):
        report.add(number, "phone", P.PHONE)
    if not _ROLE.match(role):
        report.add(number, "role", "pattern")
    org = None
    if ref:
        org = ctx.orgs[ref] if ref in ctx.orgs else await _member_org(ctx, ref)
        if org is None:
            report.add(number, "org", _unknown(ctx, ref, P.UNKNOWN_ORG))
        elif org["status"] != "active":
            report.add(number, "org", P.ORG_DISSOLVED)
    if len(report.issues) > before or org is None:
        return None
    extra = {k.removeprefix("extra."): v for k in ctx.extra_columns if (v := get(k))}
    vault = ctx.vault
    index = (ctx.indexes.get(id_number) or vault.blind_index("id_number", id_number)) if id_number else None
    # Prefetched for the chunk (see _prefetch_members): looked up only when not.
    person_id = (
        (ctx.persons[index] if index in ctx.persons else await _person_by_index(ctx, index))
        if index
        else None
    )
    if person_id is not None and org["id"] in (
        ctx.member_of[person_id] if person_id in ctx.member_of else await _active_orgs(ctx, person_id)
    ):
        report.add(number, "id_number", P.DUPLICATE)
        return None
    if id_number and (person_id is None or person_id not in ctx.visible) and not _may_propose(ctx):
        # No proposal may be made: refused alike whether a person outside reach holds the number or not.
        report.add(number, "id_number", P.LINK_LIMIT_ROW)
        return None
    if person_id is not None and person_id not in ctx.visible:
        # Outside the importer's reach: never linked here, proposed (see core.members.links).
        if ctx.links_left <= 0 or not await ctx.budget.spend(links.actor_key(ctx.requester)):
            ctx.links_left = 0
            report.add(number, "id_number", P.LINK_LIMIT_ROW)
            return None
        ctx.links_left -= 1
        ctx.proposals.append({"person": person_id, "org": org, "role": role, "extra": extra, "row": number})
        return None
    birth_date = birth_date_of(id_number) if id_number and person_id is None else None
    draft = MembershipDraft(
        action="join",
        org_id=org["id"],
        org_kind=org["kind"],
        person_id=person_id or UUID(int=0),
        role=role,
        extra=extra,
        # An existing person: their record; a new one: what their (validated) ID number states.
        person=(ctx.facts.get(person_id) or await person_facts(person_id))
        if person_id is not None
        else PersonFacts(birth_date=birth_date),
    )
    try:
        await ctx.validate_membership(_owner=kind_owner(draft.org_kind), draft=draft)
    except MembershipRejected as exc:
        FIELD_MESSAGES.setdefault(exc.code, exc.message)
        column = exc.pointer.removeprefix("/").replace("/", ".")
        report.add(number, column, exc.code, exc.message)
        return None
    stamp = datetime.now(UTC)
    if person_id is None:
        person_id = ctx.new_id()
        ctx.visible.add(person_id)  # registered in an org within reach by this very import
        personal: dict[str, Any] = {}
        if id_number:
            personal.update(id_number_enc=vault.encrypt("id_number", id_number), id_number_index=index)
            ctx.persons[index] = person_id  # type: ignore[index]
        if normal_phone:
            personal.update(
                phone_enc=vault.encrypt("phone", normal_phone),
                phone_index=vault.blind_index("phone", normal_phone),
            )
        ctx.member_of[person_id] = set()
        ctx.facts[person_id] = PersonFacts(birth_date=birth_date)
        ctx.new_persons.append(
            {
                "id": person_id,
                "name": " ".join(name.split()),
                "home_org": org["id"],
                "id_number_enc": personal.get("id_number_enc"),
                "id_number_index": personal.get("id_number_index"),
                "birth_date": birth_date,
                "phone_enc": personal.get("phone_enc"),
                "phone_index": personal.get("phone_index"),
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        ctx.audit_entries.append(
            audit.Pending(
                "person.created",
                "person",
                person_id,
                [org["path"]],
                _CREATED_CHANGES[bool(id_number), bool(normal_phone)],
            )
        )
        ctx.new_signals.append(
            outbox_row(
                PERSON_CREATED,
                PersonChanged(
                    person_id=person_id, fields=_CREATED_FIELDS[bool(id_number), bool(normal_phone)]
                ),
                resource_type="person",
                resource_id=person_id,
                org_path=org["path"],
                signal_id=ctx.new_id(),
                occurred_at=stamp,
            )
        )
    else:
        ctx.linked.add(person_id)
    membership_id = ctx.new_id()
    ctx.member_of[person_id].add(org["id"])
    ctx.audit_entries.append(
        audit.Pending(
            "member.joined",
            "membership",
            membership_id,
            [org["path"]],
            {"person": person_id, "org": org["id"], "role": role, "source": "import"},
        )
    )
    ctx.new_memberships.append(
        {
            "id": membership_id,
            "org": org["id"],
            "person": person_id,
            "role": role,
            "status": "active",
            "extra": msgspec.json.encode(extra).decode() if extra else "{}",
            "joined_at": stamp,
            "updated_at": stamp,
        }
    )
    ctx.new_signals.append(
        outbox_row(
            sig.MEMBER_JOINED,
            sig.MemberChanged(membership_id=membership_id, org_id=org["id"], person_id=person_id, role=role),
            resource_type="membership",
            resource_id=membership_id,
            org_path=org["path"],
            signal_id=ctx.new_id(),
            occurred_at=stamp,
        )
    )
    ctx.after.append(
        MembershipInfo(
            membership_id=membership_id,
            org_id=org["id"],
            org_kind=org["kind"],
            person_id=person_id,
            role=role,
            extra=extra,
        )
    )
    return membership_id


#: The fields a new person's signal names, by whether the row had an ID number and a phone (sorted, as
#: ``sorted(["name", "home_org", *personal_fields(...)])`` would give them).
_CREATED_FIELDS = {
    (with_id, with_phone): sorted(
        ["name", "home_org", *(["id_number"] if with_id else []), *(["phone"] if with_phone else [])]
    )
    for with_id in (False, True)
    for with_phone in (False, True)
}


def _may_propose(ctx: _Ctx) -> bool:
    """Whether an ID number no visible person holds may be imported: always for an importer who sees
    every person (nothing is outside their reach), else while a link request may still be proposed."""
    if PLATFORM in ctx.reaches:
        return True
    return ctx.requester is not None and ctx.budget is not None and ctx.links_left > 0


#: ``changes`` of a person an import created, by whether the row had an ID number and a phone (one
#: mapping each, shared by every such entry: see :func:`core.identity.audit.record_many`).
_CREATED_CHANGES = {
    key: {
        **{f: audit.CHANGED for f in fields if f in PERSONAL_FIELDS},
        "home_org": "<set>",
        "source": "import",
    }
    for key, fields in _CREATED_FIELDS.items()
}


async def _record_audit(ctx: _Ctx, what: str, mode: str, rows: int, imported: int) -> None:
    """One entry per org, unit, person and membership written, then one for the import: inside its
    transaction, at its end (the log's append lock is then held only until the commit)."""
    if ctx.linked:
        concerned = await audit.person_paths(ctx.linked)
        for pending in ctx.audit_entries:
            if pending.action == "member.joined" and pending.changes is not None:
                person = pending.changes["person"]
                if person in ctx.linked:
                    pending.org_paths.extend(concerned.get(person, ()))  # type: ignore[attr-defined]
    paths = audit.unique_paths(p for pending in ctx.audit_entries for p in pending.org_paths)
    counts: dict[str, int] = {}
    for pending in ctx.audit_entries:
        counts[pending.action] = counts.get(pending.action, 0) + 1
    ctx.audit_entries.append(
        audit.Pending(
            "data.imported",
            what,
            "import",
            paths,
            {"what": what, "mode": mode, "rows": rows, "imported": imported, "written": counts},
        )
    )
    await audit.record_many(ctx.audit_entries)
    ctx.audit_entries = []


async def _member_org(ctx: _Ctx, ref: str) -> dict[str, Any] | None:
    if ref not in ctx.orgs:
        ctx.orgs[ref] = await _org_by_ref(ctx, ref)
    return ctx.orgs[ref]


async def _person_by_index(ctx: _Ctx, index: str) -> UUID | None:
    """The person with this ID number's blind index: written by this import, prefetched, or looked up."""
    if index not in ctx.persons:
        found = await Person.select(Person.id).where(Person.id_number_index == index).first().run()
        ctx.persons[index] = found["id"] if found else None
        if found:
            ctx.visible |= await visible_within(ctx.reaches, [found["id"]], ctx.settings.timezone)
    return ctx.persons[index]


async def _active_orgs(ctx: _Ctx, person_id: UUID) -> set[UUID]:
    """The orgs a person is an active member of (this import's memberships included)."""
    if person_id not in ctx.member_of:
        rows = (
            await Membership.select(Membership.org)
            .where((Membership.person == person_id) & (Membership.status == "active"))
            .run()
        )
        ctx.member_of[person_id] = {r["org"] for r in rows}
    return ctx.member_of[person_id]
