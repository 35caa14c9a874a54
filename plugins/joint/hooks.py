"""The joint plugin's hook implementations (entry point ``quntuan.plugins``: ``joint``): thin, they return
declarations; the work is in the modules they name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.conf.apps import AppConfig

from core.sdk import (
    BuiltinRole,
    OrgPathColumn,
    Permission,
    PersonalDataTable,
    PluginInfo,
    ProcessType,
    SignalType,
    StatFigure,
    hookimpl,
)
from plugins.joint import PLUGIN_INFO
from plugins.joint import overdue as _overdue  # noqa: F401 (registers the periodic overdue job)
from plugins.joint.councils import CouncilController, MeetingController, TaskController
from plugins.joint.demo import seed_joint
from plugins.joint.orders import ORDER
from plugins.joint.permissions import PERMISSIONS
from plugins.joint.picture import PictureController
from plugins.joint.processes import TASK
from plugins.joint.referrals import ReferralController
from plugins.joint.roles import ROLES
from plugins.joint.services import MyServiceController, OrderController, PartnerController, ServiceController
from plugins.joint.signals import SIGNALS
from plugins.joint.statistics import joint_figures
from plugins.joint.surveys import MySurveyController, SurveyController, SurveyRunController
from plugins.joint.tables import APP_CONFIG, JointMember, JointOrder, JointSurveyRespondent


@hookimpl
def quntuan_plugin_info() -> PluginInfo:
    return PLUGIN_INFO


@hookimpl
def quntuan_permissions() -> Sequence[Permission]:
    return PERMISSIONS


@hookimpl
def quntuan_piccolo_app() -> AppConfig:
    return APP_CONFIG


@hookimpl
def quntuan_routes() -> Sequence[Any]:
    return [
        CouncilController,
        MeetingController,
        TaskController,
        ReferralController,
        PictureController,
        ServiceController,
        PartnerController,
        OrderController,
        MyServiceController,
        SurveyController,
        SurveyRunController,
        MySurveyController,
    ]


@hookimpl
def quntuan_roles() -> Sequence[BuiltinRole]:
    return ROLES


@hookimpl
def quntuan_signals() -> Sequence[SignalType]:
    return SIGNALS


@hookimpl
def quntuan_process_types() -> Sequence[ProcessType]:
    return [TASK, ORDER]


@hookimpl
def quntuan_org_path_columns() -> Sequence[OrgPathColumn]:
    return [
        OrgPathColumn(table="joint_council", column="org_path"),
        OrgPathColumn(table="joint_member", column="org_path"),
        OrgPathColumn(table="joint_meeting", column="org_path"),
        OrgPathColumn(table="joint_decision", column="org_path"),
        OrgPathColumn(table="joint_task", column="org_path"),
        OrgPathColumn(table="joint_task", column="member_path"),
        OrgPathColumn(table="joint_referral_rule", column="region_path"),
        OrgPathColumn(table="joint_partner", column="org_path"),
        OrgPathColumn(table="joint_service", column="org_path"),
        OrgPathColumn(table="joint_order", column="org_path"),
        OrgPathColumn(table="joint_order", column="assignee_path"),
        OrgPathColumn(table="joint_survey", column="org_path"),
        OrgPathColumn(table="joint_survey_run", column="org_path"),
        OrgPathColumn(table="joint_survey_sheet", column="org_path"),
        OrgPathColumn(table="joint_survey_answer", column="org_path"),
    ]


@hookimpl
async def quntuan_demo_seeded(root_path: str, seed: int) -> None:
    await seed_joint(root_path, seed)


@hookimpl
async def quntuan_statistics(org_path: str) -> Sequence[StatFigure]:
    return await joint_figures(org_path)


@hookimpl
def quntuan_personal_data() -> Sequence[PersonalDataTable]:
    # A member org's representative is a person: erasure clears who it was, the membership stays.
    return [
        PersonalDataTable(
            table=JointMember,
            person_column="representative",
            on_erasure="anonymise",
            fields={"representative": None, "post_title": ""},
        ),
        # An order stays in the menu's figures; erasure clears who placed it and what they wrote.
        PersonalDataTable(
            table=JointOrder,
            person_column="person",
            on_erasure="anonymise",
            fields={"person": None, "rating_comment": ""},
        ),
        # Who answered which survey run; the answers themselves name nobody and stay in the results.
        PersonalDataTable(table=JointSurveyRespondent, person_column="person", on_erasure="delete"),
    ]
