"""Property-based fuzzing of the scitech routes alone (the whole document's run is tests/test_schemathesis.py):
no input a client can send to them yields a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from tests.test_schemathesis import api_schema, fuzzed_app  # noqa: F401 - the fixtures this module uses

schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex="^/api/v1/scitech/")


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_on_scitech_routes(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[schemathesis.checks.not_a_server_error])
