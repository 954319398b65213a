"""The baseline beside the system that is not our chain: the pipeline a LangChain tutorial builds."""
from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.evaluation.dataset import EvalItem
from rag.evaluation.scoring import Outcome, score_outcome


class NaiveSystem:
    """The pipeline a LangChain tutorial builds: raw page text, RecursiveCharacterTextSplitter(1000, 200),
    a Chroma collection of its own, dense top-k; the top chunk is the answer and its page the citation."""

    name = "naive"

    def __init__(self, settings: Any, corpus: Sequence[Path], *, k: int = 5) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from rag.ingest.loaders import discover, load_file
        from rag.store.embedding import load_embeddings

        raw = [Document(page_content=p.text, metadata={"source": p.source, "page": p.page, "page_label": p.page_label})
               for path in discover(list(corpus)) for p in load_file(path)]
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        self.chunks = splitter.split_documents(raw)
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(collection_name=f"naive-{uuid.uuid4().hex[:8]}", client=client,
                            embedding_function=load_embeddings(settings.embedding_model, settings.embedding_batch_size))
        self.store.add_documents(self.chunks)
        self.k = k

    def warm_up(self) -> None:
        self.store.similarity_search("warm up", k=1)

    def run(self, item: EvalItem, max_chars: int) -> Outcome:
        outcome = Outcome(id=item.id, category=item.category, question=item.question, answerable=item.answerable)
        started = time.perf_counter()
        docs = self.store.similarity_search(item.question, k=self.k)
        outcome.seconds = time.perf_counter() - started
        if docs:
            top = docs[0]
            outcome.answer = top.page_content
            outcome.citation_pages = [str(top.metadata["page_label"])]
            outcome.quote = top.page_content
        retrieved = [(str(d.metadata["page_label"]), d.page_content) for d in docs]
        return score_outcome(item, outcome, quotes=[outcome.quote] if docs else [], retrieved=retrieved,
                             max_chars=max_chars)
