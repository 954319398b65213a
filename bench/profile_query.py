"""Profile warm questions through the one chain every transport uses, and record their answers.

    python -m bench.profile_query --data /tmp/ragbench/ours-onnx-int8-206 --pages 206 --out /tmp/answers.json
    python -m bench.profile_query --data DIR --pages 206 --profile --top 25      # cProfile, cumulative time

The questions are bench/pipelines.py's sample (every category; a follow-up's earlier turns asked first). With
--out, every answer, abstention and citation is written as JSON, so two commits can be compared answer for answer
(--compare FILE exits 1 and names the questions whose answer or citations differ). With --profile, the warm
questions (not the warm-up, not the earlier turns) run under cProfile and the top functions are printed.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import synthetic_corpus  # noqa: E402
from bench.pipelines import sample_questions  # noqa: E402


def run(data: Path, pages: int, questions: int, seed: int, profile: bool) -> tuple[list[dict], list[float], pstats.Stats | None]:
    from rag.chain import ReportAssistant
    from rag.config import Settings

    assistant = ReportAssistant.from_settings(Settings(data_dir=data))
    assistant.warm_up()
    profiler = cProfile.Profile() if profile else None
    records, latencies = [], []
    for item in sample_questions(synthetic_corpus(pages), questions, seed):
        session = None
        for turn in item.get("history") or []:
            session = assistant.ask(turn if isinstance(turn, str) else turn.get("question", str(turn)), session).session_id
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        response = assistant.ask(item["question"], session)
        if profiler:
            profiler.disable()
        latencies.append((time.perf_counter() - started) * 1000)
        records.append({"question": item["question"], "answer": response.answer, "abstained": response.abstained,
                        "citations": [[c.source, c.page, c.quote] for c in response.citations]})
    return records, latencies, pstats.Stats(profiler) if profiler else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="an ingested data dir (RAG_DATA_DIR)")
    ap.add_argument("--pages", type=int, default=206, help="the generated corpus it holds (tools.synth, seed 1)")
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", action="store_true", help="run the timed questions under cProfile")
    ap.add_argument("--top", type=int, default=30, help="functions to print with --profile")
    ap.add_argument("--out", type=Path, help="write the answers and citations here (JSON)")
    ap.add_argument("--compare", type=Path, help="an earlier --out file: exit 1 if any answer or citation differs")
    a = ap.parse_args(argv)

    records, latencies, stats = run(a.data, a.pages, a.questions, a.seed, a.profile)
    ordered = sorted(latencies)
    print(f"{len(latencies)} questions: p50 {statistics.median(latencies):.1f} ms, "
          f"p95 {ordered[round(0.95 * (len(ordered) - 1))]:.1f} ms, total {sum(latencies) / 1000:.2f} s")
    if stats:
        stats.sort_stats("cumulative").print_stats(a.top)
        stats.sort_stats("tottime").print_stats(a.top)
    if a.out:
        a.out.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    if a.compare:
        before = json.loads(a.compare.read_text(encoding="utf-8"))
        differ = [new["question"] for old, new in zip(before, records) if old != new]
        if len(before) != len(records) or differ:
            print(f"{len(differ)} of {len(records)} answers differ from {a.compare}:", *differ, sep="\n  ")
            return 1
        print(f"all {len(records)} answers and citations identical to {a.compare}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
