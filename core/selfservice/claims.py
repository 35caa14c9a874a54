"""Real-name claim (实名认领): a signed-in account takes over the person record a cadre imported.

Two ways:

* **By code** — ``start`` with name + ID number. Whatever they match, the same work is done (the blind
  index computed, the same lookups, one challenge row written, a code drawn) and the same answer given:
  a claim id. Only when the ID number names a record with exactly that name, no account of its own, and
  a phone is a code sent to that phone; ``confirm`` with the code links the account. A wrong code, an
  expired claim and a claim that matched nothing all answer ``claim-failed`` alike.
* **By review** — a claim that cannot be matched automatically (the name differs slightly, no phone on
  record, the phone changed) is asked for as a ``core.claim`` process on an org the person names; a
  cadre of that org (``core.process.handle``) confirms it, and the ``confirm`` step links the account to
  the record found by the ID number inside the handling org's subtree.

Attempts are throttled per account and client address by the login throttle (subject ``claim:<account>``).
One record, one account: ``core_account.person`` is unique, and a record with an account is never matched.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID, uuid4

import msgspec

from core.identity import audit
from core.identity.auth import succeeded, throttled
from core.identity.authz_cache import authority_changed
from core.identity.personal_data import ERASED_NAME
from core.identity.runtime import IdentityRuntime
from core.identity.tables import Account, Consent, Person
from core.kernel.access import Principal, within
from core.kernel.declarations.processes import ProcessContext, ProcessRejected, ProcessType, State, Transition
from core.kernel.errors import Problem
from core.kernel.i18n import Text
from core.kernel.vault import normalise_id_number
from core.processes.tables import Process
from core.selfservice import codes
from core.selfservice import problems as P
from core.selfservice.tables import ClaimChallenge, Notification

log = logging.getLogger("quntuan.selfservice.claims")

#: Minutes a claim's code is valid; wrong codes a claim takes before it is spent.
CLAIM_MINUTES = 10
CLAIM_MAX_CODE_ATTEMPTS = 5
#: Each answer of ``start`` takes at least this long, so a match (which sends a code) and a miss answer
#: in similar time.
MIN_ANSWER_SECONDS = 0.15


def same_name(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def subject(account_id: UUID) -> str:
    return f"claim:{account_id}"


async def _account(principal: Principal) -> dict[str, Any]:
    if principal.kind != "account":
        raise Problem("forbidden")
    row = (
        await Account.select(Account.id, Account.person, Account.person.id_number_index)
        .where(Account.id == principal.id)
        .first()
        .run()
    )
    if row is None:
        raise Problem("forbidden")
    if row["person.id_number_index"]:
        raise Problem(P.ALREADY_CLAIMED)
    return row  # type: ignore[no-any-return]


async def start(
    db: Any, identity: IdentityRuntime, principal: Principal, name: str, id_number: str, address: str
) -> dict[str, Any]:
    """Begin a claim; the answer is the same whatever the details match (see the module)."""
    started = asyncio.get_running_loop().time()
    account = await _account(principal)
    await throttled(identity, subject(account["id"]), address)
    number = normalise_id_number(id_number)
    if number is None:
        raise Problem.invalid(("/id_number", "invalid_id_number"))
    index = identity.vault.blind_index("id_number", number)
    record = (
        await Person.select(Person.id, Person.name, Person.phone_enc)
        .where((Person.id_number_index == index) & Person.erased_at.is_null())
        .first()
        .run()
    )
    taken = await Account.exists().where(Account.person == (record["id"] if record else uuid4())).run()
    kind = "none"
    if record is not None and not taken:
        kind = "code" if same_name(record["name"], name) and record["phone_enc"] else "review"
    code = codes.new_code()
    claim_id = uuid4()
    expires = datetime.now(UTC) + timedelta(minutes=CLAIM_MINUTES)
    async with db.transaction():
        await ClaimChallenge.insert(
            ClaimChallenge(
                id=claim_id,
                account=account["id"],
                person=record["id"] if record is not None and kind != "none" else None,
                kind=kind,
                code_hash=codes.hash_code(code),
                expires_at=expires,
            )
        ).run()
        await audit.record("person.claim_started", resource_type="claim", resource_id=claim_id)
    sending: set[asyncio.Task[None]] = set()
    if kind == "code":
        phone = identity.vault.decrypt("phone", record["phone_enc"])  # type: ignore[index]
        sending.add(_background(codes.send_code(phone, code, "claim")))
    # Answer at the same moment whether or not a code is on its way: a slow SMS provider finishes in
    # the background instead of lengthening the answer of a match.
    remaining = MIN_ANSWER_SECONDS - (asyncio.get_running_loop().time() - started)
    if sending:
        await asyncio.wait(sending, timeout=max(remaining, 0))
        remaining = MIN_ANSWER_SECONDS - (asyncio.get_running_loop().time() - started)
    if remaining > 0:
        await asyncio.sleep(remaining)
    return {"claim_id": claim_id, "expires_at": expires}


#: Code deliveries still running after their answer went out (kept referenced until they finish).
_SENDING: set[asyncio.Task[None]] = set()


def _background(send: Any) -> asyncio.Task[None]:
    async def run() -> None:
        try:
            await send
        except Exception as exc:  # a provider's failure must not surface as a difference in the answer
            log.error("claim code delivery failed: %s", type(exc).__name__)

    task = asyncio.create_task(run())
    _SENDING.add(task)
    task.add_done_callback(_SENDING.discard)
    return task


async def confirm(
    db: Any, identity: IdentityRuntime, principal: Principal, claim_id: UUID, code: str, address: str
) -> UUID:
    """Check the code of a claim; links the account to the record (returns its id) or ``claim-failed``."""
    account = await _account(principal)
    await throttled(identity, subject(account["id"]), address)
    async with db.transaction():
        row = (
            await ClaimChallenge.select()
            .where((ClaimChallenge.id == claim_id) & (ClaimChallenge.account == account["id"]))
            .first()
            .run()
        )
        if row is None or row["used_at"] is not None:
            raise Problem(P.CLAIM_FAILED)
        expires = row["expires_at"]
        expires = expires.replace(tzinfo=UTC) if expires.tzinfo is None else expires
        spent = row["attempts"] >= CLAIM_MAX_CODE_ATTEMPTS or expires <= datetime.now(UTC)
        # Count the attempt first (compare-and-set on the count), so parallel guesses share the limit.
        counted = await (
            ClaimChallenge.update({ClaimChallenge.attempts: ClaimChallenge.attempts + 1})
            .where((ClaimChallenge.id == claim_id) & (ClaimChallenge.attempts == row["attempts"]))
            .returning(ClaimChallenge.id)
            .run()
        )
        right = codes.same_code(code, row["code_hash"])
        if spent or not counted or not right or row["kind"] != "code" or row["person"] is None:
            ok = False
        else:
            await (
                ClaimChallenge.update({ClaimChallenge.used_at: datetime.now(UTC)})
                .where(ClaimChallenge.id == claim_id)
                .run()
            )
            await link(account["id"], row["person"], via="code")
            ok = True
    if not ok:
        raise Problem(P.CLAIM_FAILED)
    await succeeded(identity, subject(account["id"]), identity.vault.blind_index("client", address))
    return row["person"]  # type: ignore[no-any-return]


async def link(account_id: UUID, record_id: UUID, *, via: str) -> None:
    """Point the account at the record (inside the caller's transaction); one record, one account.

    What the account's own stub person (made at sign-up or for a review) already has — applications,
    memberships, consents, notifications — moves to the record; the stub is then marked erased.
    """
    from core.members.tables import Membership

    if await Account.exists().where(Account.person == record_id).run():
        raise Problem(P.CLAIM_FAILED)
    account = await Account.select(Account.person).where(Account.id == account_id).first().run()
    stub = account["person"] if account else None
    now = datetime.now(UTC)
    await (
        Account.update({Account.person: record_id, Account.updated_at: now})
        .where(Account.id == account_id)
        .run()
    )
    if stub is not None and stub != record_id:
        await Process.update({Process.applicant: record_id}).where(Process.applicant == stub).run()
        await Notification.update({Notification.person: record_id}).where(Notification.person == stub).run()
        await Consent.update({Consent.person: record_id}).where(Consent.person == stub).run()
        held = (
            await Membership.select(Membership.org)
            .where((Membership.person == record_id) & (Membership.status == "active"))
            .run()
        )
        orgs = [r["org"] for r in held]
        moving = Membership.person == stub
        if orgs:
            moving = moving & Membership.org.not_in(orgs)
        await Membership.update({Membership.person: record_id}).where(moving).run()
        await (
            Person.update({Person.name: ERASED_NAME, Person.erased_at: now, Person.updated_at: now})
            .where(Person.id == stub)
            .run()
        )
    home = await Person.select(Person.home_org.path).where(Person.id == record_id).first().run()
    await audit.record(
        "person.claimed",
        resource_type="person",
        resource_id=record_id,
        org_path=home["home_org.path"] if home else None,
        changes={"account": str(account_id), "via": via},
    )
    await authority_changed()


async def ensure_person(account_id: UUID, name: str) -> UUID:
    """The account's person, or a new stub person (no home org, no ID number) made for it now."""
    row = await Account.select(Account.person).where(Account.id == account_id).first().run()
    if row is not None and row["person"] is not None:
        return row["person"]  # type: ignore[no-any-return]
    person_id = uuid4()
    await Person.insert(Person(id=person_id, name=" ".join(name.split())[:100])).run()
    await Account.update({Account.person: person_id}).where(Account.id == account_id).run()
    await authority_changed()
    return person_id


# --- the review process ------------------------------------------------------------------------------


class ClaimForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The details a cadre checks against the record (the ID number is encrypted and masked)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    id_number: Annotated[str, msgspec.Meta(min_length=15, max_length=32)]
    statement: Annotated[str, msgspec.Meta(max_length=1000)] = ""


async def _record_in_reach(ctx: ProcessContext) -> dict[str, Any]:
    from core.orgs.tables import Org

    vault = ctx.vault
    number = normalise_id_number(ctx.form.id_number)
    record = None
    if number is not None:
        record = (
            await Person.select(Person.id, Person.home_org)
            .where(
                (Person.id_number_index == vault.blind_index("id_number", number))
                & Person.erased_at.is_null()
            )
            .first()
            .run()
        )
    handler = await Org.select(Org.path).where(Org.id == ctx.handler_org_id).first().run()
    home = (
        await Org.select(Org.path).where(Org.id == record["home_org"]).first().run()
        if record is not None and record["home_org"] is not None
        else None
    )
    if (
        record is None
        or handler is None
        or home is None
        or not within(home["path"], _subtree(handler["path"]))
    ):
        raise ProcessRejected("/form/id_number", "invalid", _NO_RECORD)
    return record  # type: ignore[no-any-return]


def _subtree(path: str) -> list[Any]:
    from core.kernel.access import Reach

    return [Reach(path=path, subtree=True)]


_NO_RECORD = Text(
    zh_hans="本组织及下级没有与该身份证号对应的人员档案，或该档案已被认领",
    zh_hant="本組織及下級沒有與該身分證號對應的人員檔案，或該檔案已被認領",
    en="No unclaimed person record with this ID number is kept in this org or below",
)


async def validate_claim(ctx: ProcessContext) -> None:
    record = await _record_in_reach(ctx)
    if await Account.exists().where(Account.person == record["id"]).run():
        raise ProcessRejected("/form/id_number", "invalid", _NO_RECORD)


async def confirm_claim(ctx: ProcessContext) -> None:
    """On confirmation: the applicant's account is linked to the record (same transaction)."""
    record = await _record_in_reach(ctx)
    account = await Account.select(Account.id).where(Account.person == ctx.applicant_id).first().run()
    if account is None:
        raise ProcessRejected("/form/id_number", "invalid", _NO_RECORD)
    await link(account["id"], record["id"], via="review")


CLAIM_TYPE = ProcessType(
    code="core.claim",
    name=Text(zh_hans="实名认领审核", zh_hant="實名認領審核", en="Review of a real-name claim"),
    form=ClaimForm,
    personal_fields=("id_number",),
    initial="submitted",
    states=(
        State(code="submitted", name=Text(zh_hans="待审核", zh_hant="待審核", en="Submitted")),
        State(
            code="confirmed",
            name=Text(zh_hans="已认领", zh_hant="已認領", en="Confirmed"),
            final=True,
            outcome="approved",
        ),
        State(
            code="rejected",
            name=Text(zh_hans="未通过", zh_hant="未通過", en="Rejected"),
            final=True,
            outcome="rejected",
        ),
        State(
            code="withdrawn",
            name=Text(zh_hans="已撤回", zh_hant="已撤回", en="Withdrawn"),
            final=True,
            outcome="withdrawn",
        ),
    ),
    transitions=(
        Transition(
            code="confirm",
            name=Text(zh_hans="确认认领", zh_hant="確認認領", en="Confirm"),
            sources=("submitted",),
            target="confirmed",
            validate=validate_claim,
            after=confirm_claim,
        ),
        Transition(
            code="reject",
            name=Text(zh_hans="不予确认", zh_hant="不予確認", en="Reject"),
            sources=("submitted",),
            target="rejected",
            comment_required=True,
        ),
        Transition(
            code="withdraw",
            name=Text(zh_hans="撤回", zh_hant="撤回", en="Withdraw"),
            sources=("submitted",),
            target="withdrawn",
            applicant=True,
        ),
    ),
)
