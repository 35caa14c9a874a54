"""``quntuan admin …``: the first administrator, key rotation and the audit chain, from the shell."""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import typer
from rich.console import Console

from core.kernel.migrations import run_with_database
from core.kernel.settings import Settings

admin_app = typer.Typer(help="Administration: first admin, key rotation, audit check.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

#: The role ``admin create`` grants on the whole platform; it is refreshed to every registered permission.
PLATFORM_ADMIN = "platform_admin"


def first_admin_hint(settings: Settings) -> str | None:
    """On an embedded install with no account yet, how to make the first administrator (else None)."""
    if not settings.is_sqlite:
        return None
    path = settings.sqlite_path
    if path.exists():
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
                if conn.execute("SELECT 1 FROM core_account LIMIT 1").fetchone():
                    return None
        except sqlite3.Error:
            pass  # not migrated yet: there is no account either
    return (
        "还没有管理员 / no administrator yet: run "
        "`quntuan admin create --username admin` (it asks for the password) to create the first one."
    )


async def create_admin(db: Any, registry: Any, *, username: str, password: str, name: str) -> uuid.UUID:
    """An account holding every registered permission on the whole platform; returns its id."""
    from core.identity import audit
    from core.identity.passwords import hash_password
    from core.identity.tables import Account, Grant, Person, Role

    password_hash = await hash_password(password)
    codes = sorted(registry.permissions)
    async with db.transaction():
        if await Account.exists().where(Account.username == username).run():
            raise ValueError("username taken")
        role = await Role.select(Role.id).where(Role.code == PLATFORM_ADMIN).first().run()
        if role is None:
            role_id = uuid.uuid4()
            await Role.insert(
                Role(id=role_id, code=PLATFORM_ADMIN, name="平台管理员", permissions=codes)
            ).run()
        else:
            role_id = role["id"]
            await Role.update({Role.permissions: codes}).where(Role.id == role_id).run()
        person_id, account_id = uuid.uuid4(), uuid.uuid4()
        await Person.insert(Person(id=person_id, name=name)).run()
        await Account.insert(
            Account(id=account_id, username=username, person=person_id, password_hash=password_hash)
        ).run()
        await Grant.insert(
            Grant(role=role_id, account=account_id, org=None, subtree=True, created_by="cli")
        ).run()
        await audit.record(
            "account.created",
            resource_type="account",
            resource_id=account_id,
            changes={"username": username, "role": PLATFORM_ADMIN, "via": "cli"},
        )
    return account_id


@admin_app.command("create")
def create(
    username: Annotated[str | None, typer.Option(help="Login name (letters, digits, _ . -).")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of standard input (for scripts); otherwise it "
            "is asked for, hidden, twice.",
        ),
    ] = False,
    name: Annotated[str, typer.Option(help="The administrator's name as a person.")] = "管理员",
) -> None:
    """Create an administrator holding every permission on the whole platform.

    The password never goes on the command line (where ``ps`` and the shell history show it): it is
    prompted for, or read from standard input with ``--password-stdin``.
    """
    import re
    import sys

    from core.identity.passwords import MIN_LENGTH, WEAKNESS_MESSAGES, weakness
    from core.kernel.cli import settings_or_exit

    if username is None:
        username = typer.prompt("Username")
    username = username.strip().lower()
    if not re.match(r"^[a-z][a-z0-9_.-]{2,63}$", username):
        err.print(
            "[red]用户名无效 / invalid username:[/] 3–64 letters, digits, _ . -, starting with a letter"
        )
        raise typer.Exit(2)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_LENGTH:
        err.print(f"[red]密码太短 / password too short:[/] at least {MIN_LENGTH} characters")
        raise typer.Exit(2)
    settings = settings_or_exit()
    reason = weakness(password, (username, name), min_score=settings.password_min_score)
    if reason is not None:
        text = WEAKNESS_MESSAGES[reason]
        err.print(f"[red]密码太弱 / password too weak:[/] {text.zh_hans} / {text.en}")
        raise typer.Exit(2)

    async def work(db: Any, pm: Any) -> uuid.UUID:
        from core.identity.authz_cache import bump_from_outside

        account = await create_admin(db, pm.registry, username=username, password=password, name=name)
        await bump_from_outside(settings)  # the platform role may have gained permissions
        return account

    try:
        account_id = run_with_database(settings, work)
    except ValueError:
        err.print(f"[red]用户名已存在 / username taken:[/] {username}")
        raise typer.Exit(1) from None
    console.print(f"Administrator {username} created (account {account_id}).")


