"""Vocabulary as data: ``rag/lang/<lang>/<name>.toml`` (answer kinds, units, question words, stopwords).

    vocabulary("en", "units")["share_words"]["half"]   # 50
    vocabulary("zh", "question")["kinds"]["rank"]["cues"]

Each file is short TOML with a header comment saying what it holds, read once per process. Code holds
mechanism only; a word belongs in one of these files.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

LANG_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=64)
def vocabulary(lang: str, name: str) -> dict[str, Any]:
    """The parsed ``<lang>/<name>.toml`` (an empty table when the file does not exist)."""
    path = LANG_DIR / lang / f"{name}.toml"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=None)
def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any of the phrases as whole words (longest first).

    A phrase may use "*" for one word ("how much did * spend") and end a word in "~" for a word prefix ("grow~",
    "rank~ number"). Chinese phrases match anywhere (Chinese has no spaces between words)."""
    parts = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        prefix = phrase.endswith("~")
        body = re.escape(phrase.rstrip("~")).replace(r"\*", r"[\w’'-]+").replace(r"\ ", r"\s+")
        body = body.replace(r"\~", r"[\w’'-]*")
        start = r"(?<![\w])" if phrase[:1].isascii() and phrase[:1].isalnum() else ""
        last = phrase.rstrip("~")[-1:]
        end = r"[\w’'-]*" if prefix else (r"(?![\w])" if last.isascii() and last.isalnum() else "")
        parts.append(f"{start}{body}{end}")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None
