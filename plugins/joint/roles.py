"""The built-in role of the joint plugin: the council's office (联席会议办公室)."""

from __future__ import annotations

from plugins.joint import permissions as perm

#: 联席会议办公室: runs councils, meetings and decisions, follows tasks up, keeps the referral rules and
#: reads the region's picture. Member orgs' cadres get ``joint.task.handle`` through their own roles.
COUNCIL_OFFICE = {
    "code": "joint.council_office",
    "name": {"zh-Hans": "联席会议办公室", "zh-Hant": "聯席會議辦公室", "en": "Joint council office"},
    "permissions": (
        perm.COUNCIL_READ,
        perm.COUNCIL_MANAGE,
        perm.TASK_SUPERVISE,
        perm.REFERRAL_READ,
        perm.REFERRAL_MANAGE,
        perm.PICTURE_READ,
    ),
}
