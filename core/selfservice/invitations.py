"""Invitations (邀请链接/二维码): a cadre's signed link that pre-fills an application or joins at once.

The token is ``<invitation id>.<signature>``: HMAC-SHA256 of the id under a key derived from the secret
key, so tokens cannot be guessed or altered, and only the id is stored. The QR payload is the token in
a URI (``quntuan:invite:<token>``); the front end renders it. Each use is counted by one conditional
``UPDATE … SET uses = uses + 1 WHERE uses < max_uses AND revoked_at IS NULL AND expires_at > now``, so
under any concurrency the count never passes the limit (the row lock on PostgreSQL, the write lock on
SQLite). A person uses an invitation once (a unique index on the use).

Kept apart from the cadres' person-link requests: an invitation is what a *person* accepts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from core.identity import audit
from core.kernel.access import Principal, Reach, within
from core.kernel.errors import Problem
from core.members.tables import Membership
from core.orgs.permissions import MEMBER_MANAGE
from core.orgs.tables import Org
from core.processes import machine
from core.processes.machine import Env
from core.processes.permissions import PROCESS_HANDLE
from core.selfservice import problems as P
from core.selfservice.tables import Invitation, InvitationUse

QR_SCHEME = "quntuan:invite:"


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"quntuan invitation v1:" + secret.encode()).digest()


def sign(secret: str, invitation_id: UUID) -> str:
    mac = hmac.new(_key(secret), invitation_id.bytes, hashlib.sha256).digest()[:16]
    return f"{invitation_id.hex}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def verify(secret: str, token: str) -> UUID | None:
    head, sep, _ = token.partition(".")
    try:
        invitation_id = UUID(hex=head) if sep and len(head) == 32 else None
    except ValueError:
        return None
    if invitation_id is None or not hmac.compare_digest(sign(secret, invitation_id), token):
        return None
    return invitation_id


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def create(
    db: Any,
    principal: Principal,
    org_id: UUID,
    *,
    mode: str,
    role: str,
    note: str,
    max_uses: int,
    days: float,
) -> dict[str, Any]:
    org = await Org.select(Org.id, Org.path, Org.status).where(Org.id == org_id).first().run()
    if org is None or not within(org["path"], principal.reach(PROCESS_HANDLE)):
        raise Problem("not-found")
    if org["status"] != "active":
        raise Problem.invalid(("/org_id", "invalid"))
    if mode == "join" and not within(org["path"], principal.reach(MEMBER_MANAGE)):
        raise Problem("forbidden")
    row = {
        "id": uuid4(),
        "org": org["id"],
        "org_path": org["path"],
        "mode": mode,
        "role": role,
        "note": note,
        "max_uses": max_uses,
        "uses": 0,
        "expires_at": datetime.now(UTC) + timedelta(days=days),
        "revoked_at": None,
        "created_by": principal.id,
        "created_at": datetime.now(UTC),
    }
    async with db.transaction():
        await Invitation.insert(Invitation(**row)).run()
        await audit.record(
            "invitation.created",
            resource_type="invitation",
            resource_id=row["id"],
            org_path=org["path"],
            changes={"mode": mode, "max_uses": max_uses},
        )
    return row


async def load_managed(principal: Principal, invitation_id: UUID) -> dict[str, Any]:
    row = await Invitation.select().where(Invitation.id == invitation_id).first().run()
    if row is None or not within(row["org_path"], principal.reach(PROCESS_HANDLE)):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


async def revoke(db: Any, principal: Principal, invitation_id: UUID) -> dict[str, Any]:
    async with db.transaction():
        row = await load_managed(principal, invitation_id)
        if row["revoked_at"] is None:
            await (
                Invitation.update({Invitation.revoked_at: datetime.now(UTC)})
                .where(Invitation.id == invitation_id)
                .run()
            )
            await audit.record(
                "invitation.revoked",
                resource_type="invitation",
                resource_id=invitation_id,
                org_path=row["org_path"],
            )
    return await load_managed(principal, invitation_id)


def usable(row: dict[str, Any] | None, moment: datetime) -> bool:
    return (
        row is not None
        and row["revoked_at"] is None
        and _utc(row["expires_at"]) > moment
        and row["uses"] < row["max_uses"]
    )


async def by_token(secret: str, token: str) -> dict[str, Any]:
    """The usable invitation a token names, with its org's name and kind; ``invitation-invalid`` else."""
    invitation_id = verify(secret, token)
    row = None
    if invitation_id is not None:
        row = (
            await Invitation.select(
                *Invitation.all_columns(),
                Invitation.org.name.as_alias("org_name"),
                Invitation.org.kind.as_alias("org_kind"),
                Invitation.org.status.as_alias("org_status"),
            )
            .where(Invitation.id == invitation_id)
            .first()
            .run()
        )
    if not usable(row, datetime.now(UTC)) or row["org_status"] != "active":  # type: ignore[index]
        raise Problem(P.INVITATION_INVALID)
    return row  # type: ignore[return-value]


async def accept(
    db: Any, env: Env, principal: Principal, token: str, secret: str, statement: str
) -> dict[str, Any]:
    """Use the invitation: count the use, then apply (``core.join``) or join — all in one transaction."""
    from core.members import services as members
    from core.members.schemas import MemberJoin

    if principal.person_id is None:
        raise Problem(P.NO_PERSON)
    person_id = principal.person_id
    async with db.transaction():
        row = await by_token(secret, token)
        if (
            await InvitationUse.exists()
            .where((InvitationUse.invitation == row["id"]) & (InvitationUse.person == person_id))
            .run()
        ):
            raise Problem(P.INVITATION_USED)
        moment = datetime.now(UTC)
        counted = await (
            Invitation.update({Invitation.uses: Invitation.uses + 1})
            .where(
                (Invitation.id == row["id"])
                & (Invitation.uses < Invitation.max_uses)
                & Invitation.revoked_at.is_null()
                & (Invitation.expires_at > moment)
            )
            .returning(Invitation.uses)
            .run()
        )
        if not counted:
            raise Problem(P.INVITATION_INVALID)
        process_id = membership_id = None
        if row["mode"] == "join":
            if (
                await Membership.exists()
                .where(
                    (Membership.org == row["org"])
                    & (Membership.person == person_id)
                    & (Membership.status == "active")
                )
                .run()
            ):
                raise Problem("already-member")
            joined = await members.join(
                db,
                env.plugin_manager,
                row["org"],
                MemberJoin(person=person_id, role=row["role"]),
                [Reach(path=row["org_path"], subtree=False)],
            )
            membership_id = joined.id
        else:
            opened = await machine.open_process(
                env,
                principal,
                type_code="core.join",
                org_id=row["org"],
                applicant_id=None,
                form={"statement": statement},
            )
            process_id = opened["id"]
        await InvitationUse.insert(
            InvitationUse(
                invitation=row["id"], person=person_id, process=process_id, membership=membership_id
            )
        ).run()
        await audit.record(
            "invitation.used",
            resource_type="invitation",
            resource_id=row["id"],
            org_path=row["org_path"],
            changes={"mode": row["mode"]},
        )
    return {
        "invitation_id": row["id"],
        "org_id": row["org"],
        "mode": row["mode"],
        "process_id": process_id,
        "membership_id": membership_id,
    }
