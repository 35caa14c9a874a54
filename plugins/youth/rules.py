"""The League's rules as numbers, in one place (defaults of 《团员发展工作细则》 and 智慧团建 practice).

Each is a module constant a deployment may change before start-up; the routes and process steps read
them at call time, and the tests change them with ``monkeypatch``.
"""

from __future__ import annotations

#: An activist (入团积极分子) is trained and observed at least this long before becoming a 发展对象.
ACTIVIST_MIN_DAYS = 90
#: A 发展对象 needs this many introducers (入团介绍人), League members in good standing.
INTRODUCERS = 2
#: Days the higher committee has to approve an admission before the process reminds it.
APPROVAL_DAYS = 30
#: Days each side of a transfer (组织关系转接) has to decide before it expires.
TRANSFER_DAYS = 15
#: Days after leaving a branch without arriving elsewhere before a member is flagged 失联团员.
LOST_CONTACT_DAYS = 183

# 推优入党 (recommending members to the Party)
#: Minimum age of a recommended member.
RECOMMEND_MIN_AGE = 18
#: Minimum days as a League member.
RECOMMEND_MIN_MEMBER_DAYS = 365
#: Minimum days since the member's Party application (入党申请书).
RECOMMEND_MIN_APPLICATION_DAYS = 183
#: Largest share of a branch's active members recommended within one year (e.g. 0.3 = 30%).
RECOMMEND_BRANCH_RATIO = 0.3
#: Days the public notice (公示) of a recommendation runs, at least three.
RECOMMEND_NOTICE_DAYS = 5
#: Days a recommendation stays valid for the Party branch to act on.
RECOMMEND_VALID_DAYS = 365

# 三会两制一课 (branch life)
#: How often a branch must hold each branch-life meeting: ``monthly`` (at least one in every month of the
#: quarter) or ``quarterly`` (at least one in the quarter). A type absent here is recorded, not required.
BRANCH_LIFE_RULES: dict[str, str] = {
    "youth.committee_meeting": "monthly",
    "youth.group_meeting": "monthly",
    "youth.branch_assembly": "quarterly",
    "youth.league_lecture": "quarterly",
}
