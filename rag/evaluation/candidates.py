"""Candidate eval items (`rag eval --add`): from the command line or a stored conversation, for review."""
from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rag.eval_options import DEFAULT_SET
from rag.evaluation.dataset import CATEGORIES, EvalItem
from rag.evaluation.matching import match_normalise


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


def add_candidate(args: argparse.Namespace, console: Any) -> int:
    """`rag eval --add`: one candidate from the options (or --from-session) appended to --candidates."""
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

