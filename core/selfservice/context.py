"""A person's own context: memberships, posts and open processes on ``/me``; the profile they edit;
their own orgs as members see them (no cadre grant needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import msgspec

from core.identity.schemas import MeMembership, MePost, MeProcess, MeProfile, MeUpdate
from core.identity.tables import Post
from core.kernel.errors import Problem
from core.members.tables import Membership
from core.orgs.tables import Org
from core.processes.tables import Process
from core.selfservice.tables import PersonProfile

#: Open processes listed on ``/me`` (the rest are a page of ``/me/processes`` away).
OPEN_PROCESSES_SHOWN = 20


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


async def overview(person_id: UUID, registry: Any, locale: Any) -> dict[str, Any]:
    today = date.today()
    memberships = (
        await Membership.select(
            Membership.id,
            Membership.org,
            Membership.org.name.as_alias("org_name"),
            Membership.org.kind.as_alias("org_kind"),
            Membership.role,
            Membership.joined_at,
        )
        .where((Membership.person == person_id) & (Membership.status == "active"))
        .order_by(Membership.joined_at)
        .run()
    )
    posts = (
        await Post.select(
            Post.id, Post.org, Post.org.name.as_alias("org_name"), Post.title, Post.start_date, Post.end_date
        )
        .where(
            (Post.person == person_id)
            & (Post.start_date <= today)
            & (Post.end_date.is_null() | (Post.end_date >= today))
        )
        .order_by(Post.start_date)
        .run()
    )
    processes = (
        await Process.select(
            Process.id,
            Process.type,
            Process.org,
            Process.org.name.as_alias("org_name"),
            Process.state,
            Process.opened_at,
        )
        .where((Process.applicant == person_id) & (Process.status != "closed"))
        .order_by(Process.opened_at, ascending=False)
        .limit(OPEN_PROCESSES_SHOWN)
        .run()
    )
    profile = await PersonProfile.select().where(PersonProfile.person == person_id).first().run()

    def names(type_code: str, state_code: str) -> tuple[str, str]:
        ptype = registry.process_types.get(type_code)
        if ptype is None:
            return type_code, state_code
        state = ptype.state(state_code)
        return ptype.name.get(locale), state.name.get(locale) if state is not None else state_code

    return {
        "memberships": [
            MeMembership(
                membership_id=m["id"],
                org_id=m["org"],
                org_name=m["org_name"],
                org_kind=m["org_kind"],
                role=m["role"],
                since=_utc(m["joined_at"]),
            )
            for m in memberships
        ],
        "posts": [
            MePost(
                post_id=p["id"],
                org_id=p["org"],
                org_name=p["org_name"],
                title=p["title"],
                start_date=p["start_date"],
                end_date=p["end_date"],
            )
            for p in posts
        ],
        "open_processes": [
            MeProcess(
                process_id=p["id"],
                type=p["type"],
                type_name=names(p["type"], p["state"])[0],
                org_id=p["org"],
                org_name=p["org_name"],
                state=p["state"],
                state_name=names(p["type"], p["state"])[1],
                opened_at=_utc(p["opened_at"]),
            )
            for p in processes
        ],
        "profile": MeProfile(
            nickname=profile["nickname"],
            avatar=profile["avatar"],
            contact_by=_json(profile["contact_by"]) or [],
        )
        if profile is not None
        else MeProfile(),
    }


async def update_profile(db: Any, person_id: UUID, data: MeUpdate) -> None:
    """The person edits what they own; ``person.profile_updated`` names the fields changed (never their
    values), seen by each of the person's orgs."""
    from core.identity import audit

    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    if "contact_by" in changes:
        changes["contact_by"] = sorted(set(changes["contact_by"]))
    async with db.transaction():
        row = (
            await PersonProfile.select(PersonProfile.id)
            .where(PersonProfile.person == person_id)
            .first()
            .run()
        )
        if row is None:
            await PersonProfile.insert(PersonProfile(person=person_id, **changes)).run()
        elif changes:
            await (
                PersonProfile.update(
                    {
                        **{getattr(PersonProfile, k): v for k, v in changes.items()},
                        "updated_at": datetime.now(UTC),
                    }
                )
                .where(PersonProfile.id == row["id"])
                .run()
            )
        if changes:
            await audit.record(
                "person.profile_updated",
                resource_type="person",
                resource_id=person_id,
                org_paths=await audit.paths_of_persons([person_id]),
                changes={"fields": sorted(changes)},
            )


async def my_org(person_id: UUID, org_id: UUID) -> dict[str, Any]:
    """An org the person belongs to (an active membership or a current post), as members see it."""
    today = date.today()
    member = (
        await Membership.exists()
        .where(
            (Membership.person == person_id) & (Membership.org == org_id) & (Membership.status == "active")
        )
        .run()
    )
    holds_post = (
        await Post.exists()
        .where(
            (Post.person == person_id)
            & (Post.org == org_id)
            & (Post.start_date <= today)
            & (Post.end_date.is_null() | (Post.end_date >= today))
        )
        .run()
    )
    row = (
        await Org.select(
            Org.id,
            Org.name,
            Org.kind,
            Org.level,
            Org.parent,
            Org.address,
            Org.contact_name,
            Org.contact_phone_masked,
            Org.status,
        )
        .where(Org.id == org_id)
        .first()
        .run()
    )
    if row is None or not (member or holds_post):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]
