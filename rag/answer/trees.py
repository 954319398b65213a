"""Boosted decision trees as data: the fitted ranker and abstainer, evaluated without scikit-learn.

A model is ``{"features": [...], "baseline": b, "trees": [[node, ...], ...]}``; a node is
``[feature, threshold, left, right, value]`` with ``feature = -1`` for a leaf (``value`` is its output).
A feature value ``<= threshold`` goes left. p = sigmoid(baseline + Σ leaf values). ``rag.answer.fit``
exports scikit-learn's ``HistGradientBoostingClassifier`` to this form (``export``), so the serving path
needs only this file and ``weights.json``.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

Node = tuple[int, float, int, int, float]


@dataclass(frozen=True)
class Trees:
    features: tuple[str, ...]
    baseline: float
    trees: tuple[tuple[Node, ...], ...]

    def probability(self, values: dict[str, float]) -> float:
        x = [float(values.get(name, 0.0)) for name in self.features]
        z = self.baseline
        for nodes in self.trees:
            i = 0
            while True:
                feature, threshold, left, right, value = nodes[i]
                if feature < 0:
                    z += value
                    break
                i = left if x[feature] <= threshold else right
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def splits(self) -> dict[str, int]:
        """How often each feature is split on: a rough account of what the model uses."""
        counts = Counter(self.features[n[0]] for nodes in self.trees for n in nodes if n[0] >= 0)
        return {name: counts.get(name, 0) for name in self.features}

    def to_json(self) -> dict:
        return {"features": list(self.features), "baseline": self.baseline,
                "trees": [[list(n) for n in nodes] for nodes in self.trees]}

    @classmethod
    def from_json(cls, data: dict) -> Trees:
        return cls(features=tuple(data["features"]), baseline=float(data["baseline"]),
                   trees=tuple(tuple((int(n[0]), float(n[1]), int(n[2]), int(n[3]), float(n[4])) for n in nodes)
                               for nodes in data["trees"]))


def export(model, features: tuple[str, ...]) -> Trees:
    """A fitted binary ``HistGradientBoostingClassifier`` (numeric features, no missing values) as ``Trees``."""
    trees = []
    for (predictor,) in model._predictors:
        nodes = []
        for node in predictor.nodes:
            if node["is_leaf"]:
                nodes.append((-1, 0.0, 0, 0, round(float(node["value"]), 6)))
            else:
                nodes.append((int(node["feature_idx"]), float(node["num_threshold"]), int(node["left"]),
                              int(node["right"]), 0.0))
        trees.append(tuple(nodes))
    return Trees(features=tuple(features), baseline=round(float(model._baseline_prediction.ravel()[0]), 6),
                 trees=tuple(trees))
