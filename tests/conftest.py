"""Shared fixtures. Markers say what a test needs (see pyproject); unmarked tests are pure and fast."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
CORPUS_PAGE = ROOT / "corpus" / "page-156.txt"
ARTIFACTS = ROOT / "test-artifacts"
# One int8 ONNX build of the embedding model for the whole run (and the servers it starts), not one per data dir.
os.environ.setdefault("RAG_MODEL_CACHE_DIR", str(ARTIFACTS / "model-cache"))


@pytest.fixture(scope="session")
def page_text() -> str:
    return CORPUS_PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def page156():
    from rag.ingest.loaders import load_file
    from rag.ingest.pipeline import reconstruct_pages

    return reconstruct_pages(load_file(CORPUS_PAGE))[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def make_settings(tmp_path):
    """Settings with a private data dir; keyword overrides as in Settings(...)."""
    from rag.config import Settings

    def make(**overrides):
        overrides.setdefault("data_dir", tmp_path / "data")
        return Settings(**overrides)

    return make


@pytest.fixture
def chroma_server(tmp_path):
    """A `chroma run` on 127.0.0.1 in the test's tmp dir; stop() and start() simulate an outage."""
    from tests.server.chroma import ChromaServer

    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    yield server
    server.stop()