@admin_app.command("reencrypt")
def reencrypt() -> None:
    """Re-encrypt ID numbers, phones, orgs' and places' contact phones, process forms, webhook secrets,
    stored import uploads and every column a plugin declared encrypted (``PersonalDataTable.encrypted``)
    under the first key of QUNTUAN_PERSONAL_DATA_KEYS."""
    from core.identity.keys import reencrypt_persons, reencrypt_plugin_columns
    from core.integration.webhooks import reencrypt_secrets
    from core.kernel.cli import settings_or_exit
    from core.kernel.vault import Vault
    from core.orgs.contact import reencrypt_contact_phones
    from core.orgs.uploads import reencrypt_uploads
    from core.places.personal_data import reencrypt_place_contacts
    from core.processes.personal_data import reencrypt_process_forms

    settings = settings_or_exit()
    vault = Vault.from_settings(settings)

    async def everything(db: Any, pm: Any) -> tuple[int, ...]:
        # One start of the database (and one schema check) for every kind of ciphertext.
        return (
            await reencrypt_persons(db, vault),
            await reencrypt_contact_phones(db, vault),
            await reencrypt_secrets(db, vault),
            await reencrypt_uploads(db, vault),
            await reencrypt_process_forms(db, vault),
            await reencrypt_place_contacts(db, vault),
            await reencrypt_plugin_columns(db, vault, pm.registry),
        )

    count, orgs, hooks, stored, forms, places, plugin_rows = run_with_database(settings, everything)
    console.print(
        f"{count} person(s), {orgs} org contact phone(s), {hooks} webhook(s), {stored} stored import"
        f" upload(s), {forms} process form(s), {places} place contact list(s) and {plugin_rows} plugin"
        f" row(s) re-encrypted with key {vault.current}."
    )


@admin_app.command("verify-audit")
def verify_audit() -> None:
    """Check the audit log: its hash chain, and its head against the signed checkpoints; exit 1 when an
    entry was changed, removed or reordered, its newest entries are missing, or a checkpoint is forged."""
    from core.identity.audit_checkpoints import verify
    from core.kernel.cli import settings_or_exit
    from core.kernel.vault import Vault

    settings = settings_or_exit()

    async def check(db: Any, pm: Any) -> Any:
        async with _redis(settings) as redis:
            return await verify(Vault.from_settings(settings), settings, redis)

    verdict = run_with_database(settings, check)
    good = verdict.last_good_checkpoint
    since = f"; last good checkpoint: entry {good.last_seq} at {good.at.isoformat()}" if good else ""
    if verdict.status == "broken":
        err.print(f"[red]审计日志被篡改 / audit log tampered with at entry {verdict.broken_at}{since}[/]")
    elif verdict.status == "tail_missing":
        err.print(
            f"[red]审计日志末尾缺失 / the audit log's newest entries are missing: entry "
            f"{verdict.tail_missing_at} is gone{since}[/]"
        )
    elif verdict.status == "forged_checkpoint":
        err.print(f"[red]审计检查点被伪造 / forged audit checkpoint(s): {len(verdict.forged_checkpoints)}[/]")
    if not verdict.intact:
        raise typer.Exit(1)
    console.print(f"Audit log intact ({verdict.entries} entries{since}).")


@admin_app.command("audit-checkpoint")
def audit_checkpoint() -> None:
    """Record a signed checkpoint of the audit log's head now (one is also taken periodically)."""
    from core.identity.audit_checkpoints import take
    from core.kernel.cli import settings_or_exit
    from core.kernel.vault import Vault

    settings = settings_or_exit()

    async def work(db: Any, pm: Any) -> Any:
        async with _redis(settings) as redis:
            return await take(db, Vault.from_settings(settings), settings, redis, force=True)

    taken = run_with_database(settings, work)
    console.print(f"Checkpoint {taken.id}: {taken.entry_count} entries, last entry {taken.last_seq}.")


@contextlib.asynccontextmanager
async def _redis(settings: Settings) -> AsyncIterator[Any]:
    """The configured Redis (where checkpoints are copied), or None."""
    if not settings.redis_url:
        yield None
        return
    from core.kernel.shared import make_redis

    client = make_redis(settings.redis_url, timeout=settings.redis_timeout)
    try:
        yield client
    finally:
        await client.aclose()
