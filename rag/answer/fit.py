"""Fit the scorer's weights and the abstention threshold on training questions (never on the dev set).

    python -m rag.answer.fit --train SET.jsonl:CORPUS_DIR [--train …] [--out rag/answer/weights.json]

For every training question the chain rewrites and retrieves as it does for a user; every candidate gets its
features and a label (1 when it is on the gold page and holds every gold fact, or agrees with the gold quote).
A class-balanced logistic regression (numpy, L2) gives the weights; the threshold is the one that maximises
the training accuracy (an answerable question is right when its best candidate is a right one and clears the
threshold; an unanswerable one when nothing does). ``--holdout-kinds`` also reports, for each page kind named
in the items' ids, the accuracy of a fit made without that kind.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.answer.features import FEATURES
from rag.answer.model import WEIGHTS_PATH, Scorer


@dataclass
class Row:
    """One training question: its candidates' feature matrix and labels."""

    item_id: str
    group: str
    answerable: bool
    x: np.ndarray
    y: np.ndarray


def _label(candidate, item) -> int:
    from rag.evaluate import fact_matches, quotes_agree

    if not item.answerable or item.gold_page is None:
        return 0
    if str(candidate.doc.metadata.get("page_label")) != str(item.gold_page):
        return 0
    if item.gold_quote and quotes_agree(candidate.text, item.gold_quote):
        return 1
    if item.gold_facts and all(any(fact_matches(alt, candidate.text) for alt in group) for group in item.gold_facts):
        return 1
    return 0


def collect(set_path: Path, corpus: list[Path], *, group_of=lambda item: item.category) -> list[Row]:
    """Features and labels of every candidate of every item of one set, against an index of its corpus."""
    from rag.chain import ReportAssistant
    from rag.config import get_settings
    from rag.evaluate import load_items
    from rag.history import ConversationStore
    from rag.index import ReportIndex
    from rag.answer.extractive import ExtractiveAnswerer

    items = load_items(set_path)
    scratch = Path(tempfile.mkdtemp(prefix="rag-fit-"))
    try:
        settings = get_settings().model_copy(update={"data_dir": scratch / "data", "chroma_url": None,
                                                     "history_url": None})
        index = ReportIndex.open(settings)
        index.ingest(corpus)
        answerer = ExtractiveAnswerer(index=index, settings=settings)
        history = ConversationStore(f"sqlite:///{(scratch / 'conversations.sqlite3').resolve()}")
        assistant = ReportAssistant(settings, index, answerer=answerer, history=history)
        prepare = assistant.chain.first | assistant.chain.middle[0] | assistant.chain.middle[1]
        rows = []
        for n, item in enumerate(items, start=1):
            session = f"fit:{n}"
            for earlier in item.history:
                assistant.run(earlier, session)
            state = prepare.invoke({"message": item.question, "session_id": session})
            _, candidates = answerer.scored(state["question"], state["docs"], query=state["query"])
            if not candidates:
                continue
            x = np.array([[c.features[f] for f in FEATURES] for c in candidates], dtype=np.float64)
            y = np.array([_label(c, item) for c in candidates], dtype=np.float64)
            rows.append(Row(item.id, group_of(item), item.answerable, x, y))
            if n % 25 == 0:
                print(f"  {set_path.name}: {n}/{len(items)} questions", file=sys.stderr)
        return rows
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def fit_weights(rows: list[Row]) -> tuple[np.ndarray, float]:
    """The ranking model, over every candidate of every question."""
    return _logistic_fit(np.concatenate([r.x for r in rows]), np.concatenate([r.y for r in rows]))


def _logistic_fit(x: np.ndarray, y: np.ndarray, *, l2: float = 0.01, steps: int = 3000,
                  lr: float = 0.5) -> tuple[np.ndarray, float]:
    """Class-balanced logistic regression by gradient descent (features are in [0, 1])."""
    pos = max(1.0, y.sum())
    neg = max(1.0, len(y) - y.sum())
    sample_w = np.where(y == 1, 0.5 / pos, 0.5 / neg)
    w = np.zeros(x.shape[1])
    b = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        g = (p - y) * sample_w
        w -= lr * (x.T @ g + l2 * w)
        b -= lr * g.sum()
    return w, b


ABSTAIN_FEATURES = FEATURES + ("lead",)


