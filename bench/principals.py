"""A principal for the benchmarks that call the services directly: a cadre reaching one subtree."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from core.kernel.access import Reach


class SubtreeCadre:
    """An account whose grants reach ``path`` and its subtree for ``codes`` (every permission if None)."""

    kind = "account"
    person_id = None

    def __init__(self, path: str, codes: Collection[str] | None = None) -> None:
        self.id = uuid.uuid4()
        self._reach = [Reach(path=path, subtree=True)]
        self._codes = codes

    def has_permission(self, code: str) -> bool:
        return True

    def reach(self, code: str) -> list[Reach]:
        return self._reach if self._codes is None or code in self._codes else []
