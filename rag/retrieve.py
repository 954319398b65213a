"""Hybrid retrieval: dense (Chroma) and lexical (BM25) results fused by weighted reciprocal rank (`fuse`).

    retriever = HybridRetriever(index=index, settings=settings)          # k: settings.top_k (RAG_TOP_K)
    docs = retriever.invoke("What is the planned area of Guian New Area?")
    docs[0].metadata["page"], docs[0].metadata["score"]
    HybridRetriever(index=index, settings=settings, k=3).invoke(q)       # at most 3 documents
    retriever.invoke(q, k=2)                                             # this call only
"""
from __future__ import annotations

from enum import Enum
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from rag.config import Settings
from rag.index import ReportIndex
from rag.ingest.models import Chunk
from rag.text import english_form, expand_query


class RetrievalMode(str, Enum):
    HYBRID = "hybrid"
    DENSE = "dense"
    LEXICAL = "lexical"


def chunk_document(chunk: Chunk, **scores: float) -> Document:
    return Document(page_content=chunk.text, id=chunk.id, metadata={**chunk.metadata(), "id": chunk.id, **scores})


class HybridRetriever(BaseRetriever):
    """Dense + lexical retrieval over a ReportIndex, fused with weighted reciprocal rank fusion.

    Each returned Document's metadata carries the chunk's citation fields plus ``score`` (fused),
    ``dense`` (cosine similarity, 0 when not retrieved densely) and ``lexical`` (BM25).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: ReportIndex
    settings: Settings
    mode: RetrievalMode = RetrievalMode.HYBRID
    k: int | None = Field(None, ge=1, description="Documents to return; settings.top_k when None.")

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None) -> list[Document]:
        return self.search(query, k)

    def search(self, query: str, k: int | None = None) -> list[Document]:
        """The ``k`` best chunks for ``query`` (else the retriever's ``k``, else settings.top_k)."""
        if not isinstance(query, str):
            raise ValueError(f"The query must be text, not {type(query).__name__}.")
        if not query.strip():
            raise ValueError("The query is empty: give the retriever a question or some words to search for.")
        if k is not None and (not isinstance(k, int) or isinstance(k, bool) or k < 1):
            raise ValueError(f"k must be a whole number of at least 1, not {k!r}.")
        s = self.settings
        k = k or self.k or s.top_k
        self.index.reload()
        expanded = expand_query(query)
        dense = self._dense(query, expanded, s.dense_k) if self.mode != RetrievalMode.LEXICAL else []
        lexical = self.index.lexical_search(expanded, s.lexical_k) if self.mode != RetrievalMode.DENSE else []
        return fuse(dense, lexical, k=k, rrf_k=s.rrf_k, dense_weight=s.dense_weight, lexical_weight=s.lexical_weight)


    def _dense(self, query: str, expanded: str, k: int) -> list[tuple[Chunk, float]]:
        """Dense hits. A Chinese question is also searched in English: the English of its terms and the spellings of
        its names the report prints ("榕口…招聘…比例" -> "hiring recruit share percent rongkou"), which the English
        embedding model reads far better than characters; a chunk found both ways keeps its better similarity."""
        hits = self.index.dense_search(expanded, k)
        english = english_form(query, self.index.lexical.postings)
        if english is None:
            return hits
        best: dict[str, tuple[Chunk, float]] = {c.id: (c, sim) for c, sim in hits}
        for chunk, sim in self.index.dense_search(english, k):
            if chunk.id not in best or sim > best[chunk.id][1]:
                best[chunk.id] = (chunk, sim)
        return sorted(best.values(), key=lambda hit: -hit[1])[:k]


def fuse(dense: list[tuple[Chunk, float]], lexical: list[tuple[Chunk, float]], *, k: int, rrf_k: int,
         dense_weight: float = 1.0, lexical_weight: float = 1.0) -> list[Document]:
    """Weighted reciprocal rank fusion of the dense (chunk, similarity) and lexical (chunk, BM25) lists, best first.

    A chunk scores ``weight / (rrf_k + rank)`` (rank from 1) in each list it is in, summed; one found by both is
    one document. Equal scores go by the dense similarity. At most ``k`` documents."""
    fused: dict[str, dict[str, Any]] = {}
    for rank, (chunk, sim) in enumerate(dense):
        entry = fused.setdefault(chunk.id, {"chunk": chunk, "score": 0.0, "dense": 0.0, "lexical": 0.0})
        entry["score"] += dense_weight / (rrf_k + rank + 1)
        entry["dense"] = sim
    for rank, (chunk, bm25) in enumerate(lexical):
        entry = fused.setdefault(chunk.id, {"chunk": chunk, "score": 0.0, "dense": 0.0, "lexical": 0.0})
        entry["score"] += lexical_weight / (rrf_k + rank + 1)
        entry["lexical"] = bm25
    ranked = sorted(fused.values(), key=lambda e: (-e["score"], -e["dense"]))[:k]
    return [chunk_document(e["chunk"], score=e["score"], dense=e["dense"], lexical=e["lexical"]) for e in ranked]
