"""Tables of self-service: claim challenges, invitations and their uses, notifications and preferences."""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.identity.tables import Account, Person
from core.orgs.paths import PATH_LENGTH
from core.orgs.tables import Org


class ClaimChallenge(Table, tablename="core_claim_challenge"):
    """One real-name claim attempt (实名认领) of an account: what it matched is known only to the server.

    ``kind`` is ``code`` (the record was matched exactly and a code went to its phone), ``review`` (a
    record was found but cannot be matched automatically) or ``none`` (nothing to claim). Every attempt
    writes one row whatever it matched, so answers and timing do not depend on it.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    account = ForeignKey(references=Account, index=True)
    #: The record matched (null for ``none``); never shown to the caller.
    person = UUID(null=True, default=None)
    kind = Varchar(length=8)
    #: SHA-256 of the one-time code (a code is drawn for every kind).
    code_hash = Varchar(length=64)
    attempts = Integer(default=0)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Invitation(Table, tablename="core_invitation"):
    """An invitation link of an org (邀请链接/二维码): expiry, a use limit, revocable.

    ``mode`` ``apply`` pre-fills an application (``core.join``); ``join`` makes the person a member at
    once (allowed only where the inviting cadre may add members).
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = ForeignKey(references=Org, index=True)
    org_path = Varchar(length=PATH_LENGTH, index=True)
    mode = Varchar(length=8, default="apply")
    role = Varchar(length=32, default="member")
    note = Varchar(length=200, default="")
    max_uses = Integer()
    uses = Integer(default=0)
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    created_by = UUID()
    created_at = Timestamptz(default=TimestamptzNow())


class InvitationUse(Table, tablename="core_invitation_use"):
    """A person's use of an invitation (one per person and invitation: a unique index)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    invitation = ForeignKey(references=Invitation, index=True)
    person = ForeignKey(references=Person, index=True)
    #: What it produced: the application (process) or the membership.
    process = UUID(null=True, default=None)
    membership = UUID(null=True, default=None)
    used_at = Timestamptz(default=TimestamptzNow())


class Notification(Table, tablename="core_notification"):
    """One message in a person's inbox (消息中心), written in the transaction of what it tells."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    person = ForeignKey(references=Person, index=True)
    #: The signal or job that made it, e.g. ``process.stepped``, ``event.reminder``.
    kind = Varchar(length=64)
    #: The message in each language: ``{"zh-Hans": …, "zh-Hant": …, "en": …}`` (no personal data).
    title = JSON(default={})
    resource_type = Varchar(length=64)
    resource_id = Varchar(length=64)
    #: Ids and codes the front end links with (process state, event id …).
    data = JSON(default={})
    #: Keeps one notification per person and cause (a reminder sent once): unique with ``person``.
    dedupe = Varchar(length=160)
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)


class NotificationPreference(Table, tablename="core_notification_preference"):
    """A person's inbox preferences: kinds muted, and delivery channels beyond the inbox."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    person = ForeignKey(references=Person, unique=True)
    #: Channels delivered through ``quntuan_notify`` besides the inbox (``sms``, ``wechat``…).
    channels = JSON(default=[])
    #: Kinds the person does not want (their notifications are not written).
    muted = JSON(default=[])
    updated_at = Timestamptz(default=TimestamptzNow())


class PersonProfile(Table, tablename="core_person_profile"):
    """What a person edits about themself (``PATCH /me``): a nickname, an avatar, how to be contacted.

    Name and ID number are the org's record and change only through a correction request (Art. 46).
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    person = ForeignKey(references=Person, unique=True)
    nickname = Varchar(length=50, default="")
    #: An https URL of the avatar image (or empty).
    avatar = Varchar(length=500, default="")
    #: Ways the person agrees to be contacted: ``phone``, ``sms``, ``wechat``, ``email``.
    contact_by = JSON(default=[])
    updated_at = Timestamptz(default=TimestamptzNow())


class ForcedPasswordChange(Table, tablename="core_forced_password_change"):
    """An account whose password a cadre reset: it must set a new one before it may log in again."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    account = ForeignKey(references=Account, unique=True)
    reset_by = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
