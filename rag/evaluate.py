"""Evaluation runs: the fixed question set through the real chain, metrics beside baselines, a gate.

    rag eval                                  # system + naive/dense/lexical baselines, reports in evals/reports/
    rag eval --baseline none --gate           # the system only; exit 1 below evals/thresholds.json
    rag eval --add --question "..." --fact "1,901 km²" --page 156 --category figure

From Python (the CI gate does this):

    run = run_evaluation(load_items(Path("evals/eval_set.jsonl")), systems=["system"])
    run.systems["system"].metrics["overall"]["answer_accuracy"]
    check_thresholds(run.systems["system"].metrics, json.loads(Path("evals/thresholds.json").read_text()))

Every system answers every item in its own conversation: the item's ``history`` questions are asked
first in the same session, then the question. The index is built from ``corpus/`` in a temporary
data dir, so an evaluation never touches the user's ``.rag/`` (unless ``--data-dir`` is given).
Matching follows the rules in ``evals/README.md`` (see :func:`match_normalise`).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import shutil
import sys
import tempfile
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rag.verify import VERDICTS

from rag.eval_options import (  # noqa: F401  (the defaults and names `rag eval` offers)
    ANSWERERS,
    BASELINES,
    DEFAULT_CANDIDATES,
    DEFAULT_OUT,
    DEFAULT_SET,
    DEFAULT_THRESHOLDS,
    MAX_ANSWER_CHARS,
)
CATEGORIES = ("figure", "policy", "list", "cross_column", "followup", "unanswerable", "adversarial", "misspelled",
              "paraphrase", "terse")

SYSTEM_DESCRIPTIONS = {
    "system": "the assistant as users get it (hybrid retrieval, configured answerer)",
    "naive": "tutorial pipeline: raw export text, RecursiveCharacterTextSplitter(1000, 200), dense top-k, "
             "top chunk as the answer, never abstains",
    "dense": "our answerer over dense-only retrieval",
    "lexical": "our answerer over lexical-only (BM25) retrieval",
    "extractive": "the assistant's chain with the extractive answerer (quotes only, no LLM)",
    "generative": "the assistant's chain with the generative answerer (LLM, verified against the quotes)",
}


class EvalSetError(ValueError):
    """An evaluation file that does not follow the schema; the message names the file and line."""


# GBK ’/‘ decoded as ISO-8859-2, and UTF-8 ’/‘ decoded as cp1252.
_MOJIBAKE_QUOTES = ("ĄŻ", "ĄŽ", "â€™", "â€˜")
_APOSTROPHES = re.compile(r"[’‘'`´ʼ]")
_DASHES = re.compile(r"[‐‑‒–—―]")
_DOUBLE_QUOTES = re.compile(r"[“”„]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# km² folds to km2 under NFKC; splitting the exponent off lets "1901 km" match "1,901 km²" as README promises.
_UNIT_EXPONENT = re.compile(r"\b(km|m|cm|mm|mi|ft)([23])\b")
_CURRENCY_GLUE = re.compile(r"(?i)(rmb|us\$|hk\$|\$|usd|cny)(?=\d)")


def match_normalise(text: str) -> str:
    """The comparable form of an answer, a gold fact or a quote (the matching rules of evals/README.md).

    NFKC + lower case (km² = km2), one apostrophe for ’ ‘ ' and the mis-decoded ĄŻ, thousands separators
    dropped (1,901 = 1901), a unit's exponent split off (km² = km2 = "km 2", so "1901 km" matches it),
    whitespace collapsed and no space before "," or ".".
    """
    for bad in _MOJIBAKE_QUOTES:
        text = text.replace(bad, "'")
    text = unicodedata.normalize("NFKC", text).lower()
    text = _APOSTROPHES.sub("'", text)
    text = _DASHES.sub("-", text)
    text = _DOUBLE_QUOTES.sub('"', text)
    text = _THOUSANDS.sub("", text)
    text = _UNIT_EXPONENT.sub(r"\1 \2", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" (?=[,.])", "", text)


_LATIN_WORD = r"[^\W\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"  # a word character that is not Chinese


def fact_matches(alternative: str, answer: str) -> bool:
    """One gold alternative occurs in the answer as whole words ("AI" does not match inside "said"). Chinese
    text has no spaces between words, so a Chinese character next to the match is no word of its own ("有55%提及"
    holds "55%", "最常见于政府采购领域" holds "政府采购")."""
    needle = match_normalise(alternative)
    if not needle:
        return False
    return re.search(rf"(?<!{_LATIN_WORD}){re.escape(needle)}(?!{_LATIN_WORD})", match_normalise(answer)) is not None


def label_covers(label: str, page: int | str) -> bool:
    """A cited page label names the page: "121", or a span of pages "120–121" (a sentence across a page break)."""
    parts = re.split(r"\s*[–-]\s*", str(label))
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]) <= int(page) <= int(parts[1])
    return str(label) == str(page)


def missing_facts(gold_facts: Sequence[Sequence[str]], answer: str) -> list[list[str]]:
    """The fact groups the answer does not match (every group must match; any alternative will do)."""
    return [list(group) for group in gold_facts if not any(fact_matches(alt, answer) for alt in group)]


def contains_quote(text: str, quote: str) -> bool:
    """A passage (retrieved chunk) holds the gold quote, compared normalised."""
    return bool(quote) and match_normalise(quote) in match_normalise(text)


def quotes_agree(cited: str, gold: str) -> bool:
    """The cited quote is part of the gold sentence or the reverse (README: "quote is correct")."""
    a, b = match_normalise(cited), match_normalise(gold)
    return bool(a and b) and (a in b or b in a)


def figures(text: str) -> list[str]:
    """The numbers of a text, comparable across texts ("RMB40.28 billion" -> "40.28", "1,901" -> "1901")."""
    from rag.text import numbers_in

    return numbers_in(_CURRENCY_GLUE.sub(r"\1 ", text))


def unsupported_figures(answer: str, quotes: Iterable[str]) -> list[str]:
    """Numbers in the answer that none of its cited quotes prints: an invented (or mangled) figure."""
    supported = {n for q in quotes for n in figures(q)}
    return sorted({n for n in figures(answer) if n not in supported})


_BARE_COMPLIANCE = re.compile(r"^\W*(yes|no|ok|okay|sure|confirmed|true|false)\W*$", re.IGNORECASE)


def echoed_injection(question: str, answer: str, gold_quote: str | None) -> list[str]:
    """For adversarial items: figures planted in the question that the answer repeats, or a bare "yes"."""
    if _BARE_COMPLIANCE.match(answer.strip()):
        return [answer.strip()]
    true_figures = set(figures(gold_quote or ""))
    planted = {n for n in figures(question) if n not in true_figures}
    return sorted(n for n in set(figures(answer)) if n in planted)


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


@dataclass
class Outcome:
    """What one system did with one item, and how it scored."""

    id: str
    category: str
    question: str
    answerable: bool
    answer: str = ""
    abstained: bool = False
    citation_pages: list[str] = field(default_factory=list)
    quote: str = ""
    retrieved_pages: list[str] = field(default_factory=list)
    page_rank: int | None = None
    chunk_rank: int | None = None
    seconds: float = 0.0
    confidence: float | None = None
    verdict: str | None = None
    error: str | None = None
    missing: list[list[str]] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    echoed: list[str] = field(default_factory=list)
    concise: bool = True
    correct: bool = False
    page_ok: bool = False
    quote_ok: bool = False
    reasons: list[str] = field(default_factory=list)


def score_outcome(item: EvalItem, outcome: Outcome, *, quotes: Sequence[str], retrieved: Sequence[tuple[str, str]],
                  max_chars: int = MAX_ANSWER_CHARS) -> Outcome:
    """Fill in the scores of an outcome. ``quotes``: the answer's citation quotes; ``retrieved``: (page label,
    chunk text) of the retrieved documents in rank order."""
    o = outcome
    o.retrieved_pages = [label for label, _ in retrieved]
    if item.gold_page is not None:
        o.page_rank = next((r for r, (label, _) in enumerate(retrieved, 1) if label_covers(label, item.gold_page)),
                           None)
    if item.gold_quote:
        o.chunk_rank = next((r for r, (_, text) in enumerate(retrieved, 1) if contains_quote(text, item.gold_quote)),
                            None)
    o.concise = len(o.answer) <= max_chars
    o.unsupported = [] if o.abstained else unsupported_figures(o.answer, quotes)
    # Only where the report has the true value: an unanswerable item already fails on any answer.
    o.echoed = (echoed_injection(item.question, o.answer, item.gold_quote)
                if item.category == "adversarial" and item.answerable and not o.abstained else [])
    reasons: list[str] = []
    if o.error:
        reasons.append(f"error: {o.error}")
    if item.answerable:
        o.missing = missing_facts(item.gold_facts, o.answer)
        if o.abstained:
            reasons.append("abstained on an answerable question")
        if o.missing:
            reasons.append("missing " + "; ".join(" | ".join(g) for g in o.missing))
        if not o.concise:
            reasons.append(f"too long ({len(o.answer)} chars)")
        o.correct = not (o.error or o.abstained or o.missing or not o.concise or o.echoed)
        o.page_ok = bool(o.citation_pages) and label_covers(o.citation_pages[0], item.gold_page)
        if o.correct and not o.page_ok:
            reasons.append(f"cited p.{o.citation_pages[0] if o.citation_pages else '—'}, gold p.{item.gold_page}")
        o.quote_ok = bool(o.quote and item.gold_quote) and quotes_agree(o.quote, item.gold_quote or "")
    else:
        o.correct = bool(o.abstained and not o.error)
        if not o.abstained:
            reasons.append("answered an unanswerable question")
    if o.echoed:
        reasons.append("repeats injected " + ", ".join(o.echoed))
    if o.unsupported:
        reasons.append("figures not in the cited quote: " + ", ".join(o.unsupported))
    o.reasons = reasons
    return o


RATE_METRICS = ("answer_accuracy", "fact_recall", "page_accuracy", "quote_accuracy", "page_hit_at_1", "page_hit_at_5",
                "page_mrr", "chunk_hit_at_1", "chunk_hit_at_5", "chunk_mrr", "abstention_precision",
                "abstention_recall", "false_abstention_rate", "figure_faithfulness")
LOWER_IS_BETTER = {"false_abstention_rate", "latency_p50_ms", "latency_p95_ms"}
METRIC_LABELS = {
    "answer_accuracy": "answer accuracy",
    "fact_recall": "gold facts present",
    "page_accuracy": "page citation accuracy",
    "quote_accuracy": "quote accuracy",
    "page_hit_at_1": "page hit@1",
    "page_hit_at_5": "page hit@5",
    "page_mrr": "page MRR",
    "chunk_hit_at_1": "chunk hit@1",
    "chunk_hit_at_5": "chunk hit@5",
    "chunk_mrr": "chunk MRR",
    "abstention_precision": "abstention precision",
    "abstention_recall": "abstention recall",
    "false_abstention_rate": "false abstentions",
    "figure_faithfulness": "figure faithfulness",
    "latency_p50_ms": "latency p50 (ms)",
    "latency_p95_ms": "latency p95 (ms)",
    "verified_rate": "LLM answers verified as written",
    "repaired_rate": "LLM answers repaired (sentences dropped)",
    "replaced_rate": "LLM answers replaced by the extractive one",
    "fallback_rate": "LLM failed, extractive shown",
}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def compute_metrics(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The metrics of a set of outcomes. Rates are None where undefined (e.g. precision with no abstentions).

    Answer accuracy is over all items; fact recall (every gold fact group in the answer, whatever its length
    or abstention flag), page/quote accuracy and retrieval over answerable items; abstention
    precision over abstentions, recall over unanswerable items, false abstentions over answerable items;
    figure faithfulness over answers that were given (not abstentions).
    """
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    abstained = [o for o in outcomes if o.abstained]
    given = [o for o in outcomes if not o.abstained and not o.error]
    judged = [o for o in outcomes if o.verdict]
    latencies = [o.seconds * 1000 for o in outcomes if not o.error]

    def hit(ranks: list[int | None], k: int) -> float | None:
        return _rate(sum(1 for r in ranks if r is not None and r <= k), len(ranks))

    def mrr(ranks: list[int | None]) -> float | None:
        return round(sum(1 / r for r in ranks if r) / len(ranks), 4) if ranks else None

    page_ranks = [o.page_rank for o in answerable]
    chunk_ranks = [o.chunk_rank for o in answerable]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    return {
        "n": len(outcomes),
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
        "errors": sum(1 for o in outcomes if o.error),
        "answer_accuracy": _rate(sum(o.correct for o in outcomes), len(outcomes)),
        "fact_recall": _rate(sum(not o.missing and not o.error for o in answerable), len(answerable)),
        "page_accuracy": _rate(sum(o.page_ok for o in answerable), len(answerable)),
        "quote_accuracy": _rate(sum(o.quote_ok for o in answerable), len(answerable)),
        "page_hit_at_1": hit(page_ranks, 1),
        "page_hit_at_5": hit(page_ranks, 5),
        "page_mrr": mrr(page_ranks),
        "chunk_hit_at_1": hit(chunk_ranks, 1),
        "chunk_hit_at_5": hit(chunk_ranks, 5),
        "chunk_mrr": mrr(chunk_ranks),
        "abstention_precision": _rate(sum(not o.answerable for o in abstained), len(abstained)),
        "abstention_recall": _rate(sum(o.abstained for o in unanswerable), len(unanswerable)),
        "false_abstention_rate": _rate(sum(o.abstained for o in answerable), len(answerable)),
        "figure_faithfulness": _rate(sum(not o.unsupported for o in given), len(given)),
        "latency_p50_ms": round(p50, 1) if p50 is not None else None,
        "latency_p95_ms": round(p95, 1) if p95 is not None else None,
        # The generative answerer's verification, over the answers it was asked for (None without one).
        **{f"{kind}_rate": _rate(sum(o.verdict == kind for o in outcomes), len(judged)) if judged else None
           for kind in VERDICTS},
    }


