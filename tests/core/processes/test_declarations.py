"""Process types are checked once at start-up: a broken one rejects its plugin, naming the problem."""

from __future__ import annotations

import types

import msgspec
import pytest

from core.kernel.declarations.processes import Deadline, ProcessType, State, Transition, check_process_type
from core.kernel.i18n import Text
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import Settings
from tests.fixtures import process_plugin

T = Text(zh_hans="名", en="name")


def _type(**overrides: object) -> ProcessType:
    values: dict[str, object] = {
        "code": "bad.type",
        "name": T,
        "initial": "a",
        "states": (State(code="a", name=T), State(code="b", name=T, final=True)),
        "transitions": (Transition(code="go", name=T, sources=("a",), target="b"),),
    }
    values.update(overrides)
    return ProcessType(**values)  # type: ignore[arg-type]


def test_a_good_type_passes() -> None:
    check_process_type(_type())
    check_process_type(process_plugin.HARDSHIP_AID)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"initial": "z"}, "initial state 'z'"),
        (
            {"transitions": (Transition(code="go", name=T, sources=("a",), target="nowhere"),)},
            "unknown state 'nowhere'",
        ),
        (
            {"states": (State(code="a", name=T), State(code="a", name=T, final=True))},
            "state 'a' is declared twice",
        ),
        (
            {"transitions": (Transition(code="go", name=T, sources=("a",), target="b"),) * 2},
            "transition 'go' is declared twice",
        ),
        (
            {
                "states": (
                    State(code="a", name=T),
                    State(code="b", name=T, final=True),
                    State(code="c", name=T, final=True),
                )
            },
            "state 'c' is unreachable",
        ),
        (
            {
                "states": (
                    State(code="a", name=T, deadline=Deadline(days=1, action="transition", transition="x")),
                    State(code="b", name=T, final=True),
                )
            },
            "names no transition",
        ),
        (
            # A dispatch names the org that takes it in its own form: that form must have the field.
            {
                "transitions": (
                    Transition(
                        code="go", name=T, sources=("a",), target="b", handler="step", handler_field="x"
                    ),
                )
            },
            "handler_field must name a field of its form",
        ),
        ({"personal_fields": ("phone",)}, "personal field 'phone'"),
        ({"form": dict}, "form must be a msgspec Struct"),
        ({"on_objection": "reopen"}, "reopen_state"),
    ],
)
def test_broken_types_are_named(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=r"bad\.type") as info:
        check_process_type(_type(**overrides))
    assert message in str(info.value)


def test_a_plugin_with_a_broken_type_is_rejected_with_its_name() -> None:
    class Form(msgspec.Struct):
        x: int

    broken = types.SimpleNamespace(
        quntuan_plugin_info=process_plugin.quntuan_plugin_info,
        quntuan_process_types=lambda: [_type(code="proctest.broken", initial="missing")],
    )
    from core.kernel.hookspecs import hookimpl

    hookimpl(broken.quntuan_process_types)
    pm = make_plugin_manager(Settings(), plugins={"proctest": broken})
    (failure,) = pm.failures
    assert (
        failure.name == "proctest"
        and "proctest.broken" in failure.reason
        and "initial state" in failure.reason
    )
    assert "proctest.broken" not in pm.registry.process_types


def test_type_codes_carry_the_plugin_slug_and_are_unique() -> None:
    wrong = types.SimpleNamespace(
        quntuan_plugin_info=process_plugin.quntuan_plugin_info,
        quntuan_process_types=lambda: [_type(code="union.stolen")],
    )
    from core.kernel.hookspecs import hookimpl

    hookimpl(wrong.quntuan_process_types)
    pm = make_plugin_manager(Settings(), plugins={"proctest": wrong})
    assert "must start with proctest." in pm.failures[0].reason
    good = make_plugin_manager(Settings(), plugins={"proctest": process_plugin})
    assert {"core.join", "proctest.hardship_aid", "proctest.consult"} <= set(good.registry.process_types)
    assert good.registry.process_type_owner("proctest.consult") == "proctest"
