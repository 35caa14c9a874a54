"""The built-in roles of the joint plugin: the council's office (联席会议办公室), and the member org's
handler of assigned tasks (交办任务承办人)."""

from __future__ import annotations

from core.sdk import BuiltinRole, Text
from plugins.joint import permissions as perm

ROLES: tuple[BuiltinRole, ...] = (
    BuiltinRole(
        code="joint.council_office",
        name=Text(zh_hans="联席会议办公室", zh_hant="聯席會議辦公室", en="Joint council office"),
        permissions=(
            perm.COUNCIL_READ,
            perm.COUNCIL_MANAGE,
            perm.TASK_SUPERVISE,
            perm.REFERRAL_READ,
            perm.REFERRAL_MANAGE,
            perm.PICTURE_READ,
        ),
        description=Text(
            zh_hans="召开联席会议、记录议定事项、督办任务、维护转办规则、查看区域一张图",
            zh_hant="召開聯席會議、記錄議定事項、督辦任務、維護轉辦規則、查看區域一張圖",
            en="Runs councils and decisions, follows tasks up, keeps referral rules, reads the region picture",
        ),
    ),
    BuiltinRole(
        code="joint.task_handler",
        name=Text(zh_hans="交办任务承办人", zh_hant="交辦任務承辦人", en="Task handler"),
        permissions=(perm.COUNCIL_READ, perm.TASK_HANDLE, perm.REFERRAL_READ),
        description=Text(
            zh_hans="成员单位接收、办理并报告联席会议交办的任务",
            zh_hant="成員單位接收、辦理並報告聯席會議交辦的任務",
            en="A member org's cadre who accepts, works on and reports the council's tasks",
        ),
    ),
)
