"""Shared bits of the benchmarks: the machine's size and load, cached synthetic corpora, result files."""
from __future__ import annotations

import json
import os
import platform
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
    import torch

    return {"nproc": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
            "load_avg": [round(x, 1) for x in os.getloadavg()], "torch_threads": torch.get_num_threads(),
            "python": platform.python_version()}


def print_machine(info: dict) -> None:
    print(f"machine: {info['nproc']} cores ({info['cpu']}), {info['memory_gb']} GB RAM, "
          f"load average {info['load_avg']}, torch threads {info['torch_threads']}")


def synthetic_corpus(pages: int) -> Path:
    """A cached text-export corpus of ``pages`` synthetic pages (one file per page) with facts.jsonl."""
    folder = CACHE / f"c{pages}"
    if not (folder / "facts.jsonl").exists():
        subprocess.run([sys.executable, "-m", "rag.synth", "--pages", str(pages), "--out", str(folder)], check=True)
    return folder


def load_facts(folder: Path) -> list[dict]:
    return [json.loads(l) for l in (folder / "facts.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]


def save(name: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return path
