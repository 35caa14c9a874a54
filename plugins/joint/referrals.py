"""``/api/v1/joint/referral-rules`` and ``/api/v1/joint/referrals``: which org kind should serve a
request or case of a type, per region, and the org that a request arising at an org goes to.

A rule of a region (an org's subtree) names an org kind (``union.grassroots``) or all kinds of a plugin
(``union.*``). The nearest region above the org that has a rule for the type decides; without one, the
platform's defaults below apply (wage arrears → union, domestic violence → women's federation, a minor's
case → League, a disabled person's need → 残联). The target org is found walking up from the org: the
first org on the way of a matching kind, or of a matching kind directly beneath it (the county union
federation beside the county Party committee). A type whose target no installed plugin declares is
answered ``joint-no-owner``: nothing is routed to an organization that is not on the platform.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core.sdk import (
    Org,
    Principal,
    Problem,
    Text,
    emit,
    kind_owners,
    record_audit,
    transaction,
    within,
)
from plugins.joint import permissions as perm
from plugins.joint import schemas as S
from plugins.joint import signals as sig
from plugins.joint.common import IfMatch, check_if_match, org_in_reach, principal, tagged
from plugins.joint.problems import NO_OWNER, NO_RULE, NO_TARGET_ORG, RULE_EXISTS, UNKNOWN_TARGET
from plugins.joint.tables import JointReferralRule

Req = Request[Any, Any, Any]


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


#: The platform's default rules: request type → (name, target).
DEFAULTS: dict[str, tuple[Text, str]] = {
    "wage_arrears": (_t("欠薪讨薪", "欠薪討薪", "Wage arrears"), "union.*"),
    "labour_dispute": (_t("劳动争议", "勞動爭議", "Labour dispute"), "union.*"),
    "worker_hardship": (_t("困难职工帮扶", "困難職工幫扶", "Worker in hardship"), "union.*"),
    "domestic_violence": (_t("家庭暴力", "家庭暴力", "Domestic violence"), "women.*"),
    "women_rights": (_t("妇女权益", "婦女權益", "Women's rights"), "women.*"),
    "family_dispute": (_t("婚姻家庭纠纷", "婚姻家庭糾紛", "Marriage and family dispute"), "women.*"),
    "minor_protection": (_t("未成年人保护", "未成年人保護", "A minor's case"), "youth.*"),
    "youth_employment": (_t("青年就业创业", "青年就業創業", "Youth employment"), "youth.*"),
    "disability_need": (_t("残疾人需求", "殘疾人需求", "A disabled person's need"), "disabled.*"),
    "science_outreach": (_t("科普需求", "科普需求", "Science outreach"), "scitech.*"),
}
DEFAULT_RULE = uuid.UUID(int=0)


def matches(target: str, kind: str) -> bool:
    return kind.startswith(target[:-1]) if target.endswith(".*") else kind == target


def installed(state: Any, target: str) -> bool:
    return any(matches(target, kind) for kind in kind_owners(state))


def _valid_target(target: str) -> bool:
    head = target[:-2] if target.endswith(".*") else target
    return "." in target and all(
        part and part.replace("_", "").isalnum() and part.isascii() for part in head.split(".")
    )


def to_rule(state: Any, row: dict[str, Any]) -> S.JointRule:
    return S.JointRule(
        id=row["id"],
        region_id=row["region"],
        request_type=row["request_type"],
        target=row["target"],
        note=row["note"],
        installed=installed(state, row["target"]),
        version=row["version"],
    )


async def _rule(rule_id: uuid.UUID, caller: Principal, permission: str) -> dict[str, Any]:
    row = await JointReferralRule.select().where(JointReferralRule.id == rule_id).first().run()
    if row is None or not within(row["region_path"], caller.reach(permission)):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


async def ancestors(org_id: uuid.UUID) -> list[dict[str, Any]]:
    """The org and its ancestors, nearest first."""
    chain: list[dict[str, Any]] = []
    current: uuid.UUID | None = org_id
    while current is not None and len(chain) < 64:
        row = (
            await Org.select(Org.id, Org.parent, Org.path, Org.kind, Org.name, Org.status)
            .where(Org.id == current)
            .first()
            .run()
        )
        if row is None:
            break
        chain.append(row)
        current = row["parent"]
    return chain


def _kind_clause(target: str) -> Any:
    return Org.kind.like(target[:-1] + "%") if target.endswith(".*") else Org.kind == target


async def route(state: Any, org_id: uuid.UUID, request_type: str) -> S.JointRoute:
    """Where a request of ``request_type`` arising at ``org_id`` goes (Problems when nowhere)."""
    chain = await ancestors(org_id)
    rows = (
        await JointReferralRule.select()
        .where(
            (JointReferralRule.request_type == request_type)
            & JointReferralRule.region.is_in([o["id"] for o in chain] or [uuid.uuid4()])
        )
        .run()
    )
    by_region = {r["region"]: r for r in rows}
    rule = next((by_region[o["id"]] for o in chain if o["id"] in by_region), None)
    if rule is not None:
        target, rule_id, region = rule["target"], rule["id"], rule["region"]
    elif request_type in DEFAULTS:
        target, rule_id, region = DEFAULTS[request_type][1], DEFAULT_RULE, chain[-1]["id"]
    else:
        raise Problem(NO_RULE, request_type=request_type)
    if not installed(state, target):
        raise Problem(NO_OWNER, request_type=request_type, target=target)
    found = None
    for org in chain:
        if org["status"] == "active" and matches(target, org["kind"]):
            found = org
            break
        found = (
            await Org.select(Org.id, Org.name, Org.kind)
            .where((Org.parent == org["id"]) & (Org.status == "active") & _kind_clause(target))
            .order_by(Org.name)
            .first()
            .run()
        )
        if found is not None:
            break
    if found is None:
        raise Problem(NO_TARGET_ORG, request_type=request_type, target=target)
    owners = kind_owners(state)
    return S.JointRoute(
        request_type=request_type,
        rule_id=rule_id,
        region_id=region,
        target=target,
        plugin=owners.get(found["kind"], found["kind"].split(".", 1)[0]),
        org_id=found["id"],
        org_name=found["name"],
        org_kind=found["kind"],
    )


class ReferralController(Controller):
    path = "/"
    tags = ["joint"]  # noqa: RUF012

    @get(
        "/request-types",
        opt={"permission": perm.REFERRAL_READ},
        summary="诉求类型",
        description="平台默认的诉求（案件）类型及其默认承办组织类型，并说明其插件是否已安装。",
        summary_en="Request types",
        description_en="The platform's default request (case) types with the org kind each goes to by "
        "default, and whether that plugin is installed.",
    )
    async def list_request_types(self, request: Req) -> list[S.JointRequestType]:
        state = request.app.state
        return [
            S.JointRequestType(
                code=code, name=name.as_dict(), default_target=target, installed=installed(state, target)
            )
            for code, (name, target) in DEFAULTS.items()
        ]

    @get(
        "/referral-rules",
        opt={"permission": perm.REFERRAL_READ},
        summary="转办规则",
        description="调用者权限范围内各区域的转办规则；region_id 只列该区域自身的规则。",
        summary_en="Referral rules",
        description_en="The referral rules of the regions within the caller's reach; region_id lists "
        "only that region's own rules.",
    )
    async def list_rules(
        self,
        request: Req,
        region_id: Annotated[uuid.UUID | None, QueryParameter(description="Only this region's rules")] = None,
    ) -> list[S.JointRule]:
        caller = principal(request)
        reaches = caller.reach(perm.REFERRAL_READ)
        query = (
            JointReferralRule.select()
            .order_by(JointReferralRule.region_path)
            .order_by(JointReferralRule.request_type)
        )
        if region_id is not None:
            await org_in_reach(region_id, caller, perm.REFERRAL_READ)
            query = query.where(JointReferralRule.region == region_id)
        rows = [r for r in await query.run() if within(r["region_path"], reaches)]
        return [to_rule(request.app.state, r) for r in rows[:1000]]

    @post(
        "/referral-rules",
        opt={"permission": perm.REFERRAL_MANAGE},
        summary="设置转办规则",
        description="为一个区域（组织及其下级）设置某类诉求的承办组织类型（如 union.* 或 women.grassroots）；"
        "目标类型的插件未安装也可设置，转办时会明确答复。",
        summary_en="Set a referral rule",
        description_en="Sets which org kind (union.* or women.grassroots) serves a request type in a region "
        "(an org and its subtree); a target whose plugin is not installed may be set and is answered "
        "clearly when a request is routed.",
    )
    async def create_rule(self, request: Req, data: JSONBody[S.JointRuleIn]) -> Response[S.JointRule]:
        caller = principal(request)
        region = await org_in_reach(data.region_id, caller, perm.REFERRAL_MANAGE)
        if not _valid_target(data.target):
            raise Problem.invalid(("/target", UNKNOWN_TARGET))
        if (
            await JointReferralRule.exists()
            .where(
                (JointReferralRule.region == region["id"])
                & (JointReferralRule.request_type == data.request_type)
            )
            .run()
        ):
            raise Problem(RULE_EXISTS, request_type=data.request_type)
        moment = datetime.now(UTC)
        row = {
            "id": uuid.uuid4(),
            "region": region["id"],
            "region_path": region["path"],
            "request_type": data.request_type,
            "target": data.target,
            "note": data.note,
            "version": 1,
            "created_at": moment,
            "updated_at": moment,
        }
        async with transaction():
            await JointReferralRule.insert(JointReferralRule(**row)).run()
            await _recorded(row, "joint.referral_rule.set", sig.RULE_SET)
        return tagged(to_rule(request.app.state, row), 1, 201)

    @patch(
        "/referral-rules/{rule_id:uuid}",
        opt={"permission": perm.REFERRAL_MANAGE},
        summary="修改转办规则（须 If-Match）",
        description="修改转办规则的目标类型或说明；须带 If-Match。",
        summary_en="Change a referral rule (If-Match)",
        description_en="Changes a rule's target or note; needs If-Match.",
    )
    async def update_rule(
        self,
        request: Req,
        rule_id: FromPath[uuid.UUID],
        data: JSONBody[S.JointRuleUpdate],
        if_match: IfMatch = None,
    ) -> Response[S.JointRule]:
        row = await _rule(rule_id, principal(request), perm.REFERRAL_MANAGE)
        check_if_match(row, if_match)
        if data.target is not None and not _valid_target(data.target):
            raise Problem.invalid(("/target", UNKNOWN_TARGET))
        changes = {k: v for k, v in (("target", data.target), ("note", data.note)) if v is not None}
        if changes:
            async with transaction():
                updated = (
                    await JointReferralRule.update(
                        {**changes, "version": row["version"] + 1, "updated_at": datetime.now(UTC)}
                    )
                    .where((JointReferralRule.id == rule_id) & (JointReferralRule.version == row["version"]))
                    .returning(*JointReferralRule.all_columns())
                    .run()
                )
                if not updated:
                    raise Problem("joint-changed", version=row["version"] + 1)
                row = updated[0]
                await _recorded(row, "joint.referral_rule.set", sig.RULE_SET, changes)
        return tagged(to_rule(request.app.state, row), row["version"])

    @delete(
        "/referral-rules/{rule_id:uuid}",
        opt={"permission": perm.REFERRAL_MANAGE},
        status_code=204,
        summary="删除转办规则",
        description="删除一条转办规则；此后该区域的此类诉求按上级区域的规则或平台默认转办。",
        summary_en="Remove a referral rule",
        description_en="Removes a rule; the region's requests of that type then follow the rule of a "
        "region above or the platform's default.",
    )
    async def delete_rule(self, request: Req, rule_id: FromPath[uuid.UUID]) -> None:
        row = await _rule(rule_id, principal(request), perm.REFERRAL_MANAGE)
        async with transaction():
            await JointReferralRule.delete().where(JointReferralRule.id == rule_id).run()
            await _recorded(row, "joint.referral_rule.removed", sig.RULE_REMOVED)

    @get(
        "/referrals/route",
        opt={"permission": perm.REFERRAL_READ},
        summary="查找承办组织",
        description="给出一件诉求产生的组织（群众所在社区、消息中心的组织、对接系统的区域）和诉求类型，"
        "按最近区域的转办规则（或平台默认）找出应承办的组织；之后用 POST /api/v1/processes/{id}/referrals "
        "把诉求转过去。承办组织的插件未安装、没有规则或附近没有此类组织时答复明确的问题。",
        summary_en="Find the org to serve a request",
        description_en="Given the org where a request arose (the person's community, the inbox's org, an "
        "integrator's region) and its type, finds the org that should serve it by the nearest region's "
        "rule (or the platform's default); hand the request over with POST /api/v1/processes/{id}/referrals. "
        "Answers a clear problem when the target's plugin is not installed, no rule applies or no such "
        "org is near.",
    )
    async def route_request(
        self,
        request: Req,
        org_id: Annotated[uuid.UUID, QueryParameter(description="The org where the request arose")],
        request_type: Annotated[
            str, QueryParameter(description="The request type", pattern=r"^[a-z][a-z0-9_]{0,63}$")
        ],
    ) -> S.JointRoute:
        await org_in_reach(org_id, principal(request), perm.REFERRAL_READ)
        return await route(request.app.state, org_id, request_type)

    @get(
        "/referral-rules/{rule_id:uuid}",
        opt={"permission": perm.REFERRAL_READ},
        summary="查看转办规则",
        description="一条转办规则；附 ETag。不在权限范围内的规则与不存在的一样答复 404。",
        summary_en="A referral rule",
        description_en="One referral rule, with an ETag; a rule outside the caller's reach is answered 404.",
    )
    async def get_rule(self, request: Req, rule_id: FromPath[uuid.UUID]) -> Response[S.JointRule]:
        row = await _rule(rule_id, principal(request), perm.REFERRAL_READ)
        return tagged(to_rule(request.app.state, row), row["version"])


async def _recorded(
    row: dict[str, Any], action: str, signal: Any, changes: dict[str, Any] | None = None
) -> None:
    await record_audit(
        action,
        resource_type="joint.referral_rule",
        resource_id=row["id"],
        org_path=row["region_path"],
        changes=changes or {"request_type": row["request_type"], "target": row["target"]},
    )
    await emit(
        signal,
        sig.RuleSignal(
            rule=str(row["id"]),
            region=str(row["region"]),
            request_type=row["request_type"],
            target=row["target"],
        ),
        resource_type="joint.referral_rule",
        resource_id=row["id"],
        org_path=row["region_path"],
    )
