"""👍/👎 over HTTP, stored with the turn, exported by `rag feedback` as candidate eval items."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from rag.evaluation.dataset import EvalItem
from tests.api.live import LiveServer, fresh_data_dir
from tests.conftest import ROOT

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(report_data, tmp_path_factory):
    live = LiveServer(fresh_data_dir(report_data, tmp_path_factory.mktemp("feedback-http"))).start()
    yield live
    live.stop()


def test_ratings_are_stored_with_their_turn_and_exported(server):
    with server.client() as http:
        first = http.post("/v1/chat", json={"message": "When was Gui'an New Area established?"}).json()
        session = first["session_id"]
        http.post("/v1/chat", json={"message": "How big is it?", "session_id": session})
        up = http.post("/v1/feedback", json={"session_id": session, "turn": 1, "rating": "up"})
        assert up.status_code == 200 and up.json() == {"session_id": session, "turn": 1, "rating": "up"}
        latest = http.post("/v1/feedback", json={"session_id": session, "rating": "up"})
        assert latest.json()["turn"] == 2
        changed = http.post("/v1/feedback", json={"session_id": session, "turn": 2, "rating": "down"})
        assert changed.status_code == 200

        bad = http.post("/v1/feedback", json={"session_id": session, "rating": "meh"})
        assert bad.status_code == 422 and "rating" in bad.json()["detail"]
        assert http.post("/v1/feedback", json={"session_id": session, "turn": 0, "rating": "up"}).status_code == 422
        far = http.post("/v1/feedback", json={"session_id": session, "turn": 5, "rating": "up"})
        assert far.status_code == 404 and "has no turn 5" in far.json()["detail"]
        unknown = http.post("/v1/feedback", json={"session_id": "never-seen", "rating": "up"})
        assert unknown.status_code == 404
        spaces = http.post("/v1/feedback", json={"session_id": "a b", "rating": "up"})
        assert spaces.status_code == 422
        owner = dict(http.cookies)  # this browser's owner cookie: the conversation is its own

    env = {**os.environ, "RAG_DATA_DIR": str(server.data_dir)}
    done = subprocess.run([sys.executable, "-m", "rag.cli", "feedback"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    items = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(items) == 2 and "2 rated answers" in done.stderr  # the turn-2 vote was replaced, not added
    helpful, unhelpful = items
    assert helpful["question"] == "When was Gui'an New Area established?" and helpful["history"] == []
    assert helpful["gold_page"] == 156 and "2014" in helpful["expected_answer"] and helpful["status"] == "candidate"
    assert unhelpful["question"] == "How big is it?" and unhelpful["category"] == "followup"
    assert unhelpful["history"] == ["When was Gui'an New Area established?"]
    assert unhelpful["expected_answer"] is None and "1,901 km²" in unhelpful["observed_answer"]
    assert unhelpful["source"] == f"web feedback session {session} turn 2"
    for item in items:
        EvalItem.from_json(item, "feedback")  # the eval set's schema
    only_down = subprocess.run([sys.executable, "-m", "rag.cli", "feedback", "--rating", "down"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120, check=False)
    assert [json.loads(line)["question"] for line in only_down.stdout.splitlines()] == ["How big is it?"]

    with server.client(cookies=owner) as http:  # forgetting the conversation forgets its ratings
        assert http.delete(f"/v1/sessions/{session}").json()["deleted"] == 2
    gone = subprocess.run([sys.executable, "-m", "rag.cli", "feedback"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert gone.stdout == "" and "0 rated answers" in gone.stderr
