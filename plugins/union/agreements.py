"""Collective wage agreements (工资集体协商): negotiation to signing, filing with the labour department
(备案) as the ``union.wage_agreement`` process, the agreement kept while in force, and reminders by
signal before it expires (``union.agreement_expiring``) and when it has (``union.agreement_expired``),
sent by a periodic job; coverage of enterprises by agreements per subtree in the statistics."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import msgspec

from core.sdk import (
    JobContext,
    ProcessContext,
    ProcessRejected,
    ProcessType,
    State,
    Text,
    Transition,
    emit,
    record_audit,
    register_job,
    register_periodic,
    subtree_bounds,
    transaction,
)
from plugins.union import permissions as P
from plugins.union import signals as sig
from plugins.union.problems import CODES
from plugins.union.tables import UnionAgreement

#: Days before the end of its term an agreement is announced as expiring (续签提醒).
REMIND_DAYS = 30
EXPIRY_JOB = "union.agreement_expiry"


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


class AgreementForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A negotiation: who, for whom, for how long, and the wage increase agreed."""

    #: enterprise (企业), industry (行业) or region (区域).
    scope: Literal["enterprise", "industry", "region"]
    #: The enterprise, or the industry or area the agreement is for.
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    employer_side: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    enterprises: Annotated[int, msgspec.Meta(ge=1, le=100000)] = 1
    employees: Annotated[int, msgspec.Meta(ge=1, le=10000000)]
    term_start: date
    term_end: date
    #: The agreed wage increase in permille (60 = 6.0%).
    wage_increase_permille: Annotated[int, msgspec.Meta(ge=0, le=1000)]


class FilingForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    #: The labour department's filing number (备案号).
    filing_number: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


def check_term(ctx: ProcessContext) -> None:
    form: AgreementForm = ctx.form
    if form.term_end <= form.term_start:
        raise ProcessRejected("/form/term_end", "union_term", CODES["union_term"])


async def keep_agreement(ctx: ProcessContext) -> None:
    """Filed (备案): the agreement is in force; its row carries the term for reminders and coverage."""
    form: AgreementForm = ctx.form
    await UnionAgreement.insert(
        UnionAgreement(
            process=ctx.process_id,
            org=ctx.org_id,
            org_path=ctx.org_path,
            scope=form.scope,
            enterprises=form.enterprises,
            employees=form.employees,
            wage_increase_permille=form.wage_increase_permille,
            term_end=form.term_end.isoformat(),
            filing_number=ctx.step_form.filing_number,
            status="in_force",
        )
    ).run()
    await record_audit(
        "union.agreement.filed",
        resource_type="union.agreement",
        resource_id=ctx.process_id,
        org_path=ctx.org_path,
    )


WAGE_AGREEMENT = ProcessType(
    code="union.wage_agreement",
    name=_t("工资集体协商", "工資集體協商", "Collective wage agreement"),
    description=_t(
        "企业、行业或区域的工资集体协商：协商、签订、报劳动部门备案，生效后到期前提醒续签。",
        "企業、行業或區域的工資集體協商：協商、簽訂、報勞動部門備案，生效後到期前提醒續簽。",
        "Negotiation, signing and filing with the labour department; reminders before the term ends.",
    ),
    org_kinds=("union.grassroots", "union.federation"),
    form=AgreementForm,
    validate_open=check_term,
    initial="negotiating",
    states=(
        State(code="negotiating", name=_t("协商中", "協商中", "Negotiating")),
        State(code="signed", name=_t("已签订，待备案", "已簽訂，待備案", "Signed, to be filed")),
        State(
            code="filed",
            name=_t("已备案生效", "已備案生效", "Filed, in force"),
            final=True,
            outcome="approved",
        ),
        State(code="failed", name=_t("协商未成", "協商未成", "Not agreed"), final=True, outcome="rejected"),
    ),
    transitions=(
        Transition(
            code="sign",
            name=_t("签订", "簽訂", "Sign"),
            sources=("negotiating",),
            target="signed",
            permission=P.AGREEMENT_MANAGE,
            validate=check_term,
        ),
        Transition(
            code="file",
            name=_t("劳动部门备案", "勞動部門備案", "Filed by the labour department"),
            sources=("signed",),
            target="filed",
            permission=P.AGREEMENT_MANAGE,
            form=FilingForm,
            after=keep_agreement,
        ),
        Transition(
            code="return",
            name=_t("退回修改", "退回修改", "Returned for changes"),
            sources=("signed",),
            target="negotiating",
            permission=P.AGREEMENT_MANAGE,
            comment_required=True,
        ),
        Transition(
            code="fail",
            name=_t("协商未成", "協商未成", "Not agreed"),
            sources=("negotiating",),
            target="failed",
            permission=P.AGREEMENT_MANAGE,
            comment_required=True,
        ),
    ),
)


async def remind_expiring(today: date | None = None, timezone: str = "Asia/Shanghai") -> int:
    """Announce agreements ending within :data:`REMIND_DAYS` (once) and close those past their term;
    ``today`` is the date in the platform's zone (a term ends at the end of its day there, not in UTC)."""
    today = today or datetime.now(ZoneInfo(timezone)).date()
    horizon = (today + timedelta(days=REMIND_DAYS)).isoformat()
    sent = 0
    rows = (
        await UnionAgreement.select()
        .where(UnionAgreement.status.is_in(["in_force", "reminded"]) & (UnionAgreement.term_end <= horizon))
        .run()
    )
    for row in rows:
        expired = row["term_end"] < today.isoformat()
        if not expired and row["status"] == "reminded":
            continue
        status, signal = (
            ("expired", sig.AGREEMENT_EXPIRED) if expired else ("reminded", sig.AGREEMENT_EXPIRING)
        )
        async with transaction():
            await (
                UnionAgreement.update({UnionAgreement.status: status})
                .where(UnionAgreement.id == row["id"])
                .run()
            )
            await emit(
                signal,
                sig.AgreementTerm(
                    process_id=str(row["process"]), org_id=str(row["org"]), term_end=row["term_end"]
                ),
                resource_type="union.agreement",
                resource_id=row["process"],
                org_path=row["org_path"],
            )
        sent += 1
    return sent


@register_job(EXPIRY_JOB)
async def agreement_expiry(ctx: JobContext) -> int:
    return await remind_expiring(timezone=ctx.settings.timezone)


register_periodic(EXPIRY_JOB, lambda settings: 3600.0)


async def agreement_coverage(org_path: str) -> tuple[int, int]:
    """Enterprises and employees covered by agreements in force over a subtree."""
    low, high = subtree_bounds(org_path)
    rows = (
        await UnionAgreement.select(UnionAgreement.enterprises, UnionAgreement.employees)
        .where(
            (UnionAgreement.org_path >= low)
            & (UnionAgreement.org_path < high)
            & UnionAgreement.status.is_in(["in_force", "reminded"])
        )
        .run()
    )
    return sum(r["enterprises"] for r in rows), sum(r["employees"] for r in rows)
