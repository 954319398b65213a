"""Warm query latency, memory and accuracy at scale, through the one chain every transport uses.

    python -m bench.query --pages 206 --questions 60

Latency: p50/p95 of ``ReportAssistant.ask`` after ``warm_up()`` (no LLM; the extractive answerer),
the same call `/v1/chat` makes. Accuracy on generated facts: the answer contains the fact's
answer string, and the first citation is the fact's page. ``--pages 1`` is the real page 156.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from bench.common import CACHE, ROOT, load_facts, machine, print_machine, save, synthetic_corpus

PAGE_156_QUESTIONS = [
    "What is the planned area of Gui'an New Area?",
    "What was the GDP of the directly administered area in 2024?",
    "How many large-scale data centers has Gui'an attracted?",
    "When was Gui'an New Area established?",
    "How big is the eco-city?",
]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def data_dir_for(pages: int) -> Path:
    """The data dir `bench.ingest` built for this size (ingested here when missing)."""
    from rag.config import Settings
    from rag.index import ReportIndex

    data = CACHE / f"data{pages}"
    if not (data / "index.json").exists():
        source = ROOT / "corpus" / "page-156.txt" if pages == 1 else synthetic_corpus(pages)
        ReportIndex.open(Settings(data_dir=data)).ingest([source])
    return data


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=206)
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)

    from rag.chain import ReportAssistant
    from rag.config import Settings

    info = machine()
    print_machine(info)
    rss_start = rss_mb()
    data = data_dir_for(a.pages)
    assistant = ReportAssistant.from_settings(Settings(data_dir=data))
    started = time.perf_counter()
    assistant.warm_up()
    warm_seconds = time.perf_counter() - started
    if a.pages == 1:
        facts = [{"question": q} for q in PAGE_156_QUESTIONS] * max(1, a.questions // len(PAGE_156_QUESTIONS))
    else:
        facts = random.Random(a.seed).sample(load_facts(synthetic_corpus(a.pages)), a.questions)
    latencies, answered, cited = [], 0, 0
    for fact in facts:
        t = time.perf_counter()
        response = assistant.ask(fact["question"])
        latencies.append((time.perf_counter() - t) * 1000)
        if "answer" in fact:
            answered += fact["answer"] in response.answer
            cited += bool(response.citations) and response.citations[0].page == fact["page"]
    result = {
        "pages": a.pages, "chunks": len(assistant.index.chunks), "questions": len(facts),
        "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1), "warm_up_seconds": round(warm_seconds, 1),
        "rss_mb": round(rss_mb(), 0), "rss_before_model_mb": round(rss_start, 0),
        "machine": info,
    }
    if a.pages > 1:
        result |= {"answer_accuracy": round(answered / len(facts), 3), "page_accuracy": round(cited / len(facts), 3)}
    print(f"query at {a.pages} pages ({result['chunks']} chunks, {len(facts)} questions): "
          f"p50 {result['p50_ms']} ms · p95 {result['p95_ms']} ms · RSS {result['rss_mb']:.0f} MB")
    if a.pages > 1:
        print(f"  accuracy: answer {result['answer_accuracy']:.1%} · first citation on the fact's page "
              f"{result['page_accuracy']:.1%}")
    print(f"  saved {save(f'query-{a.pages}', result)}")
    return result


if __name__ == "__main__":
    main()
