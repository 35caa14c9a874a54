"""The permission matrix, generated from the OpenAPI document: every route × method × caller, against the
resources of a sibling subtree.

The app carries every installed plugin and the test suite's own (so plugin routes are walked too). Under
a root R sit two sibling subtrees, A and B. The callers live in A: its administrator (every permission on
A), a read-only cadre (the ``*.read`` permissions on A), an API client scoped to A, a plain member of A
with a login, and a self-signed-up person (an account with no grants and no org, as sign-up makes) — and
an anonymous caller. B holds one resource of every kind a path parameter names: org,
person, membership, account, post, grant, consent, event, registration, notice, objection, process,
file, webhook, delivery, import job, unit, role, API client, calendar link, place, bookable resource,
booking, campaign, nomination, honor, notification, session, invitation, claim, and person link requests
about B's persons (proposed by the administrator of a third subtree C, who cannot see them).

For every operation of the OpenAPI document:

* path parameters are filled with B's resources (:data:`PARAMETERS`; a parameter not listed fails the
  suite, so a new kind of resource gets a resource of B before its routes can pass); a JSON or form body
  comes from :data:`BODIES` / :data:`FORMS` (a route that takes a body without one fails the suite), and
  a body that names a resource names B's;
* a route that reads or changes a specific resource of B (by its path, or by the body of a write) answers
  A's callers 403 or 404 — never 2xx — unless :data:`BY_DESIGN` says why anyone may (public notices, a
  signed link);
* a list (and any other 2xx answer to A's callers) shows nothing of B: no id, path or name of B's
  resources, with and without filters naming B (``?org=``, ``?person=``, …);
* guarded routes answer the anonymous caller 401, and routes that declare a permission answer the
  self-signed-up person (who holds none) 403;
* a cadre of the parent subtree R then sends the same request and gets 2xx (or the status
  :data:`CONTROL` gives, with its reason): the ids and bodies are right, so A's refusals are refusals of
  reach, not of input — and reach flows down the tree.

One app and one world serve the whole module; routes that remove or end something run last. (This suite
replaces the hand-kept table of identity routes the earlier ``test_matrix.py`` walked: every route of
every area is in the document.)
"""

from __future__ import annotations

import asyncio
import re
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import msgspec
import pytest
import pytest_asyncio
from litestar import Litestar

from core.events.calendars import feed_token
from core.identity.tables import Person
from core.kernel.app import create_app
from core.kernel.guards import is_public, require_authenticated, require_permission
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import Settings
from core.orgs.tables import ImportJob
from core.selfservice.tables import Notification
from tests.conftest import ApiClient, all_test_plugins, open_client
from tests.core.signup.servers import APP_ID, APP_SECRET, WeChatServer
from tests.core.signup.support import signup_overrides
from tests.fixtures import files_plugin, process_plugin
from tests.identity_helpers import bearer, make_account, make_org

pytestmark = pytest.mark.asyncio(loop_scope="module")

#: Names that mark B's resources in any answer: its person's name, its orgs' names.
PERSON_NAME = "乙方成员甲"
ORG_NAME = "乙方组织"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: The live event stream never ends once it is open: only callers it refuses at once are sent to it (its
#: reach is tested in tests/core/integration/test_stream.py).
STREAM = "/api/v1/stream"
STREAM_CALLERS = ("anonymous", "member", "selfsigned")
CALLERS = ("admin", "readonly", "client", "member", "selfsigned")

#: Path parameter → what fills it: a resource of B (a key of ``World.ids``), or for :data:`GENERIC`
#: parameters a plain value.
PARAMETERS: dict[str, str] = {
    "org_id": "org",
    "person_id": "person",
    "membership_id": "membership",
    "account_id": "account",
    "post_id": "post",
    "grant_id": "grant",
    "consent_id": "consent",
    "role_id": "role",
    "client_id": "client",
    "event_id": "event",
    "registration_id": "registration",
    "file_id": "file",
    "webhook_id": "webhook",
    "delivery_id": "delivery",
    "process_id": "process",
    "notice_id": "notice",
    "announcement_id": "announcement",
    "objection_id": "objection",
    "job_id": "job",
    "unit_id": "unit",
    "place_id": "place",
    "resource_id": "resource",
    "booking_id": "booking",
    "campaign_id": "campaign",
    "nomination_id": "nomination",
    "honor_id": "honor",
    "notification_id": "notification",
    "session_id": "session",
    "invitation_id": "invitation",
    "claim_id": "claim",
    "link_id": "link",
    "token": "feed_link",
    "code": "problem_code",
    "what": "what",
    "council_id": "joint_council",
    "council_member_id": "joint_member",
    "meeting_id": "joint_meeting",
    "task_id": "joint_task",
    "rule_id": "joint_rule",
    "service_id": "joint_service",
    "partner_id": "joint_partner",
    "order_id": "joint_order",
    "survey_id": "joint_survey",
    "run_id": "joint_run",
    # --- disabled (the example 残联 plugin, examples/quntuan-disabled, when installed) ---
    "certificate_id": "disabled_certificate",
    # --- women plugin
    "member_id": "women_exec_member",
    "program_id": "women_program",
    "enrolment_id": "women_enrolment",
    # --- scitech (科协) ---
    "expert_id": "scitech_expert",
    "topic_id": "scitech_topic",
    "activity_id": "scitech_activity",
    "popsci_resource_id": "scitech_resource",
    "society_id": "scitech_society",
    "society_member_id": "scitech_member",
    "station_id": "scitech_station",
    "station_project_id": "scitech_project",
    "contest_id": "scitech_contest",
    # youth (共青团): the League register and its age-out reports
    "league_member_id": "youth_member",
    "age_out_id": "youth_age_out",
    "evaluation_id": "youth_evaluation",
    # union (工会): a member-benefit programme of B's federation
    "benefit_id": "union_benefit",
}
#: Parameters that name no resource of B: a problem type, the kind of rows imported or exported.
GENERIC = {"code", "what"}
#: Per-route values of generic parameters, where the default does not fit.
PATH_VALUES: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/api/v1/imports/{what}"): {"what": "orgs"},
    # The unit's link made by POST /units/{unit_id}/links (to B's child org).
    ("DELETE", "/api/v1/units/{unit_id}/links/{org_id}"): {"org_id": "org2"},
    # A membership of its own: the first one is ended by leave.
    ("POST", "/api/v1/members/{membership_id}/transfer"): {"membership_id": "membership2"},
    # Self-service: a pending link request of its own for each answer that closes one.
    ("POST", "/api/v1/person-links/{link_id}/reject"): {"link_id": "link2"},
    ("POST", "/api/v1/person-links/{link_id}/withdraw"): {"link_id": "link3"},
    # youth (共青团): its routes act on League orgs of B, and a registration campaign of its own
    ("POST", "/api/v1/youth/branches/{org_id}/graduation"): {"org_id": "youth_branch"},
    ("GET", "/api/v1/youth/branches/{org_id}"): {"org_id": "youth_branch"},
    ("PUT", "/api/v1/youth/branches/{org_id}/category"): {"org_id": "youth_branch"},
    ("GET", "/api/v1/youth/plans/{org_id}"): {"org_id": "youth_committee"},
    ("PUT", "/api/v1/youth/plans/{org_id}"): {"org_id": "youth_committee"},
    ("GET", "/api/v1/youth/dues/schemes/{org_id}"): {"org_id": "youth_committee"},
    ("PUT", "/api/v1/youth/dues/schemes/{org_id}"): {"org_id": "youth_committee"},
    ("GET", "/api/v1/youth/campaigns/{campaign_id}"): {"campaign_id": "youth_campaign"},
    ("POST", "/api/v1/youth/campaigns/{campaign_id}/registrations"): {"campaign_id": "youth_campaign"},
    # women (妇联): an executive committee is imported into a federation of B
    ("POST", "/api/v1/women/orgs/{org_id}/executive-imports"): {"org_id": "women_federation"},
    # youth: a branch-life meeting (支部大会) of B's League branch, begun an hour ago
    ("GET", "/api/v1/youth/meetings/{event_id}"): {"event_id": "youth_meeting"},
    ("PUT", "/api/v1/youth/meetings/{event_id}/minutes"): {"event_id": "youth_meeting"},
    # union (工会): benefits are declared by a union org of B, not by its Party committee
    ("POST", "/api/v1/union/orgs/{org_id}/benefits"): {"org_id": "union_federation"},
}

