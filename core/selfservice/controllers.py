"""HTTP routes of self-service: ``/me/claims``, ``/me/transfers``, ``/me/inbox``, ``/invitations``.

Who may call what: the ``/me/…`` routes act on the caller's own account and person only (``policy``
``self``: no grant needed, nothing of anyone else reachable — another person's claim, notification or
process answers 404). Making, listing and revoking invitations needs ``core.process.handle`` on the org
(``join`` invitations also ``core.member.manage``); looking at and accepting one needs a signed-in person.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter, QueryParameter

from core.identity.permissions import ACCOUNT_MANAGE
from core.identity.personal_data import export_of
from core.identity.runtime import identity_of
from core.identity.tables import Account, Consent, Person, RefreshToken
from core.kernel.access import Principal
from core.kernel.errors import Problem, request_locale
from core.kernel.guards import current_principal, require_permission
from core.kernel.pagination import Page, PageParam, paginate
from core.processes import machine, services
from core.processes import schemas as PS
from core.processes.machine import Env, etag
from core.processes.permissions import PROCESS_HANDLE
from core.selfservice import claims, context, data, inbox, invitations, passwords
from core.selfservice import problems as P
from core.selfservice import schemas as S
from core.selfservice.tables import Invitation, Notification, NotificationPreference

SELF = {"policy": "self"}


def _principal(request: Request[Any, Any, State]) -> Principal:
    principal = current_principal(request)
    assert principal is not None  # the guard answered 401 already
    return principal


def _address(request: Request[Any, Any, State]) -> str:
    return request.client.host if request.client else "unknown"


def _env(request: Request[Any, Any, State]) -> Env:
    return Env.of(request.app.state, request_locale(request))


def _person(request: Request[Any, Any, State]) -> UUID:
    principal = _principal(request)
    if principal.kind != "account":
        raise Problem("forbidden")
    if principal.person_id is None:
        raise Problem(P.NO_PERSON)
    return principal.person_id


def _invitation(row: dict[str, Any], secret: str | None = None) -> S.Invitation:
    token = invitations.sign(secret, row["id"]) if secret else None
    return S.Invitation(
        id=row["id"],
        org_id=row["org"],
        mode=row["mode"],
        role=row["role"],
        note=row["note"],
        max_uses=row["max_uses"],
        uses=row["uses"],
        expires_at=machine.utc(row["expires_at"]),  # type: ignore[arg-type]
        revoked_at=machine.utc(row["revoked_at"]),
        created_at=machine.utc(row["created_at"]),  # type: ignore[arg-type]
        token=token,
        qr_payload=invitations.QR_SCHEME + token if token else None,
    )


def _title(env: Env, row: dict[str, Any]) -> str:
    stored = inbox._json(row["title"]) or {}
    if stored:
        return str(stored.get(env.locale) or stored.get("zh-Hans") or next(iter(stored.values()), ""))
    data = inbox._json(row["data"]) or {}
    ptype = env.registry.process_types.get(data.get("type", ""))
    if ptype is None:
        return str(row["kind"])
    state = ptype.state(data.get("state", ""))
    state_name = state.name.get(env.locale) if state is not None else data.get("state", "")
    return (
        f"{ptype.name.get(env.locale)}：{state_name}"
        if env.locale != "en"
        else f"{ptype.name.get(env.locale)}: {state_name}"
    )


def _notification(env: Env, row: dict[str, Any]) -> S.NotificationOut:
    return S.NotificationOut(
        id=row["id"],
        kind=row["kind"],
        title=_title(env, row),
        resource_type=row["resource_type"],
        resource_id=row["resource_id"],
        data=inbox._json(row["data"]) or {},
        created_at=machine.utc(row["created_at"]),  # type: ignore[arg-type]
        read=row["read_at"] is not None,
        read_at=machine.utc(row["read_at"]),
    )


class SelfServiceController(Controller):
    """The caller's own claim, transfers and inbox."""

    path = "/me"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["self-service"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    # --- claim ---------------------------------------------------------------------------------------

    @post(
        "/claims",
        opt=SELF,
        status_code=202,
        summary="实名认领：提交姓名与身份证号",
        description="以姓名与身份证号认领已导入的本人记录，验证码发到登记手机号。",
        summary_en="Claim: send name and ID number",
        description_en="Claims one's imported record by name and ID number; a code goes to the registered phone.",
    )
    async def start_claim(
        self, request: Request[Any, Any, State], data: JSONBody[S.ClaimStart]
    ) -> S.ClaimStarted:
        """The answer is the same whatever the details match. If they name a record with a phone, a
        code was sent there: confirm it. Otherwise ask for a review."""
        out = await claims.start(
            request.app.state.db,
            identity_of(request.app.state),
            _principal(request),
            data.name,
            data.id_number,
            _address(request),
        )
        return S.ClaimStarted(**out)

    @post(
        "/claims/{claim_id:uuid}/confirmation",
        opt=SELF,
        status_code=200,
        summary="实名认领：输入验证码",
        description="输入发到登记手机号的验证码，完成认领。",
        summary_en="Claim: enter the code",
        description_en="Enters the code sent to the registered phone to complete the claim.",
    )
    async def confirm_claim(
        self,
        request: Request[Any, Any, State],
        claim_id: Annotated[UUID, PathParameter()],
        data: JSONBody[S.ClaimConfirm],
    ) -> S.ClaimConfirmed:
        person_id = await claims.confirm(
            request.app.state.db,
            identity_of(request.app.state),
            _principal(request),
            claim_id,
            data.code,
            _address(request),
        )
        return S.ClaimConfirmed(person_id=person_id)

    @post(
        "/claims/reviews",
        opt=SELF,
        summary="实名认领：提交人工审核（core.claim 办理事项）",
        description="无法用验证码认领时，提交人工审核。",
        summary_en="Claim: ask for a review (core.claim)",
        description_en="Asks for a manual review when the code cannot be used (a core.claim process).",
    )
    async def review_claim(
        self, request: Request[Any, Any, State], data: JSONBody[S.ClaimReview]
    ) -> Response[PS.ProcessDetail]:
        principal = _principal(request)
        identity = identity_of(request.app.state)
        await claims._account(principal)
        await claims.throttled(identity, claims.subject(principal.id), _address(request))
        env = _env(request)
        async with request.app.state.db.transaction():
            person_id = await claims.ensure_person(principal.id, data.name)
            row = await machine.open_process(
                env,
                principal,
                type_code="core.claim",
                org_id=data.org_id,
                applicant_id=person_id,
                form={"name": data.name, "id_number": data.id_number, "statement": data.statement},
                comment="",
            )
            out = await services.detail(env, _AsApplicant(principal, person_id), row, read_only=False)
        return Response(out, status_code=201, headers={"ETag": etag(row["version"])})

    # --- transfer ------------------------------------------------------------------------------------

    @post(
        "/transfers",
        opt=SELF,
        summary="发起组织关系转接（core.transfer 办理事项）",
        description=(
            "本人申请把组织关系转到另一个组织。接收组织用 to_org_id、to_org_code（组织代码，不区分大小写）"
            "或 invitation（邀请码）三者之一指明。"
        ),
        summary_en="Ask for a transfer (core.transfer)",
        description_en=(
            "Asks to move one's membership to another org (a core.transfer process). Name the receiving org "
            "by exactly one of `to_org_id`, `to_org_code` (its 组织代码, any case) or `invitation`."
        ),
    )
    async def start_transfer(
        self, request: Request[Any, Any, State], data: JSONBody[S.TransferStart]
    ) -> Response[PS.ProcessDetail]:
        from core.members.tables import Membership

        _person(request)
        principal = _principal(request)
        env = _env(request)
        named = [n for n in ("to_org_id", "to_org_code", "invitation") if getattr(data, n) is not None]
        if len(named) != 1:  # exactly one way of naming the receiving org
            raise Problem.invalid(*[(f"/{n}", "invalid") for n in named[1:]] or [("/to_org_id", "required")])
        async with request.app.state.db.transaction():
            to_org = data.to_org_id
            if data.invitation is not None:
                to_org = (await invitations.by_token(identity_of(request.app.state).secret, data.invitation))[
                    "org"
                ]
            elif data.to_org_code is not None:
                from core.orgs.services import by_code

                found = await by_code(data.to_org_code)
                if found is None:
                    raise Problem.invalid(("/to_org_code", "invalid"))
                to_org = found["id"]
            membership = (
                await Membership.select(Membership.org, Membership.person)
                .where(Membership.id == data.membership_id)
                .first()
                .run()
            )
            if membership is None or membership["person"] != principal.person_id:
                raise Problem.invalid(("/membership_id", "invalid"))
            row = await machine.open_process(
                env,
                principal,
                type_code="core.transfer",
                org_id=membership["org"],
                applicant_id=None,
                form={
                    "membership_id": str(data.membership_id),
                    "to_org_id": str(to_org),
                    "reason": data.reason,
                },
            )
            out = await services.detail(env, principal, row, read_only=False)
        return Response(out, status_code=201, headers={"ETag": etag(row["version"])})

    # --- inbox ---------------------------------------------------------------------------------------

    @get(
        "/inbox",
        opt=SELF,
        summary="消息中心（新的在前）",
        description="本人的消息，新的在前。",
        summary_en="Inbox (newest first)",
        description_en="The caller's notifications, newest first.",
    )
    async def list_inbox(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        unread: Annotated[
            bool | None, QueryParameter(description="Only unread (true) or read (false)")
        ] = None,
    ) -> Page[S.NotificationOut]:
        person_id = _person(request)
        query = Notification.select().where(Notification.person == person_id)
        if unread is not None:
            query = query.where(
                Notification.read_at.is_null() if unread else Notification.read_at.is_not_null()
            )
        rows, cursor = await paginate(
            query, [Notification.created_at, Notification.id], page, descending=True
        )
        env = _env(request)
        return Page(items=[_notification(env, r) for r in rows], next_cursor=cursor)

    @get(
        "/inbox/unread",
        opt=SELF,
        summary="未读消息数",
        description="本人未读消息的数量。",
        summary_en="Unread count",
        description_en="How many notifications are unread.",
    )
    async def unread_count(self, request: Request[Any, Any, State]) -> S.UnreadCount:
        person_id = _person(request)
        count = (
            await Notification.count()
            .where((Notification.person == person_id) & Notification.read_at.is_null())
            .run()
        )
        return S.UnreadCount(unread=count)

    @post(
        "/inbox/{notification_id:uuid}/read",
        opt=SELF,
        status_code=200,
        summary="标为已读",
        description="把一条消息标为已读。",
        summary_en="Mark read",
        description_en="Marks one notification read.",
    )
    async def mark_read(
        self, request: Request[Any, Any, State], notification_id: Annotated[UUID, PathParameter()]
    ) -> S.NotificationOut:
        person_id = _person(request)
        mine = (Notification.id == notification_id) & (Notification.person == person_id)
        async with request.app.state.db.transaction():
            row = await Notification.select().where(mine).first().run()
            if row is None:
                raise Problem("not-found")
            if row["read_at"] is None:
                await Notification.update({Notification.read_at: datetime.now(UTC)}).where(mine).run()
            row = await Notification.select().where(mine).first().run()
        return _notification(_env(request), row)  # type: ignore[arg-type]

    @post(
        "/inbox/read",
        opt=SELF,
        status_code=200,
        summary="全部标为已读",
        description="把全部消息标为已读。",
        summary_en="Mark all read",
        description_en="Marks every notification read.",
    )
    async def mark_all_read(self, request: Request[Any, Any, State]) -> S.UnreadCount:
        person_id = _person(request)
        async with request.app.state.db.transaction():
            await (
                Notification.update({Notification.read_at: datetime.now(UTC)})
                .where((Notification.person == person_id) & Notification.read_at.is_null())
                .run()
            )
        return S.UnreadCount(unread=0)

    @get(
        "/inbox/preferences",
        opt=SELF,
        summary="消息偏好",
        description="各类消息的接收渠道偏好。",
        summary_en="Notification preferences",
        description_en="Which channels each kind of notification uses.",
    )
    async def get_preferences(self, request: Request[Any, Any, State]) -> S.Preferences:
        person_id = _person(request)
        row = (
            await NotificationPreference.select()
            .where(NotificationPreference.person == person_id)
            .first()
            .run()
        )
        if row is None:
            return S.Preferences()
        return S.Preferences(
            muted=inbox._json(row["muted"]) or [], channels=inbox._json(row["channels"]) or []
        )

    @put(
        "/inbox/preferences",
        opt=SELF,
        summary="设置消息偏好",
        description="设置各类消息的接收渠道。",
        summary_en="Set notification preferences",
        description_en="Sets the channels for each kind of notification.",
    )
    async def set_preferences(
        self, request: Request[Any, Any, State], data: JSONBody[S.Preferences]
    ) -> S.Preferences:
        person_id = _person(request)
        values = {
            NotificationPreference.muted: sorted(set(data.muted)),
            NotificationPreference.channels: sorted(set(data.channels)),
            NotificationPreference.updated_at: datetime.now(UTC),
        }
        async with request.app.state.db.transaction():
            done = (
                await NotificationPreference.update(values)
                .where(NotificationPreference.person == person_id)
                .returning(NotificationPreference.id)
                .run()
            )
            if not done:
                await NotificationPreference.insert(
                    NotificationPreference(
                        person=person_id, muted=sorted(set(data.muted)), channels=sorted(set(data.channels))
                    )
                ).run()
        return S.Preferences(muted=sorted(set(data.muted)), channels=sorted(set(data.channels)))  # type: ignore[arg-type]

    # --- your own context ----------------------------------------------------------------------------

    @get(
        "/orgs/{org_id:uuid}",
        opt=SELF,
        summary="我所在的组织（成员可见信息）",
        description="本人所在组织中成员可见的信息。",
        summary_en="An org I belong to (what members see)",
        description_en="What members may see of an org the caller belongs to.",
    )
    async def my_org(
        self, request: Request[Any, Any, State], org_id: Annotated[UUID, PathParameter()]
    ) -> S.MyOrg:
        """An org the caller is an active member of or holds a post in; 404 for any other."""
        row = await context.my_org(_person(request), org_id)
        return S.MyOrg(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            level=row["level"],
            parent_id=row["parent"],
            address=row["address"],
            contact_name=row["contact_name"],
            contact_phone=row["contact_phone_masked"],
        )

    # --- your data (PIPL) ----------------------------------------------------------------------------

    @get(
        "/export",
        opt=SELF,
        summary="下载我的个人信息（个保法第45条）",
        description="本人在各组织的全部记录，JSON 文件。",
        summary_en="Download my data (PIPL Art. 45)",
        description_en="Every record of the caller in every org, as a JSON file.",
    )
    async def export_my_data(self, request: Request[Any, Any, State]) -> dict[str, Any]:
        return await export_of(request.app.state, _person(request))

    @get(
        "/data",
        opt=SELF,
        summary="我的个人信息保存情况（含依法保存项）",
        description="平台保存的本人个人信息类别，及依法须保存的部分。",
        summary_en="What is kept about me (legal holds included)",
        description_en="The kinds of personal data kept about the caller, and what the law requires to keep.",
    )
    async def data_summary(self, request: Request[Any, Any, State]) -> S.DataSummary:
        person_id = _person(request)
        home = await Person.select(Person.home_org).where(Person.id == person_id).first().run()
        tables = await data.holdings(request.app.state.registry, person_id, request_locale(request))
        return S.DataSummary(
            person_id=person_id,
            home_org_id=home["home_org"] if home else None,
            tables=[S.Holding(**t) for t in tables],
        )

    @get(
        "/data/readers",
        opt=SELF,
        summary="谁查看过我的完整身份证号或手机号（个保法第44条）",
        description="查看过本人完整身份证号或手机号的组织与时间。",
        summary_en="Who read my full ID number or phone (PIPL Art. 44)",
        description_en="The orgs that read the caller's full ID number or phone, and when.",
    )
    async def data_readers(self, request: Request[Any, Any, State]) -> list[S.Reader]:
        rows = await data.readers(_person(request))
        return [
            S.Reader(**{**r, "at": machine.utc(r["at"]), "orgs": [S.ReaderOrg(**o) for o in r["orgs"]]})
            for r in rows
        ]

    @post(
        "/data/corrections",
        opt=SELF,
        summary="申请更正个人信息（个保法第46条，core.correction）",
        description="提交更正个人信息的申请，由档案所在组织办理。",
        summary_en="Ask to correct my data (PIPL Art. 46)",
        description_en="Asks for personal data to be corrected; the org keeping the file handles it (core.correction).",
    )
    async def request_correction(
        self, request: Request[Any, Any, State], data: JSONBody[S.CorrectionRequest]
    ) -> Response[PS.ProcessDetail]:
        form = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        return await self._request(request, "core.correction", form)

    @post(
        "/data/erasure",
        opt=SELF,
        summary="申请删除个人信息（个保法第47条，core.erasure）",
        description="提交删除个人信息的申请，由档案所在组织办理。",
        summary_en="Ask to erase my data (PIPL Art. 47)",
        description_en="Asks for personal data to be erased; the org keeping the file handles it (core.erasure).",
    )
    async def request_erasure(
        self, request: Request[Any, Any, State], data: JSONBody[S.ErasureRequest]
    ) -> Response[PS.ProcessDetail]:
        return await self._request(request, "core.erasure", {"statement": data.statement})

    async def _request(
        self, request: Request[Any, Any, State], type_code: str, form: dict[str, Any]
    ) -> Response[PS.ProcessDetail]:
        person_id = _person(request)
        home = await Person.select(Person.home_org).where(Person.id == person_id).first().run()
        if home is None or home["home_org"] is None:
            raise Problem(P.NO_CONTROLLER)
        env = _env(request)
        principal = _principal(request)
        async with request.app.state.db.transaction():
            row = await machine.open_process(
                env, principal, type_code=type_code, org_id=home["home_org"], applicant_id=None, form=form
            )
            out = await services.detail(env, principal, row, read_only=False)
        return Response(out, status_code=201, headers={"ETag": etag(row["version"])})

    @get(
        "/consents",
        opt=SELF,
        summary="我的同意记录",
        description="本人给出的同意及其状态。",
        summary_en="My consents",
        description_en="The consents the caller gave and their status.",
    )
    async def my_consents(self, request: Request[Any, Any, State], page: PageParam) -> Page[S.MyConsent]:
        person_id = _person(request)
        rows, cursor = await paginate(Consent.select().where(Consent.person == person_id), [Consent.id], page)
        return Page(
            items=[
                S.MyConsent(
                    id=r["id"],
                    purpose=r["purpose"],
                    given_at=machine.utc(r["given_at"]),  # type: ignore[arg-type]
                    withdrawn_at=machine.utc(r["withdrawn_at"]),
                )
                for r in rows
            ],
            next_cursor=cursor,
        )

    @post(
        "/consents/{consent_id:uuid}/withdrawal",
        opt=SELF,
        status_code=200,
        summary="撤回同意",
        description="撤回本人给出的一项同意。",
        summary_en="Withdraw my consent",
        description_en="Withdraws a consent the caller gave.",
    )
    async def withdraw_my_consent(
        self, request: Request[Any, Any, State], consent_id: Annotated[UUID, PathParameter()]
    ) -> S.MyConsent:
        from core.identity import audit
        from core.identity.signals import CONSENT_WITHDRAWN, ConsentChanged
        from core.integration.signals import emit

        person_id = _person(request)
        mine = (Consent.id == consent_id) & (Consent.person == person_id)
        async with request.app.state.db.transaction():
            row = await Consent.select().where(mine).first().run()
            if row is None:
                raise Problem("not-found")
            if row["withdrawn_at"] is None:
                home = await Person.select(Person.home_org.path).where(Person.id == person_id).first().run()
                path = home["home_org.path"] if home else None
                await Consent.update({Consent.withdrawn_at: datetime.now(UTC)}).where(mine).run()
                await audit.record(
                    "consent.withdrawn", resource_type="consent", resource_id=consent_id, org_path=path
                )
                await emit(
                    CONSENT_WITHDRAWN,
                    ConsentChanged(consent_id=consent_id, person_id=person_id, purpose=row["purpose"]),
                    resource_type="consent",
                    resource_id=consent_id,
                    org_path=path,
                )
            row = await Consent.select().where(mine).first().run()
        return S.MyConsent(
            id=row["id"],  # type: ignore[index]
            purpose=row["purpose"],  # type: ignore[index]
            given_at=machine.utc(row["given_at"]),  # type: ignore[index, arg-type]
            withdrawn_at=machine.utc(row["withdrawn_at"]),  # type: ignore[index]
        )

    @get(
        "/sessions",
        opt=SELF,
        summary="我的登录会话",
        description="本人当前的登录会话。",
        summary_en="My sessions",
        description_en="The caller's open sessions.",
    )
    async def my_sessions(self, request: Request[Any, Any, State]) -> list[S.Session]:
        principal = _principal(request)
        if principal.kind != "account":
            raise Problem("forbidden")
        rows = (
            await RefreshToken.select(RefreshToken.family, RefreshToken.created_at, RefreshToken.expires_at)
            .where(
                (RefreshToken.account == principal.id)
                & RefreshToken.revoked_at.is_null()
                & (RefreshToken.expires_at > datetime.now(UTC))
            )
            .run()
        )
        families: dict[UUID, dict[str, Any]] = {}
        for r in rows:
            f = families.setdefault(
                r["family"], {"start": r["created_at"], "last": r["created_at"], "ends": r["expires_at"]}
            )
            f["start"] = min(f["start"], r["created_at"])
            f["last"] = max(f["last"], r["created_at"])
            f["ends"] = max(f["ends"], r["expires_at"])
        current = _session_of(request)
        return sorted(
            (
                S.Session(
                    id=family,
                    started_at=machine.utc(f["start"]),  # type: ignore[arg-type]
                    last_used_at=machine.utc(f["last"]),  # type: ignore[arg-type]
                    expires_at=machine.utc(f["ends"]),  # type: ignore[arg-type]
                    current=family == current,
                )
                for family, f in families.items()
            ),
            key=lambda s: s.started_at,
        )

    @post(
        "/sessions/{session_id:uuid}/end",
        opt=SELF,
        status_code=204,
        summary="结束一个登录会话",
        description="结束本人的一个登录会话（如另一台设备）。",
        summary_en="End a session",
        description_en="Ends one of the caller's sessions (another device, say).",
    )
    async def end_session(
        self, request: Request[Any, Any, State], session_id: Annotated[UUID, PathParameter()]
    ) -> None:
        from core.identity import audit
        from core.identity.authz_cache import authority_changed

        principal = _principal(request)
        if principal.kind != "account":
            raise Problem("forbidden")
        async with request.app.state.db.transaction():
            done = await (
                RefreshToken.update({RefreshToken.revoked_at: datetime.now(UTC)})
                .where(
                    (RefreshToken.account == principal.id)
                    & (RefreshToken.family == session_id)
                    & RefreshToken.revoked_at.is_null()
                )
                .returning(RefreshToken.id)
                .run()
            )
            if not done:
                raise Problem("not-found")
            await audit.record("auth.session_ended", resource_type="account", resource_id=principal.id)
            await authority_changed()

    @post(
        "/closure",
        opt=SELF,
        status_code=204,
        summary="注销我的账号",
        description="注销本人的账号；个人信息按法律规定删除或保存。",
        summary_en="Close my account",
        description_en="Closes the caller's account; personal data is erased or kept as the law requires.",
    )
    async def close_account(self, request: Request[Any, Any, State], data: JSONBody[S.Closure]) -> None:
        """Ends every session and disables the login; the person's record stays with their org (ask for
        erasure separately). The password confirms it is really you."""
        from core.identity import audit
        from core.identity.auth import account_subject, revoke_sessions, succeeded, throttled
        from core.identity.passwords import verify_password

        principal = _principal(request)
        if principal.kind != "account":
            raise Problem("forbidden")
        identity = identity_of(request.app.state)
        row = await Account.select(Account.password_hash).where(Account.id == principal.id).first().run()
        subject = account_subject(principal.id)
        key = await throttled(identity, subject, _address(request))
        if row is None or not await verify_password(data.password, row["password_hash"]):
            raise Problem.invalid(("/password", "invalid"))
        await succeeded(identity, subject, key)
        async with request.app.state.db.transaction():
            await (
                Account.update({Account.status: "disabled", Account.updated_at: datetime.now(UTC)})
                .where(Account.id == principal.id)
                .run()
            )
            await revoke_sessions(principal.id)
            # Seen by the orgs of the person behind the account, who would otherwise re-enable it unaware.
            await audit.record(
                "account.closed",
                resource_type="account",
                resource_id=principal.id,
                org_paths=await audit.paths_of_holder(account=principal.id),
                changes={"by": "self"},
            )


def _session_of(request: Request[Any, Any, State]) -> UUID | None:
    from core.identity.tokens import verify_access_token

    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    claims_ = verify_access_token(identity_of(request.app.state).secret, header[7:].strip())
    return claims_.session if claims_ is not None else None


class AccountResetController(Controller):
    """A cadre's reset of a person's password, and the person's own new password after it."""

    path = "/"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["accounts"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @post(
        "/accounts/{account_id:uuid}/password-reset",
        opt={"permission": ACCOUNT_MANAGE},
        status_code=200,
        summary="重置密码（下次登录须设新密码）",
        description="为账号生成临时密码，下次登录时须设置新密码。",
        summary_en="Reset a password (a new one at next login)",
        description_en="Gives the account a temporary password; a new one must be set at next login.",
    )
    async def reset_password(
        self, request: Request[Any, Any, State], account_id: Annotated[UUID, PathParameter()]
    ) -> S.PasswordReset:
        from core.identity import persons

        principal = _principal(request)
        clause = persons.visible(
            principal.reach(ACCOUNT_MANAGE), persons.today(str(request.app.state.settings.timezone))
        )
        row = None
        if clause is not None:
            row = (
                await Account.select(Account.id, Account.person.home_org.path.as_alias("path"))
                .where(
                    (Account.id == account_id) & Account.person.is_in(Person.select(Person.id).where(clause))
                )
                .first()
                .run()
            )
        if row is None:
            raise Problem("not-found")
        temporary = await passwords.reset(request.app.state.db, principal, account_id, row["path"])
        return S.PasswordReset(temporary_password=temporary)

    @post(
        "/auth/password-change",
        opt={"public": True},
        status_code=204,
        security=[],
        summary="重置后设置新密码（用临时密码）",
        description="用重置得到的临时密码设置新密码。",
        summary_en="Set a new password after a reset",
        description_en="Sets a new password with the temporary one from a reset.",
    )
    async def change_after_reset(
        self, request: Request[Any, Any, State], data: JSONBody[S.PasswordChangeAfterReset]
    ) -> None:
        await passwords.complete(
            request.app.state.db,
            identity_of(request.app.state),
            data.username,
            data.password,
            data.new_password,
            _address(request),
        )


class _AsApplicant:
    """The caller seen as the person a review claim was just opened for (their stub person)."""

    def __init__(self, principal: Principal, person_id: UUID) -> None:
        self.kind = principal.kind
        self.id = principal.id
        self.person_id = person_id
        self._inner = principal

    def has_permission(self, code: str) -> bool:
        return self._inner.has_permission(code)

    def reach(self, code: str) -> Any:
        return self._inner.reach(code)


class InvitationController(Controller):
    """Invitations of an org (cadres) and their use (persons)."""

    path = "/"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["self-service"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @post(
        "/orgs/{org_id:uuid}/invitations",
        opt={"permission": PROCESS_HANDLE},
        summary="生成邀请链接与二维码",
        description="生成可分享的邀请链接与二维码。",
        summary_en="Create an invitation link and QR code",
        description_en="Makes a shareable invitation link and QR code.",
    )
    async def create_invitation(
        self,
        request: Request[Any, Any, State],
        org_id: Annotated[UUID, PathParameter()],
        data: JSONBody[S.InvitationCreate],
    ) -> Response[S.Invitation]:
        row = await invitations.create(
            request.app.state.db,
            _principal(request),
            org_id,
            mode=data.mode,
            role=data.role,
            note=data.note,
            max_uses=data.max_uses,
            days=data.days,
        )
        return Response(_invitation(row, identity_of(request.app.state).secret), status_code=201)

    @get(
        "/orgs/{org_id:uuid}/invitations",
        opt={"permission": PROCESS_HANDLE},
        summary="组织的邀请",
        description="组织生成的邀请链接。",
        summary_en="An org's invitations",
        description_en="The invitation links an org made.",
    )
    async def list_invitations(
        self, request: Request[Any, Any, State], org_id: Annotated[UUID, PathParameter()], page: PageParam
    ) -> Page[S.Invitation]:
        from core.kernel.access import within
        from core.orgs.tables import Org

        org = await Org.select(Org.path).where(Org.id == org_id).first().run()
        if org is None or not within(org["path"], _principal(request).reach(PROCESS_HANDLE)):
            raise Problem("not-found")
        rows, cursor = await paginate(
            Invitation.select().where(Invitation.org == org_id),
            [Invitation.created_at, Invitation.id],
            page,
            descending=True,
        )
        return Page(items=[_invitation(r) for r in rows], next_cursor=cursor)

    @post(
        "/invitations/{invitation_id:uuid}/revocation",
        opt={"permission": PROCESS_HANDLE},
        status_code=200,
        summary="撤销邀请",
        description="撤销邀请，之后无法再使用。",
        summary_en="Revoke an invitation",
        description_en="Revokes an invitation; it no longer works.",
    )
    async def revoke_invitation(
        self, request: Request[Any, Any, State], invitation_id: Annotated[UUID, PathParameter()]
    ) -> S.Invitation:
        return _invitation(await invitations.revoke(request.app.state.db, _principal(request), invitation_id))

    @post(
        "/invitations/lookup",
        opt=SELF,
        status_code=200,
        summary="查看邀请（用于预填申请）",
        description="凭邀请码查看邀请的组织，用于预填申请。",
        summary_en="Preview an invitation (to prefill an application)",
        description_en="Shows the org an invitation code names, to prefill an application.",
    )
    async def preview_invitation(
        self, request: Request[Any, Any, State], data: JSONBody[S.InvitationToken]
    ) -> S.InvitationPreview:
        row = await invitations.by_token(identity_of(request.app.state).secret, data.token)
        return S.InvitationPreview(
            org_id=row["org"],
            org_name=row["org_name"],
            org_kind=row["org_kind"],
            mode=row["mode"],
            role=row["role"],
            note=row["note"],
            expires_at=machine.utc(row["expires_at"]),  # type: ignore[arg-type]
            process_type="core.join" if row["mode"] == "apply" else None,
        )

    @post(
        "/invitations/acceptance",
        opt=SELF,
        summary="接受邀请（提交申请或直接加入）",
        description="凭邀请码加入组织，或提交入会申请。",
        summary_en="Accept an invitation (apply or join)",
        description_en="Joins the org with an invitation code, or applies to join.",
    )
    async def accept_invitation(
        self, request: Request[Any, Any, State], data: JSONBody[S.InvitationAccept]
    ) -> Response[S.InvitationUsed]:
        _person(request)
        out = await invitations.accept(
            request.app.state.db,
            _env(request),
            _principal(request),
            data.token,
            identity_of(request.app.state).secret,
            data.statement,
        )
        return Response(S.InvitationUsed(**out), status_code=201)


ROUTES = [SelfServiceController, InvitationController, AccountResetController]
__all__ = ["ROUTES", "AccountResetController", "InvitationController", "SelfServiceController"]
