"""The real-name public vote (网络投票) among a campaign's candidates, exact under any concurrency.

A vote is one row under the unique key (campaign, nomination, voter), inserted with ``ON CONFLICT DO
NOTHING``: of any number of concurrent votes of one person for one candidate exactly one is counted, on
SQLite and on PostgreSQL (the second insert waits on the first's index entry, then inserts nothing). With
a budget of N votes, the person's budget row is spent first with ``UPDATE … SET used = used + 1 WHERE
used < N``; a vote refused after it rolls the spending back with it. The candidate's count is bumped in
the same transaction. Each person's vote requests pass a fixed-window throttle (Redis, or memory in the
embedded single process) first. The vote table is the record of who voted when; votes are not copied
into the audit log one by one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any
from uuid import UUID, uuid4

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError
from redis.exceptions import RedisError

from core.kernel.access import Principal
from core.kernel.db import fetch
from core.kernel.errors import Problem
from core.selections import problems
from core.selections import schemas as S
from core.selections.common import Env, now, require_stage
from core.selections.tables import Nomination, Vote, VoteBudget


class VoteThrottle:
    """Per-person windows of vote requests, shared by every worker through Redis when there is one."""

    def __init__(self, shared: Any, redis_url: str | None) -> None:
        storage: Storage
        if shared.redis is not None:
            from core.identity.throttle import _RedispyStorage

            storage = _RedispyStorage(
                "async+" + (redis_url or ""),
                implementation="redispy",
                key_prefix="quntuan:vote",
                connection_pool=shared.redis.connection_pool,
                wrap_exceptions=True,
            )
        else:
            storage = MemoryStorage()
        self.limiter = FixedWindowRateLimiter(storage)

    async def attempt(self, person_id: UUID, per_minute: int) -> None:
        """Count one vote request of the person; 429 with ``Retry-After`` beyond ``per_minute``."""
        item = RateLimitItemPerMinute(per_minute)
        try:
            if await self.limiter.hit(item, str(person_id)):
                return
            stats = await self.limiter.get_window_stats(item, str(person_id))
        except (StorageError, RedisError, OSError):
            raise Problem("service-unavailable", headers={"Retry-After": "5"}) from None
        retry = max(1, math.ceil(stats.reset_time - time.time()))
        raise Problem("rate-limited", headers={"Retry-After": str(retry)}, retry_after=retry)


def throttle_of(state: Any) -> VoteThrottle:
    throttle = getattr(state, "selection_vote_throttle", None)
    if throttle is None:
        throttle = VoteThrottle(state.shared, state.settings.redis_url)
        state.selection_vote_throttle = throttle
    return throttle


async def cast(env: Env, principal: Principal, campaign: Mapping[str, Any], nomination_id: UUID) -> S.VoteOut:
    """Count the caller's vote for a candidate (inside the caller's transaction)."""
    person = principal.person_id
    if person is None:
        raise Problem(problems.NO_PERSON)
    stype = env.type(campaign["type"])
    if stype.vote is None:
        raise Problem(problems.WRONG_STAGE, stage=campaign["stage"], action="vote")
    require_stage(campaign, ("voting",), "vote")
    candidate = (
        await Nomination.select(Nomination.id)
        .where(
            (Nomination.id == nomination_id)
            & (Nomination.campaign == campaign["id"])
            & (Nomination.level == 0)
            & (Nomination.status == "pending")
        )
        .first()
        .run()
    )
    if candidate is None:
        raise Problem.invalid(("/nomination_id", "invalid"), locale=env.locale)
    left: int | None = None
    if stype.vote.rule == "budget":
        await (
            VoteBudget.insert(VoteBudget(id=uuid4(), campaign=campaign["id"], voter=person, used=0))
            .on_conflict(action="DO NOTHING")
            .run()
        )
        spent = await fetch(
            VoteBudget,
            "UPDATE core_selection_vote_budget SET used = used + 1 "
            "WHERE campaign = {} AND voter = {} AND used < {} RETURNING used",
            [campaign["id"], person, stype.vote.budget],
        )
        if not spent:
            raise Problem(problems.BUDGET_USED, budget=stype.vote.budget)
        left = stype.vote.budget - int(spent[0]["used"])
    moment = now()
    counted = await (
        Vote.insert(
            Vote(
                id=uuid4(),
                campaign=campaign["id"],
                nomination=nomination_id,
                voter=person,
                account=principal.id,
                at=moment,
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(Vote.id)
        .run()
    )
    if not counted:
        raise Problem(problems.ALREADY_VOTED)
    await fetch(
        Nomination,
        "UPDATE core_selection_nomination SET votes = votes + 1 WHERE id = {} RETURNING votes",
        [nomination_id],
    )
    return S.VoteOut(nomination_id=nomination_id, at=moment, votes_left=left)


async def mine(env: Env, principal: Principal, campaign: Mapping[str, Any]) -> S.MyVotes:
    person = principal.person_id
    if person is None:
        return S.MyVotes(nomination_ids=[], votes_left=None)
    rows = (
        await Vote.select(Vote.nomination)
        .where((Vote.campaign == campaign["id"]) & (Vote.voter == person))
        .order_by(Vote.at)
        .run()
    )
    vote = env.type(campaign["type"]).vote
    left = vote.budget - len(rows) if vote is not None and vote.rule == "budget" else None
    return S.MyVotes(nomination_ids=[r["nomination"] for r in rows], votes_left=left)
