"""Every table of the core app, in creation order (referenced tables first)."""

from __future__ import annotations

from piccolo.table import Table

CORE_TABLES: tuple[type[Table], ...] = ()