def metrics_by_category(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    order = {c: i for i, c in enumerate(CATEGORIES)}
    categories = sorted({o.category for o in outcomes}, key=lambda c: (order.get(c, len(order)), c))
    return {"overall": compute_metrics(outcomes),
            "by_category": {c: compute_metrics([o for o in outcomes if o.category == c]) for c in categories}}


def check_thresholds(metrics: dict[str, Any], thresholds: dict[str, Any], *, partial: bool = False) -> list[str]:
    """Failures of a run's metrics (``{"overall": ..., "by_category": ...}``) against a thresholds file.

    ``min`` holds floors (the metric must be at least this), ``max`` ceilings (at most this); ``categories``
    holds the same per category. A metric the run could not compute fails too. ``partial`` (a filtered run)
    checks only the categories present.
    """
    failures = []

    def check(scope: str, values: dict[str, Any], bounds: dict[str, Any]) -> None:
        for name, floor in (bounds.get("min") or {}).items():
            value = values.get(name)
            if value is None or value < floor:
                failures.append(f"{scope} {name} = {value} < {floor}")
        for name, ceiling in (bounds.get("max") or {}).items():
            value = values.get(name)
            if value is None or value > ceiling:
                failures.append(f"{scope} {name} = {value} > {ceiling}")

    if not partial:
        check("overall", metrics["overall"], thresholds)
    for category, bounds in (thresholds.get("categories") or {}).items():
        values = metrics["by_category"].get(category)
        if values is None and partial:
            continue
        if values is None:
            failures.append(f"category {category} has no items in this run")
        else:
            check(category, values, bounds)
    return failures


def propose_thresholds(metrics: dict[str, Any], previous: dict[str, Any] | None = None, *, margin: float = 0.02,
                       latency_factor: float = 3.0, allow_lower: bool = False) -> dict[str, Any]:
    """Thresholds from a run: each rate minus ``margin`` (rounded down to 0.01; per category at least one
    item's worth; figure faithfulness of 1.0 stays 1.0), latency p95 times ``latency_factor``. Floors never drop below ``previous`` ones (nor
    ceilings rise) unless ``allow_lower``."""
    previous = previous or {}

    def floors(values: dict[str, Any], old: dict[str, Any], margin: float = margin,
               keep_perfect: Iterable[str] = RATE_METRICS) -> dict[str, Any]:
        out = {}
        for name in RATE_METRICS:
            value = values.get(name)
            if value is None or name in LOWER_IS_BETTER:
                continue
            new = max(0.0, math.floor((value - margin) * 100 + 1e-9) / 100)
            if value >= 1.0 and name in keep_perfect:
                new = 1.0  # "nothing is invented, ever": one unsupported figure fails
            out[name] = new if allow_lower else max(new, (old.get("min") or {}).get(name, 0.0))
        return out

    def ceilings(values: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
        out = {}
        rate = values.get("false_abstention_rate")
        if rate is not None:
            new = math.ceil((rate + margin) * 100 - 1e-9) / 100 if rate > 0 else 0.0
            old_max = (old.get("max") or {}).get("false_abstention_rate")
            out["false_abstention_rate"] = new if allow_lower or old_max is None else min(new, old_max)
        p95 = values.get("latency_p95_ms")
        if p95 is not None:
            # Machine-dependent: a generous ceiling that catches a hang or an accidental model reload.
            out["latency_p95_ms"] = max(1000.0, round(p95 * latency_factor, -2))
        return out

    result: dict[str, Any] = {
        "_doc": "Floors (min) and ceilings (max) of `rag eval` on `set` for the system. They only go up: "
                "raise them when the system improves (rag eval --baseline none --write-thresholds), never lower "
                "them to make CI pass; fix the mechanism instead. tests/eval/test_gate.py enforces them.",
        "set": previous.get("set", DEFAULT_SET.as_posix()),
        "min": floors(metrics["overall"], previous, keep_perfect=("figure_faithfulness",)),
        "max": ceilings(metrics["overall"], previous),
        "categories": {},
    }
    old_categories = previous.get("categories") or {}
    for category, values in metrics["by_category"].items():
        old = old_categories.get(category, {})
        # A category has few items: its floor allows one item's wobble, the overall floor does not.
        category_margin = max(margin, 1.0 / values["n"]) if values["n"] else margin
        bounds = {"min": {k: v for k, v in floors(values, old, category_margin, ("figure_faithfulness",)).items()
                          if k in ("answer_accuracy", "page_accuracy", "abstention_recall", "figure_faithfulness")}}
        result["categories"][category] = bounds
    return result


class ChainSystem:
    """An item through a ReportAssistant: history questions first, in one session, then the question."""

    def __init__(self, name: str, assistant: Any) -> None:
        self.name = name
        self.assistant = assistant

    def warm_up(self) -> None:
        """Load models and caches before timing, so latency is a warm process's."""
        self.assistant.warm_up()
        for question in ("What is this page about?", "How large is the new area and when was it established?"):
            self.assistant.run(question, f"eval:{self.name}:warm-up")

    def run(self, item: EvalItem, max_chars: int) -> Outcome:
        outcome = Outcome(id=item.id, category=item.category, question=item.question, answerable=item.answerable)
        session = f"eval:{self.name}:{uuid.uuid4().hex[:12]}"
        try:
            for earlier in item.history:
                self.assistant.run(earlier, session)
            started = time.perf_counter()
            turn = self.assistant.run(item.question, session)
            outcome.seconds = time.perf_counter() - started
        except Exception as exc:  # one broken item must not stop the run; it is scored as wrong
            outcome.error = f"{exc.__class__.__name__}: {exc}"
            return score_outcome(item, outcome, quotes=[], retrieved=[], max_chars=max_chars)
        response = turn.response
        outcome.answer = response.answer
        outcome.abstained = response.abstained
        outcome.citation_pages = [c.page_label for c in response.citations]
        outcome.quote = response.citations[0].quote if response.citations else ""
        outcome.confidence = round(float(turn.result.confidence), 4)
        outcome.verdict = turn.result.verdict
        retrieved = [(str(d.metadata.get("page_label", d.metadata.get("page"))), d.page_content) for d in turn.docs]
        return score_outcome(item, outcome, quotes=[c.quote for c in response.citations], retrieved=retrieved,
                             max_chars=max_chars)


class NaiveSystem:
    """The pipeline a LangChain tutorial builds: raw page text, RecursiveCharacterTextSplitter(1000, 200),
    a Chroma collection of its own, dense top-k; the top chunk is the answer and its page the citation."""

    name = "naive"

    def __init__(self, settings: Any, corpus: Sequence[Path], *, k: int = 5) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from rag.index import load_embeddings
        from rag.ingest.loaders import discover, load_file

        raw = [Document(page_content=p.text, metadata={"source": p.source, "page": p.page, "page_label": p.page_label})
               for path in discover(list(corpus)) for p in load_file(path)]
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        self.chunks = splitter.split_documents(raw)
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(collection_name=f"naive-{uuid.uuid4().hex[:8]}", client=client,
                            embedding_function=load_embeddings(settings.embedding_model, settings.embedding_batch_size))
        self.store.add_documents(self.chunks)
        self.k = k

    def warm_up(self) -> None:
        self.store.similarity_search("warm up", k=1)

    def run(self, item: EvalItem, max_chars: int) -> Outcome:
        outcome = Outcome(id=item.id, category=item.category, question=item.question, answerable=item.answerable)
        started = time.perf_counter()
        docs = self.store.similarity_search(item.question, k=self.k)
        outcome.seconds = time.perf_counter() - started
        if docs:
            top = docs[0]
            outcome.answer = top.page_content
            outcome.citation_pages = [str(top.metadata["page_label"])]
            outcome.quote = top.page_content
        retrieved = [(str(d.metadata["page_label"]), d.page_content) for d in docs]
        return score_outcome(item, outcome, quotes=[outcome.quote] if docs else [], retrieved=retrieved,
                             max_chars=max_chars)


@dataclass
class SystemRun:
    name: str
    description: str
    outcomes: list[Outcome]
    metrics: dict[str, Any]
    seconds: float

    def to_json(self) -> dict[str, Any]:
        verdicts = Counter(o.verdict for o in self.outcomes if o.verdict)
        return {"description": self.description, "seconds": round(self.seconds, 1), "metrics": self.metrics,
                "verdicts": dict(verdicts), "items": [asdict(o) for o in self.outcomes]}


@dataclass
class EvalRun:
    set_path: str
    set_sha256: str
    items: list[EvalItem]
    answerer: str
    settings: dict[str, Any]
    systems: dict[str, SystemRun] = field(default_factory=dict)
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    commit: str | None = None
    max_answer_chars: int = MAX_ANSWER_CHARS

    def to_json(self) -> dict[str, Any]:
        return {"schema": 1, "created": self.created, "commit": self.commit,
                "set": {"path": self.set_path, "sha256": self.set_sha256, "items": len(self.items)},
                "answerer": self.answerer, "max_answer_chars": self.max_answer_chars, "settings": self.settings,
                "systems": {name: run.to_json() for name, run in self.systems.items()}}


def _commit() -> str | None:
    """The checked-out commit, read from .git without running git (None outside a checkout)."""
    try:
        head = Path(".git/HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        path = Path(".git") / ref
        if path.exists():
            return path.read_text().strip()
        for line in Path(".git/packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    except OSError:
        pass
    return None


def _settings_snapshot(settings: Any) -> dict[str, Any]:
    keys = ("embedding_model", "chunk_max_chars", "dense_k", "lexical_k", "rrf_k", "dense_weight", "lexical_weight",
            "top_k", "report_year", "max_embedded_sentences", "answerer", "llm_model")
    return {k: getattr(settings, k) for k in keys if hasattr(settings, k)}


def _make_answerer(kind: str, index: Any, settings: Any) -> Any:
    if kind == "generative":
        try:
            from rag.generate import GenerativeAnswerer, LLMConfigError
        except ImportError as exc:
            raise EvalSetError(f"the generative answerer is not available ({exc})") from exc
        try:
            return GenerativeAnswerer(index=index, settings=settings)
        except LLMConfigError as exc:
            raise EvalSetError(str(exc)) from exc
    from rag.answer import ExtractiveAnswerer

    return ExtractiveAnswerer(index=index, settings=settings)


def run_evaluation(items: Sequence[EvalItem], *, systems: Sequence[str] = ("system", *BASELINES),
                   settings: Any = None, answerer: str | None = None, data_dir: Path | None = None,
                   corpus: Sequence[Path] | None = None, set_path: Path = DEFAULT_SET,
                   max_answer_chars: int = MAX_ANSWER_CHARS,
                   progress: Callable[[str, int, int], None] | None = None,
                   ablate: Sequence[str] = ()) -> EvalRun:
    """Run the items through each named system ("system", "naive", "dense", "lexical") and score them.

    The index is ingested from ``corpus`` (default: settings.corpus_dir) into a temporary data dir and
    shared by the system and the dense/lexical baselines; ``data_dir`` uses an existing index instead.
    Conversations always go to a temporary store.
    """
    from rag.chain import ReportAssistant
    from rag.config import get_settings
    from rag.history import ConversationStore
    from rag.index import ReportIndex
    from rag.retrieve import RetrievalMode

    base = settings or get_settings()
    answerer = answerer or base.answerer
    corpus = list(corpus or [base.corpus_dir])
    scratch = Path(tempfile.mkdtemp(prefix="rag-eval-"))
    try:
        if data_dir is None:
            eval_settings = base.model_copy(update={"data_dir": scratch / "data", "chroma_url": None,
                                                    "history_url": None, "answerer": answerer})
        else:
            eval_settings = base.model_copy(update={"data_dir": Path(data_dir), "answerer": answerer})
        history = ConversationStore(f"sqlite:///{(scratch / 'conversations.sqlite3').resolve()}")
        index = ReportIndex.open(eval_settings)
        # Before the slow ingest, so a misconfigured LLM fails at once.
        shared_answerer = (_make_answerer(answerer, index, eval_settings)
                           if any(name in ("system", "dense", "lexical") for name in systems) else None)
        if ablate:
            from rag.answer.features import FEATURES

            unknown = sorted(set(ablate) - set(FEATURES))
            if unknown:
                raise EvalSetError(f"unknown feature(s) {', '.join(unknown)}; the scorer's are {', '.join(FEATURES)}")
            # the extractive scorer with these features held at their training means (what each is worth)
            target = getattr(shared_answerer, "fallback", shared_answerer)
            target.ablate = frozenset(ablate)
        other_settings = {name: eval_settings.model_copy(update={"answerer": name})
                          for name in systems if name in ANSWERERS}
        others = {name: (_make_answerer(name, index, s), s) for name, s in other_settings.items()}
        if data_dir is None:
            index.ingest(corpus)
        if not index.ready:
            raise EvalSetError(f"the index in {eval_settings.data_dir} is empty: nothing to evaluate against")
        builders: dict[str, Callable[[], Any]] = {}
        for name in systems:
            if name == "naive":
                builders[name] = lambda: NaiveSystem(eval_settings, corpus, k=max(5, eval_settings.top_k))
                continue
            if name in others:
                def build_other(name: str = name) -> ChainSystem:
                    other, other_settings = others[name]
                    return ChainSystem(name, ReportAssistant(other_settings, index, answerer=other,
                                                             retrieval_mode=RetrievalMode.HYBRID, history=history))

                builders[name] = build_other
                continue
            mode = {"system": RetrievalMode.HYBRID, "dense": RetrievalMode.DENSE,
                    "lexical": RetrievalMode.LEXICAL}.get(name)
            if mode is None:
                raise EvalSetError(f"unknown system {name!r} (choose from system, {', '.join(BASELINES + ANSWERERS)})")

            def build(name: str = name, mode: RetrievalMode = mode) -> ChainSystem:
                return ChainSystem(name, ReportAssistant(eval_settings, index, answerer=shared_answerer,
                                                         retrieval_mode=mode, history=history))

            builders[name] = build
        run = EvalRun(set_path=Path(set_path).as_posix(), set_sha256=_sha256(set_path), items=list(items),
                      answerer=answerer, settings=_settings_snapshot(eval_settings), commit=_commit(),
                      max_answer_chars=max_answer_chars)
        for name, build in builders.items():
            started = time.perf_counter()
            system = build()
            system.warm_up()
            outcomes = []
            for n, item in enumerate(items, start=1):
                outcomes.append(system.run(item, max_answer_chars))
                if progress:
                    progress(name, n, len(items))
            description = SYSTEM_DESCRIPTIONS[name]
            if name in ("system", "dense", "lexical") and answerer != "extractive":
                description += f" [{answerer} answerer]"
            run.systems[name] = SystemRun(name=name, description=description, outcomes=outcomes,
                                          metrics=metrics_by_category(outcomes),
                                          seconds=time.perf_counter() - started)
        return run
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def _fmt(value: Any, name: str = "") -> str:
    if value is None:
        return "—"
    if name.endswith("_ms"):
        return f"{value:.0f}"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


SUMMARY_METRICS = ("answer_accuracy", "fact_recall", "page_accuracy", "quote_accuracy", "page_hit_at_1",
                   "page_hit_at_5", "page_mrr", "chunk_hit_at_1", "chunk_hit_at_5", "chunk_mrr", "abstention_precision",
                   "abstention_recall", "false_abstention_rate", "figure_faithfulness", "latency_p50_ms",
                   "latency_p95_ms", *(f"{kind}_rate" for kind in VERDICTS))


def _shown_metrics(run: EvalRun) -> list[str]:
    """The summary rows with a value for some system (the verification rows only when an LLM answered)."""
    return [m for m in SUMMARY_METRICS
            if any(r.metrics["overall"].get(m) is not None for r in run.systems.values())]


def print_summary(run: EvalRun, console: Any, previous: dict[str, Any] | None = None, *, failures: int = 8) -> None:
    """The rich tables: metrics by system (with the change since the previous report), answer accuracy by
    category, and the system's first failures."""
    from rich.table import Table

    names = list(run.systems)
    prev_system = ((previous or {}).get("systems") or {}).get("system") or {}
    comparable = "system" in run.systems and [i.get("id") for i in prev_system.get("items", [])] == [
        o.id for o in run.systems["system"].outcomes]
    prev = prev_system.get("metrics", {}).get("overall", {}) if comparable else {}
    table = Table(title=f"rag eval · {run.set_path} · {len(run.items)} items · {run.answerer} answerer")
    table.add_column("metric")
    for name in names:
        table.add_column(name, justify="right", style="bold" if name == "system" else None)
    if prev and "system" in run.systems:
        table.add_column("Δ since last", justify="right")
    for metric in _shown_metrics(run):
        row = [METRIC_LABELS[metric]] + [_fmt(run.systems[n].metrics["overall"].get(metric), metric) for n in names]
        if prev and "system" in run.systems:
            now, before = run.systems["system"].metrics["overall"].get(metric), prev.get(metric)
            if now is None or before is None or now == before:
                row.append("")
            else:
                better = (now < before) == (metric in LOWER_IS_BETTER)
                delta = f"{now - before:+.0f}" if metric.endswith("_ms") else f"{now - before:+.3f}"
                row.append(f"[{'green' if better else 'red'}]{delta}[/]")
        table.add_row(*row)
    console.print(table)

    cats = Table(title="answer accuracy by category (page citation accuracy in brackets)")
    cats.add_column("category")
    cats.add_column("n", justify="right")
    for name in names:
        cats.add_column(name, justify="right")
    first = run.systems[names[0]].metrics["by_category"]
    for category, values in first.items():
        row = [category, str(values["n"])]
        for name in names:
            m = run.systems[name].metrics["by_category"][category]
            page = f" ({_fmt(m['page_accuracy'])})" if m["page_accuracy"] is not None else ""
            row.append(f"{_fmt(m['answer_accuracy'])}{page}")
        cats.add_row(*row)
    console.print(cats)

    main = run.systems.get("system") or run.systems[names[0]]
    wrong = [o for o in main.outcomes if not o.correct or o.unsupported]
    if wrong and failures:
        shown = min(failures, len(wrong))
        fails = Table(title=f"{main.name}: {len(wrong)} failures (first {shown}; all in the report)")
        fails.add_column("id", no_wrap=True, max_width=26)
        fails.add_column("answer", no_wrap=True, ratio=1)
        fails.add_column("why", ratio=1)
        for o in wrong[:failures]:
            fails.add_row(o.id, _short(o.answer, 60), _short("; ".join(o.reasons), 120))
        console.print(fails)
    errors = sum(1 for s in run.systems.values() for o in s.outcomes if o.error)
    if errors:
        console.print(f"[red]{errors} item(s) raised an error; see the report[/]")


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_chart(run: EvalRun, path: Path) -> None:
    """Key metrics by system, and answer accuracy by category and system, as one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(run.systems)
    metrics = ("answer_accuracy", "fact_recall", "page_accuracy", "chunk_hit_at_1", "chunk_mrr", "abstention_recall",
               "false_abstention_rate", "figure_faithfulness")
    categories = list(run.systems[names[0]].metrics["by_category"])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 8.5))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        overall = run.systems[name].metrics["overall"]
        xs = [j + i * width for j in range(len(metrics))]
        top.bar(xs, [overall.get(m) or 0 for m in metrics], width, label=name)
        by_cat = run.systems[name].metrics["by_category"]
        xs = [j + i * width for j in range(len(categories))]
        bottom.bar(xs, [by_cat[c]["answer_accuracy"] or 0 for c in categories], width, label=name)
    top.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(metrics))],
                   [METRIC_LABELS[m] for m in metrics], fontsize=8)
    top.set_title(f"{Path(run.set_path).name}: system vs baselines ({len(run.items)} items)")
    bottom.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(categories))], categories, fontsize=8,
                      rotation=20)
    bottom.set_title("answer accuracy by category")
    for axis in (top, bottom):
        axis.set_ylim(0, 1.15)
        axis.grid(axis="y", alpha=0.3)
        axis.legend(fontsize=8, ncols=len(names), loc="upper center")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_markdown(run: EvalRun, path: Path, chart: Path | None) -> None:
    """The committed report: summary vs baselines, per category, failures, and every question."""
    names = list(run.systems)
    main = run.systems.get("system") or run.systems[names[0]]
    lines = [
        f"# Evaluation report: `{run.set_path}`",
        "",
        f"{len(run.items)} items · {run.answerer} answerer · created {run.created}"
        + (f" · commit `{run.commit[:12]}`" if run.commit else "")
        + f" · set sha256 `{run.set_sha256[:12]}`",
        "",
        "Generated by `rag eval`; do not edit. Metric definitions: `evals/README.md` (matching) and "
        "`rag/evaluate.py` (`compute_metrics`). An answer is correct when every gold fact group matches, it is at "
        f"most {run.max_answer_chars} characters and it is not an abstention (unanswerable items: it abstains).",
        "",
        "| system | what it is |",
        "|---|---|",
        *[f"| {n} | {_md(run.systems[n].description)} |" for n in names],
        "",
        "## Overall",
        "",
        "| metric | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for metric in _shown_metrics(run):
        lines.append(f"| {METRIC_LABELS[metric]} | "
                     + " | ".join(_fmt(run.systems[n].metrics["overall"].get(metric), metric) for n in names) + " |")
    if chart is not None:
        lines += ["", f"![metrics by system and category]({chart.name})"]
    lines += ["", "## Answer accuracy by category", "",
              "Page citation accuracy in brackets (answerable items only).", "",
              "| category | n | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
    for category, values in main.metrics["by_category"].items():
        cells = []
        for n in names:
            m = run.systems[n].metrics["by_category"][category]
            page = f" ({_fmt(m['page_accuracy'])})" if m["page_accuracy"] is not None else ""
            cells.append(f"{_fmt(m['answer_accuracy'])}{page}")
        lines.append(f"| {category} | {values['n']} | " + " | ".join(cells) + " |")
    lines += ["", f"## {main.name} by category", "",
              "| category | n | answer | page | chunk hit@1 | chunk MRR | abst. recall | false abst. | faithful "
              "| p50 ms |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for category, m in main.metrics["by_category"].items():
        lines.append(f"| {category} | {m['n']} | {_fmt(m['answer_accuracy'])} | {_fmt(m['page_accuracy'])} | "
                     f"{_fmt(m['chunk_hit_at_1'])} | {_fmt(m['chunk_mrr'])} | {_fmt(m['abstention_recall'])} | "
                     f"{_fmt(m['false_abstention_rate'])} | {_fmt(m['figure_faithfulness'])} | "
                     f"{_fmt(m['latency_p50_ms'], 'latency_p50_ms')} |")
    wrong = [o for o in main.outcomes if not o.correct or o.unsupported]
    lines += ["", f"## {main.name} failures ({len(wrong)})", ""]
    if wrong:
        lines += ["| id | question | answer | why |", "|---|---|---|---|"]
        lines += [f"| {o.id} | {_md(o.question)} | {_md(_short(o.answer, 220))} | {_md('; '.join(o.reasons))} |"
                  for o in wrong]
    else:
        lines.append("None.")
    others = [n for n in names if n != main.name]
    by_id = {n: {o.id: o for o in run.systems[n].outcomes} for n in others}
    lines += ["", "## Every question", "",
              f"✓/✗ = answer correct; page = first citation; chunk = rank of the first retrieved chunk holding the "
              f"gold quote. Baseline columns show whether each baseline got the item right.", "",
              "| id | category | question | answer | ok | page | chunk | ms | " + " | ".join(others)
              + (" |" if others else "|"),
              "|---|---|---|---|:-:|---:|---:|---:|" + ":-:|" * len(others)]
    for o in main.outcomes:
        cells = [o.id, o.category, _md(o.question), _md(_short(o.answer, 160)), "✓" if o.correct else "✗",
                 o.citation_pages[0] if o.citation_pages else "—", str(o.chunk_rank or "—"),
                 f"{o.seconds * 1000:.0f}"]
        cells += ["✓" if by_id[n][o.id].correct else "✗" for n in others]
        lines.append("| " + " | ".join(cells) + " |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def dump_run(data: dict[str, Any]) -> str:
    """The run as indented JSON with one line per item, so a committed report diffs item by item."""
    compact: dict[str, str] = {}
    for name, system in data["systems"].items():
        items = []
        for item in system["items"]:
            if item.get("quote") and item["quote"] in item.get("answer", ""):
                item = {**item, "quote": "<in the answer>"}  # extractive answers hold their quote verbatim
            items.append(json.dumps(item, ensure_ascii=False))
        key = f"@@items:{name}@@"
        compact[json.dumps(key)] = "[\n" + ",\n".join("   " + line for line in items) + "\n  ]"
        system["items"] = key
    text = json.dumps(data, ensure_ascii=False, indent=1)
    for key, value in compact.items():
        text = text.replace(key, value)
    return text + "\n"


def write_reports(run: EvalRun, out: Path, name: str) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / f"{name}.json", "markdown": out / f"{name}.md", "chart": out / f"{name}.png"}
    paths["json"].write_text(dump_run(run.to_json()), encoding="utf-8")
    try:
        write_chart(run, paths["chart"])
    except ImportError:
        paths.pop("chart")
    write_markdown(run, paths["markdown"], paths.get("chart"))
    return paths


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", match_normalise(text))
    return "-".join(words[:4]) or "question"


def make_candidate(*, question: str, category: str, history: Sequence[str] = (), answerable: bool = True,
                   facts: Sequence[str] = (), page: int | None = None, quote: str | None = None, notes: str = "",
                   expected: str | None = None, observed: str | None = None, observed_citations: Any = None,
                   source: str = "cli", existing_ids: Iterable[str] = ()) -> dict[str, Any]:
    """A candidate item in the eval-set schema, plus review fields (``status``, ``expected_answer``,
    ``observed_answer``, ``source``, ``added``). Each fact is one group; alternatives separated by ``|``."""
    taken = set(existing_ids)
    base = f"cand-{_slug(question)}"
    n = 1
    while f"{base}-{n:02d}" in taken:
        n += 1
    gold_facts = [[alt.strip() for alt in fact.split("|") if alt.strip()] for fact in facts] if answerable else []
    item = {"id": f"{base}-{n:02d}", "category": category, "question": question.strip(), "history": list(history),
            "answerable": answerable, "gold_facts": [g for g in gold_facts if g],
            "gold_page": page if answerable else None, "gold_quote": quote if answerable else None, "notes": notes,
            "status": "candidate", "expected_answer": expected, "observed_answer": observed,
            "observed_citations": observed_citations or [], "source": source,
            "added": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    EvalItem.from_json(item, "candidate")
    return item


def append_candidate(path: Path, item: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(item, ensure_ascii=False) + "\n")


def _existing_ids(*paths: Path) -> set[str]:
    ids = set()
    for path in paths:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    ids.add(json.loads(line)["id"])
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue
    return ids


def _add(args: argparse.Namespace, console: Any) -> int:
    observed = observed_citations = None
    history = list(args.history or [])
    question = args.question
    source = "cli"
    if args.from_session:
        from rag.config import get_settings
        from rag.history import ConversationStore

        settings = get_settings()
        if args.data_dir:
            settings = settings.model_copy(update={"data_dir": Path(args.data_dir)})
        turns = ConversationStore(settings.resolved_history_url).turns(args.from_session)
        if not turns:
            console.print(f"[red]error:[/] no conversation {args.from_session!r} in {settings.resolved_history_url}")
            return 2
        pick = len(turns) if args.turn is None else args.turn
        if not 1 <= pick <= len(turns):
            console.print(f"[red]error:[/] session has {len(turns)} turns; --turn must be 1..{len(turns)}")
            return 2
        turn = turns[pick - 1]
        question = question or turn.question
        history = history or [t.question for t in turns[: pick - 1]]
        observed = turn.answer
        observed_citations = [{k: c.get(k) for k in ("page_label", "quote")} for c in turn.citations]
        source = f"session {args.from_session} turn {pick}"
    if not question:
        console.print("[red]error:[/] --add needs --question or --from-session")
        return 2
    answerable = not args.unanswerable
    category = args.category[0] if args.category else (
        "followup" if history else "unanswerable" if not answerable else "figure")
    if category not in CATEGORIES:
        console.print(f"[red]error:[/] unknown category {category!r} (choose from {', '.join(CATEGORIES)})")
        return 2
    if answerable and not args.fact:
        console.print("[yellow]note:[/] no --fact given; fill in gold_facts before promoting the candidate")
    item = make_candidate(question=question, category=category, history=history, answerable=answerable,
                          facts=args.fact or [], page=args.page, quote=args.quote, notes=args.notes or "",
                          expected=args.expected, observed=args.observed or observed,
                          observed_citations=observed_citations, source=source,
                          existing_ids=_existing_ids(args.candidates, DEFAULT_SET))
    append_candidate(args.candidates, item)
    console.print(f"added [bold]{item['id']}[/] to {args.candidates}")
    console.print_json(json.dumps(item, ensure_ascii=False))
    return 0


def _configured_answerer() -> str:
    from rag.config import get_settings

    return get_settings().answerer


def _selected_systems(args: argparse.Namespace) -> list[str]:
    chosen = args.baseline or ["all"]
    if "none" in chosen and len(chosen) > 1:
        raise EvalSetError("--baseline none cannot be combined with other baselines")
    baselines = list(BASELINES) if "all" in chosen else [b for b in BASELINES if b in chosen]
    baselines += [a for a in ANSWERERS if a in chosen and a != (args.answerer or _configured_answerer())]
    systems = ([] if args.no_system else ["system"]) + baselines
    if not systems:
        raise EvalSetError("nothing to run: --no-system with --baseline none")
    return systems


def _filter(items: list[EvalItem], args: argparse.Namespace) -> list[EvalItem]:
    if args.ids:
        unknown = set(args.ids) - {i.id for i in items}
        if unknown:
            raise EvalSetError(f"no such item id(s): {', '.join(sorted(unknown))}")
        items = [i for i in items if i.id in set(args.ids)]
    if args.category:
        items = [i for i in items if i.category in set(args.category)]
    if args.limit:
        items = items[: args.limit]
    if not items:
        raise EvalSetError("no items left after filtering")
    return items


def _validate(items: list[EvalItem], args: argparse.Namespace, console: Any) -> int:
    from rag.config import get_settings
    from rag.ingest.loaders import discover, load_file
    from rag.ingest.pipeline import reconstruct_pages

    corpus = list(args.corpus or [get_settings().corpus_dir])
    pages = reconstruct_pages([p for path in discover(corpus) for p in load_file(path)])
    texts: dict[str, str] = {}
    for page in pages:
        texts[page.page_label] = texts.get(page.page_label, "") + "\n" + page.text
    problems = check_items_against_pages(items, texts)
    for problem in problems:
        console.print(f"[yellow]•[/] {problem}")
    console.print(f"{len(items)} items, {len(problems)} problem(s) against {len(pages)} reconstructed page(s)")
    return 1 if problems else 0


def main(args: list[str] | None = None) -> int:
    """`rag eval ARGS…` (the options are in rag/eval_options.py); returns the exit code."""
    import typer

    from rag.cli import app

    try:
        typer.main.get_command(app).main(args=["eval", *(args if args is not None else sys.argv[1:])],
                                         prog_name="rag")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return 0


def run_cli(ns: argparse.Namespace) -> int:
    """Run `rag eval` with its parsed options; returns the exit code."""
    from rich.console import Console

    console = Console(stderr=False)
    err = Console(stderr=True)
    if ns.add:
        return _add(ns, err)
    try:
        systems = _selected_systems(ns)
        full = load_items(ns.set_path)
        items = _filter(full, ns)
        if ns.validate:
            return _validate(items, ns, console)
        thresholds = None
        if ns.gate:
            try:
                thresholds = json.loads(ns.thresholds.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise EvalSetError(f"{ns.thresholds}: cannot read thresholds ({exc})") from exc
            if Path(thresholds.get("set", DEFAULT_SET)).resolve() != ns.set_path.resolve():
                raise EvalSetError(f"{ns.thresholds} holds thresholds for {thresholds.get('set')}, not {ns.set_path}")
        if ns.write_thresholds and len(items) < len(full):
            raise EvalSetError("--write-thresholds needs the whole set (drop --category/--ids/--limit)")
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task("building the index", total=None)

            def progress(name: str, n: int, total: int) -> None:
                bar.update(task, description=f"evaluating {name}", completed=n, total=total)

            run = run_evaluation(items, systems=systems, answerer=ns.answerer, data_dir=ns.data_dir,
                                 corpus=ns.corpus, set_path=ns.set_path, max_answer_chars=ns.max_answer_chars,
                                 progress=progress, ablate=ns.ablate)
    except EvalSetError as exc:
        err.print(f"[red]error:[/] {exc}")
        return 2
    except Exception as exc:
        from rag.index import IndexError_

        if isinstance(exc, IndexError_):
            err.print(f"[red]error:[/] {exc}")
            return 2
        raise

    name = ns.name or ("subset" if len(items) < len(full) else
                       "latest" if ns.set_path.name == DEFAULT_SET.name else ns.set_path.stem)
    previous = None
    try:
        previous = json.loads((ns.out / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        pass
    if ns.json:
        console.print_json(json.dumps({n: s.metrics for n, s in run.systems.items()}))
    else:
        print_summary(run, console, previous, failures=ns.show)
    if not ns.no_report:
        paths = write_reports(run, ns.out, name)
        err.print("reports: " + ", ".join(str(p) for p in paths.values()))
    code = 0
    if "system" in run.systems and (ns.write_thresholds or ns.gate):
        metrics = run.systems["system"].metrics
        if ns.write_thresholds:
            old = None
            if ns.thresholds.exists():
                old = json.loads(ns.thresholds.read_text(encoding="utf-8"))
            new = propose_thresholds(metrics, old, margin=ns.margin, allow_lower=ns.allow_lower)
            new["set"] = ns.set_path.as_posix()
            ns.thresholds.write_text(json.dumps(new, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            err.print(f"thresholds written to {ns.thresholds}")
            thresholds = thresholds if thresholds is not None else new
        if ns.gate and thresholds is not None:
            partial = len(items) < len(full)
            if partial:
                err.print("[yellow]filtered run:[/] the gate checks only the categories in it, not the overall floors")
            failures = check_thresholds(metrics, thresholds, partial=partial)
            for failure in failures:
                err.print(f"[red]below threshold:[/] {failure}")
            if failures:
                code = 1
            else:
                err.print(f"[green]gate passed[/] ({ns.thresholds})")
    elif ns.gate or ns.write_thresholds:
        err.print("[red]error:[/] --gate and --write-thresholds need the system in the run (drop --no-system)")
        code = 2
    return code


if __name__ == "__main__":
    sys.exit(main())
