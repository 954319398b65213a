"""Auth on, a small rate limit and one allowed CORS origin: what a client without (or with) a key sees."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.api.live import LiveServer, fresh_data_dir

pytestmark = pytest.mark.server

PER_MINUTE = 5
ALLOWED_ORIGIN = "http://intranet.example"


@pytest.fixture(scope="module")
def server(report_data, tmp_path_factory):
    live = LiveServer(fresh_data_dir(report_data, tmp_path_factory.mktemp("limits-http")),
                      api_keys="key-alpha, key-bravo", rate_limit_per_minute=PER_MINUTE,
                      cors_origins=ALLOWED_ORIGIN).start()
    yield live
    live.stop()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_api_keys_are_required_when_configured(server):
    with server.client() as http:
        missing = http.post("/v1/chat", json={"message": "What is the planned area of Gui'an New Area?"})
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer" in missing.json()["detail"]
        wrong = http.post("/v1/chat", json={"message": "Planned area?"}, headers=bearer("key-charlie"))
        assert wrong.status_code == 401 and wrong.json()["detail"] == "Invalid API key."
        ok = http.post("/v1/chat", json={"message": "What is the planned area of Gui'an New Area?"},
                       headers=bearer("key-alpha"))
        assert ok.status_code == 200 and "1,901 km²" in ok.json()["answer"]
        assert http.get("/healthz").status_code == 200 and http.get("/readyz").status_code == 200, \
            "probes stay open for load balancers"


def test_a_burst_gets_429_with_retry_after_and_other_clients_are_unaffected(server):
    def call(_: int) -> httpx.Response:
        with server.client() as http:
            return http.get("/v1/pages", headers=bearer("key-bravo"))

    with ThreadPoolExecutor(max_workers=PER_MINUTE + 3) as pool:
        responses = list(pool.map(call, range(PER_MINUTE + 3)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * PER_MINUTE + [429] * 3
    limited = next(r for r in responses if r.status_code == 429)
    assert int(limited.headers["retry-after"]) >= 1
    assert "limit is 5 per minute" in limited.json()["detail"]
    with server.client() as http:
        assert http.get("/v1/pages", headers=bearer("key-alpha")).status_code == 200


def test_cors_allows_only_the_configured_origin(server):
    with server.client() as http:
        allowed = http.options("/v1/chat", headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "authorization,content-type"})
        assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
        other = http.options("/v1/chat", headers={"Origin": "http://evil.example",
                                                  "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in other.headers


def test_guessing_keys_is_rate_limited_too(server):
    with server.client() as http:
        codes = [http.get("/v1/pages", headers=bearer(f"guess-{n}")).status_code for n in range(PER_MINUTE + 1)]
    assert 429 in codes and set(codes) <= {401, 429}
