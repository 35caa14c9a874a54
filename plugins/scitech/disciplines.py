"""The discipline vocabulary (学科分类与代码, GB/T 13745-2009), loaded once from ``disciplines.json``.

Every first-level discipline (3 digits, e.g. 520 计算机科学技术) and a working set of second-level ones
(5 digits, e.g. 52020 人工智能; ``…99`` is "other" under each). An expert names second- or first-level
codes; a search for a first-level code finds the experts of every discipline under it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Discipline:
    code: str
    name: str
    parent: str | None


@cache
def vocabulary() -> dict[str, Discipline]:
    raw = json.loads((Path(__file__).parent / "disciplines.json").read_text(encoding="utf-8"))
    return {d["code"]: Discipline(d["code"], d["name"], d["parent"]) for d in raw["items"]}


def standard() -> str:
    return str(
        json.loads((Path(__file__).parent / "disciplines.json").read_text(encoding="utf-8"))["standard"]
    )


def unknown(codes: list[str]) -> list[str]:
    known = vocabulary()
    return [c for c in codes if c not in known]


def with_ancestors(codes: list[str]) -> set[str]:
    """The codes and their first-level parents: what an expert is found under."""
    known = vocabulary()
    found: set[str] = set()
    for code in codes:
        found.add(code)
        parent = known[code].parent
        if parent:
            found.add(parent)
    return found
