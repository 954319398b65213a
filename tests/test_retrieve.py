"""Reciprocal rank fusion of the dense and lexical lists (rag/retrieve.py `fuse`): pure, no model."""
from __future__ import annotations

import pytest

from rag.ingest.models import Chunk
from rag.retrieve import fuse


def chunk(name: str, page: int = 1) -> Chunk:
    return Chunk(id=name, text=f"text of {name}", source="report.txt", page=page, page_label=str(page), section="",
                 footnotes=(), start=0, end=10, kind="paragraph")


A, B, C, D = chunk("a", 1), chunk("b", 2), chunk("c", 3), chunk("d", 4)


def ids(docs) -> list[str]:
    return [d.id for d in docs]


def test_a_chunk_both_lists_found_is_one_document_ranked_above_either_lists_own_first():
    docs = fuse([(A, 0.9), (B, 0.8)], [(C, 7.0), (B, 5.0)], k=10, rrf_k=60)
    assert ids(docs) == ["b", "a", "c"]
    b = docs[0].metadata
    assert b["score"] == pytest.approx(1 / 62 + 1 / 62)
    assert (b["dense"], b["lexical"]) == (0.8, 5.0)
    assert (docs[1].metadata["dense"], docs[1].metadata["lexical"]) == (0.9, 0.0)  # not found lexically
    assert docs[2].metadata["dense"] == 0.0 and docs[2].metadata["page"] == 3


def test_equal_fused_scores_go_by_dense_similarity():
    # a: dense rank 1 only; c: lexical rank 1 only -> the same fused score; the one with a similarity wins
    docs = fuse([(A, 0.4)], [(C, 9.0)], k=10, rrf_k=60)
    assert docs[0].metadata["score"] == docs[1].metadata["score"]
    assert ids(docs) == ["a", "c"]
    docs = fuse([(A, 0.4), (D, 0.7)], [(C, 9.0), (B, 3.0)], k=10, rrf_k=60)
    assert ids(docs) == ["a", "c", "d", "b"]


def test_k_cuts_the_fused_list():
    dense = [(A, 0.9), (B, 0.8), (C, 0.7)]
    assert ids(fuse(dense, [], k=2, rrf_k=60)) == ["a", "b"]
    assert ids(fuse(dense, [], k=1, rrf_k=60)) == ["a"]


def test_weights_decide_which_list_leads():
    dense, lexical = [(A, 0.9)], [(C, 9.0)]
    assert ids(fuse(dense, lexical, k=2, rrf_k=60, dense_weight=1.0, lexical_weight=2.0)) == ["c", "a"]
    assert ids(fuse(dense, lexical, k=2, rrf_k=60, dense_weight=2.0, lexical_weight=1.0)) == ["a", "c"]


def test_a_smaller_rrf_k_makes_rank_matter_more():
    # a is first densely only; b is third in both lists
    E = chunk("e", 5)
    dense, lexical = [(A, 0.9), (C, 0.8), (B, 0.7)], [(D, 9.0), (E, 8.0), (B, 5.0)]
    assert ids(fuse(dense, lexical, k=1, rrf_k=60)) == ["b"]  # 2/63 > 1/61: agreement wins
    assert ids(fuse(dense, lexical, k=1, rrf_k=0)) == ["a"]  # 1/1 > 2/3: a first place wins


def test_nothing_found_is_an_empty_list():
    assert fuse([], [], k=5, rrf_k=60) == []