#: JSON bodies: ``{name}`` is replaced by ``World.ids[name]`` (B's resources and a few values).
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/accounts"): {
        "username": "{unique}",
        "password": "a long password 1",
        "person": "{person2}",
    },
    ("POST", "/api/v1/auth/token"): {"grant_type": "password"},
    ("POST", "/api/v1/clients"): {"name": "接口", "scopes": []},
    ("POST", "/api/v1/clients/{client_id}/secrets"): {"overlap_seconds": 0},
    ("POST", "/api/v1/coverage/snapshots"): {},
    ("POST", "/api/v1/demo/greetings"): {"name": "甲"},
    ("POST", "/api/v1/events"): {
        "type": "{event_type}",
        "title": "乙方活动",
        "org_id": "{org}",
        "starts_at": "{future}",
        "ends_at": "{future_end}",
    },
    ("PATCH", "/api/v1/events/{event_id}"): {"title": "改名"},
    ("POST", "/api/v1/events/{event_id}/checkins"): {"registration_id": "{registration}"},
    ("POST", "/api/v1/events/{event_id}/checkins/batch"): {"items": [{"code": "{checkin_code}"}]},
    ("POST", "/api/v1/events/{event_id}/feedback"): {"rating": 5},
    ("POST", "/api/v1/events/{event_id}/registrations"): {"person_id": "{person2}"},
    ("POST", "/api/v1/grants"): {"role": "{role}", "org": "{org}", "account": "{account}"},
    ("POST", "/api/v1/me/password"): {"current_password": "", "new_password": ""},
    ("POST", "/api/v1/members/{membership_id}/transfer"): {"org": "{org2}"},
    ("POST", "/api/v1/notices"): {"org_id": "{org}", "title": "乙方公示"},
    ("POST", "/api/v1/notices/{notice_id}/objections"): {"reason": "有异议"},
    ("POST", "/api/v1/announcements"): {"org_id": "{org}", "title": "乙方公告"},
    ("PATCH", "/api/v1/announcements/{announcement_id}"): {"title": "改名"},
    ("POST", "/api/v1/notices/{notice_id}/objections/{objection_id}/resolve"): {"decision": "dismissed"},
    ("POST", "/api/v1/orgs"): {
        "name": "新组织",
        "kind": "party.committee",
        "level": "township",
        "parent": "{org}",
    },
    ("PATCH", "/api/v1/orgs/{org_id}"): {"address": "新地址"},
    ("POST", "/api/v1/orgs/{org_id}/members"): {"person": "{person3}"},
    ("POST", "/api/v1/orgs/{org_id}/move"): {"parent": "{root}"},
    ("POST", "/api/v1/persons"): {"name": "新人", "home_org": "{org}"},
    ("POST", "/api/v1/persons/lookup"): {"phone": "{phone}"},
    ("PATCH", "/api/v1/persons/{person_id}"): {"address": "新地址"},
    ("POST", "/api/v1/persons/{person_id}/consents"): {"purpose": "photos"},
    ("POST", "/api/v1/posts"): {
        "person": "{person}",
        "org": "{org}",
        "title": "委员",
        "start_date": "2024-01-01",
    },
    ("PATCH", "/api/v1/posts/{post_id}"): {"title": "副主席"},
    ("POST", "/api/v1/processes"): {"type": "core.join", "org_id": "{org}", "applicant_id": "{person3}"},
    ("PUT", "/api/v1/processes/{process_id}/assignee"): {"assignee_id": None},
    ("POST", "/api/v1/processes/{process_id}/referrals"): {"org_id": "{org2}"},
    ("POST", "/api/v1/processes/{process_id}/transitions"): {"transition": "reject", "comment": "不予批准"},
    ("POST", "/api/v1/roles"): {"code": "{unique}", "name": "角色", "permissions": []},
    ("PATCH", "/api/v1/roles/{role_id}"): {"name": "改名"},
    ("POST", "/api/v1/units"): {"name": "某公司", "kind": "non_public_enterprise", "area": "{org}"},
    ("PATCH", "/api/v1/units/{unit_id}"): {"address": "新地址"},
    ("POST", "/api/v1/units/{unit_id}/links"): {"org": "{org2}"},
    ("POST", "/api/v1/places"): {"kind": "core.service_center", "org_id": "{org}", "name": "乙方新阵地"},
    ("PATCH", "/api/v1/places/{place_id}"): {"address": "新地址"},
    ("PUT", "/api/v1/places/{place_id}/shares"): {"shares": [{"org_id": "{org2}"}]},
    ("POST", "/api/v1/places/{place_id}/resources"): {"kind": "room", "name": "新会议室"},
    ("PATCH", "/api/v1/places/resources/{resource_id}"): {"description": "改"},
    ("POST", "/api/v1/places/resources/{resource_id}/bookings"): {
        "starts_at": "{slot2_start}",
        "ends_at": "{slot2_end}",
        "org_id": "{org}",
    },
    ("POST", "/api/v1/places/{place_id}/check-ins"): {"code": "{booking_code}"},
    ("POST", "/api/v1/selections/campaigns"): {
        "type": "core.generic",
        "org_id": "{org}",
        "title": "乙方评选",
        "honor_title": "乙方先进",
        "year": 2026,
        "levels": [{"quota": 2}],
    },
    ("PUT", "/api/v1/selections/campaigns/{campaign_id}/quotas"): {"org_id": "{org}", "quota": 3},
    ("POST", "/api/v1/selections/campaigns/{campaign_id}/stage"): {"stage": "reviewing"},
    ("POST", "/api/v1/selections/campaigns/{campaign_id}/decision"): {},
    ("POST", "/api/v1/selections/campaigns/{campaign_id}/nominations"): {
        "source": "org",
        "nominee_kind": "person",
        "nominee_person_id": "{person2}",
        "org_id": "{org}",
        "form": {"summary": "事迹突出"},
    },
    ("POST", "/api/v1/selections/campaigns/{campaign_id}/votes"): {"nomination_id": "{nomination}"},
    ("POST", "/api/v1/selections/nominations/{nomination_id}/review"): {"action": "reject"},
    ("POST", "/api/v1/honors"): {
        "recipient_kind": "person",
        "person_id": "{person2}",
        "issuing_org_id": "{org}",
        "title": "乙方荣誉",
        "year": 2025,
    },
    ("POST", "/api/v1/honors/{honor_id}/revoke"): {"reason": "撤销"},
    ("PUT", "/api/v1/me/inbox/preferences"): {"muted": [], "channels": []},
    ("PATCH", "/api/v1/me"): {"nickname": "甲"},
    ("POST", "/api/v1/orgs/{org_id}/invitations"): {"note": "乙方邀请"},
    ("POST", "/api/v1/invitations/lookup"): {"token": "{invitation_token}"},
    ("POST", "/api/v1/invitations/acceptance"): {"token": "{invitation_token}"},
    ("POST", "/api/v1/webhooks"): {
        "url": "http://127.0.0.1/hook",
        "org_id": "{org}",
        "signal_types": ["org.created"],
    },
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): {"description": "改"},
    ("POST", "/api/v1/webhooks/{webhook_id}/secret/rotate"): {"overlap_seconds": 0},
    # core16 (issue 16): self check-in by the venue code of B's event.
    ("POST", "/api/v1/events/{event_id}/checkins/venue"): {"code": "{venue_code}"},
    ("POST", "/api/v1/joint/councils"): {"org_id": "{org}", "name": "乙方联席会议"},
    ("PATCH", "/api/v1/joint/councils/{council_id}"): {"description": "改"},
    ("POST", "/api/v1/joint/councils/{council_id}/members"): {"org_id": "{org}"},
    ("POST", "/api/v1/joint/councils/{council_id}/meetings"): {
        "title": "乙方会议",
        "starts_at": "2030-01-01T09:00:00+08:00",
    },
    ("PATCH", "/api/v1/joint/meetings/{meeting_id}"): {"minutes": "纪要"},
    ("POST", "/api/v1/joint/councils/{council_id}/decisions"): {
        "title": "乙方议定",
        "tasks": [{"org_id": "{org2}", "title": "任务", "due_on": "2030-01-01"}],
    },
    ("POST", "/api/v1/joint/tasks/{task_id}/followups"): {"note": "督办"},
    ("POST", "/api/v1/joint/referral-rules"): {
        "region_id": "{org}",
        "request_type": "{unique}",
        "target": "union.*",
    },
    ("PATCH", "/api/v1/joint/referral-rules/{rule_id}"): {"note": "改"},
    ("POST", "/api/v1/joint/services"): {"org_id": "{org}", "title": "乙方服务"},
    ("PATCH", "/api/v1/joint/services/{service_id}"): {"description": "改"},
    ("POST", "/api/v1/joint/services/{service_id}/orders"): {"note": "点单"},
    ("POST", "/api/v1/joint/partners"): {"org_id": "{org}", "name": "乙方社会组织"},
    ("PATCH", "/api/v1/joint/partners/{partner_id}"): {"description": "改"},
    # A need ordered from B's org: only B's own people are there.
    ("POST", "/api/v1/joint/orders"): {"need_type": "wage_arrears", "org_id": "{org}"},
    ("POST", "/api/v1/joint/orders/{order_id}/rating"): {"rating": 5},
    ("POST", "/api/v1/joint/surveys"): {
        "org_id": "{org}",
        "title": "乙方调查",
        "questions": [{"code": "q", "kind": "rating", "text": "满意度"}],
    },
    ("PATCH", "/api/v1/joint/surveys/{survey_id}"): {"description": "改"},
    ("POST", "/api/v1/joint/surveys/{survey_id}/runs"): {},
    ("POST", "/api/v1/joint/survey-runs/{run_id}/responses"): {"answers": [{"question": "q", "rating": 4}]},
    # --- disabled (the example 残联 plugin, examples/quntuan-disabled, when installed) ---
    ("POST", "/api/v1/disabled/certificates"): {
        "person_id": "{person}",
        "org_id": "{disabled_org}",
        "id_number": "110101198505050200",
        "category": "vision",
        "grade": 1,
        "issued_on": "2025-01-01",
        "valid_until": "2035-01-01",
    },
    ("PATCH", "/api/v1/disabled/certificates/{certificate_id}"): {"valid_until": "2040-01-01"},
    # --- self-service: sign-up, claims, the caller's account and data, transfers -------------------------
    ("POST", "/api/v1/auth/codes"): {"phone": "13800138999"},
    ("POST", "/api/v1/auth/signup"): {
        "username": "{unique}",
        "password": "Quntuan-Matrix-2026!",
        "name": "注册人",
    },
    ("POST", "/api/v1/auth/wechat/bind"): {"code": "matrix-code"},
    ("POST", "/api/v1/auth/password-change"): {
        "username": "{unique}",
        "password": "not the temporary one",
        "new_password": "Another-Matrix-2027?",
    },
    ("POST", "/api/v1/me/claims"): {"name": PERSON_NAME + "乙", "id_number": "{id_number}"},
    ("POST", "/api/v1/me/claims/{claim_id}/confirmation"): {"code": "000000"},
    # The caller's own name and ID number (echoed back in the process's form), B's org to review them.
    ("POST", "/api/v1/me/claims/reviews"): {
        "org_id": "{org}",
        "name": "审核申请人",
        "id_number": "110105198505051233",
        "statement": "本人",
    },
    ("POST", "/api/v1/me/closure"): {"password": "not my password"},
    ("POST", "/api/v1/me/data/corrections"): {"employer": "新单位", "statement": "换了工作"},
    ("POST", "/api/v1/me/data/erasure"): {"statement": "请删除"},
    ("POST", "/api/v1/me/transfers"): {"membership_id": "{membership}", "to_org_id": "{org2}"},
    # --- women plugin
    ("POST", "/api/v1/women/executives"): {
        "org_id": "{women_federation}",
        "person_id": "{person2}",
        "term_start": "2026-01-01",
        "term_end": "2030-12-31",
    },
    ("PATCH", "/api/v1/women/executives/{member_id}"): {"duties": "改"},
    ("POST", "/api/v1/women/executives/{member_id}/contacts"): {"kind": "household", "label": "乙方户"},
    ("POST", "/api/v1/women/executives/{member_id}/records"): {
        "year": 2026,
        "kind": "activity",
        "code": "visit",
    },
    ("POST", "/api/v1/women/programs"): {
        "org_id": "{women_federation}",
        "kind": "skills",
        "name": "乙方培训",
        "starts_on": "2026-03-01",
        "ends_on": "2026-06-30",
    },
    ("POST", "/api/v1/women/programs/{program_id}/enrolments"): {"person_id": "{person2}"},
    ("POST", "/api/v1/women/enrolments/{enrolment_id}/attendance"): {"attended_on": "2026-04-01"},
    ("PATCH", "/api/v1/women/enrolments/{enrolment_id}"): {"employment": "employed"},
    # --- union plugin (工会) ---
    ("POST", "/api/v1/union/members"): {"org_id": "{org}", "person_id": "{person2}"},
    ("PATCH", "/api/v1/union/members/{person_id}"): {"floating": True},
    ("POST", "/api/v1/union/members/{person_id}/leave"): {"reason": "retired"},
    ("PUT", "/api/v1/union/orgs/{org_id}/rules"): {},
    ("PUT", "/api/v1/union/orgs/{org_id}/profile"): {"form": "joint"},
    ("POST", "/api/v1/union/orgs/{org_id}/dues-assessments"): {"month": "2026-11"},
    ("POST", "/api/v1/union/orgs/{org_id}/dues-payments"): {
        "person_id": "{person}",
        "months": ["2026-11"],
        "channel": "online",
    },
    ("POST", "/api/v1/union/orgs/{org_id}/funds"): {"month": "2026-11", "payroll": 1000000},
    ("POST", "/api/v1/union/hardship/{process_id}/help"): {"kind": "money", "programme": "warmth"},
    ("POST", "/api/v1/union/orgs/{org_id}/representatives"): {
        "person_id": "{person}",
        "constituency": "一车间",
        "term_start": "2026-01-01",
        "term_end": "2030-12-31",
    },
    ("POST", "/api/v1/union/orgs/{org_id}/representatives/{person_id}/reports"): {
        "year": 2026,
        "summary": "述职",
    },
    ("POST", "/api/v1/union/orgs/{org_id}/representatives/{person_id}/evaluations"): {
        "year": 2026,
        "rating": "satisfied",
    },
    ("POST", "/api/v1/union/orgs/{org_id}/benefits"): {
        "year": 2026,
        "name": "职工疗休养",
        "category": "rest_trip",
        "quota": 1,
    },
    ("PATCH", "/api/v1/union/benefits/{benefit_id}"): {"quota": 2},
    ("PUT", "/api/v1/union/competitions/{event_id}/results"): {
        "results": [{"person_id": "{person}", "rank": 1}]
    },
    # --- scitech (科协) ---
    ("POST", "/api/v1/scitech/experts"): {
        "org": "{scitech_org}",
        "name": "乙方专家二",
        "disciplines": ["520"],
    },
    ("POST", "/api/v1/scitech/experts/match"): {"org": "{scitech_org}", "discipline": "520"},
    ("PATCH", "/api/v1/scitech/experts/{expert_id}"): {"bio": "改"},
    ("POST", "/api/v1/scitech/popularization/activities"): {
        "org": "{scitech_org}",
        "kind": "visit",
        "title": "乙方开放日",
        "held_on": "2026-01-05",
        "offline": 10,
    },
    ("PUT", "/api/v1/scitech/popularization/activities/{activity_id}/reach"): {"offline": 20, "online": 5},
    ("POST", "/api/v1/scitech/popularization/resources"): {
        "org": "{scitech_org}",
        "kind": "article",
        "title": "乙方文章",
    },
    ("PATCH", "/api/v1/scitech/popularization/resources/{popsci_resource_id}"): {"title": "改名"},
    ("POST", "/api/v1/scitech/societies/{society_id}/members"): {
        "kind": "individual",
        "name": "乙方会员",
        "member_no": "{unique}",
        "grade": "member",
        "joined_on": "2025-01-01",
        "term_start": "2025-01-01",
        "term_end": "2029-12-31",
    },
    ("PATCH", "/api/v1/scitech/society-members/{society_member_id}"): {"term_end": "2030-12-31"},
    ("POST", "/api/v1/scitech/society-members/{society_member_id}/dues"): {
        "year": 2026,
        "amount": "100",
        "paid_on": "2026-01-02",
    },
    ("POST", "/api/v1/scitech/stations"): {
        "org": "{scitech_org}",
        "kind": "service",
        "name": "乙方服务站",
        "host": "乙方企业",
        "established_on": "2025-06-01",
    },
    ("PATCH", "/api/v1/scitech/stations/{station_id}"): {"name": "改名"},
    ("POST", "/api/v1/scitech/stations/{station_id}/experts"): {
        "expert": "{scitech_expert2}",
        "joined_on": "2025-06-02",
    },
    ("POST", "/api/v1/scitech/stations/{station_id}/projects"): {
        "title": "乙方项目二",
        "started_on": "2025-06-03",
    },
    ("POST", "/api/v1/scitech/station-projects/{station_project_id}/results"): {
        "kind": "patent",
        "title": "乙方专利",
        "achieved_on": "2025-07-01",
    },
    ("PUT", "/api/v1/scitech/contests/{contest_id}/results"): {
        "results": [{"entrant": "乙方选手", "rank": 1, "award": "first"}]
    },
    # youth (共青团)
    ("POST", "/api/v1/youth/members"): {
        "person": "{youth_person2}",
        "org": "{youth_branch}",
        "joined_on": "2024-05-04",
    },
    ("PATCH", "/api/v1/youth/members/{league_member_id}"): {"league_post": True},
    ("POST", "/api/v1/youth/me/report-in"): {"member": "{youth_member}"},
    ("POST", "/api/v1/youth/branches/{org_id}/graduation"): {"members": ["{youth_member}"]},
    ("PUT", "/api/v1/youth/branches/{org_id}/category"): {"category": "student"},
    ("PUT", "/api/v1/youth/plans/{org_id}"): {"year": datetime.now(UTC).year, "quota": 10},
    ("POST", "/api/v1/youth/campaigns"): {
        "org": "{youth_committee}",
        "year": 2031,
        "opens_on": "2031-03-01",
        "closes_on": "2031-06-30",
    },
    ("POST", "/api/v1/youth/campaigns/{campaign_id}/registrations"): {"members": ["{youth_member}"]},
    ("POST", "/api/v1/youth/age-outs/scan"): {"org": "{youth_committee}"},
    ("POST", "/api/v1/youth/age-outs/{age_out_id}/decision"): {"decision": "keep", "note": "担任团内职务"},
    ("PUT", "/api/v1/youth/dues/schemes/{org_id}"): {
        "wage_bands": [{"up_to": "3000", "rate": "0.005"}, {"up_to": None, "rate": "0.01"}],
        "student_amount": "0.20",
        "no_income_amount": "0.20",
        "kept_share": "0.5",
    },
    ("POST", "/api/v1/youth/volunteers/me"): {"org": "{youth_branch}"},
    ("PUT", "/api/v1/youth/meetings/{event_id}/minutes"): {"minutes": "到会团员一名。"},
    ("POST", "/api/v1/youth/evaluations"): {
        "org": "{youth_branch}",
        "year": datetime.now(UTC).year - 1,
        "grades": [{"member": "{youth_member}", "grade": "qualified"}],
    },
    ("PATCH", "/api/v1/youth/evaluations/{evaluation_id}"): {"grade": "excellent"},
    ("POST", "/api/v1/youth/volunteers/events/{event_id}/hours/decision"): {"decision": "confirm"},
    ("POST", "/api/v1/youth/dues"): {
        "member": "{youth_member}",
        "month": "2025-01",
        "category": "student",
        "channel": "cash",
    },
}
#: Multipart bodies: form fields (filled like BODIES) and one file.
FORMS: dict[tuple[str, str], tuple[dict[str, str], tuple[str, bytes, str]]] = {
    ("POST", "/api/v1/files"): (
        {"owner_kind": "filetest.dossier", "owner_id": "{org}"},
        ("材料.pdf", PDF, "application/pdf"),
    ),
    ("POST", "/api/v1/imports/{what}"): (
        {},
        ("orgs.csv", "名称,类型,层级,上级\n新组织,party.committee,township,{org}\n".encode(), "text/csv"),
    ),
    # --- union plugin (工会) ---
    ("POST", "/api/v1/union/orgs/{org_id}/dues-imports"): (
        {},
        ("dues.csv", "会员证号,月份\n".encode(), "text/csv"),
    ),
    # --- women (妇联) ---
    ("POST", "/api/v1/women/orgs/{org_id}/executive-imports"): (
        {},
        ("执委.csv", "姓名,身份证号,职务,任期开始,任期结束\n".encode(), "text/csv"),
    ),
    # --- scitech (科协) ---
    ("POST", "/api/v1/scitech/experts/import"): (
        {},
        ("experts.csv", "姓名,学科\n乙方导入专家,520\n".encode(), "text/csv"),
    ),
}
#: Bodies that name nothing of B (a login, one's own password, a lookup answered from reach, a greeting):
#: the route is judged by its answer (nothing of B), not refused outright.
NEUTRAL_BODIES = {
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/me/password"),
    ("POST", "/api/v1/persons/lookup"),
    ("POST", "/api/v1/demo/greetings"),
    ("PUT", "/api/v1/me/inbox/preferences"),
    ("PATCH", "/api/v1/me"),
    # --- self-service: sign-up and login methods, the caller's own account and data ------------------------
    ("POST", "/api/v1/auth/codes"),
    ("POST", "/api/v1/auth/signup"),
    ("POST", "/api/v1/auth/wechat/bind"),
    ("POST", "/api/v1/auth/password-change"),
    ("POST", "/api/v1/me/closure"),
    ("POST", "/api/v1/me/data/corrections"),
    ("POST", "/api/v1/me/data/erasure"),
}
#: Query parameters a route requires (``{name}`` filled like BODIES); a required one not here fails.
QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/api/v1/coverage"): {"region": "330100"},
    ("GET", "/api/v1/events/ratings"): {"org": "{org}"},
    ("GET", "/api/v1/events/calendar.ics"): {"org": "{org}"},
    ("GET", "/api/v1/files"): {"owner_kind": "filetest.dossier", "owner_id": "{org}"},
    ("GET", "/api/v1/processes/statistics"): {"org": "{org}"},
    ("POST", "/api/v1/imports/{what}"): {"parent": "{org}"},
    ("GET", "/api/v1/joint/referrals/route"): {"org_id": "{org}", "request_type": "wage_arrears"},
    ("GET", "/api/v1/joint/services/figures"): {"org_id": "{org}"},
    ("GET", "/api/v1/orgs/directory"): {"q": ORG_NAME},
    # --- union plugin (工会) ---
    ("GET", "/api/v1/union/members"): {"org": "{org}"},
    # --- scitech (科协) ---
    ("POST", "/api/v1/scitech/experts/import"): {"org": "{scitech_org}"},
    ("GET", "/api/v1/scitech/consulting/figures"): {"org": "{scitech_org}"},
    ("GET", "/api/v1/scitech/popularization/reach"): {"org": "{scitech_org}"},
    ("GET", "/api/v1/scitech/societies/{society_id}/dues"): {"year": "2026"},
    # youth (共青团)
    ("GET", "/api/v1/youth/members"): {"org": "{youth_committee}"},
    ("GET", "/api/v1/youth/age-outs"): {"org": "{youth_committee}"},
    ("GET", "/api/v1/youth/dues/arrears"): {"org": "{youth_committee}", "month": "2025-01"},
    ("GET", "/api/v1/youth/dues/summary"): {"org": "{youth_committee}", "period": "2025"},
    ("GET", "/api/v1/youth/volunteers/totals"): {"org": "{youth_committee}"},
    ("GET", "/api/v1/youth/meetings"): {"org": "{youth_committee}"},
    ("GET", "/api/v1/youth/meetings/compliance"): {"org": "{youth_committee}"},
    ("GET", "/api/v1/youth/evaluations"): {"org": "{youth_committee}", "year": str(datetime.now(UTC).year)},
    ("GET", "/api/v1/youth/evaluations/summary"): {
        "org": "{youth_committee}",
        "year": str(datetime.now(UTC).year),
    },
}
#: Filters of lists, each also sent naming B: a list must show nothing of B either way.
FILTERS = {"org": "{org}", "person": "{person}", "account": "{account}", "resource_id": "{person}"}
#: Routes that answer about one resource of B given in the query: A's callers must be refused.
QUERY_TARGETS = {
    ("GET", "/api/v1/processes/statistics"),
    ("GET", "/api/v1/files"),
    ("GET", "/api/v1/joint/referrals/route"),
    ("GET", "/api/v1/joint/services/figures"),
    # --- union plugin (工会) ---
    ("GET", "/api/v1/union/members"),
}

