"""Fault tests: real `rag` processes, killed, raced and fed corrupt files."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

RAG = [sys.executable, "-m", "rag.cli"]

# Prints each progress step ("reading NAME n/N", "embedding n/N"). With FAULT_PAUSE_AT=PHASE it stops at
# the first step of that phase that is not the last one and waits for a line on stdin, so a test can kill
# it (or race it) at a known point of the ingest rather than at whatever moment a sleep lands on.
INGEST_DRIVER = """
import os, sys
from pathlib import Path
from rag.config import Settings
from rag.index import ReportIndex
pause_at = os.environ.get("FAULT_PAUSE_AT")
index = ReportIndex.open(Settings())
def progress(what, done, total):
    global pause_at
    print(f"{what} {done}/{total}", flush=True)
    if pause_at and what.startswith(pause_at) and done < total:
        pause_at = None
        print("paused", flush=True)
        sys.stdin.readline()
report = index.ingest([Path(p) for p in sys.argv[1:]], progress=progress)
print(f"done added={report.added} removed={report.removed}", flush=True)
"""


def rag_env(data_dir: Path, **settings: str | int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update({"RAG_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false",
                "COLUMNS": "500"})
    env.update({f"RAG_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def run_rag(data_dir: Path, *args: str, timeout: float = 600, **settings) -> subprocess.CompletedProcess:
    return subprocess.run([*RAG, *args], cwd=ROOT, env=rag_env(data_dir, **settings), capture_output=True,
                          text=True, timeout=timeout)


def start_ingest_driver(data_dir: Path, *paths: Path, pause_at: str | None = None, **settings) -> subprocess.Popen:
    env = rag_env(data_dir, **settings)
    if pause_at:
        env["FAULT_PAUSE_AT"] = pause_at
    return subprocess.Popen([sys.executable, "-c", INGEST_DRIVER, *map(str, paths)], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def write_synthetic(folder: Path, n_pages: int, *, seed: int = 0, start_page: int = 1) -> list:
    """Synthetic report pages (one export file per page) and their facts."""
    from tools.synth import generate_report

    folder.mkdir(parents=True, exist_ok=True)
    texts, facts = generate_report(n_pages, seed=seed, start_page=start_page)
    for i, text in enumerate(texts):
        (folder / f"synth-{start_page + i:04d}.txt").write_text(text, encoding="utf-8")
    return facts


@pytest.fixture(scope="session")
def base_corpus(tmp_path_factory) -> tuple[Path, list]:
    folder = tmp_path_factory.mktemp("faults") / "corpus"
    return folder, write_synthetic(folder, 4)


@pytest.fixture
def corpus(base_corpus, tmp_path) -> Path:
    """This test's own copy of the synthetic corpus: sources are named by path, so a test that edits or
    grows its corpus must ingest the files it changes, where they were first ingested from."""
    import shutil

    folder = tmp_path / "corpus"
    shutil.copytree(base_corpus[0], folder)
    return folder


@pytest.fixture
def data_dir(corpus, tmp_path) -> Path:
    """A data dir with this test's corpus ingested (in-process: the model is loaded once per session)."""
    from rag.config import Settings
    from rag.index import ReportIndex

    target = tmp_path / "data"
    ReportIndex.open(Settings(data_dir=target)).ingest([corpus])
    return target
