"""The fitted scorer: a ranking model over the candidate features, an abstention model, and the threshold.

Both are logistic (the default fit), or boosted trees (``trees.py``) when ``weights.json`` holds them.

The weights live in one place, ``weights.json`` beside this file, written by ``rag fit`` (``rag.answer.fit``)
with how they were fitted (training sets, sizes, metrics). Nothing here is hand-set.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rag.answer.features import FEATURES
from rag.answer.trees import Trees

WEIGHTS_PATH = Path(__file__).with_name("weights.json")


@dataclass(frozen=True)
class Scorer:
    """Two fitted logistic models. Ranking: p(candidate answers the question) = sigmoid(bias + Σ weight·feature),
    over every candidate. Abstention: p(the best candidate's answer is right) from the best candidate's features
    and its lead over the second (``abstain_weights``, ``abstain_bias``), over questions, answerable or not; the
    assistant abstains below ``threshold``."""

    weights: dict[str, float]
    bias: float
    threshold: float
    fitted: dict = field(default_factory=dict)
    abstain_weights: dict[str, float] = field(default_factory=dict)
    abstain_bias: float = 0.0
    ranker: Trees | None = None
    abstainer: Trees | None = None

    def score(self, features: dict[str, float], ablate: frozenset[str] = frozenset()) -> float:
        values = _ablated(features, ablate, self.fitted.get("means", {}))
        if self.ranker is not None:
            return self.ranker.probability(values)
        return _logistic(self.weights, self.bias, values)

    def confidence(self, best: dict[str, float], top: float, lead: float,
                   ablate: frozenset[str] = frozenset()) -> float:
        """p(the best candidate's answer is right), from its features, its ranking score ``top`` and its lead
        over the second; without an abstention model, its ranking score."""
        values = _ablated({**best, "lead": lead, "top": top}, ablate, self.fitted.get("abstain_means", {}))
        if self.abstainer is not None:
            return self.abstainer.probability(values)
        if not self.abstain_weights:
            return top
        return _logistic(self.abstain_weights, self.abstain_bias, values)

    def to_json(self) -> dict:
        data = {"features": list(self.weights), "weights": self.weights, "bias": self.bias,
                "abstain_weights": self.abstain_weights, "abstain_bias": self.abstain_bias,
                "threshold": self.threshold, "fitted": self.fitted}
        if self.ranker is not None:
            data["ranker"] = self.ranker.to_json()
        if self.abstainer is not None:
            data["abstainer"] = self.abstainer.to_json()
        return data


def _ablated(values: dict[str, float], ablate: frozenset[str], means: dict[str, float]) -> dict[str, float]:
    """An ablated feature takes its training mean, so the model sees an uninformative value."""
    if not ablate:
        return values
    return {**values, **{name: float(means.get(name, 0.0)) for name in ablate}}


def _logistic(weights: dict[str, float], bias: float, values: dict[str, float]) -> float:
    z = bias + sum(w * values.get(name, 0.0) for name, w in weights.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def default_scorer() -> Scorer:
    """Equal weights on coverage and similarity before any fit (only used when weights.json is missing)."""
    weights = {name: 0.0 for name in FEATURES}
    weights.update(cover=3.0, dense=3.0, kind=1.5, years=1.0, names=1.0, rank=0.5)
    return Scorer(weights=weights, bias=-5.0, threshold=0.5, fitted={"note": "unfitted defaults"})


@lru_cache(maxsize=4)
def load_scorer(path: Path = WEIGHTS_PATH) -> Scorer:
    if not path.exists():
        return default_scorer()
    data = json.loads(path.read_text(encoding="utf-8"))
    weights = {name: float(data["weights"].get(name, 0.0)) for name in FEATURES}
    return Scorer(weights=weights, bias=float(data["bias"]), threshold=float(data["threshold"]),
                  fitted=data.get("fitted", {}),
                  abstain_weights={k: float(v) for k, v in data.get("abstain_weights", {}).items()},
                  abstain_bias=float(data.get("abstain_bias", 0.0)),
                  ranker=Trees.from_json(data["ranker"]) if data.get("ranker") else None,
                  abstainer=Trees.from_json(data["abstainer"]) if data.get("abstainer") else None)