CAMPAIGNS_PUBLIC = "campaigns are announced to every logged-in caller, to be nominated and voted in"
#: Routes where A's callers may get 2xx on B's resource, and why. Their answers still show nothing of B
#: beyond what :data:`SHOWN` allows.
BY_DESIGN: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/events/feeds/{token}"): "a signed private link: whoever holds it reads the feed",
    ("GET", "/api/v1/feeds/orgs/{org_id}/feed.atom"): "an org's feed of public events and notices is public",
    ("GET", "/api/v1/feeds/orgs/{org_id}/feed.json"): "an org's feed of public events and notices is public",
    ("GET", "/api/v1/notices/{notice_id}"): "public notices (公示) are readable by every logged-in caller",
    ("GET", "/api/v1/notices/{notice_id}/objections"): "a person sees their own objections (none here)",
    ("POST", "/api/v1/notices/{notice_id}/objections"): "any logged-in person may object to a notice",
    ("GET", "/api/v1/selections/campaigns/{campaign_id}"): CAMPAIGNS_PUBLIC,
    ("POST", "/api/v1/invitations/lookup"): "a signed invitation: whoever holds it sees what it offers",
    ("POST", "/api/v1/invitations/acceptance"): "a signed invitation: whoever holds it may apply to join",
    (
        "GET",
        "/api/v1/selections/campaigns/{campaign_id}/nominations",
    ): "lists only nominations within reach (none)",
    ("GET", "/api/v1/selections/campaigns/{campaign_id}/results"): "a campaign's candidates are public",
    ("POST", "/api/v1/selections/campaigns/{campaign_id}/votes"): "any signed-in person may vote",
    ("GET", "/api/v1/selections/campaigns/{campaign_id}/votes/mine"): "the caller's own votes",
    # --- self-service: claims ---------------------------------------------------------------------------
    # A claim answers alike whatever it names (no oracle over ID numbers): a match only sends a code to the
    # record's phone, which A's callers do not hold.
    ("POST", "/api/v1/me/claims"): "a claim answers alike whatever it names; the code goes to B's phone",
    ("POST", "/api/v1/me/claims/{claim_id}/confirmation"): (
        "another's claim answers claim-failed exactly as a wrong code does (nothing says whose it is)"
    ),
    ("POST", "/api/v1/me/claims/reviews"): "anyone signed in may ask an org to review their claim",
    # youth (共青团)
    (
        "POST",
        "/api/v1/youth/volunteers/me",
    ): "any signed-in person may register as a volunteer with a League org",
}
#: What of B an answer to A's callers may show by design (keys of ``World.secrets``).
SHOWN: dict[tuple[str, str], set[str]] = {
    # B's person's own calendar, through the link only they were given.
    ("GET", "/api/v1/events/feeds/{token}"): {"event", "person"},
    ("GET", "/api/v1/feeds/orgs/{org_id}/feed.atom"): {"org", "org_name", "campaign"},
    ("GET", "/api/v1/feeds/orgs/{org_id}/feed.json"): {"org", "org_name", "campaign"},
    # An invitation names the org it invites to; accepting it opens an application there.
    ("POST", "/api/v1/invitations/lookup"): {"org", "org_name"},
    ("POST", "/api/v1/invitations/acceptance"): {"org", "org_name", "invitation"},
    # Campaigns are public (CAMPAIGNS_PUBLIC) and name the org that runs them.
    ("GET", "/api/v1/selections/campaigns"): {"campaign", "org"},
    ("GET", "/api/v1/selections/campaigns/{campaign_id}"): {"campaign", "org"},
    ("GET", "/api/v1/selections/campaigns/{campaign_id}/nominations"): {"campaign"},
    ("GET", "/api/v1/selections/campaigns/{campaign_id}/results"): {"campaign"},
    # A public notice names the org that published it.
    ("GET", "/api/v1/notices"): {"org"},
    ("GET", "/api/v1/notices/{notice_id}"): {"org"},
    # The directory of orgs names active orgs anywhere (name, kind, code: no people), to apply or transfer.
    # Plugins' orgs of B (a society, a federation) are orgs like any other there.
    ("GET", "/api/v1/orgs/directory"): {
        "org",
        "org2",
        "org_name",
        "scitech_org",
        "scitech_society",
        "women_federation",
        "disabled_org",
    },
    # A review of a claim is a process at the org the person asked, which names it.
    ("POST", "/api/v1/me/claims/reviews"): {"org", "org_name"},
    # The service menu lists services for everyone wherever they are to every signed-in caller (the
    # control's POST /joint/services publishes one of B), each naming the org that gives it; B's
    # members-only service stays unseen.
    ("GET", "/api/v1/joint/services"): {"org", "org_name"},
}
SELF_ONLY = "a self route: only B's own person (a member of the org) reaches it, not a cadre above"
PLATFORM_ONLY = "platform-wide: only a grant on the whole platform may"
UNION_NOT_GRASSROOTS = "B's org is a Party committee: members, dues and funds belong to grassroots unions"
UNION_NO_FILE = "B's person has no union member file"
UNION_NO_COMPETITION = "B's event is no union's labour competition"
#: What R's administrator (the control) gets where it is not 2xx, and why.
CONTROL: dict[tuple[str, str], tuple[set[int], str]] = {
    ("GET", "/api/v1/audit/verify"): ({403}, PLATFORM_ONLY),
    ("GET", "/api/v1/clients"): ({403}, PLATFORM_ONLY),
    ("POST", "/api/v1/clients"): ({403}, PLATFORM_ONLY),
    ("GET", "/api/v1/clients/{client_id}"): ({403}, PLATFORM_ONLY),
    ("POST", "/api/v1/clients/{client_id}/secrets"): ({403}, PLATFORM_ONLY),
    ("POST", "/api/v1/clients/{client_id}/disable"): ({403}, PLATFORM_ONLY),
    ("POST", "/api/v1/coverage/snapshots"): ({403}, PLATFORM_ONLY),
    ("POST", "/api/v1/roles"): ({403}, PLATFORM_ONLY),
    ("PATCH", "/api/v1/roles/{role_id}"): ({403}, PLATFORM_ONLY),
    ("DELETE", "/api/v1/roles/{role_id}"): ({403}, PLATFORM_ONLY),
    ("POST", "/api/v1/auth/token"): ({422}, "a login without credentials"),
    ("POST", "/api/v1/me/password"): ({422}, "empty passwords (a real change would end the session)"),
    ("POST", "/api/v1/events/{event_id}/feedback"): ({409}, "R's administrator did not attend"),
    ("POST", "/api/v1/events/{event_id}/publish"): ({409}, "the event is published already"),
    ("POST", "/api/v1/events/{event_id}/cancel"): ({409}, "the event was finished just before"),
    ("POST", "/api/v1/processes/{process_id}/referrals"): ({422}, "an application to join is not referred"),
    ("POST", "/api/v1/orgs/{org_id}/dissolve"): ({409}, "B still has a child org"),
    ("POST", "/api/v1/places/{place_id}/check-ins"): ({409}, "the booking begins in two days: not yet"),
    ("POST", "/api/v1/bookings/{booking_id}/no-show"): ({409}, "the booking has not begun"),
    ("POST", "/api/v1/selections/campaigns/{campaign_id}/decision"): ({409}, "no notice has run yet"),
    # Self routes touch only the caller's own data: the cadre reaching B gets nothing of B's person there.
    ("GET", "/api/v1/me/orgs/{org_id}"): ({404}, SELF_ONLY),
    ("POST", "/api/v1/me/consents/{consent_id}/withdrawal"): ({404}, SELF_ONLY),
    ("POST", "/api/v1/me/inbox/{notification_id}/read"): ({404}, SELF_ONLY),
    ("POST", "/api/v1/me/sessions/{session_id}/end"): ({404}, SELF_ONLY),
    ("POST", "/api/v1/selections/campaigns/{campaign_id}/votes"): ({409}, "the generic type has no vote"),
    ("POST", "/api/v1/selections/nominations/{nomination_id}/withdraw"): (
        {403},
        "only who filed a nomination withdraws it (B's admin did)",
    ),
    # core16 (issue 16)
    ("POST", "/api/v1/events/{event_id}/checkins/venue"): ({409}, "R's administrator is not registered"),
    ("GET", "/api/v1/events/{event_id}/public"): ({404}, "B's event is for members: it has no public page"),
    ("GET", "/api/v1/announcements/{announcement_id}/public"): (
        {404},
        "B's announcement is for members: it has no public page",
    ),
    ("POST", "/api/v1/announcements/{announcement_id}/publish"): (
        {409},
        "the announcement is published already",
    ),
    # --- joint plugin ---
    ("POST", "/api/v1/joint/services/{service_id}/orders"): (
        {403},
        "B's service is for B's members: R's administrator is none",
    ),
    ("POST", "/api/v1/joint/orders"): (
        {422},
        "a need is ordered from the person's own org: R's admin's is R",
    ),
    ("POST", "/api/v1/joint/orders/{order_id}/rating"): ({403}, "only the person who ordered rates it"),
    ("POST", "/api/v1/joint/surveys/{survey_id}/runs"): ({409}, "B's survey has a run open: one at a time"),
    ("POST", "/api/v1/joint/survey-runs/{run_id}/responses"): (
        {403},
        "B's survey asks B's members: R's administrator is none",
    ),
    # --- self-service -----------------------------------------------------------------------------------
    ("POST", "/api/v1/auth/codes"): ({429}, "A's callers just asked a code for this phone: the resend wait"),
    ("POST", "/api/v1/auth/signup"): ({409}, "one of A's callers just signed up with this very username"),
    ("POST", "/api/v1/auth/password-change"): (
        {429},
        "A's callers just tried six wrong passwords for this username from this address: throttled",
    ),
    ("POST", "/api/v1/audit/checkpoints"): ({403}, PLATFORM_ONLY),
    ("POST", "/api/v1/me/closure"): (
        {422},
        "a wrong password (a real closure would end the control's login)",
    ),
    ("POST", "/api/v1/me/claims/{claim_id}/confirmation"): ({422}, SELF_ONLY),
    ("POST", "/api/v1/me/transfers"): ({422}, "only the member moves their own membership"),
    ("POST", "/api/v1/me/person-links/{link_id}/approve"): ({404}, SELF_ONLY),
    ("POST", "/api/v1/me/person-links/{link_id}/reject"): ({404}, SELF_ONLY),
    ("POST", "/api/v1/person-links/{link_id}/withdraw"): ({404}, "only who proposed a link withdraws it"),
    # --- union plugin (工会): B's org is a Party committee, not a union; B's persons have no union file ---
    ("POST", "/api/v1/union/members"): ({422}, UNION_NOT_GRASSROOTS),
    ("GET", "/api/v1/union/members/{person_id}"): ({404}, UNION_NO_FILE),
    ("PATCH", "/api/v1/union/members/{person_id}"): ({404}, UNION_NO_FILE),
    ("POST", "/api/v1/union/members/{person_id}/leave"): ({404}, UNION_NO_FILE),
    ("PUT", "/api/v1/union/orgs/{org_id}/profile"): ({422}, UNION_NOT_GRASSROOTS),
    ("POST", "/api/v1/union/orgs/{org_id}/dues-assessments"): ({422}, UNION_NOT_GRASSROOTS),
    ("POST", "/api/v1/union/orgs/{org_id}/dues-payments"): ({422}, UNION_NOT_GRASSROOTS),
    ("POST", "/api/v1/union/orgs/{org_id}/funds"): ({422}, UNION_NOT_GRASSROOTS),
    ("POST", "/api/v1/union/hardship/{process_id}/help"): ({404}, "B's process is not a hardship file"),
    ("GET", "/api/v1/union/members/{person_id}/benefits"): ({404}, UNION_NO_FILE),
    ("GET", "/api/v1/union/members/{person_id}/dues-payments"): ({404}, UNION_NO_FILE),
    ("GET", "/api/v1/union/competitions/{event_id}"): ({404}, UNION_NO_COMPETITION),
    ("PUT", "/api/v1/union/competitions/{event_id}/results"): ({404}, UNION_NO_COMPETITION),
    ("POST", "/api/v1/union/competitions/{event_id}/publish"): ({404}, UNION_NO_COMPETITION),
    ("GET", "/api/v1/union/hardship/{process_id}/help"): ({404}, "B's process is not a hardship file"),
    ("POST", "/api/v1/union/orgs/{org_id}/representatives"): ({422}, UNION_NOT_GRASSROOTS),
    ("POST", "/api/v1/union/orgs/{org_id}/representatives/{person_id}/reports"): (
        {404},
        "B's person is no representative",
    ),
    ("POST", "/api/v1/union/orgs/{org_id}/representatives/{person_id}/evaluations"): (
        {404},
        "only a member of B's union evaluates its representatives",
    ),
    # youth (共青团)
    ("POST", "/api/v1/youth/me/report-in"): ({404}, SELF_ONLY),
    ("GET", "/api/v1/youth/volunteers/events/{event_id}/hours"): ({404}, "B's event is no volunteer service"),
    ("POST", "/api/v1/youth/volunteers/events/{event_id}/hours/decision"): (
        {404},
        "B's event is no volunteer service",
    ),
}
#: Ids that may appear in A's answers: notices are public, roles and problem types platform-wide.
PUBLIC_IDS = {"notice", "role", "problem_code", "what"}
#: Run last, in this order (each removes or ends something a later route or the next caller needs).
LAST = [
    # Opens a process at B naming the caller: after every list and /me that would show it.
    ("POST", "/api/v1/me/claims/reviews"),
    ("POST", "/api/v1/processes/{process_id}/transitions"),
    ("POST", "/api/v1/notices/{notice_id}/objections/{objection_id}/resolve"),
    ("POST", "/api/v1/notices/{notice_id}/withdraw"),
    ("POST", "/api/v1/announcements/{announcement_id}/withdraw"),
    ("POST", "/api/v1/events/{event_id}/registrations/{registration_id}/cancel"),
    ("POST", "/api/v1/events/{event_id}/finish"),
    ("POST", "/api/v1/events/{event_id}/cancel"),
    ("DELETE", "/api/v1/files/{file_id}"),
    ("POST", "/api/v1/bookings/{booking_id}/no-show"),
    ("POST", "/api/v1/bookings/{booking_id}/cancel"),
    ("POST", "/api/v1/selections/nominations/{nomination_id}/review"),
    ("POST", "/api/v1/selections/nominations/{nomination_id}/withdraw"),
    ("POST", "/api/v1/honors/{honor_id}/revoke"),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"),
    ("DELETE", "/api/v1/units/{unit_id}/links/{org_id}"),
    ("POST", "/api/v1/members/{membership_id}/transfer"),
    ("POST", "/api/v1/members/{membership_id}/leave"),
    ("DELETE", "/api/v1/grants/{grant_id}"),
    ("DELETE", "/api/v1/roles/{role_id}"),
    ("POST", "/api/v1/clients/{client_id}/disable"),
    ("POST", "/api/v1/accounts/{account_id}/password-reset"),
    ("POST", "/api/v1/accounts/{account_id}/disable"),
    ("POST", "/api/v1/accounts/{account_id}/enable"),
    ("DELETE", "/api/v1/persons/{person_id}"),
    ("POST", "/api/v1/orgs/{org_id}/move"),
    ("POST", "/api/v1/orgs/{org_id}/dissolve"),
    ("POST", "/api/v1/invitations/acceptance"),
    ("POST", "/api/v1/invitations/{invitation_id}/revocation"),
    # --- joint plugin (before the logout, which ends every session) ---
    ("DELETE", "/api/v1/joint/councils/{council_id}/members/{council_member_id}"),
    ("DELETE", "/api/v1/joint/referral-rules/{rule_id}"),
    ("POST", "/api/v1/joint/survey-runs/{run_id}/close"),
    ("POST", "/api/v1/auth/logout"),
]


