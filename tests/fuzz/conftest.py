"""A live app server over the ingested report page, shared by the schema fuzz tests."""
from __future__ import annotations

import pytest

from tests.api.live import report_data, serving  # noqa: F401  (fixture)


@pytest.fixture(scope="session")
def live_server(report_data, tmp_path_factory):  # noqa: F811
    # No rate limit: the fuzzer is one fast client, and a 429 would only hide the handlers from it.
    with serving(report_data, tmp_path_factory.mktemp("fuzz"), rate_limit_per_minute=0) as server:
        yield server
