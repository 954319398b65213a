"""The vectorised BM25 ranks exactly like the textbook formula, ties by chunk order."""
from __future__ import annotations

import math
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.store.lexical import LexicalIndex

vocab = st.sampled_from(["area", "gdp", "port", "km", "data", "centre", "growth", "2024", "rmb", "eco"])


def reference(docs: list[list[str]], query: list[str], k: int, k1: float = 1.2, b: float = 0.75):
    n = len(docs)
    avg = sum(map(len, docs)) / n
    df = Counter(t for d in docs for t in set(d))
    scores: dict[int, float] = {}
    for i, doc in enumerate(docs):
        tf = Counter(doc)
        total, hit = 0.0, False
        for t in query:
            if t in tf:
                hit = True
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                total += idf * tf[t] * (k1 + 1) / (tf[t] + k1 * (1 - b + b * len(doc) / avg))
        if hit:
            scores[i] = total
    return sorted(scores.items(), key=lambda kv: (-round(kv[1], 9), kv[0]))[:k]


@settings(max_examples=150, deadline=None)
@given(docs=st.lists(st.lists(vocab, min_size=1, max_size=12), min_size=1, max_size=30),
       query=st.lists(vocab, min_size=1, max_size=5), k=st.integers(1, 8))
def test_same_ranking_as_the_formula(docs, query, k):
    got = LexicalIndex(docs).search(query, k)
    want = reference(docs, query, k)
    assert [i for i, _ in got] == [i for i, _ in want]
    assert all(math.isclose(a, b, rel_tol=1e-9) for (_, a), (_, b) in zip(got, want))


def test_empty_index_and_unknown_words():
    assert LexicalIndex([]).search(["area"], 5) == []
    assert LexicalIndex([["port"]]).search(["zzzzqqq"], 5) == []
    assert LexicalIndex([["port"], ["area"]]).df("port") == 1
