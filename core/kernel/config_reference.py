"""The configuration reference, generated from the :class:`core.kernel.settings.Settings` Struct itself.

Each field's ``#:`` comment (the Sphinx convention used in the source) becomes its description, so the
reference cannot drift from the code: ``quntuan config reference`` prints it and a test compares it
with ``docs/configuration.md``.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

import msgspec

from core.kernel import settings as settings_module
from core.kernel.settings import PREFIX, Settings


def _comments() -> dict[str, str]:
    source = inspect.getsource(settings_module)
    lines = source.splitlines()
    tree = ast.parse(source)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Settings")
    found: dict[str, str] = {}
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            doc: list[str] = []
            index = node.lineno - 2
            while index >= 0 and lines[index].strip().startswith("#:"):
                doc.insert(0, lines[index].strip()[2:].strip())
                index -= 1
            found[node.target.id] = " ".join(doc)
    return found


def _default(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) if value else "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _type(field_type: Any) -> str:
    text = str(field_type).replace("typing.", "")
    return text.removeprefix("<class '").removesuffix("'>")


def reference_markdown() -> str:
    """The full reference as a Markdown document."""
    comments = _comments()
    rows = [
        "# Configuration reference",
        "",
        "Generated from `core/kernel/settings.py` by `quntuan config reference`; do not edit by hand.",
        f"Every setting is an environment variable `{PREFIX}<NAME>` (or a line in `.env`). Lists are comma-separated;",
        "booleans accept true/false, 1/0, yes/no, on/off. A wrong value stops start-up naming the variable.",
        "",
        "| variable | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for field in msgspec.structs.fields(Settings):
        default = field.default if field.default is not msgspec.NODEFAULT else field.default_factory()
        description = comments.get(field.name, "").replace("``", "`").replace("|", "\\|")
        kind = _type(field.type).replace("|", "\\|")
        rows.append(f"| `{PREFIX}{field.name.upper()}` | `{kind}` | `{_default(default)}` | {description} |")
    return "\n".join(rows) + "\n"
