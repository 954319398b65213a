"""One benchmark phase of one pipeline, in its own process (so its peak RSS is its own); prints one JSON line.

    python -m bench.pipelines ingest --system ours  --pages 206 --data /tmp/ragbench/ours206
    python -m bench.pipelines query  --system naive --pages 206 --data /tmp/ragbench/naive206 --questions 60

Two pipelines over the same page exports and the same all-MiniLM-L6-v2 weights:

- ``ours``: the project (page reconstruction, structured chunks, Chroma + BM25, the extractive answerer),
  with the configured embedding backend (RAG_EMBEDDING_BACKEND);
- ``naive``: the LangChain quickstart: TextLoader / PyPDFLoader, RecursiveCharacterTextSplitter(1000, 200),
  langchain-chroma ``Chroma`` persisted to disk, sentence-transformers on torch (what the tutorials use);
  the answer is the top chunk and its page the citation.

Questions (``query``): a sample of the corpus' generated questions with every category in it (tables, charts,
bullets, profiles, bilingual, continued pages, follow-ups, unanswerable ones), the same sample for both.
A follow-up's earlier turns are asked first in the same conversation and not timed (naive has no
conversation: it gets the follow-up alone, as a tutorial pipeline would).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench.common import load_questions, synthetic_corpus

SYSTEMS = ("ours", "naive")


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def sample_questions(corpus: Path, n: int, seed: int) -> list[dict]:
    """n questions spread over every category (round-robin), deterministic."""
    by_category: dict[str, list[dict]] = defaultdict(list)
    for item in load_questions(corpus):
        by_category[item["category"]].append(item)
    rng = random.Random(seed)
    for items in by_category.values():
        rng.shuffle(items)
    picked: list[dict] = []
    while len(picked) < n and any(by_category.values()):
        for category in sorted(by_category):
            if by_category[category] and len(picked) < n:
                picked.append(by_category[category].pop())
    return picked


def _hit(answer: str, item: dict) -> bool:
    return any(any(alt in answer for alt in alts) for alts in item.get("gold_facts") or []) if item["answerable"] else False


# --- ours -----------------------------------------------------------------------------------------------

def ours_ingest(corpus: Path, data: Path) -> dict:
    from rag.config import Settings
    from rag.index import ReportIndex

    index = ReportIndex.open(Settings(data_dir=data))
    report = index.ingest([corpus])
    return {"pages": report.pages, "chunks": report.added, "seconds": round(report.seconds, 2),
            "parse_seconds": round(report.parse_seconds, 2), "embed_seconds": round(report.embed_seconds, 2),
            "store_seconds": round(report.store_seconds, 2)}


def ours_query(data: Path, items: list[dict]) -> dict:
    from rag.chain import ReportAssistant
    from rag.config import Settings

    assistant = ReportAssistant.from_settings(Settings(data_dir=data))
    started = time.perf_counter()
    assistant.warm_up()
    warm = time.perf_counter() - started
    latencies, answered, cited = [], 0, 0
    for item in items:
        session = None
        for turn in item.get("history") or []:
            session = assistant.ask(turn if isinstance(turn, str) else turn.get("question", str(turn)), session).session_id
        t = time.perf_counter()
        response = assistant.ask(item["question"], session)
        latencies.append((time.perf_counter() - t) * 1000)
        answered += _hit(response.answer, item) or (not item["answerable"] and response.abstained)
        cited += bool(response.citations) and str(response.citations[0].page) == str(item.get("gold_page"))
    return _latency(latencies, answered, cited, items) | {"warm_up_seconds": round(warm, 2)}


# --- naive (the LangChain quickstart) ----------------------------------------------------------------------

def _naive_store(data: Path):
    from langchain_chroma import Chroma

    from rag.config import Settings
    from rag.store.embedding import load_embeddings

    settings = Settings()
    embeddings = load_embeddings(settings.embedding_model, settings.embedding_batch_size, backend="torch")
    return Chroma(collection_name="naive", embedding_function=embeddings, persist_directory=str(data))


def naive_ingest(corpus: Path, data: Path) -> dict:
    from langchain_community.document_loaders import PyPDFLoader, TextLoader
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    started = time.perf_counter()
    docs = []
    for path in sorted(corpus.iterdir()):
        if path.suffix == ".txt":
            loaded = TextLoader(str(path), encoding="utf-8").load()
            for d in loaded:  # one export file is one page: page-N.txt
                d.metadata["page"] = int(path.stem.rsplit("-", 1)[-1]) if path.stem[-1].isdigit() else 0
            docs += loaded
        elif path.suffix == ".pdf":
            docs += [d for d in PyPDFLoader(str(path)).load()]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    parsed = time.perf_counter()
    store = _naive_store(data)
    # One add_documents call, as the quickstart writes it, fails past Chroma's batch limit (5,461 at 2,000 pages:
    # "Batch size of 6901 is greater than max batch size"), after embedding everything; slices of 5,000 are the fix.
    for i in range(0, len(chunks), 5000):
        store.add_documents(chunks[i : i + 5000])
    seconds = time.perf_counter() - started
    return {"pages": len(docs), "chunks": len(chunks), "seconds": round(seconds, 2),
            "parse_seconds": round(parsed - started, 2)}


def naive_query(data: Path, items: list[dict]) -> dict:
    store = _naive_store(data)
    started = time.perf_counter()
    store.similarity_search("warm up", k=1)
    warm = time.perf_counter() - started
    latencies, answered, cited = [], 0, 0
    for item in items:
        t = time.perf_counter()
        docs = store.similarity_search(item["question"], k=5)
        latencies.append((time.perf_counter() - t) * 1000)
        top = docs[0] if docs else None
        answered += bool(top) and _hit(top.page_content, item)
        cited += bool(top) and str(top.metadata.get("page")) == str(item.get("gold_page"))
    return _latency(latencies, answered, cited, items) | {"warm_up_seconds": round(warm, 2)}


def _latency(latencies: list[float], answered: int, cited: int, items: list[dict]) -> dict:
    return {"questions": len(items), "categories": sorted({i["category"] for i in items}),
            "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
            "max_ms": round(max(latencies), 1), "answer_accuracy": round(answered / len(items), 3),
            "page_accuracy": round(cited / len(items), 3)}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("phase", choices=("ingest", "query"))
    ap.add_argument("--system", choices=SYSTEMS, required=True)
    ap.add_argument("--pages", type=int, required=True, help="size of the generated corpus (tools.synth, seed 1)")
    ap.add_argument("--data", type=Path, required=True, help="the pipeline's data dir (emptied before ingest)")
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)

    corpus = synthetic_corpus(a.pages)
    if a.phase == "ingest":
        import shutil

        shutil.rmtree(a.data, ignore_errors=True)
        result = (ours_ingest if a.system == "ours" else naive_ingest)(corpus, a.data)
        result["pages_per_s"] = round(result["pages"] / result["seconds"], 2)
        result["index_mb"] = dir_mb(a.data) - (dir_mb(a.data / "models") if (a.data / "models").exists() else 0)
    else:
        items = sample_questions(corpus, a.questions, a.seed)
        result = (ours_query if a.system == "ours" else naive_query)(a.data, items)
    result |= {"system": a.system, "phase": a.phase, "corpus_pages": a.pages,
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
               "embedding_backend": os.environ.get("RAG_EMBEDDING_BACKEND", "onnx-int8") if a.system == "ours" else "torch"}
    print(json.dumps(result))
    sys.stdout.flush()
    return result


if __name__ == "__main__":
    main()
