"""A password reset by an authorized cadre, which forces a new password at the next login.

The cadre (``core.account.manage`` over the person's org) gets a one-time temporary password to hand
over; every session of the account ends. A login with it is refused with ``password-change-required``
(no token is issued) until the person sets their own through ``POST /auth/password-change`` with the
temporary one — the same throttle and strength check as any password change.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from core.identity import audit
from core.identity.auth import account_subject, find_login, revoke_sessions, succeeded, throttled
from core.identity.passwords import check_strength, hash_password, verify_password
from core.identity.runtime import IdentityRuntime
from core.identity.tables import Account
from core.kernel.errors import Problem, register_problem
from core.kernel.i18n import Text
from core.selfservice.tables import ForcedPasswordChange

PASSWORD_CHANGE_REQUIRED = register_problem(
    "password-change-required",
    403,
    Text(zh_hans="需要设置新密码", zh_hant="需要設定新密碼", en="New password required"),
    Text(
        zh_hans="您的密码已由管理员重置，请用临时密码设置新密码后再登录。",
        zh_hant="您的密碼已由管理員重設，請用臨時密碼設定新密碼後再登入。",
        en="Your password was reset by an administrator: set a new one with the temporary password, "
        "then log in.",
    ),
)


async def refuse_if_forced(account_id: UUID) -> None:
    if await ForcedPasswordChange.exists().where(ForcedPasswordChange.account == account_id).run():
        raise Problem(PASSWORD_CHANGE_REQUIRED)


async def reset(db: Any, actor: Any, account_id: UUID, org_path: str | None) -> str:
    """Set a temporary password (returned once), end every session, force a change at next login."""
    temporary = secrets.token_urlsafe(12)
    new_hash = await hash_password(temporary)
    async with db.transaction():
        await (
            Account.update({Account.password_hash: new_hash, Account.updated_at: datetime.now(UTC)})
            .where(Account.id == account_id)
            .run()
        )
        if not await ForcedPasswordChange.exists().where(ForcedPasswordChange.account == account_id).run():
            await ForcedPasswordChange.insert(
                ForcedPasswordChange(account=account_id, reset_by=actor.id)
            ).run()
        await revoke_sessions(account_id)
        await audit.record(
            "account.password_reset",
            resource_type="account",
            resource_id=account_id,
            org_path=org_path,
            changes={"password": audit.CHANGED},
        )
    return temporary


async def complete(
    db: Any, identity: IdentityRuntime, username: str, temporary: str, new: str, address: str
) -> None:
    """Replace a reset password with the person's own (the temporary one proves who they are)."""
    account = await find_login(identity, username)
    subject = (
        account_subject(account["id"]) if account else "u:" + identity.vault.blind_index("login", username)
    )
    key = await throttled(identity, subject, address)
    ok = await verify_password(temporary, account["password_hash"] if account else None)
    if not ok or account is None or account["status"] != "active":
        raise Problem.invalid(("/password", "invalid"))
    await check_strength(
        new, (username,), min_score=identity.settings.password_min_score, pointer="/new_password"
    )
    await succeeded(identity, subject, key)
    new_hash = await hash_password(new)
    async with db.transaction():
        await Account.update({Account.password_hash: new_hash}).where(Account.id == account["id"]).run()
        await ForcedPasswordChange.delete().where(ForcedPasswordChange.account == account["id"]).run()
        await revoke_sessions(account["id"])
        await audit.record(
            "account.password_changed",
            resource_type="account",
            resource_id=account["id"],
            # The orgs that saw the reset see it completed.
            org_paths=await audit.paths_of_holder(account=account["id"]),
            changes={"password": audit.CHANGED, "after_reset": True},
            actor=_AccountActor(account["id"]),
        )


class _AccountActor:
    kind = "account"

    def __init__(self, account_id: UUID) -> None:
        self.id = account_id
