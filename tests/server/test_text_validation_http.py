"""Text no route can handle (a lone UTF-16 surrogate, a control character, absurd nesting) is refused
at the edge with 422 naming the field, never a 500; a corrupt index file is named as corrupt."""
from __future__ import annotations

import json

import pytest

from tests.api.live import report_data, serving  # noqa: F401  (fixture)
from tests.faults.conftest import run_rag

pytestmark = pytest.mark.server

# JSON spells the surrogate as an escape: the bytes on the wire are valid UTF-8 JSON
SURROGATE = '"\\ud800 planned area"'


@pytest.fixture(scope="module")
def server(report_data, tmp_path_factory):  # noqa: F811
    with serving(report_data, tmp_path_factory.mktemp("text-validation"), rate_limit_per_minute=0) as live:
        yield live


def post(server, path: str, raw_json: str):
    with server.client() as http:
        return http.post(path, content=raw_json.encode(), headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("path", ["/v1/chat", "/v1/chat/stream"])
def test_a_lone_surrogate_in_the_question_is_422_naming_the_field(server, path):
    response = post(server, path, f'{{"message": {SURROGATE}}}')
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("message: a lone UTF-16 surrogate (U+D800) at character 0")


def test_a_control_character_in_the_session_id_is_422(server):
    response = post(server, "/v1/chat", '{"message": "Planned area?", "session_id": "abc\\u0007"}')
    assert response.status_code == 422 and response.json()["detail"].startswith(
        "session_id: a control character (U+0007) at character 3")


def test_completions_get_openais_error_envelope_even_for_an_earlier_assistant_message(server):
    body = ('{"model": "report-assistant", "messages": [{"role": "user", "content": "Planned area?"}, '
            '{"role": "assistant", "content": ' + SURROGATE + '}, {"role": "user", "content": "And in 2020?"}]}')
    response = post(server, "/v1/chat/completions", body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == "messages[1].content"
    assert "lone UTF-16 surrogate" in error["message"] and error["code"] == "invalid_text"


def test_deeply_nested_json_is_422_not_a_crash(server):
    response = post(server, "/v1/chat", "[" * 30_000)
    assert response.status_code == 422 and "nested" in response.json()["detail"]
    # and the server still answers
    ok = post(server, "/v1/chat", json.dumps({"message": "What is the planned area of Gui'an New Area?"}))
    assert ok.status_code == 200 and "1,901 km²" in ok.json()["answer"]


def test_tabs_and_newlines_are_still_text(server):
    response = post(server, "/v1/chat", json.dumps({"message": "What is the planned area\tof\nGui'an New Area?"}))
    assert response.status_code == 200 and "1,901 km²" in response.json()["answer"]


def test_an_index_file_of_200000_nested_brackets_is_reported_corrupt(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "index.json").write_text("[" * 200_000, encoding="utf-8")
    done = run_rag(data_dir, "ask", "What is the planned area?")
    assert done.returncode != 0
    assert "index file" in done.stderr and "is corrupt" in done.stderr and "Traceback" not in done.stderr