@dataclass
class World:
    ids: dict[str, str]
    callers: dict[str, dict[str, str]]
    #: R's administrator: reaches B from above.
    control: dict[str, str]
    #: Strings that must not appear in A's answers: B's ids, paths and names.
    secrets: dict[str, str] = field(default_factory=dict)


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole and whole[1] in ids:
            return ids[whole[1]]
        return re.sub(r"\{(\w+)\}", lambda m: ids.get(m[1], m[0]), value)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _matrix_plugins() -> dict[str, object]:
    """Every installed plugin, the test suite's demo, and the plugins declaring file owners and process
    types (the bundled plugins declare none yet)."""
    return {**all_test_plugins(), "filetest": files_plugin, "proctest": process_plugin}


class _AnyWeChat(WeChatServer):
    """``code2session`` answering every code with a new WeChat user: each caller binds one of its own."""

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        self.codes[parse_qs(urlsplit(path).query).get("js_code", [""])[0]] = (f"o-{uuid.uuid4().hex}", None)
        self.used.clear()
        return super().handle(method, path, headers, body)


@pytest.fixture(scope="module")
def wechat() -> Iterator[WeChatServer]:
    server = _AnyWeChat()
    yield server
    server.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(module_settings: Settings, wechat: WeChatServer) -> AsyncIterator[ApiClient]:
    settings = msgspec.structs.replace(
        module_settings,
        embedded_worker=False,  # deliveries stay queued: nothing is sent anywhere
        webhook_allowed_networks=("127.0.0.1/32",),
        webhook_allow_http_loopback=True,
        # Sign-up open in every way, codes logged, WeChat answered by a local code2session server.
        **signup_overrides(
            signup_password_enabled=True,
            wechat_app_id=APP_ID,
            wechat_app_secret=APP_SECRET,
            wechat_api_base=wechat.url,
        ),
    )
    app = create_app(settings, make_plugin_manager(settings, plugins=_matrix_plugins()))
    async for c in open_client(app):
        yield c


