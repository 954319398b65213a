"""The lexical index: BM25 over the chunks' normalised tokens, with spelling correction against its vocabulary."""
from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

from rag.spelling import Speller, english_words
from rag.text import family


class LexicalIndex:
    """BM25 over the chunks' normalised tokens, with spelling correction against its vocabulary.

    Each token's posting list is two arrays (chunk numbers, precomputed BM25 weights), so a query
    is a few vector additions into one score array: ~1 ms at 28,000 chunks instead of ~90 ms of
    Python loops.
    """

    def __init__(self, docs: list[list[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.lengths = [len(d) for d in docs]
        self.avg_len = (sum(self.lengths) / len(docs)) if docs else 0.0
        lists: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for i, doc in enumerate(docs):
            for token, tf in Counter(doc).items():
                ids, tfs = lists[token]
                ids.append(i)
                tfs.append(tf)
        n = len(docs)
        lengths = np.asarray(self.lengths, dtype=np.float64)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.idf: dict[str, float] = {}
        for token, (ids, tfs) in lists.items():
            idx = np.asarray(ids, dtype=np.int64)
            tf = np.asarray(tfs, dtype=np.float64)
            norm = k1 * (1 - b + b * lengths[idx] / (self.avg_len or 1))
            self.idf[token] = idf = math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
            self.postings[token] = (idx, idf * tf * (k1 + 1) / (tf + norm))
        self._speller: Speller | None = None
        self._families: dict[str, str] | None = None

    def df(self, token: str) -> int:
        """How many chunks contain the token."""
        entry = self.postings.get(token)
        return 0 if entry is None else len(entry[0])

    def family_forms(self) -> dict[str, str]:
        """Word family -> the index's word of that family in most chunks (built once, on first use)."""
        if self._families is None:
            families: dict[str, str] = {}
            for t in sorted(self.postings, key=lambda t: (-len(self.postings[t][0]), t)):
                if t.isalpha():
                    families.setdefault(family(t), t)
            self._families = families
        return self._families

    def correct(self, token: str) -> str | None:
        """The index's form of a query word it does not hold: a word of the same family, else its spelling one edit
        away ("aera" -> "area")."""
        if token in self.postings:
            return token
        if token.isalpha():
            # another form of a word the report prints ("slight" where it prints "slightly", "profit" beside
            # "profitable")
            same = self.family_forms().get(family(token))
            if same is not None:
                return same
        if len(token) < 4 or token.isdigit() or token in english_words():
            return None  # a real English word the report does not use ("tolls") is not a misspelling of one it does
        if self._speller is None:
            self._speller = Speller(t for t in self.postings if t.isalpha())
        return self._speller.correct_token(token)

    def search(self, tokens: list[str], k: int) -> list[tuple[int, float]]:
        if not self.lengths or k <= 0:
            return []
        scores = np.zeros(len(self.lengths), dtype=np.float64)
        touched = np.zeros(len(self.lengths), dtype=bool)
        for token in tokens:
            token = self.correct(token)  # type: ignore[assignment]
            if token is None:
                continue
            idx, weights = self.postings[token]
            scores[idx] += weights  # a chunk appears once per posting list
            touched[idx] = True
        hits = np.flatnonzero(touched)
        if not len(hits):
            return []
        # ranked on scores rounded to 9 decimals: equal scores summed in another order stay equal, and ties go
        # by chunk number (stable)
        ranked = np.round(scores[hits], 9)
        if len(hits) > k:  # the k best
            cut = -np.partition(-ranked, k - 1)[k - 1]
            keep = ranked >= cut
            hits, ranked = hits[keep], ranked[keep]
        order = np.lexsort((hits, -ranked))[:k]
        return [(int(hits[i]), float(scores[hits[i]])) for i in order]

