"""Which language a block of text is in: "zh" when most of its letters are CJK ideographs, else "en".

    detect_lang("华南地区企业对政策环境的评价连续第二年改善。")   # 'zh'
    detect_lang("Chapter 6 Policy Environment 第六章 政策环境")   # 'en' (more Latin letters than ideographs)

Digits, punctuation and spaces do not count: "58%" says nothing about the language.
"""
from __future__ import annotations

import re

# CJK Unified Ideographs with extension A, compatibility ideographs and extension B: what Chinese is written in.
CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df"
CJK_RE = re.compile(f"[{CJK_CHARS}]")


def has_cjk(text: str) -> bool:
    return CJK_RE.search(text) is not None


def cjk_share(text: str) -> float:
    """The share of the letters of ``text`` that are CJK ideographs (0.0 when it has no letters)."""
    cjk = len(CJK_RE.findall(text))
    letters = sum(1 for ch in text if ch.isalpha())  # ideographs are alphabetic to Python, digits are not
    return cjk / letters if letters else 0.0


def detect_lang(text: str) -> str:
    """ "zh" when more than half of the letters are CJK, otherwise "en"."""
    return "zh" if cjk_share(text) > 0.5 else "en"
