"""The gate: a run's metrics against the floors of a thresholds file, and new floors from a run."""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from rag.eval_options import DEFAULT_SET
from rag.evaluation.metrics import LOWER_IS_BETTER, RATE_METRICS


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
                "them to make CI pass; fix the mechanism instead. tests/evaluation/test_gate.py enforces them.",
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
