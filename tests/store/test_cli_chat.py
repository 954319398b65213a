"""`rag chat` as a person uses it: piped input (plain lines) and a real terminal (prompt_toolkit, with
history kept in the data dir); the session id is shown at start and `--session` resumes it."""
from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest

from tests.api.live import fresh_data_dir, report_data  # noqa: F401  (the ingested page-156 data dir)
from tests.conftest import ROOT

pytestmark = pytest.mark.store

RAG = [sys.executable, "-m", "rag.cli"]


def env_for(data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    return {**env, "RAG_DATA_DIR": str(data_dir), "COLUMNS": "200"}


def chat(data_dir, lines: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*RAG, "chat", *args], input=lines, text=True, capture_output=True, cwd=ROOT,
                          env=env_for(data_dir), timeout=300)


def test_piped_chat_shows_the_session_and_resumes_it(report_data, tmp_path):
    data_dir = fresh_data_dir(report_data, tmp_path)
    first = chat(data_dir, "When was Gui'an New Area established?\nHow big is it?\n")
    assert first.returncode == 0, first.stderr
    session = re.search(r"session ([0-9a-f]{32}) \(resume with `rag chat --session \1`\)", first.stderr)
    assert session, first.stderr
    assert "2014" in first.stdout and "1,901 km²" in first.stdout and "p. 156" in first.stdout

    resumed = chat(data_dir, "How big is the directly administered area?\n", "--session", session.group(1))
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming session {session.group(1)} (2 earlier turns)" in resumed.stderr
    assert "491 km²" in resumed.stdout

    bad = chat(data_dir, "", "--session", "no spaces allowed")
    assert bad.returncode == 1 and "session_id must be" in bad.stderr


def test_chat_on_a_terminal_edits_lines_and_keeps_history(report_data, tmp_path):
    import pty

    data_dir = fresh_data_dir(report_data, tmp_path)
    pid, fd = pty.fork()
    if pid == 0:  # the child: `rag chat` on the terminal
        os.chdir(ROOT)
        os.execvpe(RAG[0], RAG + ["chat"], {**env_for(data_dir), "PROMPT_TOOLKIT_NO_CPR": "1"})
    output, pos = b"", 0

    def read_until(pattern: bytes, timeout: float = 120) -> None:
        """Read the terminal until ``pattern`` appears after what was already matched."""
        nonlocal output, pos
        deadline = time.time() + timeout
        while output.find(pattern, pos) < 0:
            if time.time() > deadline:
                raise AssertionError(f"no {pattern!r} in {output[-2000:]!r}")
            ready, _, _ = select.select([fd], [], [], 1)
            if ready:
                try:
                    output += os.read(fd, 65536)
                except OSError:
                    raise AssertionError(f"chat ended before {pattern!r}: {output[-2000:]!r}") from None
        pos = output.find(pattern, pos) + len(pattern)

    status = None
    try:
        read_until(b"quit")
        read_until(b">")  # prompt_toolkit draws its prompt with cursor moves
        # Type a misspelt word, erase it with backspaces (line editing), finish the question, Enter.
        os.write(fd, b"When was Gui'an New Area estab\x7f\x7f\x7f\x7f\x7festablished?\r")
        read_until(b"2014")
        read_until(b">")
        os.write(fd, b"\r")  # an empty line quits
        _, status = os.waitpid(pid, 0)
    finally:
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    history = (data_dir / "chat-history.txt").read_text(encoding="utf-8")
    assert "+When was Gui'an New Area established?" in history
