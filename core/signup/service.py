"""Sign-up and login of persons by themselves: one-time codes, WeChat, username and password.

- ``POST /auth/codes`` sends a code to a phone. The answer is the same whether or not an account has
  the phone ("code sent"): nothing about accounts is looked at, limits count the phone, the address and
  the platform (:class:`~core.signup.codes.SendLimits`), 429 with Retry-After when one is reached.
- ``grant_type=phone_code`` checks the code (each check also passes the login throttle of the phone,
  :mod:`core.identity.throttle`) and logs in to the phone's account — or, when no account has the phone
  and sign-up is open, creates a person with that phone and an account with no grant.
- ``grant_type=wechat`` exchanges the mini-program's code (``code2session``) and logs in to the account
  bound to the openid (or to the unionid through another app), or signs up likewise.
- ``POST /auth/signup`` (username and password, where settings allow it) signs up without a phone.

Every account created here holds no grant; it reaches what routes declare for persons (``policy``) only.
Sign-ups are counted (``quntuan_signups_total``) and per address per hour; crossing
``QUNTUAN_SIGNUP_ALERT_THRESHOLD`` within the alert window emits ``signup.spike`` once per window.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from core.identity import audit
from core.identity.auth import issue_tokens, succeeded, throttled
from core.identity.passwords import MIN_LENGTH, check_strength, hash_password
from core.identity.problems import DUPLICATE
from core.identity.runtime import IdentityRuntime
from core.identity.schemas import CodeRequest, CodeSent, PasswordSignup, TokenRequest, TokenResponse
from core.identity.tables import Account, Person
from core.identity.throttle import UNAVAILABLE_RETRY_AFTER, ThrottleUnavailable
from core.integration.signals import emit
from core.kernel.db import Database, is_unique_violation
from core.kernel.errors import FIELD_MESSAGES, FieldError, Problem
from core.kernel.i18n import Text
from core.kernel.observability import LOGIN_CODES, SIGNUP_SPIKES, SIGNUPS
from core.kernel.plugin_host import PluginManager, call_runtime_hook
from core.kernel.settings import Settings, SettingsError
from core.kernel.shared import SharedState
from core.kernel.vault import mask_phone, normalise_phone
from core.signup.codes import CodeStore, SendLimits, new_code
from core.signup.problems import (
    CAPTCHA_FAILED,
    DELIVERY_FAILED,
    INVALID_CODE,
    METHOD_DISABLED,
    PHONE_AMBIGUOUS,
    SIGNUP_CLOSED,
    WECHAT_BOUND,
)
from core.signup.signals import ACCOUNT_SIGNED_UP, SIGNUP_SPIKE, AccountSignedUp, SignupSpike
from core.signup.sms import CodeSender, DeliveryFailed
from core.signup.tables import ExternalLogin
from core.signup.wechat import WeChatClient

log = logging.getLogger("quntuan.signup")

#: Name a person signed up by phone or WeChat has until they edit it.
PLACEHOLDER_NAME = {"phone": "手机用户", "wechat": "微信用户"}


def _unavailable() -> Problem:
    return Problem("service-unavailable", headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)})


def _wait(seconds: int) -> Problem:
    return Problem("rate-limited", headers={"Retry-After": str(seconds)}, retry_after=seconds)


def check_signup_settings(
    settings: Settings, pm: PluginManager, http: httpx.AsyncClient
) -> CodeSender | None:
    """The SMS sender the settings choose (None without one), or :class:`SettingsError`: an unknown or
    development-only provider, a provider's missing credentials, a captcha required that no plugin
    verifies. Sign-up calls it when the app is built; ``quntuan config check`` calls it too."""
    sender: CodeSender | None = None
    if settings.sms_provider:
        provider = pm.registry.sms_providers.get(settings.sms_provider)
        if provider is None:
            known = ", ".join(sorted(pm.registry.sms_providers))
            raise SettingsError(
                [f"QUNTUAN_SMS_PROVIDER: unknown provider {settings.sms_provider!r} (known: {known})"]
            )
        if provider.development and settings.is_production:
            raise SettingsError(
                [
                    f"QUNTUAN_SMS_PROVIDER: {provider.name} is for development only, refused on PostgreSQL without debug"
                ]
            )
        sender = provider.make(settings, http)
    if settings.captcha_required and not pm.hook.quntuan_verify_captcha.get_hookimpls():
        raise SettingsError(["QUNTUAN_CAPTCHA_REQUIRED: no plugin implements quntuan_verify_captcha"])
    return sender


class SignupRuntime:
    """Built once per app (``app.state.signup``): the code store, the send limits, the SMS sender, the
    WeChat client and their shared HTTP client. Refuses impossible settings at start-up."""

    def __init__(
        self,
        settings: Settings,
        shared: SharedState,
        db: Database,
        identity: IdentityRuntime,
        pm: PluginManager,
    ) -> None:
        self.settings = settings
        self.db = db
        self.identity = identity
        self.pm = pm
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(settings.sms_timeout), follow_redirects=False)
        self.codes = CodeStore(settings, shared, db, identity.vault)
        self.limits = SendLimits(settings, shared)
        self.wechat = WeChatClient(settings, self.http)
        self.sender: CodeSender | None = check_signup_settings(settings, pm, self.http)

    async def close(self) -> None:
        await self.http.aclose()

    # --- helpers ----------------------------------------------------------------------------------------

    def _phone(self, raw: str | None, pointer: str = "/phone") -> str:
        phone = normalise_phone(raw or "")
        if phone is None:
            raise Problem.invalid((pointer, "invalid_phone"))
        return phone

    async def _captcha(self, token: str | None, action: str, client_address: str) -> None:
        if not self.settings.captcha_required:
            return
        if not token:
            raise Problem.invalid(("/captcha_token", "required"))
        verdicts = await call_runtime_hook(
            self.pm, "quntuan_verify_captcha", token=token, action=action, client_address=client_address
        )
        if True not in verdicts or False in verdicts:
            raise Problem(CAPTCHA_FAILED)

    def _address(self, client_address: str) -> str:
        return self.identity.vault.blind_index("client", client_address)

    # --- codes ------------------------------------------------------------------------------------------

    async def request_code(self, data: CodeRequest, client_address: str) -> CodeSent:
        if self.sender is None:
            raise Problem(METHOD_DISABLED, method="短信验证码 / SMS codes")
        phone = self._phone(data.phone)
        await self._captcha(data.captcha_token, "send_code", client_address)
        phone_key = self.identity.vault.blind_index("phone", phone)
        try:
            wait = await self.limits.code_requested(phone_key, self._address(client_address))
        except ThrottleUnavailable:
            raise _unavailable() from None
        if wait is not None:
            LOGIN_CODES.labels("throttled").inc()
            raise _wait(wait)
        code = new_code(self.settings.login_code_length)
        try:
            await self.codes.put(f"{data.purpose}:{phone_key}", code)
        except ThrottleUnavailable:
            raise _unavailable() from None
        try:
            await self.sender.send(phone, code)
        except DeliveryFailed as exc:
            LOGIN_CODES.labels("failed").inc()
            log.warning("code to %s not delivered: %s", mask_phone(phone), exc)
            raise Problem(DELIVERY_FAILED, headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)}) from None
        LOGIN_CODES.labels("sent").inc()
        return CodeSent(
            status="code_sent",
            expires_in=self.settings.login_code_ttl,
            resend_after=self.settings.login_code_resend_seconds,
        )

    # --- grants -----------------------------------------------------------------------------------------

    async def phone_code_grant(self, data: TokenRequest, client_address: str) -> TokenResponse:
        missing = [(f"/{n}", "required") for n in ("phone", "code") if not getattr(data, n)]
        if missing:
            raise Problem.invalid(*missing)
        phone = self._phone(data.phone)
        assert data.code is not None
        if data.password is not None:  # before the code is spent: a refused password does not cost it
            if len(data.password) < MIN_LENGTH:
                message = FIELD_MESSAGES["too_short"].format("zh-Hans", limit=MIN_LENGTH)
                raise Problem.invalid(FieldError(pointer="/password", code="too_short", message=message))
            await check_strength(
                data.password,
                (data.name or "",),
                min_score=self.settings.password_min_score,
                pointer="/password",
            )
        phone_key = self.identity.vault.blind_index("phone", phone)
        # Every check of a code is an attempt on the phone's login throttle, as a password is.
        subject = "p:" + phone_key
        address = await throttled(self.identity, subject, client_address)
        try:
            outcome = await self.codes.check(f"login:{phone_key}", data.code.strip())
        except ThrottleUnavailable:
            raise _unavailable() from None
        if outcome != "ok":
            raise Problem(INVALID_CODE)
        await succeeded(self.identity, subject, address)
        rows = (
            await Account.select(Account.id, Account.status, Account.token_version)
            .where(Account.person.phone_index == phone_key)
            .limit(2)
            .run()
        )
        if len(rows) > 1:
            raise Problem(PHONE_AMBIGUOUS)
        if rows:
            return await self._login(rows[0])
        password_hash = ""
        await self._may_sign_up(client_address)
        if data.password:
            password_hash = await hash_password(data.password)
        vault = self.identity.vault
        person = {"phone_enc": vault.encrypt("phone", phone), "phone_index": phone_key}
        account = await self._create(
            "phone", data.name or PLACEHOLDER_NAME["phone"], person, password_hash=password_hash
        )
        return await self._issued(account, created=True)

    async def wechat_grant(self, data: TokenRequest, client_address: str) -> TokenResponse:
        if not data.code:
            raise Problem.invalid(("/code", "required"))
        if not self.wechat.enabled:
            raise Problem(METHOD_DISABLED, method="微信登录 / WeChat login")
        await self._wechat_call_allowed(client_address)
        session = await self.wechat.code2session(data.code)
        assert self.wechat.app_id is not None
        now = datetime.now(UTC)
        bound = await self._bound_account(session.openid, session.unionid)
        if bound is not None:
            async with self.db.transaction():
                if bound["subject"] == session.openid:
                    await (
                        ExternalLogin.update(
                            {
                                ExternalLogin.last_used_at: now,
                                ExternalLogin.union_id: session.unionid or bound["union_id"],
                            }
                        )
                        .where(ExternalLogin.id == bound["id"])
                        .run()
                    )
                else:  # known by its unionid through another app of the same WeChat open platform account
                    await self._bind(bound["account"], bound["person"], session.openid, session.unionid)
            account = await self._account(bound["account"])
            return await self._login(account)
        await self._may_sign_up(client_address)
        try:
            account = await self._create(
                "wechat",
                data.name or PLACEHOLDER_NAME["wechat"],
                {},
                wechat=(session.openid, session.unionid),
            )
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
            # A concurrent sign-up of the same WeChat user won: log in to its account.
            bound = await self._bound_account(session.openid, session.unionid)
            if bound is None:
                raise
            return await self._login(await self._account(bound["account"]))
        return await self._issued(account, created=True)

    async def bind_wechat(self, account_id: uuid.UUID, code: str, client_address: str) -> None:
        """Add the WeChat user of ``code`` as a login method of ``account_id`` (409 when bound elsewhere)."""
        if not self.wechat.enabled:
            raise Problem(METHOD_DISABLED, method="微信登录 / WeChat login")
        await self._wechat_call_allowed(client_address)
        session = await self.wechat.code2session(code)
        bound = await self._bound_account(session.openid, session.unionid)
        if bound is not None:
            if bound["account"] != account_id:
                raise Problem(WECHAT_BOUND)
            if bound["subject"] == session.openid:
                return
        row = await Account.select(Account.person).where(Account.id == account_id).first().run()
        async with self.db.transaction():
            await self._bind(account_id, row["person"] if row else None, session.openid, session.unionid)
            await audit.record(
                "account.login_bound",
                resource_type="account",
                resource_id=account_id,
                # A new way into the account: the orgs of its person see it.
                org_paths=await audit.paths_of_holder(account=account_id),
                changes={"provider": "wechat"},
            )

    async def password_signup(self, data: PasswordSignup, client_address: str) -> TokenResponse:
        if not (self.settings.signup_enabled and self.settings.signup_password_enabled):
            raise Problem(SIGNUP_CLOSED)
        await self._captcha(data.captcha_token, "signup", client_address)
        username = data.username.lower()
        await check_strength(
            data.password,
            (username, data.name),
            min_score=self.settings.password_min_score,
            pointer="/password",
        )
        if await Account.exists().where(Account.username == username).run():
            raise Problem(DUPLICATE, what=Text(zh_hans="用户名", zh_hant="使用者名稱", en="username"))
        await self._may_sign_up(client_address)
        password_hash = await hash_password(data.password)
        try:
            account = await self._create(
                "password", data.name, {}, username=username, password_hash=password_hash
            )
        except Exception as exc:
            if is_unique_violation(exc):  # taken meanwhile by a concurrent sign-up
                raise Problem(
                    DUPLICATE, what=Text(zh_hans="用户名", zh_hant="使用者名稱", en="username")
                ) from None
            raise
        return await self._issued(account, created=True)

    # --- internals --------------------------------------------------------------------------------------

    async def _wechat_call_allowed(self, client_address: str) -> None:
        try:
            wait = await self.limits.wechat_exchange(self._address(client_address))
        except ThrottleUnavailable:
            raise _unavailable() from None
        if wait is not None:
            raise _wait(wait)

    async def _bound_account(self, openid: str, unionid: str | None) -> dict[str, Any] | None:
        columns = (
            ExternalLogin.id,
            ExternalLogin.account,
            ExternalLogin.person,
            ExternalLogin.subject,
            ExternalLogin.union_id,
        )
        base = ExternalLogin.provider == "wechat"
        row = (
            await ExternalLogin.select(*columns)
            .where(base & (ExternalLogin.app_id == self.wechat.app_id) & (ExternalLogin.subject == openid))
            .first()
            .run()
        )
        if row is None and unionid:
            row = (
                await ExternalLogin.select(*columns)
                .where(base & (ExternalLogin.union_id == unionid))
                .first()
                .run()
            )
        return row

    async def _bind(
        self, account_id: uuid.UUID, person_id: uuid.UUID | None, openid: str, unionid: str | None
    ) -> None:
        assert self.wechat.app_id is not None
        await ExternalLogin.insert(
            ExternalLogin(
                account=account_id,
                person=person_id,
                provider="wechat",
                app_id=self.wechat.app_id,
                subject=openid,
                union_id=unionid,
                last_used_at=datetime.now(UTC),
            )
        ).run()

    async def _account(self, account_id: uuid.UUID) -> dict[str, Any]:
        row = (
            await Account.select(Account.id, Account.status, Account.token_version)
            .where(Account.id == account_id)
            .first()
            .run()
        )
        if row is None:
            raise Problem("invalid-credentials", headers={"WWW-Authenticate": 'Bearer realm="quntuan"'})
        return row

    async def _login(self, account: dict[str, Any]) -> TokenResponse:
        if account["status"] != "active":
            raise Problem("invalid-credentials", headers={"WWW-Authenticate": 'Bearer realm="quntuan"'})
        async with self.db.transaction():
            await (
                Account.update({Account.last_login_at: datetime.now(UTC)})
                .where(Account.id == account["id"])
                .run()
            )
        return await self._issued(account, created=False)

    async def _issued(self, account: dict[str, Any], *, created: bool) -> TokenResponse:
        tokens = await issue_tokens(self.db, self.identity, account["id"], account["token_version"], None)
        tokens.account_created = created
        return tokens

    async def _may_sign_up(self, client_address: str) -> None:
        if not self.settings.signup_enabled:
            raise Problem(SIGNUP_CLOSED)
        try:
            wait = await self.limits.signup_allowed(self._address(client_address))
        except ThrottleUnavailable:
            raise _unavailable() from None
        if wait is not None:
            raise _wait(wait)

    async def _create(
        self,
        method: str,
        name: str,
        person_values: dict[str, Any],
        *,
        username: str | None = None,
        password_hash: str = "",
        wechat: tuple[str, str | None] | None = None,
    ) -> dict[str, Any]:
        """A person and an account with no grant, in one transaction (and the WeChat binding)."""
        person_id = uuid.uuid4()
        account_id = uuid.uuid4()
        # Generated login names start with a letter and never collide in practice (80 random bits).
        username = username or f"u{secrets.token_hex(10)}"
        try:
            crossed = await self.limits.spike_crossed()
        except ThrottleUnavailable:
            crossed = None
            log.warning("sign-up spike counter unavailable")
        async with self.db.transaction():
            await Person.insert(Person(id=person_id, name=name, **person_values)).run()
            await Account.insert(
                Account(id=account_id, username=username, person=person_id, password_hash=password_hash)
            ).run()
            if wechat is not None:
                await self._bind(account_id, person_id, *wechat)
            await audit.record(
                "account.signed_up",
                resource_type="account",
                resource_id=account_id,
                changes={"method": method},
                actor=None,
            )
            await emit(
                ACCOUNT_SIGNED_UP,
                AccountSignedUp(account_id=account_id, person_id=person_id, method=method),
                resource_type="account",
                resource_id=account_id,
            )
            if crossed is not None:
                settings = self.settings
                await emit(
                    SIGNUP_SPIKE,
                    SignupSpike(
                        count=crossed,
                        threshold=settings.signup_alert_threshold,
                        window_seconds=settings.signup_alert_window_seconds,
                    ),
                    resource_type="signup",
                    resource_id="spike",
                )
        SIGNUPS.labels(method).inc()
        if crossed is not None:
            SIGNUP_SPIKES.inc()
            log.warning(
                "sign-up spike: more than %d sign-ups within %d s",
                self.settings.signup_alert_threshold,
                self.settings.signup_alert_window_seconds,
            )
        return {"id": account_id, "status": "active", "token_version": 0}


def signup_of(app_state: Any) -> SignupRuntime:
    runtime: SignupRuntime = app_state.signup
    return runtime
