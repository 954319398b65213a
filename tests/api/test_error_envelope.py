"""Which error shape a path gets, checked in-process (no model is loaded): an unexpected failure is a 500
that names no internals, `{"detail"}` on /v1/chat, OpenAI's envelope on the OpenAI-compatible paths."""
from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import create_app


def test_an_unexpected_failure_is_a_500_in_each_paths_shape(make_settings):
    # Without its lifespan the app has no assistant: every question route fails in a way no handler expects.
    app = create_app(make_settings())
    client = TestClient(app, raise_server_exceptions=False)  # not entered: the lifespan does not run
    chat = client.post("/v1/chat", json={"message": "When?"})
    assert chat.status_code == 500
    assert chat.json() == {"detail": "Internal error; the server log has the details."}
    completion = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "When?"}]})
    assert completion.status_code == 500
    assert completion.json() == {"error": {"message": "Internal error; the server log has the details.",
                                           "type": "server_error", "param": None, "code": None}}
    assert "Traceback" not in completion.text and "AttributeError" not in completion.text


def test_unknown_routes_and_wrong_methods_keep_the_shape_of_their_path(make_settings):
    client = TestClient(create_app(make_settings()))
    assert client.get("/v1/nothing-here").json() == {"detail": "Not Found"}
    wrong = client.get("/v1/chat/completions")
    assert wrong.status_code == 405 and wrong.json()["error"]["message"] == "Method Not Allowed"
