"""Every problem type and every field-error code has zh-Hans, zh-Hant and en text, and every field code the
code base raises is registered (so no 422 falls back to 取值无效 and no detail mixes languages)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from litestar import Litestar

import core
import plugins
from core.kernel.errors import field_codes, problem_types, register_field_code
from core.kernel.i18n import Text
from tests.conftest import ApiClient, open_client
from tests.identity_helpers import bearer, make_account, make_org

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _import_everything() -> None:
    for package in (core, plugins):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if "piccolo_migrations" not in module.name:
                importlib.import_module(module.name)


def _check(text: Text, where: str) -> list[str]:
    wrong = []
    for locale in ("zh-Hans", "zh-Hant", "en"):
        if not text.get(locale).strip():  # type: ignore[arg-type]
            wrong.append(f"{where}: no {locale} text")
    if CJK.search(text.en):
        wrong.append(f"{where}: en text is Chinese: {text.en!r}")
    words = re.sub(r"\{[a-z_]+\}", "", text.zh_hans).strip()  # a text of placeholders only is no language
    if words and not CJK.search(text.zh_hans) and text.zh_hans == text.en:
        wrong.append(f"{where}: zh-Hans text is the English one: {text.zh_hans!r}")
    return wrong


def _raised_codes() -> dict[str, str]:
    """Field codes written as literals where errors are raised: ``("/pointer", "code")`` pairs,
    ``FieldError(code="…")`` and ``MembershipRejected(pointer, "code", …)``."""
    found: dict[str, str] = {}
    for root in ("core", "plugins"):
        for path in (ROOT / root).rglob("*.py"):
            if "piccolo_migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Tuple) and len(node.elts) == 2:
                    pointer, code = node.elts
                    if (
                        isinstance(pointer, ast.Constant)
                        and isinstance(code, ast.Constant)
                        and isinstance(pointer.value, str)
                        and isinstance(code.value, str)
                        and pointer.value.startswith(("/", "query:/", "header:/"))
                        and CODE.match(code.value)
                    ):
                        found[code.value] = str(path.relative_to(ROOT))
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                    if name == "FieldError":
                        for keyword in node.keywords:
                            if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                                found[str(keyword.value.value)] = str(path.relative_to(ROOT))
                    if name == "MembershipRejected" and len(node.args) >= 2:
                        code = node.args[1]
                        if isinstance(code, ast.Constant):
                            found[str(code.value)] = str(path.relative_to(ROOT))
    return found


def test_every_problem_type_speaks_three_languages() -> None:
    _import_everything()
    wrong = []
    for code, problem in problem_types().items():
        wrong += _check(problem.title, f"problem {code} title")
        wrong += _check(problem.detail, f"problem {code} detail")
    assert not wrong, "\n".join(wrong)


def test_every_field_code_speaks_three_languages() -> None:
    _import_everything()
    wrong = []
    for code, text in field_codes().items():
        wrong += _check(text, f"field code {code}")
    assert not wrong, "\n".join(wrong)


def test_every_raised_field_code_is_registered() -> None:
    _import_everything()
    registered = field_codes()
    raised = _raised_codes()
    assert {"invalid_id_number", "invalid_phone", "youth_age", "required"} <= set(raised) | set(registered)
    missing = {code: where for code, where in raised.items() if code not in registered}
    assert not missing, f"field codes without messages: {missing}"


def test_register_field_code_refuses_a_second_meaning() -> None:
    text = Text(zh_hans="测试专用", zh_hant="測試專用", en="For this test only")
    assert register_field_code("test_messages_only", text) == "test_messages_only"
    assert register_field_code("test_messages_only", text) == "test_messages_only"
    with pytest.raises(ValueError, match="already registered"):
        register_field_code("test_messages_only", Text(zh_hans="别的", en="Other"))


@pytest.fixture
async def client(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    async for c in open_client(make_app(plugins={})):
        yield c


async def test_field_codes_and_details_in_the_callers_language(client: ApiClient) -> None:
    org = await make_org()
    admin = await bearer(
        client, *await make_account(client.app.state.db, grants=[(org["path"], ["core.person.write"], True)])
    )
    body = {"name": "王五", "home_org": str(org["id"]), "id_number": "123", "phone": "12"}
    for language, id_message, phone_message in (
        ("zh-Hans", "身份证号无效", "手机号无效"),
        ("zh-Hant", "身分證號無效", "手機號無效"),
        ("en", "Not a valid ID number", "Not a valid mobile number"),
    ):
        refused = await client.post(
            "/api/v1/persons", json=body, headers={**admin, "Accept-Language": language}
        )
        assert refused.status_code == 422, refused.text
        messages = {e["code"]: e["message"] for e in refused.json()["errors"]}
        assert messages["invalid_id_number"].startswith(id_message)
        assert messages["invalid_phone"].startswith(phone_message)
    valid = {"name": "王五", "home_org": str(org["id"]), "id_number": "11010519491231002X"}
    assert (await client.post("/api/v1/persons", json=valid, headers=admin)).status_code == 201
    for language, expected, foreign in (
        ("zh-Hans", "身份证号", "ID number"),
        ("zh-Hant", "身分證號", "ID number"),
        ("en", "ID number", "身份证号"),
    ):
        again = await client.post(
            "/api/v1/persons", json=valid, headers={**admin, "Accept-Language": language}
        )
        assert again.status_code == 409, again.text
        assert expected in again.json()["detail"] and foreign not in again.json()["detail"]