async def _ok(response: Any, *statuses: int) -> Any:
    assert response.status_code in (statuses or (200, 201, 202, 204)), (
        response.request.method,
        response.request.url,
        response.status_code,
        response.text[:500],
    )
    return response.json() if response.content and "json" in response.headers["content-type"] else None


async def _client_token(
    api: ApiClient, platform: dict[str, str], org: str, role: str, scopes: list[str]
) -> Any:
    created = await _ok(
        await api.post("/api/v1/clients", json={"name": "A 的接口", "scopes": scopes}, headers=platform)
    )
    await _ok(
        await api.post(
            "/api/v1/grants",
            json={"role": role, "org": org, "client": created["client_id"]},
            headers=platform,
        )
    )
    token = await _ok(
        await api.post(
            "/api/v1/auth/token",
            json={
                "grant_type": "client_credentials",
                "client_id": str(created["client_id"]),
                "client_secret": created["client_secret"],
            },
        )
    )
    return {"Authorization": f"Bearer {token['access_token']}"}, created["client_id"]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(client: ApiClient) -> World:
    api = client
    db = api.app.state.db
    every = sorted(api.app.state.registry.permissions)
    reads = [code for code in every if code.endswith(".read")]
    root = await make_org(name="区委")
    a = await make_org(root, name="甲方组织")
    b = await make_org(root, name=ORG_NAME)
    b2 = await make_org(b, name=ORG_NAME + "下级")
    c = await make_org(root, name="丙方组织")
    member_of_a = uuid.uuid4()
    await Person.insert(Person(id=member_of_a, name="甲方成员", home_org=a["id"])).run()
    # Accounts hash their passwords and logins verify them (argon2, about a second each on a busy
    # machine): made side by side, as many at once as there are cores.
    accounts = await asyncio.gather(
        make_account(db, grants=[(None, every, True)]),
        make_account(db, grants=[(a["path"], every, True)], home_org=a["path"]),
        make_account(db, grants=[(a["path"], reads, True)], home_org=a["path"]),
        make_account(db, person=member_of_a),
        make_account(db),
        make_account(db, grants=[(b["path"], every, True)], home_org=b["path"]),
        make_account(db, grants=[(root["path"], every, True)], home_org=root["path"]),
        make_account(db, grants=[(c["path"], every, True)], home_org=c["path"]),
    )
    platform, admin, readonly, member, selfsigned, b_admin, parent, c_admin = await asyncio.gather(
        *(bearer(api, *account) for account in accounts)
    )
    await _ok(
        await api.post(f"/api/v1/orgs/{a['id']}/members", json={"person": str(member_of_a)}, headers=platform)
    )
    every_role = await _ok(
        await api.post(
            "/api/v1/roles", json={"code": "all", "name": "全部", "permissions": every}, headers=platform
        )
    )
    callers = {"admin": admin, "readonly": readonly, "member": member, "selfsigned": selfsigned}
    callers["client"], _ = await _client_token(api, platform, str(a["id"]), every_role["id"], every)

    # --- B's resources, made by B's own administrator where it may -----------------------------------
    control = b_admin
    me = await _ok(await api.get("/api/v1/me", headers=parent))
    ids: dict[str, str] = {"org": str(b["id"]), "org2": str(b2["id"]), "root": str(root["id"])}

    async def person(name: str, phone: str, **more: str) -> str:
        made = await _ok(
            await api.post(
                "/api/v1/persons",
                json={"name": name, "home_org": ids["org"], "phone": phone, **more},
                headers=control,
            )
        )
        return str(made["id"])

    ids["person"] = await person(PERSON_NAME, "13900139000")
    # A record imported with its ID number and no login yet: what a claim names.
    ids["id_number"] = "110105199001010037"
    ids["person2"] = await person(PERSON_NAME + "乙", "13900139001", id_number=ids["id_number"])
    ids["person3"] = await person(PERSON_NAME + "丙", "13900139002")
    ids["phone"] = "13900139000"
    joined = await _ok(
        await api.post(f"/api/v1/orgs/{b['id']}/members", json={"person": ids["person"]}, headers=control)
    )
    ids["membership"] = str(joined["id"])
    joined = await _ok(
        await api.post(f"/api/v1/orgs/{b['id']}/members", json={"person": ids["person2"]}, headers=control)
    )
    ids["membership2"] = str(joined["id"])
    password = "b member password 1"
    b_username = f"b{secrets.token_hex(4)}"
    account = await _ok(
        await api.post(
            "/api/v1/accounts",
            json={"username": b_username, "password": password, "person": ids["person"]},
            headers=control,
        )
    )
    ids["account"] = str(account["id"])
    b_member = await bearer(api, b_username, password)
    role = await _ok(
        await api.post(
            "/api/v1/roles",
            json={"code": "b_reader", "name": "查看", "permissions": ["core.person.read"]},
            headers=platform,
        )
    )
    ids["role"] = str(role["id"])
    grant = await _ok(
        await api.post(
            "/api/v1/grants",
            json={"role": ids["role"], "org": ids["org"], "account": ids["account"]},
            headers=control,
        )
    )
    ids["grant"] = str(grant["id"])
    post = await _ok(
        await api.post(
            "/api/v1/posts",
            json={"person": ids["person"], "org": ids["org"], "title": "主席", "start_date": "2024-01-01"},
            headers=control,
        )
    )
    ids["post"] = str(post["id"])
    consent = await _ok(
        await api.post(
            f"/api/v1/persons/{ids['person']}/consents", json={"purpose": "registration"}, headers=control
        )
    )
    ids["consent"] = str(consent["id"])

    event_type = min(c for c, t in api.app.state.registry.event_types.items() if t.details is None)
    start = datetime.now(UTC) + timedelta(days=7)
    ids.update(
        event_type=event_type, future=start.isoformat(), future_end=(start + timedelta(hours=2)).isoformat()
    )
    # B's event began an hour ago (so it may be finished, and checked in at) and lasts a week.
    began = datetime.now(UTC) - timedelta(hours=1)
    event = await _ok(
        await api.post(
            "/api/v1/events",
            json={
                "type": event_type,
                "title": "乙方内部活动",
                "org_id": ids["org"],
                "starts_at": began.isoformat(),
                "ends_at": (began + timedelta(days=7)).isoformat(),
                "visibility": "members",
                "eligibility": "members",
            },
            headers=control,
        )
    )
    ids["event"] = str(event["id"])
    await _ok(await api.post(f"/api/v1/events/{ids['event']}/publish", headers=control))
    registration = await _ok(
        await api.post(
            f"/api/v1/events/{ids['event']}/registrations", json={"person_id": ids["person"]}, headers=control
        )
    )
    ids["registration"] = str(registration["id"])
    ids["checkin_code"] = registration["checkin_code"]
    venue = await api.get(f"/api/v1/events/{ids['event']}/venue-code", headers=control)
    ids["venue_code"] = (await _ok(venue))["code"]

    notice = await _ok(
        await api.post("/api/v1/notices", json={"org_id": ids["org"], "title": "乙方公示"}, headers=control)
    )
    ids["notice"] = str(notice["id"])
    announcement = await _ok(
        await api.post(
            "/api/v1/announcements",
            json={"org_id": ids["org"], "title": "乙方内部公告", "visibility": "members"},
            headers=control,
        )
    )
    ids["announcement"] = str(announcement["id"])
    await _ok(await api.post(f"/api/v1/announcements/{ids['announcement']}/publish", headers=control))
    objection = await _ok(
        await api.post(
            f"/api/v1/notices/{ids['notice']}/objections", json={"reason": "乙方异议"}, headers=b_member
        )
    )
    ids["objection"] = str(objection["id"])
    process = await _ok(
        await api.post(
            "/api/v1/processes",
            json={"type": "core.join", "org_id": ids["org2"], "applicant_id": ids["person2"]},
            headers=control,
        )
    )
    ids["process"] = str(process["id"])
    uploaded = await _ok(
        await api.post(
            "/api/v1/files",
            data={"owner_kind": "filetest.dossier", "owner_id": ids["org"]},
            files={"file": ("乙方档案.pdf", PDF, "application/pdf")},
            headers=control,
        )
    )
    ids["file"] = str(uploaded["id"])
    webhook = await _ok(
        await api.post(
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1/b-hook", "org_id": ids["org"], "signal_types": ["org.created"]},
            headers=control,
        )
    )
    ids["webhook"] = str(webhook["id"])
    delivery = await _ok(await api.post(f"/api/v1/webhooks/{ids['webhook']}/ping", headers=control))
    ids["delivery"] = str(delivery["id"])
    _, b_client = await _client_token(api, platform, ids["org"], every_role["id"], every)
    ids["client"] = str(b_client)
    job = uuid.uuid4()
    await ImportJob.insert(
        ImportJob(
            id=job, what="orgs", mode="all", content=b"", status="done", requested_by=uuid.UUID(me["id"])
        )
    ).run()
    ids["job"] = str(job)
    unit = await _ok(
        await api.post(
            "/api/v1/units",
            json={"name": "乙方企业", "kind": "non_public_enterprise", "area": ids["org"]},
            headers=control,
        )
    )
    ids["unit"] = str(unit["id"])
    # A place of B that is not public, a room only B's members may book, and two bookings of B's member.
    place = await _ok(
        await api.post(
            "/api/v1/places",
            json={"kind": "core.service_center", "org_id": ids["org"], "name": "乙方阵地", "public": False},
            headers=control,
        )
    )
    ids["place"] = str(place["id"])
    room = await _ok(
        await api.post(
            f"/api/v1/places/{ids['place']}/resources",
            json={"kind": "room", "name": "乙方会议室"},
            headers=control,
        )
    )
    ids["resource"] = str(room["id"])
    tz = ZoneInfo("Asia/Shanghai")
    day = datetime.now(tz).date() + timedelta(days=2)

    def at(hour: int) -> str:
        return datetime(day.year, day.month, day.day, hour, tzinfo=tz).isoformat()

    booked = []
    for hour in (10, 11):
        booked.append(
            await _ok(
                await api.post(
                    f"/api/v1/places/resources/{ids['resource']}/bookings",
                    json={"starts_at": at(hour), "ends_at": at(hour + 1)},
                    headers=b_member,
                )
            )
        )
    ids["booking"] = str(booked[0]["id"])
    ids["booking_code"] = booked[1]["checkin_code"]
    ids.update(slot2_start=at(14), slot2_end=at(15))
    # A selection of B with one nomination of B's member, and an honor of B's member entered directly.
    campaign = await _ok(
        await api.post(
            "/api/v1/selections/campaigns",
            json=_fill(BODIES[("POST", "/api/v1/selections/campaigns")], ids),
            headers=control,
        )
    )
    ids["campaign"] = str(campaign["id"])
    nomination = await _ok(
        await api.post(
            f"/api/v1/selections/campaigns/{ids['campaign']}/nominations",
            json={
                "source": "org",
                "nominee_kind": "person",
                "nominee_person_id": ids["person"],
                "org_id": ids["org"],
                "form": {"summary": "乙方事迹"},
            },
            headers=control,
        )
    )
    ids["nomination"] = str(nomination["id"])
    honor = await _ok(
        await api.post(
            "/api/v1/honors",
            json={
                "recipient_kind": "person",
                "person_id": ids["person"],
                "issuing_org_id": ids["org"],
                "title": "乙方优秀志愿者",
                "year": 2025,
            },
            headers=control,
        )
    )
    ids["honor"] = str(honor["id"])
    # A message in the inbox of B's person, and a login session of theirs (self routes name them).
    notification = uuid.uuid4()
    await Notification.insert(
        Notification(
            id=notification,
            person=uuid.UUID(ids["person"]),
            kind="test.note",
            title={"zh-Hans": "乙方消息"},
            resource_type="org",
            resource_id=ids["org"],
            dedupe=f"matrix-{notification}",
        )
    ).run()
    ids["notification"] = str(notification)
    sessions = await _ok(await api.get("/api/v1/me/sessions", headers=b_member))
    ids["session"] = str(sessions[0]["id"])
    invitation = await _ok(
        await api.post(f"/api/v1/orgs/{ids['org']}/invitations", json={"note": "乙方邀请"}, headers=control)
    )
    ids.update(invitation=str(invitation["id"]), invitation_token=invitation["token"])
    # B's member claims B's imported record (a code goes to its phone); C's administrator, who cannot see
    # B's persons, names each of them for C: link requests the org keeping their file answers.
    claim = await _ok(
        await api.post(
            "/api/v1/me/claims",
            json={"name": PERSON_NAME + "乙", "id_number": ids["id_number"]},
            headers=b_member,
        )
    )
    ids["claim"] = str(claim["claim_id"])
    for key, who in (("link", "person"), ("link2", "person2"), ("link3", "person3")):
        proposed = await api.post(
            f"/api/v1/orgs/{c['id']}/members", json={"person": ids[who]}, headers=c_admin
        )
        assert proposed.status_code == 202, proposed.text
        ids[key] = str(proposed.json()["id"])
    secret = api.app.state.settings.secret_key
    ids["feed_link"] = feed_token(secret, uuid.UUID(ids["person"])) + ".ics"
    ids["problem_code"] = "not-found"
    ids["what"] = "members"
    ids["orgs"] = "orgs"

    # --- joint plugin: B's council (member B2), meeting, decision with a task, referral rule ---
    council = await _ok(
        await api.post(
            "/api/v1/joint/councils", json={"org_id": ids["org"], "name": "乙方联席会议"}, headers=control
        )
    )
    ids["joint_council"] = str(council["id"])
    joined = await _ok(
        await api.post(
            f"/api/v1/joint/councils/{council['id']}/members", json={"org_id": ids["org2"]}, headers=control
        )
    )
    ids["joint_member"] = str(joined["members"][0]["id"])
    meeting = await _ok(
        await api.post(
            f"/api/v1/joint/councils/{council['id']}/meetings",
            json={"title": "乙方会议", "starts_at": "2030-01-01T09:00:00+08:00"},
            headers=control,
        )
    )
    ids["joint_meeting"] = str(meeting["id"])
    decision = await _ok(
        await api.post(
            f"/api/v1/joint/councils/{council['id']}/decisions",
            json={
                "title": "乙方议定",
                "tasks": [{"org_id": ids["org2"], "title": "任务", "due_on": "2030-01-01"}],
            },
            headers=control,
        )
    )
    ids["joint_task"] = str(decision["tasks"][0]["id"])
    rule = await _ok(
        await api.post(
            "/api/v1/joint/referral-rules",
            json={"region_id": ids["org"], "request_type": "wage_arrears", "target": "union.*"},
            headers=control,
        )
    )
    ids["joint_rule"] = str(rule["id"])
    # B's service for its members, a partner social organization of B, and the order of B's member.
    service = await _ok(
        await api.post(
            "/api/v1/joint/services",
            json={"org_id": ids["org"], "title": "乙方服务", "audience": "members"},
            headers=control,
        )
    )
    ids["joint_service"] = str(service["id"])
    partner = await _ok(
        await api.post(
            "/api/v1/joint/partners", json={"org_id": ids["org"], "name": "乙方社会组织"}, headers=control
        )
    )
    ids["joint_partner"] = str(partner["id"])
    order = await _ok(
        await api.post(
            f"/api/v1/joint/services/{service['id']}/orders", json={"note": "乙方点单"}, headers=b_member
        )
    )
    ids["joint_order"] = str(order["id"])
    # B's survey of its members, this quarter's run, answered by B's member.
    survey = await _ok(
        await api.post(
            "/api/v1/joint/surveys",
            json={
                "org_id": ids["org"],
                "title": "乙方需求调查",
                "audience": "members",
                "questions": [{"code": "q", "kind": "rating", "text": "满意度"}],
            },
            headers=control,
        )
    )
    ids["joint_survey"] = str(survey["id"])
    run = await _ok(await api.post(f"/api/v1/joint/surveys/{survey['id']}/runs", json={}, headers=control))
    ids["joint_run"] = str(run["id"])
    await _ok(
        await api.post(
            f"/api/v1/joint/survey-runs/{run['id']}/responses",
            json={"answers": [{"question": "q", "rating": 5}]},
            headers=b_member,
        )
    )
    # --- disabled (the example 残联 plugin, when installed): a county 残联 of B and a certificate of B's
    # person there (without the plugin no route names them: the ids are just never requested).
    ids.update(disabled_org=str(uuid.uuid4()), disabled_certificate=str(uuid.uuid4()))
    if "disabled" in api.app.state.registry.plugins:
        federation = await _ok(
            await api.post(
                "/api/v1/orgs",
                json={
                    "name": "乙方残联",
                    "kind": "disabled.federation",
                    "level": "county",
                    "parent": ids["org"],
                },
                headers=control,
            )
        )
        ids["disabled_org"] = str(federation["id"])
        certificate = await _ok(
            await api.post(
                "/api/v1/disabled/certificates",
                json={
                    "person_id": ids["person"],
                    "org_id": ids["disabled_org"],
                    "id_number": "110101198505050200",
                    "category": "physical",
                    "grade": 2,
                    "issued_on": "2025-01-01",
                    "valid_until": "2035-01-01",
                },
                headers=control,
            )
        )
        ids["disabled_certificate"] = str(certificate["id"])

    # --- women plugin: a federation of B and an executive member of it (B's person).
    federation = await _ok(
        await api.post(
            "/api/v1/orgs",
            json={
                "name": ORG_NAME + "妇联",
                "kind": "women.federation",
                "level": "county",
                "parent": ids["org"],
            },
            headers=control,
        )
    )
    ids["women_federation"] = str(federation["id"])
    executive = await _ok(
        await api.post(
            "/api/v1/women/executives",
            json={
                "org_id": ids["women_federation"],
                "person_id": ids["person"],
                "term_start": "2026-01-01",
                "term_end": "2030-12-31",
            },
            headers=control,
        )
    )
    ids["women_exec_member"] = str(executive["id"])
    program = await _ok(
        await api.post(
            "/api/v1/women/programs",
            json={
                "org_id": ids["women_federation"],
                "kind": "skills",
                "name": "乙方技能培训",
                "sessions": 5,
                "starts_on": "2026-03-01",
                "ends_on": "2026-06-30",
            },
            headers=control,
        )
    )
    ids["women_program"] = str(program["id"])
    enrolment = await _ok(
        await api.post(
            f"/api/v1/women/programs/{ids['women_program']}/enrolments",
            json={"person_id": ids["person"]},
            headers=control,
        )
    )
    ids["women_enrolment"] = str(enrolment["id"])

    # --- scitech (科协): an association, a society and one record of every kind, in B ---
    assoc = await _ok(
        await api.post(
            "/api/v1/orgs",
            json={
                "parent": ids["org"],
                "kind": "scitech.association",
                "level": "county",
                "name": ORG_NAME + "科协",
            },
            headers=control,
        )
    )
    society = await _ok(
        await api.post(
            "/api/v1/orgs",
            json={
                "parent": assoc["id"],
                "kind": "scitech.society",
                "level": "county",
                "name": ORG_NAME + "学会",
            },
            headers=control,
        )
    )
    ids.update(scitech_org=str(assoc["id"]), scitech_society=str(society["id"]))

    async def scitech(path: str, body: dict[str, Any]) -> Any:
        return await _ok(await api.post("/api/v1/scitech" + path, json=body, headers=control))

    for key in ("scitech_expert", "scitech_expert2"):
        made = await scitech(
            "/experts", {"org": ids["scitech_org"], "name": "乙方专家", "disciplines": ["520"]}
        )
        ids[key] = str(made["id"])
    made = await scitech(
        "/popularization/activities",
        {"org": ids["scitech_org"], "kind": "lecture", "title": "乙方讲座", "held_on": "2026-01-02"},
    )
    ids["scitech_activity"] = str(made["id"])
    made = await scitech(
        "/popularization/resources", {"org": ids["scitech_org"], "kind": "video", "title": "乙方视频"}
    )
    ids["scitech_resource"] = str(made["id"])
    made = await scitech(
        f"/societies/{ids['scitech_society']}/members",
        {
            "kind": "group",
            "name": ORG_NAME + "会员单位",
            "member_no": "B-1",
            "grade": "unit",
            "joined_on": "2025-01-01",
            "term_start": "2025-01-01",
            "term_end": "2029-12-31",
        },
    )
    ids["scitech_member"] = str(made["id"])
    made = await scitech(
        "/stations",
        {
            "org": ids["scitech_org"],
            "kind": "expert",
            "name": "乙方工作站",
            "host": "乙方企业",
            "established_on": "2025-01-01",
        },
    )
    ids["scitech_station"] = str(made["id"])
    made = await scitech(
        f"/stations/{ids['scitech_station']}/projects", {"title": "乙方项目", "started_on": "2025-02-01"}
    )
    ids["scitech_project"] = str(made["id"])
    contest_event = await _ok(
        await api.post(
            "/api/v1/events",
            json={
                "type": "scitech.tech_contest",
                "title": "乙方比武",
                "org_id": ids["scitech_org"],
                "starts_at": ids["future"],
                "ends_at": ids["future_end"],
                "details": {"field": "电工"},
            },
            headers=control,
        )
    )
    await _ok(await api.post(f"/api/v1/events/{contest_event['id']}/publish", headers=control))
    contests = await _ok(await api.get("/api/v1/scitech/contests", headers=control))
    ids["scitech_contest"] = str(contests["items"][0]["id"])
    topic = await _ok(
        await api.post(
            "/api/v1/processes",
            json={
                "type": "scitech.consulting",
                "org_id": ids["scitech_org"],
                "form": {"title": "乙方课题", "source": "government", "discipline": "520"},
            },
            headers=control,
        )
    )
    await _ok(
        await api.post(
            f"/api/v1/processes/{topic['id']}/transitions",
            json={"transition": "assign", "form": {"experts": [ids["scitech_expert"]]}},
            headers={**control, "If-Match": f'"{topic["version"]}"'},
        )
    )
    ids["scitech_topic"] = str(topic["id"])

    # youth (共青团): a League committee and branch of B, a member (with an age-out report), a second
    # person to enter, a registration campaign open now and a dues scheme.
    youth_committee = await _ok(
        await api.post(
            "/api/v1/orgs",
            json={
                "name": ORG_NAME + "团委",
                "kind": "youth.committee",
                "level": "county",
                "parent": ids["org"],
            },
            headers=control,
        )
    )
    ids["youth_committee"] = str(youth_committee["id"])
    youth_branch = await _ok(
        await api.post(
            "/api/v1/orgs",
            json={
                "name": ORG_NAME + "团支部",
                "kind": "youth.branch",
                "level": "unit",
                "parent": ids["youth_committee"],
            },
            headers=control,
        )
    )
    ids["youth_branch"] = str(youth_branch["id"])
    youth_birth = (datetime.now(UTC).date() - timedelta(days=365 * 20)).isoformat()
    for key in ("youth_person", "youth_person2"):
        made = await _ok(
            await api.post(
                "/api/v1/persons",
                json={"name": PERSON_NAME + "团员", "home_org": ids["org"], "birth_date": youth_birth},
                headers=control,
            )
        )
        ids[key] = str(made["id"])
    youth_member = await _ok(
        await api.post(
            "/api/v1/youth/members",
            json={"person": ids["youth_person"], "org": ids["youth_branch"], "joined_on": "2023-05-04"},
            headers=control,
        )
    )
    ids["youth_member"] = str(youth_member["id"])
    today = datetime.now(UTC).date()
    youth_campaign = await _ok(
        await api.post(
            "/api/v1/youth/campaigns",
            json={
                "org": ids["youth_committee"],
                "year": today.year,
                "opens_on": (today - timedelta(days=1)).isoformat(),
                "closes_on": (today + timedelta(days=30)).isoformat(),
            },
            headers=control,
        )
    )
    ids["youth_campaign"] = str(youth_campaign["id"])
    await _ok(
        await api.put(
            f"/api/v1/youth/dues/schemes/{ids['youth_committee']}",
            json=BODIES[("PUT", "/api/v1/youth/dues/schemes/{org_id}")],
            headers=control,
        )
    )
    await _ok(
        await api.put(
            f"/api/v1/youth/plans/{ids['youth_committee']}",
            json=BODIES[("PUT", "/api/v1/youth/plans/{org_id}")],
            headers=control,
        )
    )
    from plugins.youth.tables import YouthAgeOut, YouthMember

    youth_path = (
        await YouthMember.select(YouthMember.org_path)
        .where(YouthMember.id == uuid.UUID(ids["youth_member"]))
        .first()
        .run()
    )["org_path"]
    age_out = uuid.uuid4()
    await YouthAgeOut.insert(
        YouthAgeOut(id=age_out, member=uuid.UUID(ids["youth_member"]), org_path=youth_path, found_on=today)
    ).run()
    ids["youth_age_out"] = str(age_out)
    youth_evaluation = await _ok(
        await api.post(
            "/api/v1/youth/evaluations",
            json={
                "org": ids["youth_branch"],
                "year": datetime.now(ZoneInfo("Asia/Shanghai")).year,
                "grades": [{"member": ids["youth_member"], "grade": "qualified"}],
            },
            headers=control,
        )
    )
    ids["youth_evaluation"] = str(youth_evaluation["items"][0]["id"])
    began = datetime.now(UTC) - timedelta(hours=1)
    youth_meeting = await _ok(
        await api.post(
            "/api/v1/events",
            json={
                "type": "youth.branch_assembly",
                "title": "支部大会",
                "visibility": "members",
                "org_id": ids["youth_branch"],
                "starts_at": began.isoformat(),
                "ends_at": (began + timedelta(hours=3)).isoformat(),
                "details": {"topic": "学习团章"},
            },
            headers=control,
        )
    )
    await _ok(await api.post(f"/api/v1/events/{youth_meeting['id']}/publish", headers=control))
    ids["youth_meeting"] = str(youth_meeting["id"])

    # union (工会): a federation of B declaring a member benefit
    union_federation = await _ok(
        await api.post(
            "/api/v1/orgs",
            json={
                "name": ORG_NAME + "总工会",
                "kind": "union.federation",
                "level": "county",
                "parent": ids["org"],
            },
            headers=control,
        )
    )
    ids["union_federation"] = str(union_federation["id"])
    benefit = await _ok(
        await api.post(
            f"/api/v1/union/orgs/{ids['union_federation']}/benefits",
            json={"year": today.year, "name": "乙方疗休养", "category": "rest_trip", "quota": 1},
            headers=control,
        )
    )
    ids["union_benefit"] = str(benefit["id"])

    resource_keys = set(PARAMETERS.values()) - PUBLIC_IDS | {
        "person2",
        "person3",
        "org2",
        "membership2",
        "link2",
        "link3",
        "id_number",
    }
    found = {key: ids[key] for key in resource_keys}
    found.update(org_path=b["path"], person_name=PERSON_NAME, org_name=ORG_NAME)
    return World(ids=ids, callers=callers, control=parent, secrets=found)


