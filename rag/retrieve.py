"""Hybrid retrieval: dense (Chroma) and lexical (BM25) results fused by weighted reciprocal rank.

    retriever = HybridRetriever(index=index, settings=settings)
    docs = retriever.invoke("What is the planned area of Guian New Area?")
    docs[0].metadata["page"], docs[0].metadata["score"]
"""
from __future__ import annotations

from enum import Enum
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.config import Settings
from rag.index import ReportIndex
from rag.ingest.models import Chunk
from rag.text import expand_query


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

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return self.search(query)

    def search(self, query: str, k: int | None = None) -> list[Document]:
        s = self.settings
        k = k or s.top_k
        self.index.reload()
        expanded = expand_query(query)
        dense = self.index.dense_search(expanded, s.dense_k) if self.mode != RetrievalMode.LEXICAL else []
        lexical = self.index.lexical_search(expanded, s.lexical_k) if self.mode != RetrievalMode.DENSE else []
        fused: dict[str, dict[str, Any]] = {}
        for rank, (chunk, sim) in enumerate(dense):
            entry = fused.setdefault(chunk.id, {"chunk": chunk, "score": 0.0, "dense": 0.0, "lexical": 0.0})
            entry["score"] += s.dense_weight / (s.rrf_k + rank + 1)
            entry["dense"] = sim
        for rank, (chunk, bm25) in enumerate(lexical):
            entry = fused.setdefault(chunk.id, {"chunk": chunk, "score": 0.0, "dense": 0.0, "lexical": 0.0})
            entry["score"] += s.lexical_weight / (s.rrf_k + rank + 1)
            entry["lexical"] = bm25
        ranked = sorted(fused.values(), key=lambda e: (-e["score"], -e["dense"]))[:k]
        return [chunk_document(e["chunk"], score=e["score"], dense=e["dense"], lexical=e["lexical"]) for e in ranked]
