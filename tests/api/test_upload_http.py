"""`POST /v1/sources` on a live server with an API key: a PDF made here is uploaded, ingested in the background,
then answers a question with its page; bad uploads get a precise 4xx and leave the index as it was."""
from __future__ import annotations

import time

import httpx
import pytest

from tests.api.live import LiveServer, fresh_data_dir
from tests.pdfs import FERRY_FACT, FERRY_QUESTION, ferry_pdf

pytestmark = pytest.mark.server

KEY = "upload-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
LIMIT = 300_000


@pytest.fixture(scope="module")
def server(report_data, tmp_path_factory):
    live = LiveServer(fresh_data_dir(report_data, tmp_path_factory.mktemp("upload-http")), api_keys=KEY,
                      upload_max_bytes=LIMIT).start()
    yield live
    live.stop()


@pytest.fixture
def http(server):
    with server.client(headers=AUTH) as client:
        yield client


def wait_for(http: httpx.Client, job: dict, timeout: float = 180) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = http.get(f"/v1/sources/jobs/{job['id']}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"upload job still {job['state']} after {timeout}s: {job}")


def sources(http: httpx.Client) -> dict[str, dict]:
    return {s["source"]: s for s in http.get("/v1/sources").json()}


def test_upload_needs_the_key(server):
    with server.client() as anonymous:
        refused = anonymous.post("/v1/sources", files={"file": ("ferry.pdf", ferry_pdf(), "application/pdf")})
    assert refused.status_code == 401


@pytest.mark.parametrize(("name", "body", "status", "detail"), [
    ("notes.docx", b"PK\x03\x04 a word file", 415, "Only a PDF (.pdf) or a page export (.txt)"),
    ("broken.pdf", b"%PDF-1.7\n this is not really a PDF at all", 422, "broken.pdf cannot be read"),
    ("fake.pdf", b"plain words pretending to be a PDF", 422, "fake.pdf is not a PDF"),
    ("empty.txt", b"", 422, "empty.txt is empty"),
    ("binary.txt", b"\x00\x01\x02" * 50, 422, "binary.txt cannot be read: binary file"),
    ("huge.pdf", b"%PDF-1.7\n" + b"0" * (LIMIT + 10), 413, f"larger than {LIMIT:,} bytes (RAG_UPLOAD_MAX_BYTES)"),
])
def test_bad_uploads_are_refused_and_nothing_stored_changes(server, http, name, body, status, detail):
    before = sources(http)
    refused = http.post("/v1/sources", files={"file": (name, body, "application/octet-stream")})
    assert refused.status_code == status, refused.text
    assert detail in refused.json()["detail"] and "/tmp" not in refused.json()["detail"]
    assert sources(http) == before
    uploads = server.data_dir / "uploads"
    assert not uploads.exists() or name not in {p.name for p in uploads.iterdir()}
    assert not list((server.data_dir / "uploads-incoming").glob("*"))  # nothing half-written left behind
    answer = http.post("/v1/chat", json={"message": "What is the planned area of Gui'an New Area?"}).json()
    assert "1,901 km²" in answer["answer"]


def test_a_missing_file_field_is_a_422(http):
    refused = http.post("/v1/sources", data={"note": "no file"})
    assert refused.status_code == 422 and "file: Field required" in refused.json()["detail"]


def test_an_uploaded_pdf_is_ingested_with_progress_and_answers_with_its_page(http):
    assert not http.post("/v1/chat", json={"message": FERRY_QUESTION}).json()["answer"].count(FERRY_FACT)
    started = http.post("/v1/sources", files={"file": ("Ferry report (draft).pdf", ferry_pdf(), "application/pdf")})
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["file"] == "Ferry-report-draft.pdf" and job["state"] in ("queued", "running", "done")
    job = wait_for(http, job)
    assert job["state"] == "done", job
    assert job["pages"] == 2 and job["added"] > 0 and job["done"] == job["total"]
    [uploaded] = [s for s in sources(http).values() if s["path"].endswith("Ferry-report-draft.pdf")]
    assert (uploaded["kind"], uploaded["pages"], uploaded["page_labels"]) == ("pdf", 2, ["1", "2"])
    assert not uploaded["path"].startswith("/")
    answer = http.post("/v1/chat", json={"message": FERRY_QUESTION}).json()
    assert not answer["abstained"] and FERRY_FACT in answer["answer"]
    assert answer["citations"][0]["source"] == uploaded["source"] and answer["citations"][0]["page"] == 2
    assert http.get("/v1/sources/jobs/nope").status_code == 404
