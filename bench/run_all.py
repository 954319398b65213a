"""Every benchmark in one run, ours beside the naive LangChain quickstart: `make bench`.

    python bench/run_all.py                       # 206 and 2,000 mixed pages, cold starts, chart
    python bench/run_all.py --pages 206 --questions 40 --no-cold

For each corpus size (generated pages of every kind, `tools.synth` seed 1), in this order and in one run:
ingest with ours, ingest with naive, warm queries with ours, warm queries with naive, each phase in its own
process (bench/pipelines.py) so that its peak RSS is its own. Then cold starts of ours on the first size:
`rag ask` from a new process to the printed answer, and `rag serve` to /readyz ready and to its first answer.
Writes bench/results/run_all.json and bench/benchmarks.png. The machine is shared: figures of one run are
comparable with each other (ratios), absolute ones less so; the load average is recorded before each phase.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/run_all.py` from the Makefile

from bench.common import CACHE, RESULTS, ROOT, machine, print_machine, save, synthetic_corpus  # noqa: E402



def _question(pages: int) -> str:
    """A one-turn question the corpus answers (the first generated fact)."""
    from bench.common import load_facts

    return load_facts(synthetic_corpus(pages))[0]["question"]


def _env(backend: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["RAG_EMBEDDING_BACKEND"] = backend
    env["RAG_MODEL_CACHE_DIR"] = str(CACHE / "models")  # built once, before anything is timed
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    return env


def phase(args: list[str], env: dict[str, str]) -> dict:
    import resource

    load = [round(x, 1) for x in os.getloadavg()]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-m", "bench.pipelines", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"bench.pipelines {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["load_avg_before"] = load
    result["load_avg_after"] = [round(x, 1) for x in os.getloadavg()]
    # The whole phase process (imports, model load, the work): less sensitive to the other workers than wall time.
    result["process_cpu_seconds"] = round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2)
    return result


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cold_ask(data: Path, env: dict[str, str], runs: int, question: str) -> dict:
    rag = Path(sys.executable).parent / "rag"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run([str(rag), "ask", question], cwd=ROOT, env=env | {"RAG_DATA_DIR": str(data)},
                             capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if out.returncode:
            raise SystemExit(f"rag ask failed: {out.stderr[-2000:]}")
    started = time.perf_counter()
    subprocess.run([str(rag), "--help"], cwd=ROOT, env=env, capture_output=True, check=True)
    help_s = time.perf_counter() - started
    return {"ask_seconds": [round(t, 2) for t in times], "ask_median_s": round(statistics.median(times), 2),
            "help_seconds": round(help_s, 2), "answer": out.stdout.splitlines()[0][:120] if out.stdout else ""}


def cold_serve(data: Path, env: dict[str, str], question: str) -> dict:
    rag = Path(sys.executable).parent / "rag"
    port = _free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([str(rag), "serve", "--port", str(port)], cwd=ROOT, env=env | {"RAG_DATA_DIR": str(data)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready = None
        while time.perf_counter() - started < 180 and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        ready = time.perf_counter() - started
                        break
            except OSError:
                time.sleep(0.05)
        if ready is None:
            raise SystemExit("rag serve did not become ready within 180 s")
        body = json.dumps({"message": question}).encode()
        t = time.perf_counter()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as r:
            answer = json.loads(r.read())["answer"]
        first = time.perf_counter() - t
        return {"ready_seconds": round(ready, 2), "first_answer_ms": round(first * 1000, 1),
                "answer": answer[:120]}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, nargs="+", default=[206, 2000])
    ap.add_argument("--questions", type=int, default=60, help="questions per corpus, every category")
    ap.add_argument("--backend", default=os.environ.get("RAG_EMBEDDING_BACKEND", "onnx-int8"),
                    choices=("onnx-int8", "torch"), help="our embedding backend (naive always uses torch)")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold-start measurements")
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--merge", action="store_true",
                    help="add these sizes to the existing results file instead of replacing it (a 2,000-page run "
                         "after a 206-page one); each phase records its own load average and CPU seconds")
    a = ap.parse_args(argv)

    info = machine()
    print_machine(info)
    name = "run_all" if a.backend == "onnx-int8" else f"run_all-{a.backend}"
    env = _env(a.backend)
    subprocess.run([sys.executable, "-c", "from rag.config import Settings; from rag.index import ReportIndex; "
                    "ReportIndex(Settings()).embeddings.embed_query('build')"], cwd=ROOT, env=env, check=True)
    result: dict = {"machine": info, "backend": a.backend, "sizes": {}}
    earlier = RESULTS / f"{name}.json"
    if a.merge and earlier.exists():
        result = json.loads(earlier.read_text(encoding="utf-8")) | {"backend": a.backend}
        result.setdefault("sizes", {})
        result.setdefault("merged_runs", []).append({"pages": a.pages, "machine": info})
    for pages in a.pages:
        synthetic_corpus(pages)
        row: dict = {}
        for what in ("ingest", "query"):
            for system in ("ours", "naive"):
                data = CACHE / f"{system}-{a.backend if system == 'ours' else 'torch'}-{pages}"
                r = phase([what, "--system", system, "--pages", str(pages), "--data", str(data),
                           "--questions", str(a.questions)], env)
                row[f"{system}_{what}"] = r
                figures = (f"{r['seconds']} s, {r['pages_per_s']} pages/s, {r['chunks']} chunks, "
                           f"index {r['index_mb']} MB" if what == "ingest" else
                           f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, answer {r['answer_accuracy']:.0%}, "
                           f"page {r['page_accuracy']:.0%}")
                print(f"{pages} pages · {what:6} · {system:5}: {figures}, peak RSS {r['peak_rss_mb']:.0f} MB, "
                      f"process CPU {r['process_cpu_seconds']} s (load {r['load_avg_before'][0]})", flush=True)
        row["ingest_ratio"] = round(row["ours_ingest"]["seconds"] / row["naive_ingest"]["seconds"], 2)
        row["p95_ratio"] = round(row["ours_query"]["p95_ms"] / row["naive_query"]["p95_ms"], 2)
        print(f"{pages} pages · ours/naive: ingest {row['ingest_ratio']}×, p95 {row['p95_ratio']}×", flush=True)
        result["sizes"][str(pages)] = row
        if pages == a.pages[0] and not a.no_cold:  # cold starts on the first size, before the long ones
            data = CACHE / f"ours-{a.backend}-{pages}"
            question = _question(pages)
            result["cold"] = (cold_ask(data, env, a.cold_runs, question) | cold_serve(data, env, question)
                              | {"pages": pages, "question": question})
            c = result["cold"]
            print(f"cold ({pages} pages): rag ask {c['ask_median_s']} s (runs {c['ask_seconds']}), "
                  f"rag --help {c['help_seconds']} s, serve ready {c['ready_seconds']} s, "
                  f"first answer {c['first_answer_ms']} ms", flush=True)
        save(name, result)  # after each size: a long run cut short keeps what it measured
    result["machine"]["load_avg_after"] = [round(x, 1) for x in os.getloadavg()]
    print(f"saved {save(name, result)}")
    from bench import chart

    chart.main()
    return result


if __name__ == "__main__":
    main()
