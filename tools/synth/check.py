"""Self-check of a generated corpus, like the dev set's check.py: schema, every gold fact on its plain
page, quotes on their page (continuations: across the page break), near-miss strings absent."""
from __future__ import annotations

import re

from tools.synth.model import CATEGORIES, KEYS, Question, norm

_FOOTNOTE = re.compile(r"^\[\d+\] ", re.M)


def check(plain: dict[int, str], questions: list[Question]) -> list[str]:
    """Errors (empty when the corpus is consistent). plain: page number -> reading-order text."""
    errors: list[str] = []
    text = {p: norm(t) for p, t in plain.items()}
    body = {p: norm("\n".join(l for l in t.splitlines() if not _FOOTNOTE.match(l))) for p, t in plain.items()}
    corpus = " ".join(text.values())
    seen: set[str] = set()
    for q in questions:
        row = q.row()
        def err(msg: str) -> None:
            errors.append(f"{q.id}: {msg}")
        if list(row) != list(KEYS):
            err("keys out of order")
        if q.id in seen:
            err("duplicate id")
        seen.add(q.id)
        if q.category not in CATEGORIES:
            err(f"bad category {q.category}")
        if not q.question.strip() or not q.notes.strip():
            err("empty question or notes")
        if q.category == "followup" and not q.history:
            err("followup without history")
        if q.answerable:
            if q.gold_page not in text:
                err(f"gold_page {q.gold_page} has no plain text")
                continue
            hay = text[q.gold_page]
            if not q.gold_facts or not all(g and all(isinstance(a, str) and a for a in g) for g in q.gold_facts):
                err("gold_facts must be non-empty groups of non-empty strings")
            for g in q.gold_facts:
                if not any(norm(a) in hay for a in g):
                    err(f"no alternative of {g} on p. {q.gold_page}")
            if not q.gold_quote:
                err("answerable item without gold_quote")
                continue
            nq = norm(q.gold_quote)
            hays = [hay]
            if q.category == "continuation":
                p = q.gold_page
                hays += [body.get(p - 1, "") + " " + body[p], body[p] + " " + body.get(p + 1, "")]
            if not any(nq in h for h in hays):
                err(f"gold_quote not on p. {q.gold_page}: {q.gold_quote[:70]!r}")
        else:
            if q.gold_facts or q.gold_page is not None or q.gold_quote is not None:
                err("unanswerable item must have gold_facts [], gold_page null, gold_quote null")
            if not q.absent:
                err("unanswerable item names no near-miss strings")
            for page, strings in q.absent:
                hay = corpus if page is None else text.get(page)
                if hay is None:
                    err(f"near miss refers to missing page {page}")
                    continue
                for s in strings:
                    if norm(s) in hay:
                        err(f"would-be answer {s!r} is present {'in the corpus' if page is None else f'on p. {page}'}")
    return errors
