"""A real app server for tests: `uvicorn api.main:create_app` in its own process on 127.0.0.1."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import CORPUS_PAGE, ROOT, free_port

_template: Path | None = None


def ingested_template(base: Path) -> Path:
    """A data dir holding the ingested report page, built once per test session and copied per server."""
    global _template
    if _template is None:
        from rag.config import Settings
        from rag.index import ReportIndex

        data_dir = base / "report-data"
        ReportIndex.open(Settings(data_dir=data_dir)).ingest([CORPUS_PAGE])
        _template = data_dir
    return _template


@pytest.fixture(scope="session")
def report_data(tmp_path_factory) -> Path:
    return ingested_template(tmp_path_factory.mktemp("ingested"))


def fresh_data_dir(template: Path, where: Path) -> Path:
    target = where / "data"
    shutil.copytree(template, target, ignore=shutil.ignore_patterns("conversations.sqlite3", "ingest.lock"))
    return target


class LiveServer:
    """The app started by `rag serve`, configured by RAG_* variables only (host and port too); its log
    is kept for failure messages."""

    def __init__(self, data_dir: Path, **settings: str | int) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.settings = {"data_dir": str(data_dir), "host": "127.0.0.1", "port": self.port, **settings}
        self.log_path = data_dir.parent / f"server-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 240) -> LiveServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
        env.update({f"RAG_{k.upper()}": str(v) for k, v in self.settings.items()})
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rag.cli", "serve"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app server exited:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"app server did not start in {timeout:.0f}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, **{"timeout": 60, **kwargs})

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@contextmanager
def serving(report: Path, where: Path, **settings: str | int) -> Iterator[LiveServer]:
    """A started LiveServer over a fresh copy of the ingested report (``report``, the ``report_data`` fixture)
    in ``where``, stopped on exit; ``settings`` as RAG_* settings (api_keys="k", rate_limit_per_minute=0 …)."""
    live = LiveServer(fresh_data_dir(report, where), **settings).start()
    try:
        yield live
    finally:
        live.stop()


def parse_sse(lines) -> list[tuple[str, str]]:
    """(event, data) pairs of a server-sent event stream, from its text lines."""
    events, event, data = [], "message", []
    for line in lines:
        line = line.rstrip("\r")
        if not line:
            if data:
                events.append((event, "\n".join(data)))
            event, data = "message", []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        events.append((event, "\n".join(data)))
    return events
