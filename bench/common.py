"""Shared bits of the benchmarks: the machine's size and load, cached synthetic corpora, result files."""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CACHE = Path(os.environ.get("RAG_BENCH_CACHE", "/tmp/ragbench"))


def machine() -> dict:
    """nproc, memory and load: the figures mean little without them."""
    mem_kb = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
            "load_avg": [round(x, 1) for x in os.getloadavg()], "threads": os.cpu_count(),
            "python": platform.python_version()}


def print_machine(info: dict) -> None:
    print(f"machine: {info['nproc']} cores ({info['cpu']}), {info['memory_gb']} GB RAM, "
          f"load average {info['load_avg']}, model threads {info.get('threads', info.get('torch_threads'))}")


SYNTH_SEED = 1


def synthetic_corpus(pages: int) -> Path:
    """A cached text-export corpus of ``pages`` synthetic pages of mixed kinds (survey prose, bullets, tables,
    charts, zone profiles, bilingual and continued pages; one file per page, from ``tools.synth``).

    Returns the folder of page exports (what is ingested); its parent holds questions.jsonl and facts.jsonl."""
    root = CACHE / f"mixed{pages}"
    if not (root / "facts.jsonl").exists():
        shutil.rmtree(CACHE / f"data{pages}", ignore_errors=True)  # an index of the previous corpus is stale
        subprocess.run([sys.executable, "-m", "tools.synth", "--pages", str(pages), "--seed", str(SYNTH_SEED),
                        "--out", str(root)], check=True, cwd=ROOT)
    return root / "pages"


def _meta(folder: Path, name: str) -> Path:
    return folder / name if (folder / name).exists() else folder.parent / name


def load_facts(folder: Path) -> list[dict]:
    """One-turn facts (question, answer, page) of a synthetic corpus, from every page kind."""
    text = _meta(folder, "facts.jsonl").read_text(encoding="utf-8")
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def load_questions(folder: Path) -> list[dict]:
    """The corpus' questions in the eval schema (every category, follow-ups and unanswerable items included)."""
    text = _meta(folder, "questions.jsonl").read_text(encoding="utf-8")
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def save(name: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return path