# --- the routes ----------------------------------------------------------------------------------------


@dataclass
class Operation:
    method: str
    path: str
    parameters: list[str]
    query: dict[str, dict[str, Any]]
    header_names: set[str]
    json_body: bool
    form_body: bool
    handler: Any

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def _handlers(app: Litestar) -> dict[tuple[str, str], Any]:
    found = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                found[(method, re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path))] = handler
    return found


def operations(app: Litestar) -> list[Operation]:
    """Every operation of the OpenAPI document, in the order they can run in (see :data:`LAST`)."""
    handlers = _handlers(app)
    found = []
    for path, item in app.openapi_schema.to_schema()["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            content = op.get("requestBody", {}).get("content", {})
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    parameters=re.findall(r"\{(\w+)\}", path),
                    query={p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"},
                    header_names={p["name"] for p in op.get("parameters", []) if p["in"] == "header"},
                    json_body="application/json" in content,
                    form_body="multipart/form-data" in content,
                    handler=handlers[(method.upper(), path)],
                )
            )
    order = {key: i for i, key in enumerate(LAST)}
    return sorted(found, key=lambda o: (order.get(o.key, -1), o.path, o.method))


def _guarded(handler: Any) -> bool:
    guards = {getattr(g, "func", g) for g in handler.resolve_guards()}
    return bool(guards & {require_authenticated, require_permission}) and not is_public(handler)


