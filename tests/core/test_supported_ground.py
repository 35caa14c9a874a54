"""The platform stands on its libraries' public APIs: no module imports a private one (``litestar._kwargs``,
``litestar._parsers`` …), which may change in any release without notice."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]
OWN = {"core", "plugins", "tests", "bench", "quntuan_disabled"}


def _private_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] in OWN or parts[0] == "__future__":
                continue
            if any(part.startswith("_") for part in parts[1:]):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    return found


def test_no_module_imports_a_private_module_of_a_library() -> None:
    sources = [
        path
        for folder in ("core", "plugins", "examples")
        for path in (ROOT / folder).rglob("*.py")
        if "piccolo_migrations" not in path.parts and "migrations" not in path.parts
    ]
    assert len(sources) > 100
    private = [line for path in sources for line in _private_imports(path)]
    assert private == [], "\n".join(private)