def top_features(rows: list[Row], w: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Per question: the best-ranked candidate's features plus its lead over the second; label = it is right."""
    xs, ys = [], []
    for r in rows:
        z = r.x @ w + b
        order = np.argsort(-z)
        i = int(order[0])
        p = 1.0 / (1.0 + np.exp(-z))
        lead = float(p[i] - p[order[1]]) if len(order) > 1 else float(p[i])
        xs.append(np.append(r.x[i], lead))
        ys.append(1.0 if r.answerable and r.y[i] == 1 else 0.0)
    return np.array(xs), np.array(ys)


def fit_abstention(rows: list[Row], w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    x, y = top_features(rows, w, b)
    return _logistic_fit(x, y)


def confidences(rows: list[Row], w: np.ndarray, b: float, aw: np.ndarray | None, ab: float) -> list[tuple]:
    """(confidence, top right, answerable) per question."""
    x, _ = top_features(rows, w, b)
    out = []
    for r, xi in zip(rows, x):
        z = r.x @ w + b
        i = int(np.argmax(z))
        conf = 1.0 / (1.0 + np.exp(-(xi @ aw + ab))) if aw is not None else 1.0 / (1.0 + np.exp(-z[i]))
        out.append((float(conf), bool(r.y[i] == 1), r.answerable))
    return out


def choose_threshold(rows: list[Row], w: np.ndarray, b: float, aw: np.ndarray | None = None,
                     ab: float = 0.0) -> tuple[float, dict]:
    """The threshold with the best training accuracy, in the middle of the best interval."""
    tops = confidences(rows, w, b, aw, ab)
    grid = np.linspace(0.02, 0.98, 97)

    def accuracy(t: float) -> float:
        ok = sum((a and right and s >= t) or (not a and s < t) for s, right, a in tops)
        return ok / max(1, len(tops))

    scores = [accuracy(t) for t in grid]
    best = max(scores)
    good = [t for t, s in zip(grid, scores) if s == best]
    t = float(good[len(good) // 2])
    answerable = [x for x in tops if x[2]]
    unanswerable = [x for x in tops if not x[2]]
    metrics = {
        "questions": len(tops),
        "accuracy": round(best, 4),
        "false_abstentions": round(sum(s < t for s, _, _ in answerable) / max(1, len(answerable)), 4),
        "abstention_recall": round(sum(s < t for s, _, _ in unanswerable) / max(1, len(unanswerable)), 4),
        "top_candidate_right": round(sum(r for _, r, _ in answerable) / max(1, len(answerable)), 4),
    }
    return t, metrics


def fit(rows: list[Row]) -> Scorer:
    w, b = fit_weights(rows)
    aw, ab = fit_abstention(rows, w, b)
    t, metrics = choose_threshold(rows, w, b, aw, ab)
    x = np.concatenate([r.x for r in rows])
    tx, _ = top_features(rows, w, b)
    means = {f: round(float(v), 4) for f, v in zip(FEATURES, x.mean(axis=0))}
    abstain_means = {f: round(float(v), 4) for f, v in zip(ABSTAIN_FEATURES, tx.mean(axis=0))}
    return Scorer(weights={f: round(float(v), 4) for f, v in zip(FEATURES, w)}, bias=round(float(b), 4),
                  threshold=round(t, 4),
                  abstain_weights={f: round(float(v), 4) for f, v in zip(ABSTAIN_FEATURES, aw)},
                  abstain_bias=round(float(ab), 4),
                  fitted={"train": metrics, "means": means, "abstain_means": abstain_means,
                          "candidates": int(x.shape[0])})


def holdout(rows: list[Row]) -> dict[str, dict]:
    """Per group: accuracy on that group of a fit made without it."""
    out = {}
    for group in sorted({r.group for r in rows}):
        train = [r for r in rows if r.group != group]
        test = [r for r in rows if r.group == group]
        if not train or not test:
            continue
        w, b = fit_weights(train)
        aw, ab = fit_abstention(train, w, b)
        t, _ = choose_threshold(train, w, b, aw, ab)
        ok = sum((a and right and c >= t) or (not a and c < t) for c, right, a in confidences(test, w, b, aw, ab))
        out[group] = {"n": len(test), "accuracy": round(ok / len(test), 4)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.answer.fit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", action="append", required=True, metavar="SET:CORPUS[,CORPUS]",
                        help="a training set and the files/folders its questions are about")
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH, help="where to write the weights")
    parser.add_argument("--rows", type=Path, help="cache of the collected features (pickle): reused when it exists")
    parser.add_argument("--holdout", choices=("category", "kind"), default=None,
                        help="also report accuracy per category/page kind (id prefix) of a fit made without it")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows: list[Row] = []
    sources = []
    if args.rows and args.rows.exists():
        import pickle

        rows, sources = pickle.loads(args.rows.read_bytes())
    for spec in args.train if not rows else []:
        set_part, _, corpus_part = spec.partition(":")
        corpus = [Path(p) for p in corpus_part.split(",") if p]
        group_of = (lambda item: item.id.split("-")[1] if "-" in item.id else item.category) \
            if args.holdout == "kind" else (lambda item: item.category)
        found = collect(Path(set_part), corpus, group_of=group_of)
        sources.append({"set": set_part, "corpus": corpus_part, "questions": len(found)})
        rows.extend(found)
    if args.rows and not args.rows.exists():
        import pickle

        args.rows.write_bytes(pickle.dumps((rows, sources)))
    scorer = fit(rows)
    scorer.fitted["sources"] = sources
    scorer.fitted["seconds"] = round(time.perf_counter() - started, 1)
    if args.holdout:
        scorer.fitted[f"holdout_by_{args.holdout}"] = holdout(rows)
    args.out.write_text(json.dumps(scorer.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(scorer.to_json(), indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
