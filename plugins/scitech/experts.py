"""The expert library (专家库): experts with disciplines, titles, employers, tags and willingness to consult.

Search folds what is stored and what is asked the way the core's org search does (工業 finds 工业, ``zs``
finds 张三 by pinyin initials); a discipline filter on a first-level code finds every discipline under
it; matching ranks the willing experts who still have room for an engagement.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from core.sdk import (
    PageRequest,
    Problem,
    Text,
    emit,
    is_initials_query,
    paginate,
    reach_clause,
    record_audit,
    register_field_code,
    search_fold,
    search_initials,
    search_term,
)
from plugins.scitech import disciplines as vocab
from plugins.scitech.common import check_if_match, dumps, loads, name_schemas, now
from plugins.scitech.signals import EXPERT_ADDED, EXPERT_CHANGED, ExpertSignal
from plugins.scitech.tables import ScitechExpert, ScitechExpertDiscipline, ScitechExpertTag

TitleGrade = Literal["academician", "senior", "associate", "intermediate", "junior", "other"]
DisciplineCode = Annotated[str, msgspec.Meta(pattern=r"^\d{3}(\d{2})?$", max_length=5)]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Short = Annotated[str, msgspec.Meta(max_length=100)]
Employer = Annotated[str, msgspec.Meta(max_length=200)]
Bio = Annotated[str, msgspec.Meta(max_length=2000)]
Engagements = Annotated[int, msgspec.Meta(ge=0, le=20)]

UNKNOWN_DISCIPLINE_TEXT = Text(
    zh_hans="不是《学科分类与代码》中的学科",
    zh_hant="不是《學科分類與代碼》中的學科",
    en="Not a discipline of GB/T 13745",
)
UNKNOWN_DISCIPLINE = register_field_code("scitech_unknown_discipline", UNKNOWN_DISCIPLINE_TEXT)
DUPLICATE = register_field_code(
    "scitech_duplicate",
    Text(zh_hans="重复的取值", zh_hant="重複的取值", en="Duplicate value"),
)
EMPTY_TAG = register_field_code(
    "scitech_empty_tag",
    Text(zh_hans="标签不能为空", zh_hant="標籤不能為空", en="A tag cannot be blank"),
)


class ExpertCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new expert in the library of ``org`` (an association or society the caller manages)."""

    org: uuid.UUID
    name: Name
    title: Short = ""
    title_grade: TitleGrade = "other"
    employer: Employer = ""
    disciplines: Annotated[list[DisciplineCode], msgspec.Meta(min_length=1, max_length=10)]
    tags: Annotated[list[Tag], msgspec.Meta(max_length=20)] = []
    bio: Bio = ""
    willing: bool = True
    max_engagements: Engagements = 3
    #: The core's person, when the expert is one.
    person: uuid.UUID | None = None


class ExpertUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Fields to change (send ``If-Match``); absent fields stay as they are."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    title: Short | msgspec.UnsetType = msgspec.UNSET
    title_grade: TitleGrade | msgspec.UnsetType = msgspec.UNSET
    employer: Employer | msgspec.UnsetType = msgspec.UNSET
    disciplines: (
        Annotated[list[DisciplineCode], msgspec.Meta(min_length=1, max_length=10)] | msgspec.UnsetType
    ) = msgspec.UNSET
    tags: Annotated[list[Tag], msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    bio: Bio | msgspec.UnsetType = msgspec.UNSET
    willing: bool | msgspec.UnsetType = msgspec.UNSET
    max_engagements: Engagements | msgspec.UnsetType = msgspec.UNSET
    status: Literal["active", "retired"] | msgspec.UnsetType = msgspec.UNSET


class DisciplineRef(msgspec.Struct, kw_only=True):
    code: str
    name: str
    parent: str | None = None


class Expert(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    org: uuid.UUID
    person: uuid.UUID | None
    name: str
    title: str
    title_grade: str
    employer: str
    disciplines: list[DisciplineRef]
    tags: list[str]
    bio: str
    willing: bool
    max_engagements: int
    engagements: int
    #: Willing, active and with room for one more engagement.
    available: bool
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


class MatchRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Who could take a consulting request on ``discipline`` (with these tags), from ``org``'s subtree."""

    org: uuid.UUID
    discipline: DisciplineCode
    tags: Annotated[list[Tag], msgspec.Meta(max_length=20)] = []
    limit: Annotated[int, msgspec.Meta(ge=1, le=50)] = 10


class ExpertMatch(msgspec.Struct, kw_only=True):
    expert: Expert
    score: float
    #: Whether the expert names the discipline itself (not only one beside it under the same parent).
    exact_discipline: bool
    matched_tags: list[str]


def discipline_refs(codes: Sequence[str]) -> list[DisciplineRef]:
    known = vocab.vocabulary()
    return [DisciplineRef(code=c, name=known[c].name, parent=known[c].parent) for c in codes if c in known]


def as_expert(row: Mapping[str, Any]) -> Expert:
    return Expert(
        id=row["id"],
        org=row["org"],
        person=row["person"],
        name=row["name"],
        title=row["title"],
        title_grade=row["title_grade"],
        employer=row["employer"],
        disciplines=discipline_refs(loads(row["disciplines"])),
        tags=loads(row["tags"]),
        bio=row["bio"],
        willing=row["willing"],
        max_engagements=row["max_engagements"],
        engagements=row["engagements"],
        available=is_available(row),
        status=row["status"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def is_available(row: Mapping[str, Any]) -> bool:
    return bool(row["willing"]) and row["status"] == "active" and row["engagements"] < row["max_engagements"]


def check_codes(codes: Sequence[str], pointer: str) -> None:
    bad = [(f"{pointer}/{i}", UNKNOWN_DISCIPLINE) for i, c in enumerate(codes) if c not in vocab.vocabulary()]
    bad += [(f"{pointer}/{i}", DUPLICATE) for i, c in enumerate(codes) if c in codes[:i]]
    if bad:
        raise Problem.invalid(*bad)


def clean_tags(tags: Sequence[str], pointer: str) -> list[str]:
    """Tags trimmed, with duplicates (in any script) refused."""
    cleaned = [" ".join(t.split()) for t in tags]
    folded = [search_fold(t) for t in cleaned]
    bad = [(f"{pointer}/{i}", EMPTY_TAG) for i, t in enumerate(folded) if not t]
    bad += [(f"{pointer}/{i}", DUPLICATE) for i, t in enumerate(folded) if t and t in folded[:i]]
    if bad:
        raise Problem.invalid(*bad)
    return cleaned


def search_keys(row: Mapping[str, Any]) -> dict[str, str]:
    """The folded search text (name, employer, title, tags, discipline names) and pinyin initials."""
    names = [d.name for d in discipline_refs(loads(row["disciplines"]))]
    parts = [row["name"], row["employer"], row["title"], *loads(row["tags"]), *names]
    text = "|".join(search_fold(p) for p in parts if p)[:1000]
    initials = "|".join(search_initials(p) for p in (row["name"], row["employer"], *loads(row["tags"])) if p)
    return {"search_text": text, "initials": initials[:300]}


def _index_rows(row: Mapping[str, Any]) -> tuple[list[ScitechExpertDiscipline], list[ScitechExpertTag]]:
    codes = sorted(vocab.with_ancestors(loads(row["disciplines"])))
    tags = sorted({search_fold(t)[:40] for t in loads(row["tags"])})
    path = row["org_path"]
    return (
        [ScitechExpertDiscipline(expert=row["id"], code=c, org_path=path) for c in codes],
        [ScitechExpertTag(expert=row["id"], tag=t, org_path=path) for t in tags],
    )


async def write_index(row: Mapping[str, Any], *, replace: bool) -> None:
    if replace:
        await ScitechExpertDiscipline.delete().where(ScitechExpertDiscipline.expert == row["id"]).run()
        await ScitechExpertTag.delete().where(ScitechExpertTag.expert == row["id"]).run()
    disciplines, tags = _index_rows(row)
    if disciplines:
        await ScitechExpertDiscipline.insert(*disciplines).run()
    if tags:
        await ScitechExpertTag.insert(*tags).run()


def new_row(data: ExpertCreate, org_path: str) -> dict[str, Any]:
    check_codes(data.disciplines, "/disciplines")
    tags = clean_tags(data.tags, "/tags")
    at = now()
    row: dict[str, Any] = {
        "id": uuid.uuid4(),
        "org": data.org,
        "org_path": org_path,
        "person": data.person,
        "name": " ".join(data.name.split()),
        "title": data.title.strip(),
        "title_grade": data.title_grade,
        "employer": data.employer.strip(),
        "disciplines": dumps(list(data.disciplines)),
        "tags": dumps(tags),
        "bio": data.bio,
        "willing": data.willing,
        "max_engagements": data.max_engagements,
        "engagements": 0,
        "status": "active",
        "version": 1,
        "created_at": at,
        "updated_at": at,
    }
    row.update(search_keys(row))
    return row


async def insert_experts(rows: Sequence[dict[str, Any]]) -> None:
    """Write new experts with their index rows, audit entries and signals (inside the caller's transaction)."""
    if not rows:
        return
    await ScitechExpert.insert(*(ScitechExpert(**r) for r in rows)).run()
    disciplines: list[ScitechExpertDiscipline] = []
    tags: list[ScitechExpertTag] = []
    for row in rows:
        d, t = _index_rows(row)
        disciplines += d
        tags += t
    for chunk in range(0, len(disciplines), 500):
        await ScitechExpertDiscipline.insert(*disciplines[chunk : chunk + 500]).run()
    for chunk in range(0, len(tags), 500):
        await ScitechExpertTag.insert(*tags[chunk : chunk + 500]).run()
    for row in rows:
        await record_audit(
            "scitech.expert.added",
            resource_type="scitech.expert",
            resource_id=row["id"],
            org_path=row["org_path"],
        )
        await emit(
            EXPERT_ADDED,
            ExpertSignal(id=str(row["id"]), org=str(row["org"])),
            resource_type="scitech.expert",
            resource_id=row["id"],
            org_path=row["org_path"],
        )


async def update_expert(row: dict[str, Any], data: ExpertUpdate, if_match: str | None) -> dict[str, Any]:
    check_if_match(row, if_match)
    changes: dict[str, Any] = {}
    for name in ("name", "title", "title_grade", "employer", "bio", "willing", "max_engagements", "status"):
        value = getattr(data, name)
        if value is not msgspec.UNSET:
            changes[name] = " ".join(value.split()) if name == "name" else value
    if data.disciplines is not msgspec.UNSET:
        check_codes(data.disciplines, "/disciplines")
        changes["disciplines"] = dumps(list(data.disciplines))
    if data.tags is not msgspec.UNSET:
        changes["tags"] = dumps(clean_tags(data.tags, "/tags"))
    merged = {**row, **changes}
    changes.update(search_keys(merged))
    changes["version"] = row["version"] + 1
    changes["updated_at"] = now()
    updated = await (
        ScitechExpert.update({getattr(ScitechExpert, k): v for k, v in changes.items()})
        .where((ScitechExpert.id == row["id"]) & (ScitechExpert.version == row["version"]))
        .returning(*ScitechExpert.all_columns())
        .run()
    )
    if not updated:
        raise Problem("precondition-failed")
    new = dict(updated[0])
    if "disciplines" in changes or "tags" in changes:
        await write_index(new, replace=True)
    fields = sorted(k for k in changes if k not in ("version", "updated_at", "search_text", "initials"))
    await record_audit(
        "scitech.expert.changed",
        resource_type="scitech.expert",
        resource_id=row["id"],
        org_path=row["org_path"],
        changes={"fields": fields},
    )
    await emit(
        EXPERT_CHANGED,
        ExpertSignal(id=str(row["id"]), org=str(row["org"])),
        resource_type="scitech.expert",
        resource_id=row["id"],
        org_path=row["org_path"],
    )
    return new


def _text_clause(q: str) -> Any | None:
    term = search_term(q)
    if not term:
        return None
    clause = ScitechExpert.search_text.like(f"%{term}%")
    if is_initials_query(term):
        clause = clause | ScitechExpert.initials.like(f"%{term}%")
    return clause


def search_query(
    reaches: Sequence[Any],
    page: PageRequest,
    *,
    org_path: str | None = None,
    discipline: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    available: bool | None = None,
    title_grade: str | None = None,
    candidates: Sequence[Any] | None = None,
) -> Any | None:
    """The search as one query (before paging), or None when the reach is empty. ``candidates`` (the
    ids :func:`candidate_ids` found) stand for the discipline and tag filters."""
    clause = reach_clause(ScitechExpert.org_path, reaches)
    if clause is None:
        return None
    where = [clause, ScitechExpert.status == "active"]
    if org_path is not None:
        where += [ScitechExpert.org_path >= org_path, ScitechExpert.org_path < org_path + "~"]
    if candidates is not None:
        where.append(ScitechExpert.id.is_in(list(candidates)))
    else:
        if discipline:
            where.append(
                ScitechExpert.id.is_in(
                    ScitechExpertDiscipline.select(ScitechExpertDiscipline.expert).where(
                        ScitechExpertDiscipline.code == discipline
                    )
                )
            )
        if tag:
            where.append(
                ScitechExpert.id.is_in(
                    ScitechExpertTag.select(ScitechExpertTag.expert).where(
                        ScitechExpertTag.tag == search_fold(tag)[:40]
                    )
                )
            )
    if q:
        text = _text_clause(q)
        if text is not None:
            where.append(text)
    if title_grade:
        where.append(ScitechExpert.title_grade == title_grade)
    if available is True:
        where += [ScitechExpert.willing == True, ScitechExpert.engagements < ScitechExpert.max_engagements]  # noqa: E712
    query = ScitechExpert.select()
    for part in where:
        query = query.where(part)
    return query


#: Most candidates taken from the discipline and tag index as a list of ids; beyond, a subquery.
MAX_CANDIDATES = 5000


async def candidate_ids(discipline: str | None, tag: str | None) -> list[Any] | None:
    """The experts under the discipline and with the tag, straight from their two indexes (an
    intersection of index-only scans), or None when there is no such filter or too many to list.

    Given as a list, they let the planner fetch a few experts by key instead of scanning the library
    for the text and joining the indexes after (tens of milliseconds instead of hundreds over 100k)."""
    parts: list[str] = []
    args: list[Any] = []
    if discipline:
        parts.append("SELECT expert FROM scitech_expert_discipline WHERE code = {}")
        args.append(discipline)
    if tag:
        parts.append("SELECT expert FROM scitech_expert_tag WHERE tag = {}")
        args.append(search_fold(tag)[:40])
    if not parts:
        return None
    sql = " INTERSECT ".join(parts) + " LIMIT {}"
    if ScitechExpertDiscipline._meta.db.engine_type == "postgres":
        # One row holding the ids as an array, decoded at once, rather than up to 5 001 rows each made
        # into a dict: it is what made a broad discipline cost three times the raw SQL.
        rows = await ScitechExpertDiscipline.raw(
            f"SELECT array_agg(expert) AS ids FROM ({sql}) AS candidates",  # noqa: S608
            *args,
            MAX_CANDIDATES + 1,
        ).run()
        ids = list(rows[0]["ids"] or [])
    else:
        ids = [r["expert"] for r in await ScitechExpertDiscipline.raw(sql, *args, MAX_CANDIDATES + 1).run()]
    if len(ids) > MAX_CANDIDATES:
        return None
    return ids


async def search(
    reaches: Sequence[Any], page: PageRequest, **filters: Any
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of experts matching ``filters`` (see :func:`search_query`), oldest first."""
    if "candidates" not in filters:
        filters["candidates"] = await candidate_ids(filters.get("discipline"), filters.get("tag"))
        if filters["candidates"] == []:
            return [], None
    query = search_query(reaches, page, **filters)
    if query is None:
        return [], None
    return await paginate(query, [ScitechExpert.created_at, ScitechExpert.id], page)


#: Candidates scored per match request: the least engaged first.
CANDIDATES = 500


async def match(reaches: Sequence[Any], org_path: str, data: MatchRequest) -> list[ExpertMatch]:
    """Willing experts with room, under ``org_path`` and within reach, on the discipline or its parent,
    ranked: the discipline itself (2) over one under the same parent (1), one point per tag they share,
    less for those already engaged."""
    check_codes([data.discipline], "/discipline")
    wanted = clean_tags(data.tags, "/tags")
    clause = reach_clause(ScitechExpert.org_path, reaches)
    if clause is None:
        return []
    codes = sorted(vocab.with_ancestors([data.discipline]))
    rows = (
        await ScitechExpert.select()
        .where(clause)
        .where((ScitechExpert.org_path >= org_path) & (ScitechExpert.org_path < org_path + "~"))
        .where(ScitechExpert.status == "active")
        .where(ScitechExpert.willing == True)  # noqa: E712
        .where(ScitechExpert.engagements < ScitechExpert.max_engagements)
        .where(
            ScitechExpert.id.is_in(
                ScitechExpertDiscipline.select(ScitechExpertDiscipline.expert).where(
                    ScitechExpertDiscipline.code.is_in(codes)
                )
            )
        )
        .order_by(ScitechExpert.engagements, ScitechExpert.created_at, ScitechExpert.id)
        .limit(CANDIDATES)
        .run()
    )
    folded_wanted = {search_fold(t): t for t in wanted}
    parent = vocab.vocabulary()[data.discipline].parent or data.discipline
    found: list[ExpertMatch] = []
    for row in rows:
        own = loads(row["disciplines"])
        exact = data.discipline in own
        near = exact or any(c == parent or vocab.vocabulary()[c].parent == parent for c in own)
        shared = [
            folded_wanted[f] for f in folded_wanted if f in {search_fold(t) for t in loads(row["tags"])}
        ]
        load = row["engagements"] / max(row["max_engagements"], 1)
        score = (2.0 if exact else 1.0 if near else 0.5) + len(shared) - load
        found.append(
            ExpertMatch(
                expert=as_expert(row), score=round(score, 3), exact_discipline=exact, matched_tags=shared
            )
        )
    found.sort(key=lambda m: (-m.score, m.expert.created_at, str(m.expert.id)))
    return found[: data.limit]


name_schemas(globals())
