"""Tables of identity and access."""

from __future__ import annotations

import uuid

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    BigSerial,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.orgs.tables import Org


class Person(Table, tablename="core_person"):
    """A person (人员/群众). Most never log in; an account, when there is one, points here."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: Full name in any Unicode (names with · and rare characters included).
    name = Varchar(length=100)
    #: male / female (GB/T 2261.1), or unknown.
    gender = Varchar(length=8, null=True, default=None)
    birth_date = Date(null=True, default=None)
    #: 政治面貌, a code from core.identity.schemas.POLITICAL_STATUSES.
    political_status = Varchar(length=32, null=True, default=None)
    #: 民族, e.g. 汉族.
    ethnicity = Varchar(length=32, null=True, default=None)
    #: AES-GCM ciphertext of the mobile number (core.kernel.vault); never plaintext.
    phone_enc = Text(null=True, default=None)
    #: Keyed blind index of the phone, for exact lookup.
    phone_index = Varchar(length=64, null=True, default=None, index=True)
    #: AES-GCM ciphertext of the resident ID number.
    id_number_enc = Text(null=True, default=None)
    #: Keyed blind index of the ID number. One person per ID number: a unique index made by a migration
    #: (SQLite cannot add a UNIQUE column to an existing table), which also serves lookups.
    id_number_index = Varchar(length=64, null=True, default=None)
    #: 工作单位.
    employer = Varchar(length=200, null=True, default=None)
    #: 联系地址.
    address = Varchar(length=300, null=True, default=None)
    #: The org that keeps this person's file; visibility follows it (and the orgs of the person's posts).
    home_org = ForeignKey(references=Org, null=True, default=None, index=True)
    #: Set when the person's data was erased (PIPL Art. 47); what remains is what a legal hold keeps.
    erased_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Account(Table, tablename="core_account"):
    """A login (账号): a username and an argon2id password hash, usually belonging to a person."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: Lower-case login name.
    username = Varchar(length=64, unique=True)
    person = ForeignKey(references=Person, null=True, default=None, unique=True)
    password_hash = Varchar(length=255)
    #: active or disabled.
    status = Varchar(length=16, default="active")
    #: Bumped on logout and password change: access tokens carrying an older value are refused.
    token_version = Integer(default=0)
    last_login_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class RefreshToken(Table, tablename="core_refresh_token"):
    """One refresh token of a rotating family; the secret is stored as a SHA-256 hash only."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: Every token issued from one login shares a family; reuse of a spent token revokes the family.
    family = UUID(index=True)
    account = ForeignKey(references=Account, index=True)
    secret_hash = Varchar(length=64)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ApiClient(Table, tablename="core_api_client"):
    """An integrator's client (client credentials): its grants are cut down to its scopes."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    name = Varchar(length=100)
    #: Permission codes this client may ever use, whatever its grants say.
    scopes = JSON(default=[])
    #: active or disabled.
    status = Varchar(length=16, default="active")
    last_used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ApiClientSecret(Table, tablename="core_api_client_secret"):
    """A client secret (SHA-256 hash). Several may be valid at once while a rotation overlaps."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    client = ForeignKey(references=ApiClient, index=True)
    secret_hash = Varchar(length=64)
    #: Null: valid until rotated away; set by a rotation to the end of the overlap.
    expires_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Role(Table, tablename="core_role"):
    """A named set of permission codes (the core's and the plugins')."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    code = Varchar(length=64, unique=True)
    name = Varchar(length=100)
    permissions = JSON(default=[])
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Post(Table, tablename="core_post"):
    """A post (职务) a person holds in an org, e.g. 工会主席; one person may hold many at once (一肩挑)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    person = ForeignKey(references=Person, index=True)
    org = ForeignKey(references=Org, index=True)
    title = Varchar(length=100)
    start_date = Date()
    #: Last day in post; null while open. Grants carried by the post end with it.
    end_date = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Grant(Table, tablename="core_grant"):
    """A role given to an account, an API client or a post, on an org (only, or its whole subtree).

    ``org`` null means the whole platform; only ``quntuan admin create`` makes such grants.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    role = ForeignKey(references=Role, index=True)
    account = ForeignKey(references=Account, null=True, default=None, index=True)
    client = ForeignKey(references=ApiClient, null=True, default=None, index=True)
    #: A grant carried by a post holds for the post holder's account while the post is current.
    post = ForeignKey(references=Post, null=True, default=None, index=True)
    org = ForeignKey(references=Org, null=True, default=None, index=True)
    subtree = Boolean(default=True)
    created_by = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Consent(Table, tablename="core_consent"):
    """A person's consent to one purpose of processing (PIPL Art. 14), and its withdrawal."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    person = ForeignKey(references=Person, index=True)
    #: A short code, e.g. ``member_registration``, ``publicity_photos``.
    purpose = Varchar(length=100)
    given_at = Timestamptz(default=TimestamptzNow())
    withdrawn_at = Timestamptz(null=True, default=None)
    recorded_by = Varchar(length=64, null=True, default=None)


class AuditEntry(Table, tablename="core_audit"):
    """One write, append-only and hash-chained: who, what, which org, when, the change (no personal data)."""

    seq = BigSerial(primary_key=True)
    id = UUID(unique=True, default=uuid.uuid4)
    at = Timestamptz()
    #: account, client or system.
    actor_kind = Varchar(length=16)
    actor_id = Varchar(length=64, null=True, default=None)
    #: e.g. ``person.created``, ``grant.revoked``.
    action = Varchar(length=100, index=True)
    resource_type = Varchar(length=64)
    resource_id = Varchar(length=64, index=True)
    org_path = Varchar(length=120, null=True, default=None, index=True)
    #: Changed field names with non-personal values; personal fields appear as ``"<changed>"``.
    changes = JSON(default={})
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class AuditOrg(Table, tablename="core_audit_org"):
    """One org an audit entry concerns: an entry is seen by every org it names (and their ancestors'
    cadres), e.g. a person's home org and the orgs of their memberships and posts. Append-only, and part of
    each entry's hash (see :mod:`core.identity.audit`)."""

    id = BigSerial(primary_key=True)
    seq = BigInt(index=True)
    org_path = Varchar(length=120)


class AuditCheckpoint(Table, tablename="core_audit_checkpoint"):
    """A signed statement of the audit log's head at one moment: how many entries, the last ``seq`` and its
    hash. A later verification that cannot find that head reports the tail as cut. Insert-only."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    at = Timestamptz()
    entry_count = BigInt()
    last_seq = BigInt()
    head_hash = Varchar(length=64)
    #: The key ring's key id the signing key was derived from (``core.kernel.vault.Vault.subkey``).
    kid = Varchar(length=16)
    #: HMAC-SHA256 over the fields above.
    signature = Varchar(length=64)
