"""Answer work is budgeted per client by question length, not only by request count: a client sending
long questions runs out while its request count is far from the limit; another client is unaffected."""
from __future__ import annotations

import pytest

from tests.api.live import LiveServer, fresh_data_dir, report_data  # noqa: F401  (fixture)

pytestmark = pytest.mark.server

BUDGET = 3_000
LONG = ("What is the planned area of Gui'an New Area, and how big is its directly administered area? " * 20)[:1_900]


@pytest.fixture(scope="module")
def server(report_data, tmp_path_factory):  # noqa: F811
    live = LiveServer(fresh_data_dir(report_data, tmp_path_factory.mktemp("budget")), api_keys="key-a,key-b",
                      rate_limit_per_minute=100, answer_budget_per_minute=BUDGET).start()
    yield live
    live.stop()


def test_long_questions_spend_the_budget_before_the_request_limit(server):
    with server.client(headers={"Authorization": "Bearer key-a"}) as heavy, \
            server.client(headers={"Authorization": "Bearer key-b"}) as light:
        assert heavy.post("/v1/chat", json={"message": LONG}).status_code == 200
        spent = heavy.post("/v1/chat", json={"message": LONG})
        assert spent.status_code == 429 and int(spent.headers["retry-after"]) >= 1
        assert "RAG_ANSWER_BUDGET_PER_MINUTE" in spent.json()["detail"]
        completions = heavy.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": LONG}]})
        assert completions.status_code == 429
        # not answer work: still served
        assert heavy.get("/v1/models").status_code == 200

        for _ in range(5):  # short questions from another key: 5 x (250 + 45) is within its own budget
            ok = light.post("/v1/chat", json={"message": "What is the planned area of Gui'an New Area?"})
            assert ok.status_code == 200 and "1,901 km²" in ok.json()["answer"]
