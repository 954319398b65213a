"""Calibrate the abstention threshold on the dev set (never on the evaluation set).

    .venv/bin/python evals/calibrate.py [--set evals/dev_set.jsonl]

Runs every dev question with abstention switched off, records the answer's confidence and
whether the answer is right, then prints, for each threshold, how many answerable questions
would be answered correctly and how many unanswerable ones abstained. Put the chosen value in
``Settings.abstain_threshold`` (RAG_ABSTAIN_THRESHOLD).
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from rag.chain import ReportAssistant
from rag.config import Settings
from rag.index import ReportIndex
from rag.text import normalise

ROOT = Path(__file__).resolve().parent.parent


def facts_present(answer: str, groups: list[list[str]]) -> bool:
    text = normalise(answer)
    return all(any(normalise(alt) in text for alt in group) for group in groups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", type=Path, default=ROOT / "evals" / "dev_set.jsonl")
    args = parser.parse_args()
    items = [json.loads(line) for line in args.set.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), abstain_threshold=0.0)
        ReportIndex.open(settings).ingest([ROOT / "corpus"])
        assistant = ReportAssistant.from_settings(settings)
        rows = []
        for item in items:
            session = None
            for earlier in item.get("history", []):
                session = assistant.ask(earlier, session).session_id
            turn = assistant.run(item["question"], session)
            right = (item["answerable"] and facts_present(turn.response.answer, item["gold_facts"])
                     and bool(turn.response.citations) and turn.response.citations[0].page == item["gold_page"])
            rows.append((turn.result.confidence, item["answerable"], right, turn.response.abstained, item["question"]))
    answerable = sum(1 for r in rows if r[1])
    unanswerable = len(rows) - answerable
    print(f"{'threshold':>9} {'answered right':>15} {'abstained (unans.)':>19} {'false abst.':>11} {'balanced':>9}")
    best = (0.0, 0.0)
    for step in range(30, 71):
        t = step / 100
        right = sum(1 for c, a, ok, forced, _ in rows if a and ok and c >= t and not forced)
        false_abst = sum(1 for c, a, ok, forced, _ in rows if a and (c < t or forced))
        abstained = sum(1 for c, a, ok, forced, _ in rows if not a and (c < t or forced))
        balanced = (right / max(1, answerable) + abstained / max(1, unanswerable)) / 2
        best = max(best, (balanced, t))
        print(f"{t:9.2f} {right:>9}/{answerable:<5} {abstained:>13}/{unanswerable:<5} {false_abst:>11} {balanced:9.3f}")
    print(f"best balanced accuracy {best[0]:.3f} at threshold {best[1]:.2f}")


if __name__ == "__main__":
    main()
