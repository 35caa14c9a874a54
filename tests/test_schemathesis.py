"""Property-based fuzzing of the whole OpenAPI document: no input a client can send yields a 5xx.

It grows with the API: every documented operation of the core and of every installed plugin (and the
test suite's demo plugin) is exercised.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from schemathesis.checks import not_a_server_error

from core.kernel.app import create_app
from core.kernel.plugin_host import make_plugin_manager
from tests.conftest import TEST_DATABASE_URL, all_test_plugins, base_settings
from tests.helpers import AllowAll, with_principal


@pytest.fixture(scope="session")
def fuzzed_app(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Litestar:
    if TEST_DATABASE_URL:
        url = TEST_DATABASE_URL
    else:
        target = Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.db"
        shutil.copyfile(migrated_template, target)
        url = f"sqlite:///{target}"
    s = base_settings(url)
    # The principal may do anything: the fuzzer should reach the handlers, not stop at the guard.
    return with_principal(create_app(s, make_plugin_manager(s, plugins=all_test_plugins())), AllowAll())


@pytest.fixture
def api_schema(fuzzed_app: Litestar) -> schemathesis.BaseSchema:
    fuzzed_app.state.db.bind()  # Piccolo binds engines per table class: make this app's the bound one
    return schemathesis.openapi.from_asgi("/schema/openapi.json", fuzzed_app)


# The live event stream never ends, so an in-memory transport cannot fuzz it; it is tested over real HTTP
# in tests/core/integration/test_stream.py.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path="/api/v1/stream")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
