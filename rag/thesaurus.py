"""Synonyms from WordNet, so a paraphrase meets the report's own word ("back" -> "support").

The table (rag/data/thesaurus.json.gz) is derived from Princeton WordNet 3.0 by tools/build_thesaurus.py and
ships with the package: no download at run time. It holds the single-word synonyms of each word's most
frequent senses; the answerer counts a synonym as part of the word (``Settings.thesaurus_weight``), the way it
counts a near neighbour in the embedding space, so a synonym helps a sentence but never stands in for a name.
"""
from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).with_name("data") / "thesaurus.json.gz"

# WordNet's "morphy" detachment rules: an inflected form -> the lemma it may come from.
_DETACH = (("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y"),
           ("es", "e"), ("es", ""), ("s", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""), ("er", ""),
           ("est", ""), ("er", "e"), ("est", "e"))


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    try:
        with gzip.open(TABLE, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:  # a broken install: answer without synonyms rather than fail
        import logging

        logging.getLogger(__name__).warning("thesaurus unavailable (%s): %s", TABLE, exc)
        return {}, {}
    return data["lemmas"], data["exceptions"]


def lemmas(word: str) -> list[str]:
    """The WordNet lemmas an English word form may be ("backing" -> ["back"], "geese" -> ["goose"])."""
    table, exceptions = _table()
    word = word.lower()
    out = [word] if word in table else []
    out += [base for base in exceptions.get(word, []) if base not in out]
    for suffix, replacement in _DETACH:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)] + replacement
            if base in table and base not in out:
                out.append(base)
    return out


@lru_cache(maxsize=16_384)
def synonyms(word: str) -> frozenset[str]:
    """Single-word synonyms of a word form's most frequent senses, in any part of speech."""
    table, _ = _table()
    return frozenset(s for base in lemmas(word) for s in table.get(base, ())) - {word.lower()}