def _targets_b(op: Operation) -> bool:
    """Whether the request reads or changes one specific resource of B (by path, query or body)."""
    if any(p not in GENERIC for p in op.parameters):
        return True
    if op.key in QUERY_TARGETS:
        return True
    return (op.json_body or op.form_body) and op.key not in NEUTRAL_BODIES


@dataclass
class Request:
    method: str
    url: str
    kwargs: dict[str, Any]


async def _requests(api: ApiClient, op: Operation, world: World) -> list[Request]:
    """The request(s) to send for an operation: one, and for lists one more per filter naming B."""
    ids = world.ids
    for name in op.parameters:
        assert name in PARAMETERS, (
            f"{op.method} {op.path}: no resource of B for the path parameter {name!r} — add it to PARAMETERS "
            "and to the world"
        )
    chosen = {n: PARAMETERS[n] for n in op.parameters} | PATH_VALUES.get(op.key, {})
    values = {n: ids[key] for n, key in chosen.items()}
    url = op.path.format(**values)
    query = _fill(QUERIES.get(op.key, {}), ids)
    for name, parameter in op.query.items():
        if parameter.get("required"):
            assert name in query, (
                f"{op.method} {op.path}: add its required query parameter {name!r} to QUERIES"
            )
    kwargs: dict[str, Any] = {"params": query, "headers": {}}
    if op.json_body:
        assert op.key in BODIES, f"{op.method} {op.path} takes a JSON body: add one to BODIES"
        kwargs["json"] = _fill(BODIES[op.key], ids | {"unique": f"u{uuid.uuid4().hex[:10]}"})
    elif op.form_body:
        assert op.key in FORMS, f"{op.method} {op.path} takes a form: add one to FORMS"
        fields, (name, content, content_type) = FORMS[op.key]
        kwargs["data"] = _fill(fields, ids)
        kwargs["files"] = {
            "file": (
                name,
                _fill(content.decode(), ids).encode() if content_type == "text/csv" else content,
                content_type,
            )
        }
    if op.parameters and (op.method in ("PATCH", "PUT") or "If-Match" in op.header_names):
        kwargs["headers"]["If-Match"] = await _etag(api, op, values, world)
    requests = [Request(op.method, url, kwargs)]
    if op.method == "GET" and not _targets_b(op):
        for name, value in FILTERS.items():
            if name in op.query and name not in query:
                requests.append(
                    Request(op.method, url, {**kwargs, "params": {**query, name: _fill(value, ids)}})
                )
    return requests


