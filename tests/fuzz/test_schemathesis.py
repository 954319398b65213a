"""Fuzzed requests against the app's own OpenAPI schema (schemathesis): no input gives a server error.

Every operation of the schema a real `rag serve` process publishes, with bodies, paths and queries
generated from it (valid ones and, where schemathesis makes them, schema-violating ones). The server
runs over a healthy store, so any 5xx here is a bug (a 503 would mean the store is down, which it is
not). ``/slack/events`` is not in the schema when Slack is not configured, so it is not fuzzed here;
its signed requests are covered by tests/slack.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.server


def _published_schema() -> dict:
    """The OpenAPI document `rag serve` publishes (the same app, built without starting it: building it
    opens nothing, so this is cheap at collection time; the requests go to the live server)."""
    import tempfile

    from api.main import create_app
    from rag.config import Settings

    unused = Path(tempfile.gettempdir()) / "rag-fuzz-schema-only"  # never written: the app is not started
    return create_app(Settings(data_dir=unused, rate_limit_per_minute=0)).openapi()


# Loaded at import: schemathesis.pytest.from_fixture (a schema fetched from the live server) fails under
# pytest 9 ("'Function' object has no attribute '_nodeid'"), so the schema comes from the app itself.
schema = schemathesis.openapi.from_dict(_published_schema())


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
def test_no_input_gives_a_server_error(case, live_server):
    response = case.call(base_url=live_server.url, timeout=60)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}\n"
        f"reproduce with: {case.as_curl_command()}")
    case.validate_response(response, checks=[not_a_server_error])
