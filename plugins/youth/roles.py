"""The League's built-in roles (团委书记, 团支部书记), seeded into the role table by the core at start-up."""

from __future__ import annotations

from core.sdk import BuiltinRole
from plugins.youth.permissions import ROLES

BUILTIN_ROLES = tuple(
    BuiltinRole(code=code, name=name, permissions=permissions) for code, name, permissions in ROLES
)
