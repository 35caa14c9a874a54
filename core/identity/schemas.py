"""Request and response bodies of identity and access."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

Name = Annotated[str, Meta(min_length=1, max_length=100)]
Short = Annotated[str, Meta(min_length=1, max_length=32)]
Long = Annotated[str, Meta(max_length=300)]
Secret = Annotated[str, Meta(min_length=1, max_length=256)]
Password = Annotated[str, Meta(min_length=10, max_length=256)]
Username = Annotated[str, Meta(min_length=3, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")]
Code = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_.]*$")]
Gender = Literal["male", "female"]
#: 政治面貌 (GB/T 4762): 中共党员, 中共预备党员, 共青团员, 民主党派成员, 无党派人士, 群众.
PoliticalStatus = Literal[
    "cpc_member", "cpc_probationary", "cyl_member", "democratic_party", "non_party", "masses"
]


class _In(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


# --- auth ---------------------------------------------------------------------------------------------


class TokenRequest(_In):
    """``grant_type`` password (username or phone + password), refresh_token, client_credentials,
    phone_code (phone + one-time code; signs up when the phone has no account and sign-up is open) or
    wechat (``code`` from ``wx.login()``; signs up likewise)."""

    grant_type: Literal["password", "refresh_token", "client_credentials", "phone_code", "wechat"]
    username: Annotated[str, Meta(max_length=64)] | None = None
    password: Annotated[str, Meta(max_length=256)] | None = None
    refresh_token: Annotated[str, Meta(max_length=256)] | None = None
    client_id: Annotated[str, Meta(max_length=64)] | None = None
    client_secret: Annotated[str, Meta(max_length=256)] | None = None
    #: phone_code: the mobile number the code was sent to.
    phone: Annotated[str, Meta(max_length=32)] | None = None
    #: phone_code: the one-time code; wechat: the code ``wx.login()`` gave the mini-program.
    code: Annotated[str, Meta(min_length=1, max_length=128)] | None = None
    #: phone_code and wechat, when they sign up: the person's name (default: a placeholder they edit).
    name: Name | None = None


class TokenResponse(msgspec.Struct, kw_only=True, omit_defaults=True):
    access_token: str
    expires_in: int
    token_type: Literal["Bearer"]
    #: Absent for client_credentials (a client simply asks again).
    refresh_token: str | None = None
    #: phone_code, wechat and sign-up: true when this request created the account (a new person).
    account_created: bool | None = None


class CodeRequest(_In):
    """Ask for a one-time code sent to ``phone`` (``purpose`` login: log in or sign up)."""

    phone: Annotated[str, Meta(min_length=1, max_length=32)]
    purpose: Literal["login"] = "login"
    #: The token of the front end's CAPTCHA, when the platform requires one.
    captcha_token: Annotated[str, Meta(max_length=4096)] | None = None


class CodeSent(msgspec.Struct, kw_only=True):
    """Always the same answer, whether or not an account has the phone."""

    status: Literal["code_sent"]
    #: Seconds the code stays valid.
    expires_in: int
    #: Seconds before another code may be asked for this phone.
    resend_after: int


class PasswordSignup(_In):
    """Sign up with a username and password (where the platform allows it)."""

    username: Username
    password: Password
    name: Name
    captcha_token: Annotated[str, Meta(max_length=4096)] | None = None


class WeChatBind(_In):
    """Bind the calling account to the WeChat user of ``code`` (from ``wx.login()``)."""

    code: Annotated[str, Meta(min_length=1, max_length=128)]


class PasswordChange(_In):
    current_password: Secret
    new_password: Password


# --- persons ------------------------------------------------------------------------------------------


class PersonCreate(_In):
    name: Name
    #: The org that keeps this person's file; must be within the caller's reach.
    home_org: UUID
    gender: Gender | None = None
    birth_date: date | None = None
    political_status: PoliticalStatus | None = None
    ethnicity: Short | None = None
    phone: Annotated[str, Meta(max_length=32)] | None = None
    id_number: Annotated[str, Meta(max_length=32)] | None = None
    employer: Annotated[str, Meta(max_length=200)] | None = None
    address: Long | None = None


class PersonUpdate(_In):
    """Only the person's own fields; the org, ids and status are not changed here."""

    name: Name | UnsetType = UNSET
    gender: Gender | UnsetType | None = UNSET
    birth_date: date | UnsetType | None = UNSET
    political_status: PoliticalStatus | UnsetType | None = UNSET
    ethnicity: Short | UnsetType | None = UNSET
    phone: Annotated[str, Meta(max_length=32)] | UnsetType | None = UNSET
    id_number: Annotated[str, Meta(max_length=32)] | UnsetType | None = UNSET
    employer: Annotated[str, Meta(max_length=200)] | UnsetType | None = UNSET
    address: Long | UnsetType | None = UNSET


