"""Every extension point is typed, documented where it is declared, and in the plugin author's guide."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from core.kernel import hookspecs

GUIDE = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text(encoding="utf-8")
SPECS = [
    name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("quntuan_")
]


def test_there_are_hookspecs() -> None:
    assert {
        "quntuan_plugin_info",
        "quntuan_org_kinds",
        "quntuan_event_types",
        "quntuan_permissions",
        "quntuan_piccolo_app",
        "quntuan_routes",
    } <= set(SPECS)


@pytest.mark.parametrize("name", SPECS)
def test_hookspec_is_typed_and_documented(name: str) -> None:
    fn = getattr(hookspecs, name)
    assert fn.__doc__ and len(fn.__doc__.strip()) > 40, f"{name} needs a docstring saying when it is called"
    signature = inspect.signature(fn)
    assert signature.return_annotation is not inspect.Signature.empty, f"{name} lacks a return type"
    for parameter in signature.parameters.values():
        assert parameter.annotation is not inspect.Parameter.empty, f"{name}({parameter.name}) lacks a type"
    assert f"#### `{name}(" in GUIDE, f"{name} is missing from docs/plugins.md"


def test_every_name_of_the_public_api_is_in_the_guide() -> None:
    import core.sdk

    section = GUIDE[GUIDE.index("## The public API") : GUIDE.index("## The life of a request")]
    listed = set(re.findall(r"`([A-Za-z_]+)`", section))
    assert sorted(set(core.sdk.__all__) - listed) == [], "add them to the table in docs/plugins.md"
