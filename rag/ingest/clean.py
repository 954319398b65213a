"""Character- and word-level cleaning of reconstructed column text (pure functions).

    >>> repair_mojibake("GuiĄŻan")
    'Gui’an'
    >>> join_lines(["a universal and easy-", "to-use tool"])
    'a universal and easy-to-use tool'
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# (codec the bytes were wrongly read with, codec they were written in). Order matters: the
# first pair that turns a suspicious run into plausible text wins.
MOJIBAKE_CODECS: tuple[tuple[str, str], ...] = (
    ("cp1252", "utf-8"),
    ("latin-1", "utf-8"),
    ("iso-8859-2", "utf-8"),
    ("iso-8859-2", "gbk"),
    ("cp1250", "gbk"),
    ("cp1252", "gbk"),
    ("latin-1", "gbk"),
)
_SUSPICIOUS_RUN_RE = re.compile(r"[\u0080-\u024f\u02c6-\u02dd\u2013-\u203a\u20ac\u2122]{2,}")


def _plausible(text: str, glued_to_word: bool) -> bool:
    """Text a repair may produce: punctuation, or CJK standing on its own; never Latin soup.

    Glued to a Latin word ("GuiĄŻan") only punctuation such as an apostrophe makes sense.
    """
    for ch in text:
        cat = unicodedata.category(ch)
        if cat.startswith("C") or "\u0100" <= ch <= "\u024f":
            return False
        if "\uff00" <= ch <= "\uffef" and cat[0] in "LN":  # fullwidth letters: a Latin pair misread
            return False
        if cat[0] in "LN" and not ch.isascii() and glued_to_word and ord(ch) >= 0x2E80:
            return False
    return True


def repair_mojibake(text: str, codecs: Iterable[tuple[str, str]] = MOJIBAKE_CODECS) -> str:
    """Undo text that was decoded with the wrong codec, by re-encoding each suspicious run.

    GBK's right single quote (bytes A1 AF) read as ISO-8859-2 shows as "ĄŻ"; UTF-8's "’" read
    as cp1252 shows as "â€™". Each run of such characters is re-encoded with the wrong codec
    and decoded with the right one; runs that do not decode cleanly are left as they are.
    """
    codecs = tuple(codecs)

    def fix(match: re.Match[str]) -> str:
        run = match.group()
        before = match.string[match.start() - 1 : match.start()]
        after = match.string[match.end() : match.end() + 1]
        inside_word = (before.isalpha() and before.isascii()) or (after.isalpha() and after.isascii())
        for wrong, right in codecs:
            try:
                repaired = run.encode(wrong).decode(right)
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if len(repaired) < len(run) and _plausible(repaired, inside_word):
                return repaired
        return run

    return _SUSPICIOUS_RUN_RE.sub(fix, text)


def normalise_spacing(text: str) -> str:
    """Collapse justification spaces and drop the space the exporter puts before punctuation."""
    text = re.sub(r"[ \t\u00a0]+", " ", text).strip()
    return re.sub(r"(?<=[\w²³%)”’])\s+([,.;:!?])(?=\s|$)", r"\1", text)


def _is_word(word: str, vocabulary: set[str]) -> bool:
    return word.lower() in vocabulary


def dehyphenate(head: str, tail: str, vocabulary: set[str] | None = None) -> str:
    """Join a word broken across lines ("infor-" + "mation"), keeping real hyphens ("easy-" + "to-use").

    A hyphen is kept when the tail is itself hyphenated, capitalised or numeric, or when both
    halves are words and the joined form is not one.
    """
    vocabulary = vocabulary or set()
    first = re.search(r"([A-Za-z]+)-$", head)
    second = re.match(r"([A-Za-z]+)", tail)
    if not first or not second:
        return head + tail
    left, right = first.group(1), second.group(1)
    tail_word = re.match(r"\S+", tail).group()  # type: ignore[union-attr]
    keep = (
        "-" in tail_word.rstrip("-.,;:")
        or right[0].isupper()
        or (_is_word(left, vocabulary) and _is_word(right, vocabulary) and not _is_word(left + right, vocabulary))
    )
    return head + tail if keep else head[:-1] + tail


def join_lines(lines: list[str], vocabulary: set[str] | None = None) -> str:
    """Join one paragraph's lines into running text."""
    text = ""
    for line in (l.strip() for l in lines):
        if not line:
            continue
        if not text:
            text = line
        elif re.search(r"[A-Za-z]-$", text):
            text = dehyphenate(text, line, vocabulary)
        else:
            text = f"{text} {line}"
    return normalise_spacing(text)