async def _etag(api: ApiClient, op: Operation, values: dict[str, str], world: World) -> str:
    """The current ETag of the resource an update names (read by the control)."""
    last = op.parameters[-1]
    base = op.path[: op.path.index("{" + last + "}") + len(last) + 2].format(**values)
    response = await api.get(base, headers=world.control)
    return response.headers.get("etag", '"0"')


def _leaks(response: Any, world: World) -> set[str]:
    if not response.content:
        return set()
    text = response.content.decode("utf-8", "replace")
    return {name for name, value in world.secrets.items() if value in text}


def _verdict(caller: str, op: Operation, response: Any, world: World) -> str | None:
    """Why one answer to one of A's callers (or the anonymous one) is wrong, or None."""
    status = response.status_code
    if status >= 500:
        return f"server error {response.text[:200]}"
    if caller == "anonymous" and _guarded(op.handler):
        return None if status == 401 else "a guarded route answers 401 without credentials"
    permission = op.handler.opt.get("permission")
    if caller == "selfsigned" and permission and status != 403:
        return f"no grant holds {permission}: 403"
    if _targets_b(op) and op.key not in BY_DESIGN:
        by_path = bool(set(op.parameters) - GENERIC)
        if status not in ((403, 404) if by_path else (403, 404, 422)):
            return f"B's resource: {'403 or 404' if by_path else '403, 404 or 422'} {response.text[:200]}"
    if 200 <= status < 300 and (leaked := _leaks(response, world) - SHOWN.get(op.key, set())):
        return f"the answer shows B's {sorted(leaked)}"
    return None


async def test_every_route_against_a_sibling_subtree(client: ApiClient, world: World) -> None:
    failures: list[str] = []
    checked = 0
    for op in operations(client.app):
        requests = await _requests(client, op, world)
        callers = STREAM_CALLERS if op.path == STREAM else ("anonymous", *CALLERS)
        sent = [(caller, request) for caller in callers for request in requests]
        # A's callers are refused (or see nothing of B), so none changes what the others meet: side by side.
        responses = await asyncio.gather(
            *(
                client.request(
                    r.method, r.url, **{**r.kwargs, "headers": r.kwargs["headers"] | world.callers.get(c, {})}
                )
                for c, r in sent
            )
        )
        for (caller, request), response in zip(sent, responses, strict=True):
            wrong = _verdict(caller, op, response, world)
            if wrong:
                params = request.kwargs.get("params") or ""
                failures.append(f"{caller}: {op.method} {op.path} {params} → {response.status_code}: {wrong}")
        checked += 1
        if op.path == STREAM:
            continue
        first = requests[0]
        control = await client.request(
            first.method, first.url, **{**first.kwargs, "headers": first.kwargs["headers"] | world.control}
        )
        expected, _ = CONTROL.get(op.key, (None, ""))
        if not (200 <= control.status_code < 300 if expected is None else control.status_code in expected):
            failures.append(f"R's admin: {op.method} {op.path} → {control.status_code} {control.text[:300]}")
    assert not failures, "\n".join(failures)
    assert checked > 100


async def test_the_tables_name_only_routes_that_exist(client: ApiClient) -> None:
    """An entry for a route that is gone (renamed, removed) fails: the tables stay a true account."""
    known = {op.key for op in operations(client.app)}
    for name, table in (
        ("PATH_VALUES", PATH_VALUES),
        ("BODIES", BODIES),
        ("FORMS", FORMS),
        ("NEUTRAL_BODIES", NEUTRAL_BODIES),
        ("QUERIES", QUERIES),
        ("QUERY_TARGETS", QUERY_TARGETS),
        ("BY_DESIGN", BY_DESIGN),
        ("SHOWN", SHOWN),
        ("CONTROL", CONTROL),
        ("LAST", LAST),
    ):
        stale = set(table) - known
        assert not stale, f"{name} names routes the app does not have: {sorted(stale)}"