class PersonOut(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    gender: Gender | None
    birth_date: date | None
    political_status: str | None
    ethnicity: str | None
    #: Masked (``138****8000``) unless the caller may see personal data of this person.
    phone: str | None
    #: Masked (``110101********123X``) unless the caller may see personal data of this person.
    id_number: str | None
    employer: str | None
    address: str | None
    home_org: UUID | None
    created_at: datetime
    updated_at: datetime


class MeMembership(msgspec.Struct, kw_only=True):
    membership_id: UUID
    org_id: UUID
    org_name: str
    org_kind: str
    role: str
    since: datetime


class MePost(msgspec.Struct, kw_only=True):
    post_id: UUID
    org_id: UUID
    org_name: str
    title: str
    start_date: date
    end_date: date | None


class MeProcess(msgspec.Struct, kw_only=True):
    process_id: UUID
    type: str
    type_name: str
    org_id: UUID
    org_name: str
    state: str
    state_name: str
    opened_at: datetime


class MeProfile(msgspec.Struct, kw_only=True):
    """What the person edits themself (``PATCH /me``)."""

    nickname: str = ""
    avatar: str = ""
    contact_by: list[str] = msgspec.field(default_factory=list)


class MeUpdate(_In):
    """The fields a person owns. Name and ID number change only through a correction request
    (``core.correction``)."""

    nickname: Annotated[str, Meta(max_length=50)] | UnsetType = UNSET
    avatar: Annotated[str, Meta(max_length=500, pattern=r"^(https://\S+)?$")] | UnsetType = UNSET
    contact_by: list[Literal["phone", "sms", "wechat", "email"]] | UnsetType = UNSET


class Me(msgspec.Struct, kw_only=True):
    kind: Literal["account", "client"]
    id: UUID
    name: str
    person: PersonOut | None
    #: Every permission the caller holds somewhere.
    permissions: list[str]
    #: The person's active memberships (org names and kinds, role, since when).
    memberships: list[MeMembership] = msgspec.field(default_factory=list)
    #: Posts held today.
    posts: list[MePost] = msgspec.field(default_factory=list)
    #: Applications and cases still open (progress in ``/me/processes``).
    open_processes: list[MeProcess] = msgspec.field(default_factory=list)
    profile: MeProfile | None = None


# --- roles, grants, posts, clients --------------------------------------------------------------------


class RoleCreate(_In):
    code: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.-]*$")]
    name: Name
    permissions: list[Annotated[str, Meta(max_length=100)]]


class RoleUpdate(_In):
    name: Name | UnsetType = UNSET
    permissions: list[Annotated[str, Meta(max_length=100)]] | UnsetType = UNSET


class RoleOut(msgspec.Struct, kw_only=True):
    id: UUID
    code: str
    name: str
    permissions: list[str]
    #: The plugin (or ``core``) that ships this role built in; such a role cannot be changed or deleted.
    #: Null for roles defined through the API.
    builtin_of: str | None = None


class GrantCreate(_In):
    """Give ``role`` on ``org`` (and, with ``subtree``, everything under it) to one holder."""

    role: UUID
    org: UUID
    subtree: bool = True
    account: UUID | None = None
    client: UUID | None = None
    post: UUID | None = None


class GrantOut(msgspec.Struct, kw_only=True):
    id: UUID
    role: UUID
    org: UUID | None
    subtree: bool
    account: UUID | None
    client: UUID | None
    post: UUID | None
    created_at: datetime


class PostCreate(_In):
    person: UUID
    org: UUID
    title: Name
    start_date: date
    end_date: date | None = None


class PostUpdate(_In):
    title: Name | UnsetType = UNSET
    end_date: date | UnsetType | None = UNSET


class PostOut(msgspec.Struct, kw_only=True):
    id: UUID
    person: UUID
    org: UUID
    title: str
    start_date: date
    end_date: date | None


class AccountCreate(_In):
    username: Username
    password: Password
    person: UUID


class AccountOut(msgspec.Struct, kw_only=True):
    id: UUID
    username: str
    person: UUID | None
    status: str
    last_login_at: datetime | None
    created_at: datetime


class ClientCreate(_In):
    name: Name
    scopes: list[Annotated[str, Meta(max_length=100)]]


class ClientOut(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    scopes: list[str]
    status: str
    last_used_at: datetime | None
    created_at: datetime


class ClientSecretOut(msgspec.Struct, kw_only=True):
    """A new secret: shown once, stored only as a hash."""

    client_id: UUID
    client_secret: str
    #: When the previous secrets stop working (the overlap of a rotation), or null.
    previous_expire_at: datetime | None = None


class ClientSecretRotation(_In):
    #: How long the previous secrets keep working, in seconds (0: at once).
    overlap_seconds: Annotated[int, Meta(ge=0, le=30 * 24 * 3600)] = 24 * 3600


# --- personal data ------------------------------------------------------------------------------------


class ConsentCreate(_In):
    purpose: Code


class ConsentOut(msgspec.Struct, kw_only=True):
    id: UUID
    person: UUID
    purpose: str
    given_at: datetime
    withdrawn_at: datetime | None


class AuditOut(msgspec.Struct, kw_only=True):
    seq: int
    id: UUID
    at: datetime
    actor_kind: str
    actor_id: str | None
    action: str
    resource_type: str
    resource_id: str
    #: The resource's own org (the first of ``org_paths``).
    org_path: str | None
    #: Every org the entry concerns; each of them (and whoever reaches it) sees the entry.
    org_paths: list[str] = msgspec.field(default_factory=list)
    changes: dict[str, object]
