"""An evaluation set: the item schema (evals/README.md), loading a JSONL file, checking it against the pages."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.evaluation.matching import contains_quote, fact_matches

CATEGORIES = ("figure", "policy", "list", "cross_column", "followup", "unanswerable", "adversarial", "misspelled",
              "paraphrase", "terse")


class EvalSetError(ValueError):
    """An evaluation file that does not follow the schema; the message names the file and line."""


@dataclass(frozen=True)
class EvalItem:
    """One question of an evaluation set (schema: evals/README.md)."""

    id: str
    category: str
    question: str
    history: tuple[str, ...]
    answerable: bool
    gold_facts: tuple[tuple[str, ...], ...]
    gold_page: int | None
    gold_quote: str | None
    notes: str = ""

    @classmethod
    def from_json(cls, data: Any, where: str = "") -> EvalItem:
        def bad(message: str) -> EvalSetError:
            return EvalSetError(f"{where}: {message}" if where else message)

        if not isinstance(data, dict):
            raise bad("an item must be a JSON object")
        missing = [k for k in ("id", "category", "question", "answerable") if k not in data]
        if missing:
            raise bad(f"missing {', '.join(missing)}")
        if not isinstance(data["question"], str) or not data["question"].strip():
            raise bad("question must be non-empty text")
        history = data.get("history") or []
        if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
            raise bad("history must be a list of questions")
        facts = data.get("gold_facts") or []
        if not isinstance(facts, list) or not all(
                isinstance(g, list) and g and all(isinstance(a, str) and a.strip() for a in g) for g in facts):
            raise bad("gold_facts must be a list of non-empty lists of strings")
        answerable = data["answerable"]
        if not isinstance(answerable, bool):
            raise bad("answerable must be true or false")
        page = data.get("gold_page")
        if page is not None and (isinstance(page, bool) or not isinstance(page, int)):
            raise bad("gold_page must be an integer or null")
        if not answerable and (facts or page is not None):
            raise bad("an unanswerable item has no gold_facts and no gold_page")
        return cls(id=str(data["id"]), category=str(data["category"]), question=data["question"],
                   history=tuple(history), answerable=answerable,
                   gold_facts=tuple(tuple(g) for g in facts), gold_page=page,
                   gold_quote=data.get("gold_quote") or None, notes=str(data.get("notes") or ""))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "category": self.category, "question": self.question, "history": list(self.history),
                "answerable": self.answerable, "gold_facts": [list(g) for g in self.gold_facts],
                "gold_page": self.gold_page, "gold_quote": self.gold_quote, "notes": self.notes}


def load_items(path: Path) -> list[EvalItem]:
    """The items of a JSONL evaluation file, validated; raises EvalSetError naming file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalSetError(f"{path}: {exc.strerror or exc}") from exc
    items: list[EvalItem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalSetError(f"{where}: not JSON ({exc.msg})") from exc
        item = EvalItem.from_json(data, where)
        if item.id in seen:
            raise EvalSetError(f"{where}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise EvalSetError(f"{path}: no items")
    return items


def check_items_against_pages(items: Sequence[EvalItem], page_texts: dict[str, str]) -> list[str]:
    """Problems of answerable items against the reconstructed pages (label -> text): the gold quote must be on
    its page and every fact group needs an alternative printed there. An empty list means the set is sound."""
    problems = []
    for item in items:
        if not item.answerable:
            continue
        text = page_texts.get(str(item.gold_page))
        if text is None:
            problems.append(f"{item.id}: gold_page {item.gold_page} is not in the corpus")
            continue
        if item.gold_quote and not contains_quote(text, item.gold_quote):
            problems.append(f"{item.id}: gold_quote not found on page {item.gold_page}: {item.gold_quote[:80]!r}")
        for group in item.gold_facts:
            if not any(fact_matches(alt, text) for alt in group):
                problems.append(f"{item.id}: no alternative of {list(group)} is printed on page {item.gold_page}")
    return problems
