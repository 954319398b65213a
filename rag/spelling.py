"""Spelling correction against the index's own vocabulary ("aera" -> "area", "GPD" -> "GDP").

A word is corrected only when it is not an English word the embedding model knows and one
edit (insertion, deletion, substitution or transposition) turns it into a word of the report.

    speller = Speller(["area", "gdp", "established"])
    speller.correct_token("aera")      # 'area'
    speller.correct_text("wen was it establised")   # 'when was it established'
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

WH_WORDS = ("what", "when", "where", "which", "who", "whom", "whose", "why", "how")


def damerau_levenshtein(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance, giving up (limit + 1) past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} | {word}


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    from rag.ingest.pipeline import default_vocabulary

    return frozenset(w.lower() for w in default_vocabulary())


class Speller:
    """Symmetric-delete lookup over a vocabulary; corrections are cached."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = {w.lower() for w in vocabulary if w.isalpha() and len(w) >= 3}
        self._by_delete: dict[str, set[str]] = defaultdict(set)
        for word in self.vocabulary:
            for variant in _deletes(word):
                self._by_delete[variant].add(word)
        self._cache: dict[str, str | None] = {}

    def correct_token(self, word: str) -> str | None:
        """The vocabulary's spelling of ``word``, or None when it has none within one edit."""
        word = word.lower()
        if word in self.vocabulary:
            return word
        if word in self._cache:
            return self._cache[word]
        best: str | None = None
        if len(word) >= 3 and word.isalpha():
            candidates: set[str] = set()
            for variant in _deletes(word):
                candidates |= self._by_delete.get(variant, set())
            ranked = sorted((damerau_levenshtein(word, c, 1), -len(c), c) for c in candidates)
            ranked = [r for r in ranked if r[0] <= 1]
            if len(word) == 3:  # three letters: only a swap ("gpd") is safe
                ranked = [r for r in ranked if sorted(r[2]) == sorted(word)]
            best = ranked[0][2] if ranked else None
        self._cache[word] = best
        return best

    def correct_text(self, text: str) -> str:
        """``text`` with misspelt words replaced; known English words and names are left alone."""
        english = english_words()

        def fix(match: re.Match[str]) -> str:
            word = match.group()
            lower = word.lower()
            if match.start() == _first_word_start(text):
                for wh in WH_WORDS:
                    if lower != wh and len(lower) >= 3 and damerau_levenshtein(lower, wh, 1) <= 1 and \
                            lower not in ("how", "who", "why", "wat"):
                        return _same_case(word, wh)
            if lower in self.vocabulary or lower in english or len(lower) < 3 or not lower.isalpha():
                return word
            corrected = self.correct_token(lower)
            return _same_case(word, corrected) if corrected else word

        return re.sub(r"[A-Za-z]+", fix, text)


def _first_word_start(text: str) -> int:
    m = re.search(r"[A-Za-z]", text)
    return m.start() if m else -1


def _same_case(original: str, word: str) -> str:
    if original.isupper() and len(original) > 1:
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
