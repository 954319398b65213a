"""Character- and word-level cleaning of reconstructed column text (pure functions).

    >>> repair_mojibake("GuiĄŻan")
    'Gui’an'
    >>> join_lines(["a universal and easy-", "to-use tool"])
    'a universal and easy-to-use tool'
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

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

    GBK's right single quote (bytes A1 AF) read as ISO-8859-2 shows as "ĄŻ", read as Latin-1 or
    cp1252 as "¡¯" (and “ ” ‘ as "¡°" "¡±" "¡®"); UTF-8's "’" read as cp1252 shows as "â€™". Each
    run of such characters is re-encoded with the wrong codec and decoded with the right one; runs
    that do not decode cleanly are left as they are. A run glued to a real accented letter
    ("café¡¯s") is repaired without that letter.
    """
    codecs = tuple(codecs)

    def repair(run: str, inside_word: bool) -> str | None:
        for wrong, right in codecs:
            try:
                repaired = run.encode(wrong).decode(right)
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if len(repaired) < len(run) and _plausible(repaired, inside_word):
                return repaired
        return None

    def fix(match: re.Match[str]) -> str:
        run = match.group()
        before = match.string[match.start() - 1 : match.start()]
        after = match.string[match.end() : match.end() + 1]
        inside_word = (before.isalpha() and before.isascii()) or (after.isalpha() and after.isascii())
        whole = repair(run, inside_word)
        if whole is not None:
            return whole
        # The run may hold a genuine letter at either end: keep it and repair the rest.
        for cut in range(1, len(run) - 1):
            tail = repair(run[cut:], inside_word or run[cut - 1].isalpha())
            if tail is not None:
                return run[:cut] + tail
            head = repair(run[:-cut], inside_word or run[-cut].isalpha())
            if head is not None:
                return head + run[-cut:]
        return run

    return _SUSPICIOUS_RUN_RE.sub(fix, text)


# "?" standing for a dash the exporter could not encode: spaced on both sides and followed by a
# lower-case word or a figure ("growth ? especially"); "? Next" with a capital may end a question.
_LOST_DASH_RE = re.compile(r"(?<=[\w,;)%”’²³])\s+\?\s+(?=[a-z0-9“‘(])")


def repair_lost_dashes(text: str) -> str:
    """"growth ? especially in services" -> "growth – especially in services"."""
    return _LOST_DASH_RE.sub(" – ", text)


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


_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_END_RE = re.compile(f"[{_CJK}][”’）)]?$")
_CJK_START_RE = re.compile(f"[“‘（(]?[{_CJK}]")
_CJK_RE = re.compile(f"[{_CJK}]")
_CJK_FIGURE_START_RE = re.compile(f"[\\d.,]+[%％]?[{_CJK}]")  # "71%。", "2025年": a figure inside Chinese


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
        elif (_CJK_END_RE.search(text) and _CJK_START_RE.match(line)) or (
                _CJK_RE.search(text[-12:]) and re.search(r"[\d%]$", text) and _CJK_START_RE.match(line)) or (
                _CJK_END_RE.search(text) and _CJK_FIGURE_START_RE.match(line)) or (
                _CJK_RE.search(text[-12:]) and re.search(r"\d$", text) and re.match(r"[\d.,]", line)):
            # Chinese has no spaces between words: a line break inside it is not one, even inside a number ("20|24年")
            text += line
        else:
            text = f"{text} {line}"
    return normalise_spacing(repair_lost_dashes(text))


def _single_letter_words() -> frozenset[str]:
    from rag.lang import vocabulary

    return frozenset(w.lower() for w in vocabulary("en", "orthography").get("single_letter_words", ["a", "i"]))


def _joins(letter: str, fragment: str, is_word: Callable[[str], bool]) -> bool:
    """Whether a capital printed apart belongs before ``fragment``: together they make a word, and the
    fragment alone is none (or the capital alone is none: "D" + "ear" is "Dear")."""
    if len(fragment) < 3 or not is_word((letter + fragment).lower()):  # short pieces make words by chance
        return False
    return not is_word(fragment.lower()) or letter.lower() not in _single_letter_words()


_LONE_CAPITAL_RE = re.compile(r"^[A-Z]$")
_FRAGMENT_RE = re.compile(r"^([a-z]+)\b")
_SPACED_CAP_RE = re.compile(r"^([A-Z]) ([a-z]+)\b")
_GLUED_CAP_RE = re.compile(r"^([A-Z])([A-Za-z][a-z]+)\b")


def reattach_drop_caps(lines: list[str], is_word: Callable[[str], bool]) -> list[str]:
    """Put a drop cap the export printed apart back on its word, at the start of a paragraph.

    A column's lines ("" = paragraph break) in, the same lines out with the capital re-attached:
    - on a line of its own next to the paragraph's first line: "C" + "ompanies in…" -> "Companies in…";
    - split off by a space: "D ear Members" -> "Dear Members";
    - glued to the next line's first word: "erceptions of…" + "Pin South…" -> "Perceptions of…" + "in South…".
    Only where the joined form is a word and the pieces are not (``is_word``), so real text stays.
    """
    out = list(lines)

    def first_line(i: int) -> bool:  # the first line of a paragraph (a lone capital above it does not count)
        j = i - 1
        if j >= 0 and _LONE_CAPITAL_RE.match(out[j].strip()):
            j -= 1
        return j < 0 or not out[j].strip()

    i = 0
    while i < len(out):
        text = out[i].strip()
        if _LONE_CAPITAL_RE.match(text):
            for j in (i + 1, i - 1):
                if 0 <= j < len(out) and (m := _FRAGMENT_RE.match(out[j].strip())) and first_line(j) \
                        and _joins(text, m.group(1), is_word):
                    out[j] = text + out[j].strip()
                    del out[i]
                    break
            else:
                i += 1
            continue
        if text and first_line(i):
            if (m := _SPACED_CAP_RE.match(text)) and _joins(m.group(1), m.group(2), is_word):
                out[i] = m.group(1) + text[2:]
            elif (m := _FRAGMENT_RE.match(text)) and i + 1 < len(out) and \
                    (g := _GLUED_CAP_RE.match(out[i + 1].strip())) and is_word(g.group(2).lower()) and \
                    not is_word(m.group(1).lower()) and _joins(g.group(1), m.group(1), is_word):
                out[i] = g.group(1) + text
                out[i + 1] = out[i + 1].strip()[1:]
        i += 1
    return out
