"""`GET /v1/sources` on a live server with an API key."""
from __future__ import annotations

import pytest

from tests.api.live import serving

pytestmark = pytest.mark.server

KEY = "sources-test-key"


@pytest.fixture(scope="module")
def server(report_data, tmp_path_factory):
    with serving(report_data, tmp_path_factory.mktemp("sources-http"), api_keys=KEY) as live:
        yield live


def test_sources_need_the_key_and_list_the_page_with_its_labels(server):
    with server.client() as http:
        assert http.get("/v1/sources").status_code == 401
        listed = http.get("/v1/sources", headers={"Authorization": f"Bearer {KEY}"})
    assert listed.status_code == 200, listed.text
    [only] = listed.json()
    assert only["path"] == "page-156.txt" and not only["path"].startswith("/")
    assert (only["kind"], only["pages"], only["page_labels"]) == ("page export", 1, ["156"])
    assert only["chunks"] > 5 and only["ingested"] > 0
