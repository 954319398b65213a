"""The fitting step: on questions whose right candidate is signalled by one feature, both models find it, the
exported trees score exactly as the fitted ones, and the threshold separates unanswerable questions."""
import json

import numpy as np
import pytest

import rag.answer.fit as fit_module
from rag.answer.features import FEATURES
from rag.answer.fit import FITTERS, Row, fit, top_features
from rag.answer.model import load_scorer
from rag.answer.trees import Trees, export


@pytest.fixture(autouse=True)
def small_models(monkeypatch):
    """Fewer, smaller trees and folds than a real fit: the same code, seconds instead of minutes."""
    monkeypatch.setattr(fit_module, "RANKER_TREES", {**fit_module.RANKER_TREES, "max_iter": 40})
    monkeypatch.setattr(fit_module, "ABSTAINER_TREES", {**fit_module.ABSTAINER_TREES, "max_iter": 30,
                                                        "min_samples_leaf": 10})
    monkeypatch.setattr(fit_module, "FOLDS", 3)


def _rows(n: int, seed: int) -> list[Row]:
    """Answerable questions: the right candidate has a high "cover"; unanswerable ones: every candidate is low."""
    rng = np.random.default_rng(seed)
    cover = FEATURES.index("cover")
    rows = []
    for i in range(n):
        x = rng.uniform(0.0, 0.5, size=(6, len(FEATURES)))
        y = np.zeros(6)
        answerable = i % 4 != 0
        if answerable:
            j = int(rng.integers(0, 6))
            x[j, cover] = rng.uniform(0.75, 1.0)
            y[j] = 1.0
        rows.append(Row(f"q{i}", "g", answerable, x, y))
    return rows


@pytest.mark.parametrize("model", sorted(FITTERS))
def test_fit_ranks_the_signalled_candidate_first_and_abstains_on_the_rest(model):
    scorer = fit(_rows(160, seed=1), model)
    test = _rows(80, seed=2)
    right = abstained_ok = 0
    for r in test:
        scores = [scorer.score(dict(zip(FEATURES, row))) for row in r.x]
        order = np.argsort(scores)[::-1]
        best = dict(zip(FEATURES, r.x[order[0]]))
        confidence = scorer.confidence(best, scores[order[0]], scores[order[0]] - scores[order[1]])
        if r.answerable:
            right += r.y[order[0]] == 1 and confidence >= scorer.threshold
        else:
            abstained_ok += confidence < scorer.threshold
    assert right / sum(r.answerable for r in test) > 0.9
    assert abstained_ok / sum(not r.answerable for r in test) > 0.9
    assert scorer.fitted["held_out"]["accuracy"] > 0.9


def test_exported_trees_score_as_the_fitted_model_and_survive_json():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rows = _rows(120, seed=3)
    x = np.concatenate([r.x for r in rows])
    y = np.concatenate([r.y for r in rows])
    model = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(x, y)
    trees = Trees.from_json(export(model, FEATURES).to_json())
    ours = np.array([trees.probability(dict(zip(FEATURES, row))) for row in x[:50]])
    assert np.allclose(ours, model.predict_proba(x[:50])[:, 1], atol=1e-5)
    assert trees.splits()["cover"] > 0


def test_scorer_round_trips_through_weights_json(tmp_path):
    scorer = fit(_rows(120, seed=4), "trees")
    data = scorer.to_json()
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    again = load_scorer(path)
    assert data["ranker"]["trees"] and data["abstainer"]["features"][-2:] == ["lead", "top"]
    best = dict(zip(FEATURES, _rows(1, seed=5)[0].x[0]))
    assert again.confidence(best, 0.6, 0.1) == scorer.confidence(best, 0.6, 0.1)
    x, right, answerable = top_features(_rows(10, seed=6), lambda m: m[:, 0])
    assert x.shape[1] == len(FEATURES) + 2 and len(right) == len(answerable) == 10
