"""run_evaluation: the index from the corpus in a scratch data dir, each system over every item, the run.

From Python (the CI gate does this):

    run = run_evaluation(load_items(Path("evals/eval_set.jsonl")), systems=["system"])   # rag.evaluation.dataset
    run.systems["system"].metrics["overall"]["answer_accuracy"]
    check_thresholds(run.systems["system"].metrics, json.loads(Path("evals/thresholds.json").read_text()))  # .gate

Every system answers every item in its own conversation: the item's ``history`` questions are asked
first in the same session, then the question. The index is built from ``corpus/`` in a temporary
data dir, so an evaluation never touches the user's ``.rag/`` (unless ``--data-dir`` is given).
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rag.eval_options import ANSWERERS, BASELINES, DEFAULT_SET, MAX_ANSWER_CHARS
from rag.evaluation.baselines import NaiveSystem
from rag.evaluation.dataset import EvalItem, EvalSetError
from rag.evaluation.metrics import metrics_by_category
from rag.evaluation.scoring import Outcome, score_outcome

SYSTEM_DESCRIPTIONS = {
    "system": "the assistant as users get it (hybrid retrieval, configured answerer)",
    "naive": "tutorial pipeline: raw export text, RecursiveCharacterTextSplitter(1000, 200), dense top-k, "
             "top chunk as the answer, never abstains",
    "dense": "our answerer over dense-only retrieval",
    "lexical": "our answerer over lexical-only (BM25) retrieval",
    "extractive": "the assistant's chain with the extractive answerer (quotes only, no LLM)",
    "generative": "the assistant's chain with the generative answerer (LLM, verified against the quotes)",
}



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
