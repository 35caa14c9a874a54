"""Tables of self-service sign-up: one-time codes (when there is no Redis) and external logins."""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.identity.tables import Account, Person


class LoginCode(Table, tablename="core_login_code"):
    """A one-time code waiting to be entered, on installs without Redis (Redis keeps them otherwise).

    Only a keyed hash of the phone (the blind index) and of the code is stored, never either in plaintext.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: ``<purpose>:<blind index of the phone>``; one live code per key (a new code replaces the old).
    key = Varchar(length=120, unique=True)
    code_hash = Varchar(length=64)
    attempts = Integer(default=0)
    expires_at = Timestamptz(index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class ExternalLogin(Table, tablename="core_external_login"):
    """A login method of an account at another provider: a WeChat openid (and unionid) for now.

    ``subject`` is the provider's id of the person for one app (the mini-program's openid); one subject
    logs in to one account.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    account = ForeignKey(references=Account, index=True, on_delete=OnDelete.cascade)
    #: The account's person (personal-data declarations name the person).
    person = ForeignKey(references=Person, null=True, default=None, index=True, on_delete=OnDelete.cascade)
    #: ``wechat``.
    provider = Varchar(length=16)
    #: The provider's app the subject belongs to (the mini-program's AppID).
    app_id = Varchar(length=64)
    subject = Varchar(length=128)
    #: WeChat unionid, the same across the apps of one WeChat Open Platform account.
    union_id = Varchar(length=128, null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
