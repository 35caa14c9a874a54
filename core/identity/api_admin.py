"""Administration routes: accounts, roles, grants, posts (职务), API clients and the audit log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core.identity import audit, custody, persons
from core.identity.auth import revoke_sessions
from core.identity.authz_cache import authority_changed
from core.identity.builtin_roles import role_permissions
from core.identity.passwords import check_strength, hash_password
from core.identity.permissions import (
    ACCOUNT_MANAGE,
    CLIENT_MANAGE,
    GRANT_MANAGE,
    PERSON_READ,
    POST_MANAGE,
    ROLE_MANAGE,
)
from core.identity.problems import DUPLICATE, ROLE_BUILTIN, ROLE_CODE_RESERVED
from core.identity.rules import (
    PLATFORM,
    require_no_escalation,
    require_outranks,
    require_platform,
)
from core.identity.schemas import (
    AccountCreate,
    AccountOut,
    ClientCreate,
    ClientOut,
    ClientSecretOut,
    ClientSecretRotation,
    GrantCreate,
    GrantOut,
    PostCreate,
    PostOut,
    PostUpdate,
    RoleCreate,
    RoleOut,
    RoleUpdate,
)
from core.identity.signals import (
    GRANT_CREATED,
    GRANT_REVOKED,
    POST_CREATED,
    POST_UPDATED,
    GrantChanged,
    PostChanged,
)
from core.identity.tables import Account, ApiClient, ApiClientSecret, Grant, Person, Post, Role
from core.identity.tokens import hash_secret, new_secret
from core.integration.signals import emit
from core.kernel.access import reach_clause
from core.kernel.errors import Problem
from core.kernel.i18n import Text
from core.kernel.pagination import Page, PageParam, paginate


def _tz(request: Request[Any, Any, Any]) -> str:
    return str(request.app.state.settings.timezone)


def _check_permissions(request: Request[Any, Any, Any], codes: list[str], pointer: str) -> None:
    known = request.app.state.registry.permissions
    bad = [(f"{pointer}/{i}", "enum") for i, code in enumerate(codes) if code not in known]
    if bad:
        raise Problem.invalid(*bad)


# --- accounts -----------------------------------------------------------------------------------------


def _account_out(row: dict[str, Any]) -> AccountOut:
    return AccountOut(
        id=row["id"],
        username=row["username"],
        person=row["person"],
        status=row["status"],
        last_login_at=row["last_login_at"],
        created_at=row["created_at"],
    )


_ACCOUNT_COLUMNS = (
    Account.id,
    Account.username,
    Account.person,
    Account.status,
    Account.last_login_at,
    Account.created_at,
)


class AccountController(Controller):
    path = "/accounts"
    tags = ["accounts"]  # noqa: RUF012 - Litestar reads it from the class

    def _visible(self, request: Request[Any, Any, Any]) -> Any | None:
        reaches = request.user.reach(ACCOUNT_MANAGE)
        if PLATFORM in reaches:
            return Account.id.is_not_null()  # accounts without a person too
        clause = persons.visible(reaches, persons.today(_tz(request)))
        if clause is None:
            return None
        return Account.person.is_in(Person.select(Person.id).where(clause))

    async def _find_in_custody(self, request: Request[Any, Any, Any], account_id: UUID) -> dict[str, Any]:
        """The account when the caller may act on it: its person visible (else 404), their file kept
        within reach and the caller holding everything the account holds (else 403)."""
        row = await self._find(request, account_id)
        custody.require_custody(request.user, ACCOUNT_MANAGE, await custody.home_path_of(row["person"]))
        authority = await custody.authority_of_account(account_id, row["person"], persons.today(_tz(request)))
        require_outranks(request.user, authority)
        return row

    @get(
        "/",
        opt={"permission": ACCOUNT_MANAGE},
        summary="账号列表",
        description="权限范围内人员的账号。",
        summary_en="Accounts of persons within reach",
        description_en="The accounts of persons within reach.",
    )
    async def list_accounts(self, request: Request[Any, Any, Any], page: PageParam) -> Page[AccountOut]:
        clause = self._visible(request)
        if clause is None:
            return Page(items=[])
        rows, cursor = await paginate(Account.select(*_ACCOUNT_COLUMNS).where(clause), [Account.id], page)
        return Page(items=[_account_out(r) for r in rows], next_cursor=cursor)

    async def _find(self, request: Request[Any, Any, Any], account_id: UUID) -> dict[str, Any]:
        clause = self._visible(request)
        row = None
        if clause is not None:
            row = (
                await Account.select(*_ACCOUNT_COLUMNS)
                .where((Account.id == account_id) & clause)
                .first()
                .run()
            )
        if row is None:
            raise Problem("not-found")
        return row

    @get(
        "/{account_id:uuid}",
        opt={"permission": ACCOUNT_MANAGE},
        summary="账号详情",
        description="一个账号及其状态。",
        summary_en="One account",
        description_en="One account and its state.",
    )
    async def get_account(self, request: Request[Any, Any, Any], account_id: FromPath[UUID]) -> AccountOut:
        return _account_out(await self._find(request, account_id))

    @post(
        "/",
        opt={"permission": ACCOUNT_MANAGE},
        summary="为人员开通账号",
        description=(
            "人员对调用方不可见时 404；其档案所在组织不在调用方范围内，"
            "或调用方不具备该人员已有或将有的全部权限时 403（不能给上级开账号）。"
        ),
        summary_en="Give a person whose file the caller's orgs keep a login",
        description_en=(
            "404 unless the person is visible to the caller; 403 unless their home org (the org keeping "
            "their file) is within the caller's reach and the caller holds every permission the person "
            "holds or will hold through their posts (nobody gives a login to someone above them)."
        ),
    )
    async def create_account(
        self, request: Request[Any, Any, Any], data: JSONBody[AccountCreate]
    ) -> AccountOut:
        person = await persons.find_visible(request.user, ACCOUNT_MANAGE, data.person, _tz(request))
        custody.require_custody(request.user, ACCOUNT_MANAGE, person["home_org.path"])
        require_outranks(
            request.user, await custody.authority_of_person(data.person, persons.today(_tz(request)))
        )
        await check_strength(
            data.password,
            (data.username, person.get("name") or ""),
            min_score=request.app.state.settings.password_min_score,
            pointer="/password",
        )
        password_hash = await hash_password(data.password)
        account_id = uuid.uuid4()
        async with request.app.state.db.transaction():
            taken = (
                await Account.exists()
                .where((Account.username == data.username.lower()) | (Account.person == data.person))
                .run()
            )
            if taken:
                raise Problem(DUPLICATE, what=Text(zh_hans="账号", zh_hant="帳號", en="account"))
            await Account.insert(
                Account(
                    id=account_id,
                    username=data.username.lower(),
                    person=data.person,
                    password_hash=password_hash,
                )
            ).run()
            await audit.record(
                "account.created",
                resource_type="account",
                resource_id=account_id,
                org_path=person["home_org.path"],
                org_paths=await audit.paths_of_persons([data.person]),
                changes={"person": str(data.person), "username": data.username.lower()},
            )
        return await self.get_account.fn(self, request, account_id)  # type: ignore[no-any-return]

    @post(
        "/{account_id:uuid}/disable",
        opt={"permission": ACCOUNT_MANAGE},
        status_code=200,
        summary="停用账号并结束其会话",
        description="须保管该账号人员的档案并持有该账号的全部权限（否则 403）。",
        summary_en="Disable an account and end its sessions",
        description_en="Needs custody of the account's person and every permission the account holds (403).",
    )
    async def disable_account(
        self, request: Request[Any, Any, Any], account_id: FromPath[UUID]
    ) -> AccountOut:
        row = await self._find_in_custody(request, account_id)
        async with request.app.state.db.transaction():
            await Account.update({Account.status: "disabled"}).where(Account.id == account_id).run()
            await revoke_sessions(account_id)
            await audit.record(
                "account.disabled",
                resource_type="account",
                resource_id=account_id,
                org_path=await custody.home_path_of(row["person"]),
                org_paths=await audit.paths_of_holder(account=account_id),
                changes={"status": "disabled"},
            )
        return _account_out(await self._find(request, account_id))

    @post(
        "/{account_id:uuid}/enable",
        opt={"permission": ACCOUNT_MANAGE},
        status_code=200,
        summary="启用已停用的账号",
        description="须保管该账号人员的档案并持有该账号的全部权限（否则 403）。",
        summary_en="Enable a disabled account",
        description_en="Needs custody of the account's person and every permission the account holds (403).",
    )
    async def enable_account(self, request: Request[Any, Any, Any], account_id: FromPath[UUID]) -> AccountOut:
        row = await self._find_in_custody(request, account_id)
        async with request.app.state.db.transaction():
            await Account.update({Account.status: "active"}).where(Account.id == account_id).run()
            await authority_changed()
            await audit.record(
                "account.enabled",
                resource_type="account",
                resource_id=account_id,
                org_path=await custody.home_path_of(row["person"]),
                org_paths=await audit.paths_of_holder(account=account_id),
                changes={"status": "active"},
            )
        return _account_out(await self._find(request, account_id))


# --- roles --------------------------------------------------------------------------------------------


def _role_out(request: Request[Any, Any, Any], row: dict[str, Any] | None) -> RoleOut:
    if row is None:
        raise Problem("not-found")
    return RoleOut(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        permissions=role_permissions(row["permissions"]),
        builtin_of=request.app.state.registry.role_owner(row["code"]),
    )


async def _changeable_role(request: Request[Any, Any, Any], role_id: UUID) -> None:
    """404 for an unknown role, 409 for a built-in one (its plugin owns it)."""
    row = await Role.select(Role.code).where(Role.id == role_id).first().run()
    if row is None:
        raise Problem("not-found")
    if owner := request.app.state.registry.role_owner(row["code"]):
        raise Problem(ROLE_BUILTIN, plugin=owner)


class RoleController(Controller):
    """Roles are platform-wide; changing them needs ``core.role.manage`` on the whole platform."""

    path = "/roles"
    tags = ["access"]  # noqa: RUF012 - Litestar reads it from the class

    @get(
        "/",
        opt={"permission": GRANT_MANAGE},
        summary="可授予的角色",
        description="可以授予的角色及其权限。",
        summary_en="Roles that can be granted",
        description_en="The roles that can be granted, with their permissions.",
    )
    async def list_roles(self, request: Request[Any, Any, Any], page: PageParam) -> Page[RoleOut]:
        rows, cursor = await paginate(Role.select(), [Role.id], page)
        return Page(items=[_role_out(request, r) for r in rows], next_cursor=cursor)

    @post(
        "/",
        opt={"permission": ROLE_MANAGE},
        summary="定义角色",
        description="用权限组合定义一个角色。",
        summary_en="Define a role",
        description_en="Defines a role as a set of permissions.",
    )
    async def create_role(self, request: Request[Any, Any, Any], data: JSONBody[RoleCreate]) -> RoleOut:
        require_platform(request.user, ROLE_MANAGE)
        _check_permissions(request, data.permissions, "/permissions")
        prefix = data.code.split(".", 1)[0]
        if "." in data.code and prefix in request.app.state.registry.declarations:
            raise Problem(ROLE_CODE_RESERVED, prefix=prefix)
        role_id = uuid.uuid4()
        async with request.app.state.db.transaction():
            if await Role.exists().where(Role.code == data.code).run():
                raise Problem(DUPLICATE, what=Text(zh_hans="代码", zh_hant="代碼", en="code"))
            await Role.insert(
                Role(id=role_id, code=data.code, name=data.name, permissions=sorted(set(data.permissions)))
            ).run()
            await audit.record(
                "role.created",
                resource_type="role",
                resource_id=role_id,
                changes={"code": data.code, "permissions": sorted(set(data.permissions))},
            )
        return _role_out(request, await Role.select().where(Role.id == role_id).first().run())

    @patch(
        "/{role_id:uuid}",
        opt={"permission": ROLE_MANAGE},
        summary="修改角色名称或权限",
        description="修改角色的名称或权限。",
        summary_en="Rename a role or change its permissions",
        description_en="Renames a role or changes its permissions.",
    )
    async def update_role(
        self, request: Request[Any, Any, Any], role_id: FromPath[UUID], data: JSONBody[RoleUpdate]
    ) -> RoleOut:
        require_platform(request.user, ROLE_MANAGE)
        changes: dict[Any, Any] = {Role.updated_at: datetime.now(UTC)}
        logged: dict[str, Any] = {}
        if data.name is not msgspec.UNSET:
            changes[Role.name] = logged["name"] = data.name
        if data.permissions is not msgspec.UNSET:
            _check_permissions(request, data.permissions, "/permissions")
            changes[Role.permissions] = logged["permissions"] = sorted(set(data.permissions))
        async with request.app.state.db.transaction():
            await _changeable_role(request, role_id)
            await Role.update(changes).where(Role.id == role_id).run()
            await authority_changed()
            await audit.record("role.updated", resource_type="role", resource_id=role_id, changes=logged)
        return _role_out(request, await Role.select().where(Role.id == role_id).first().run())

    @delete(
        "/{role_id:uuid}",
        opt={"permission": ROLE_MANAGE},
        summary="删除角色及其授权",
        description="删除角色，基于它的授权一并撤销。",
        summary_en="Delete a role and its grants",
        description_en="Deletes the role; its grants are revoked with it.",
    )
    async def delete_role(self, request: Request[Any, Any, Any], role_id: FromPath[UUID]) -> None:
        require_platform(request.user, ROLE_MANAGE)
        async with request.app.state.db.transaction():
            await _changeable_role(request, role_id)
            await Grant.delete().where(Grant.role == role_id).run()
            await Role.delete().where(Role.id == role_id).run()
            await authority_changed()
            await audit.record("role.deleted", resource_type="role", resource_id=role_id)


# --- grants -------------------------------------------------------------------------------------------


def _grant_out(row: dict[str, Any] | None) -> GrantOut:
    if row is None:
        raise Problem("not-found")
    return GrantOut(
        id=row["id"],
        role=row["role"],
        org=row["org"],
        subtree=row["subtree"],
        account=row["account"],
        client=row["client"],
        post=row["post"],
        created_at=row["created_at"],
    )


_GRANT_COLUMNS = (
    Grant.id,
    Grant.role,
    Grant.org,
    Grant.subtree,
    Grant.account,
    Grant.client,
    Grant.post,
    Grant.created_at,
    Grant.org.path,
    Grant.role.permissions,
)


async def _account_in_custody(principal: Any, account_id: UUID) -> bool:
    """Whether the account exists and its person's file is kept within the caller's grant reach (an
    account without a person: platform-wide holders only). Outside, the account is as good as absent."""
    row = await Account.select(Account.person).where(Account.id == account_id).first().run()
    if row is None:
        return False
    return custody.in_custody(principal, GRANT_MANAGE, await custody.home_path_of(row["person"]))


class GrantController(Controller):
    path = "/grants"
    tags = ["access"]  # noqa: RUF012 - Litestar reads it from the class

    @get(
        "/",
        opt={"permission": GRANT_MANAGE},
        summary="授权列表",
        description="权限范围内组织上的授权。",
        summary_en="Grants on orgs within reach",
        description_en="The grants on orgs within reach.",
    )
    async def list_grants(
        self,
        request: Request[Any, Any, Any],
        page: PageParam,
        account: Annotated[UUID | None, QueryParameter(description="Only grants to this account.")] = None,
    ) -> Page[GrantOut]:
        clause = reach_clause(Grant.org.path, request.user.reach(GRANT_MANAGE))
        if clause is None:
            return Page(items=[])
        query = Grant.select(*_GRANT_COLUMNS).where(clause)
        if account is not None:
            query = query.where(Grant.account == account)
        rows, cursor = await paginate(query, [Grant.id], page)
        return Page(items=[_grant_out(r) for r in rows], next_cursor=cursor)

    @post(
        "/",
        opt={"permission": GRANT_MANAGE},
        summary="在组织（或其下级）上授予角色",
        description=(
            "被授权者须在调用方的管理范围内（其档案由调用方组织保管的账号、全部授权都在范围内的 API 客户端、"
            "范围内组织的职务），否则 404。向 API 客户端授权还须调用方持有该客户端的全部权限（403）。"
        ),
        summary_en="Give a role on an org (or its subtree)",
        description_en=(
            "The holder must be within the caller's custody — an account whose person's file the caller's "
            "orgs keep, an API client whose every grant lies within the caller's reach, a post in an org "
            "within reach — else 404, as for a holder that does not exist. Granting to an API client also "
            "needs every permission the client holds already (403)."
        ),
    )
    async def create_grant(self, request: Request[Any, Any, Any], data: JSONBody[GrantCreate]) -> GrantOut:
        principal = request.user
        holders = [h for h in (data.account, data.client, data.post) if h is not None]
        if len(holders) != 1:
            raise Problem.invalid(("/account", "invalid"))
        org = await persons.org_in_reach(principal, GRANT_MANAGE, data.org)
        role = await Role.select().where(Role.id == data.role).first().run()
        if role is None:
            raise Problem("not-found")
        require_no_escalation(
            principal, [GRANT_MANAGE, *role_permissions(role["permissions"])], org["path"], data.subtree
        )
        if data.account is not None and not await _account_in_custody(principal, data.account):
            raise Problem("not-found")  # as for an account that does not exist
        if data.client is not None:
            if not await custody.client_in_custody(principal, GRANT_MANAGE, data.client):
                raise Problem("not-found")
            # Whoever holds the client's secret acts with all it holds: only its equal adds to it.
            require_outranks(principal, await custody.authority_of_client(data.client))
        if data.post is not None:
            await _post_in_reach(request, data.post, POST_MANAGE)
        grant_id = uuid.uuid4()
        async with request.app.state.db.transaction():
            await Grant.insert(
                Grant(
                    id=grant_id,
                    role=data.role,
                    org=data.org,
                    subtree=data.subtree,
                    account=data.account,
                    client=data.client,
                    post=data.post,
                    created_by=str(principal.id),
                )
            ).run()
            await authority_changed()
            await audit.record(
                "grant.created",
                resource_type="grant",
                resource_id=grant_id,
                org_path=org["path"],
                org_paths=await audit.paths_of_holder(account=data.account, post=data.post),
                changes=msgspec.to_builtins(data),
            )
            await emit(
                GRANT_CREATED,
                GrantChanged(grant_id=grant_id, role_id=data.role, org_id=data.org, subtree=data.subtree),
                resource_type="grant",
                resource_id=grant_id,
                org_path=org["path"],
            )
        row = await Grant.select(*_GRANT_COLUMNS).where(Grant.id == grant_id).first().run()
        return _grant_out(row)

    @delete(
        "/{grant_id:uuid}",
        opt={"permission": GRANT_MANAGE},
        summary="撤销授权",
        description="撤销一项授权。",
        summary_en="Revoke a grant",
        description_en="Revokes a grant.",
    )
    async def revoke_grant(self, request: Request[Any, Any, Any], grant_id: FromPath[UUID]) -> None:
        clause = reach_clause(Grant.org.path, request.user.reach(GRANT_MANAGE))
        row = None
        if clause is not None:
            row = await Grant.select(*_GRANT_COLUMNS).where((Grant.id == grant_id) & clause).first().run()
        if row is None:
            raise Problem("not-found")
        async with request.app.state.db.transaction():
            await Grant.delete().where(Grant.id == grant_id).run()
            await authority_changed()
            await audit.record(
                "grant.revoked",
                resource_type="grant",
                resource_id=grant_id,
                org_path=row["org.path"],
                org_paths=await audit.paths_of_holder(account=row["account"], post=row["post"]),
            )
            await emit(
                GRANT_REVOKED,
                GrantChanged(
                    grant_id=grant_id, role_id=row["role"], org_id=row["org"], subtree=row["subtree"]
                ),
                resource_type="grant",
                resource_id=grant_id,
                org_path=row["org.path"],
            )


# --- posts --------------------------------------------------------------------------------------------


def _post_out(row: dict[str, Any]) -> PostOut:
    return PostOut(
        id=row["id"],
        person=row["person"],
        org=row["org"],
        title=row["title"],
        start_date=row["start_date"],
        end_date=row["end_date"],
    )


_POST_COLUMNS = (Post.id, Post.person, Post.org, Post.title, Post.start_date, Post.end_date, Post.org.path)


async def _post_in_reach(request: Request[Any, Any, Any], post_id: UUID, permission: str) -> dict[str, Any]:
    clause = reach_clause(Post.org.path, request.user.reach(permission))
    row = None
    if clause is not None:
        row = await Post.select(*_POST_COLUMNS).where((Post.id == post_id) & clause).first().run()
    if row is None:
        raise Problem("not-found")
    return row


class PostController(Controller):
    path = "/posts"
    tags = ["access"]  # noqa: RUF012 - Litestar reads it from the class

    @get(
        "/",
        opt={"permission": PERSON_READ},
        summary="职务列表",
        description="权限范围内组织中的职务。",
        summary_en="Posts in orgs within reach",
        description_en="The posts in orgs within reach.",
    )
    async def list_posts(
        self,
        request: Request[Any, Any, Any],
        page: PageParam,
        person: Annotated[UUID | None, QueryParameter(description="Only this person's posts.")] = None,
    ) -> Page[PostOut]:
        clause = reach_clause(Post.org.path, request.user.reach(PERSON_READ))
        if clause is None:
            return Page(items=[])
        query = Post.select(*_POST_COLUMNS).where(clause)
        if person is not None:
            query = query.where(Post.person == person)
        rows, cursor = await paginate(query, [Post.id], page)
        return Page(items=[_post_out(r) for r in rows], next_cursor=cursor)

    @get(
        "/{post_id:uuid}",
        opt={"permission": PERSON_READ},
        summary="职务详情",
        description="一个职务。",
        summary_en="One post",
        description_en="One post.",
    )
    async def get_post(self, request: Request[Any, Any, Any], post_id: FromPath[UUID]) -> PostOut:
        return _post_out(await _post_in_reach(request, post_id, PERSON_READ))

    @post(
        "/",
        opt={"permission": POST_MANAGE},
        summary="任命职务",
        description="任命人员在范围内的组织担任职务。",
        summary_en="Appoint a person to a post in an org within reach",
        description_en="Appoints a person to a post in an org within reach.",
    )
    async def create_post(self, request: Request[Any, Any, Any], data: JSONBody[PostCreate]) -> PostOut:
        org = await persons.org_in_reach(request.user, POST_MANAGE, data.org)
        await persons.find_visible(request.user, PERSON_READ, data.person, _tz(request))
        if data.end_date is not None and data.end_date < data.start_date:
            raise Problem.invalid(("/end_date", "too_small"))
        post_id = uuid.uuid4()
        async with request.app.state.db.transaction():
            await Post.insert(
                Post(
                    id=post_id,
                    person=data.person,
                    org=data.org,
                    title=data.title,
                    start_date=data.start_date,
                    end_date=data.end_date,
                )
            ).run()
            await authority_changed()
            await audit.record(
                "post.created",
                resource_type="post",
                resource_id=post_id,
                org_path=org["path"],
                org_paths=await audit.paths_of_persons([data.person]),
                changes=msgspec.to_builtins(data),
            )
            await emit(
                POST_CREATED,
                PostChanged(post_id=post_id, person_id=data.person, org_id=data.org),
                resource_type="post",
                resource_id=post_id,
                org_path=org["path"],
            )
        return _post_out(await _post_in_reach(request, post_id, POST_MANAGE))

    @patch(
        "/{post_id:uuid}",
        opt={"permission": POST_MANAGE},
        summary="修改或结束职务",
        description="修改职务名称或结束任职（其授权一并结束）。",
        summary_en="Retitle or end a post (its grants end with it)",
        description_en="Retitles or ends a post; its grants end with it.",
    )
    async def update_post(
        self, request: Request[Any, Any, Any], post_id: FromPath[UUID], data: JSONBody[PostUpdate]
    ) -> PostOut:
        row = await _post_in_reach(request, post_id, POST_MANAGE)
        changes: dict[Any, Any] = {Post.updated_at: datetime.now(UTC)}
        logged: dict[str, Any] = {}
        if data.title is not msgspec.UNSET:
            changes[Post.title] = logged["title"] = data.title
        if data.end_date is not msgspec.UNSET:
            if data.end_date is not None and data.end_date < row["start_date"]:
                raise Problem.invalid(("/end_date", "too_small"))
            changes[Post.end_date] = data.end_date
            logged["end_date"] = msgspec.to_builtins(data.end_date)
        async with request.app.state.db.transaction():
            await Post.update(changes).where(Post.id == post_id).run()
            await authority_changed()
            await audit.record(
                "post.updated",
                resource_type="post",
                resource_id=post_id,
                org_path=row["org.path"],
                org_paths=await audit.paths_of_persons([row["person"]]),
                changes=logged,
            )
            await emit(
                POST_UPDATED,
                PostChanged(post_id=post_id, person_id=row["person"], org_id=row["org"]),
                resource_type="post",
                resource_id=post_id,
                org_path=row["org.path"],
            )
        return _post_out(await _post_in_reach(request, post_id, POST_MANAGE))


# --- API clients --------------------------------------------------------------------------------------


def _client_out(row: dict[str, Any]) -> ClientOut:
    return ClientOut(
        id=row["id"],
        name=row["name"],
        scopes=role_permissions(row["scopes"]),
        status=row["status"],
        last_used_at=row["last_used_at"],
        created_at=row["created_at"],
    )


class ClientController(Controller):
    """Integrators' clients are platform-wide; managing them needs ``core.client.manage`` everywhere."""

    path = "/clients"
    tags = ["access"]  # noqa: RUF012 - Litestar reads it from the class

    @get(
        "/",
        opt={"permission": CLIENT_MANAGE},
        summary="API 客户端",
        description="接入平台的 API 客户端。",
        summary_en="API clients",
        description_en="The API clients of integrators.",
    )
    async def list_clients(self, request: Request[Any, Any, Any], page: PageParam) -> Page[ClientOut]:
        require_platform(request.user, CLIENT_MANAGE)
        rows, cursor = await paginate(ApiClient.select(), [ApiClient.id], page)
        return Page(items=[_client_out(r) for r in rows], next_cursor=cursor)

    @get(
        "/{client_id:uuid}",
        opt={"permission": CLIENT_MANAGE},
        summary="API 客户端详情",
        description="一个 API 客户端。",
        summary_en="One API client",
        description_en="One API client.",
    )
    async def get_client(self, request: Request[Any, Any, Any], client_id: FromPath[UUID]) -> ClientOut:
        require_platform(request.user, CLIENT_MANAGE)
        row = await ApiClient.select().where(ApiClient.id == client_id).first().run()
        if row is None:
            raise Problem("not-found")
        return _client_out(row)

    @post(
        "/",
        opt={"permission": CLIENT_MANAGE},
        summary="注册 API 客户端",
        description="注册 API 客户端（client credentials）；密钥只在此返回一次。",
        summary_en="Register an API client; the secret is shown once",
        description_en="Registers an API client (client credentials); the secret is shown only in this answer.",
    )
    async def create_client(
        self, request: Request[Any, Any, Any], data: JSONBody[ClientCreate]
    ) -> ClientSecretOut:
        require_platform(request.user, CLIENT_MANAGE)
        _check_permissions(request, data.scopes, "/scopes")
        client_id, secret = uuid.uuid4(), new_secret()
        async with request.app.state.db.transaction():
            await ApiClient.insert(
                ApiClient(id=client_id, name=data.name, scopes=sorted(set(data.scopes)))
            ).run()
            await ApiClientSecret.insert(
                ApiClientSecret(client=client_id, secret_hash=hash_secret(secret))
            ).run()
            await audit.record(
                "client.created",
                resource_type="api_client",
                resource_id=client_id,
                changes={"name": data.name, "scopes": sorted(set(data.scopes))},
            )
        return ClientSecretOut(client_id=client_id, client_secret=secret)

    @post(
        "/{client_id:uuid}/secrets",
        opt={"permission": CLIENT_MANAGE},
        summary="轮换客户端密钥（新旧重叠）",
        description="持有新密钥即可代表该客户端：调用方须持有该客户端的全部权限，否则 403。",
        summary_en="Rotate the secret, old ones overlapping",
        description_en=(
            "Whoever holds the new secret acts as the client: 403 unless the caller holds every permission "
            "the client holds."
        ),
    )
    async def rotate_client_secret(
        self, request: Request[Any, Any, Any], client_id: FromPath[UUID], data: JSONBody[ClientSecretRotation]
    ) -> ClientSecretOut:
        require_platform(request.user, CLIENT_MANAGE)
        require_outranks(request.user, await custody.authority_of_client(client_id))
        secret = new_secret()
        until = datetime.now(UTC) + timedelta(seconds=data.overlap_seconds)
        async with request.app.state.db.transaction():
            if not await ApiClient.exists().where(ApiClient.id == client_id).run():
                raise Problem("not-found")
            await (
                ApiClientSecret.update({ApiClientSecret.expires_at: until})
                .where(
                    (ApiClientSecret.client == client_id)
                    & (ApiClientSecret.expires_at.is_null() | (ApiClientSecret.expires_at > until))
                )
                .run()
            )
            await ApiClientSecret.insert(
                ApiClientSecret(client=client_id, secret_hash=hash_secret(secret))
            ).run()
            await audit.record(
                "client.secret_rotated",
                resource_type="api_client",
                resource_id=client_id,
                changes={"overlap_seconds": data.overlap_seconds},
            )
        return ClientSecretOut(client_id=client_id, client_secret=secret, previous_expire_at=until)

    @post(
        "/{client_id:uuid}/disable",
        opt={"permission": CLIENT_MANAGE},
        status_code=200,
        summary="停用 API 客户端",
        description="调用方须持有该客户端的全部权限，否则 403。",
        summary_en="Disable an API client",
        description_en="403 unless the caller holds every permission the client holds.",
    )
    async def disable_client(self, request: Request[Any, Any, Any], client_id: FromPath[UUID]) -> ClientOut:
        require_platform(request.user, CLIENT_MANAGE)
        require_outranks(request.user, await custody.authority_of_client(client_id))
        async with request.app.state.db.transaction():
            if not await ApiClient.exists().where(ApiClient.id == client_id).run():
                raise Problem("not-found")
            await ApiClient.update({ApiClient.status: "disabled"}).where(ApiClient.id == client_id).run()
            await authority_changed()
            await audit.record(
                "client.disabled",
                resource_type="api_client",
                resource_id=client_id,
                changes={"status": "disabled"},
            )
        return await self.get_client.fn(self, request, client_id)  # type: ignore[no-any-return]
