"""Ingest throughput against the embedding model's own throughput (the ceiling), on synthetic pages.

    python -m bench.ingest --pages 206          # fresh data dir under /tmp/ragbench, prints and saves figures

Ingest can be no faster than embedding its chunks, so the ceiling is chunks / (model chunks/s),
measured in the same process on a sample of the same chunks just before the ingest.
"""
from __future__ import annotations

import argparse
import random
import shutil
import time
from pathlib import Path

from bench.common import CACHE, machine, print_machine, save, synthetic_corpus


def model_throughput(embeddings, texts: list[str]) -> float:
    """Chunks per second of the bare model (batched, length-sorted as ingest does)."""
    embeddings.embed_documents(texts[:8])
    texts = sorted(texts, key=len)
    started = time.perf_counter()
    for i in range(0, len(texts), 256):
        embeddings.embed_documents(texts[i : i + 256])
    return len(texts) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=206)
    ap.add_argument("--data", type=Path, help="data dir (default: a fresh one under the bench cache)")
    ap.add_argument("--sample", type=int, default=512, help="chunks embedded to measure the model alone")
    a = ap.parse_args(argv)

    from rag.config import Settings
    from rag.index import ReportIndex
    from rag.ingest.chunk import chunk_page
    from rag.ingest.loaders import discover, load_file
    from rag.ingest.pipeline import reconstruct_pages

    info = machine()
    print_machine(info)
    corpus = synthetic_corpus(a.pages)
    data = a.data or CACHE / f"data{a.pages}"
    shutil.rmtree(data, ignore_errors=True)
    settings = Settings(data_dir=data)
    index = ReportIndex.open(settings)

    started = time.perf_counter()
    index.embeddings.embed_query("load")
    model_load = time.perf_counter() - started
    files = discover([corpus])
    rng = random.Random(0)
    sample_files = rng.sample(files, min(len(files), max(1, a.sample // 10)))
    sample = [c.embed_text for f in sample_files for p in reconstruct_pages(load_file(f))
              for c in chunk_page(p, settings.chunk_max_chars)][: a.sample]
    ceiling_rate = model_throughput(index.embeddings, sample)

    report = index.ingest([corpus])
    chunks = report.added
    result = {
        "pages": report.pages, "files": report.files, "chunks": chunks, "seconds": round(report.seconds, 1),
        "pages_per_s": round(report.pages / report.seconds, 2), "chunks_per_s": round(chunks / report.seconds, 2),
        "parse_seconds": round(report.parse_seconds, 1), "embed_seconds": round(report.embed_seconds, 1),
        "store_seconds": round(report.store_seconds, 1),
        "embed_share": round(report.embed_seconds / report.seconds, 3),
        "model_chunks_per_s": round(ceiling_rate, 2), "ceiling_seconds": round(chunks / ceiling_rate, 1),
        "of_ceiling": round((chunks / ceiling_rate) / report.seconds, 3), "model_load_seconds": round(model_load, 1),
        "machine": info | {"load_avg_after": [round(x, 1) for x in __import__("os").getloadavg()]},
    }
    print(f"ingest {a.pages} pages: {result['seconds']} s · {result['pages_per_s']} pages/s · "
          f"{result['chunks_per_s']} chunks/s ({chunks} chunks)")
    print(f"  parse {result['parse_seconds']} s · embed {result['embed_seconds']} s "
          f"({result['embed_share']:.0%} of the time) · store {result['store_seconds']} s")
    print(f"  model alone: {result['model_chunks_per_s']} chunks/s → ceiling {result['ceiling_seconds']} s; "
          f"ingest runs at {result['of_ceiling']:.0%} of the ceiling")
    print(f"  saved {save(f'ingest-{a.pages}', result)}")
    return result


if __name__ == "__main__":
    main()
