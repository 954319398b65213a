"""Against a real OpenAI-compatible server: llama-cpp-python's, serving Gemma 3 270M (a weak base model,
a good adversary). Every figure shown must be in a cited quote, whatever the model wrote; the model's raw
output and the verifier's findings go to test-artifacts/llm-transcript.md."""
from __future__ import annotations

import pytest

from rag.generate import GenerationTrace, GenerativeAnswerer
from rag.retrieve import HybridRetriever
from rag.verify import VERDICTS, Issue, figures
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.llm, pytest.mark.store]

# Each costs one short model call; 2 cores are shared, so the prompts are small (4 evidence sentences).
MAX_TOKENS = 64
TIMEOUT = 300.0
# Questions a 270M model tends to get wrong (arithmetic, comparison): the verifier must catch its figures.
TRAPS = [
    "How much larger is the planned area of Gui'an New Area than its directly administered area?",
    "What is the combined area of the 32 km² electronic information park and the 22 km² equipment park?",
    "What will the GDP of the directly administered area be in 2025 if it keeps growing at the same rate?",
    # The extractive gate now abstains on the three above (the report states no difference, sum or forecast),
    # so the model is never asked; these it is asked, and a unit conversion or a total tempts a wrong figure.
    "What is the planned area of Gui'an New Area in hectares?",
    "How many data centers and racks does Gui'an have in total?",
    "How many racks does each of the 26 data centers have on average?",
]


@pytest.fixture(scope="module")
def gemma(indexed, llama_server):
    make, index = indexed
    settings = make(answerer="generative", llm_base_url=llama_server, llm_model="gemma-3-270m",
                    llm_max_tokens=MAX_TOKENS, llm_timeout=TIMEOUT)
    answerer = GenerativeAnswerer(index=index, settings=settings, max_evidence=4)
    retriever = HybridRetriever(index=index, settings=settings)

    def ask(question: str) -> tuple:
        trace = GenerationTrace()
        result = answerer.answer(question, retriever.search(question), trace=trace)
        record(question, trace, result)
        return result, trace

    return ask


def record(question, trace, result) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "llm-transcript.md", "a", encoding="utf-8") as out:
        out.write(f"## {question}\n\nraw model output ({trace.llm_seconds:.1f}s): {trace.raw!r}\n\n"
                  f"verifier:\n{trace.check.explain() or 'nothing dropped'}\n\n"
                  f"verdict: {result.verdict}\nshown: {result.text}\n"
                  f"cited: {[e.quote for e in result.evidence]}\nerror: {trace.error}\n\n")


def assert_every_figure_is_quoted(result, trace) -> None:
    quoted = [f for e in result.evidence for f in figures(e.quote)]
    for figure in figures(result.text):
        assert any(figure.supported_by(q) for q in quoted), (
            f"{figure.raw!r} shown but not in a cited quote\nraw: {trace.raw!r}\nshown: {result.text!r}")


def test_real_model_answer_shows_only_quoted_figures(gemma):
    result, trace = gemma("What was the GDP of the directly administered area in 2024 and how fast did it grow?")
    assert trace.error is None, trace.error
    assert trace.raw.strip(), "the model produced nothing"
    assert result.verdict in VERDICTS and not result.abstained
    assert_every_figure_is_quoted(result, trace)
    assert "RMB40.28 billion" in result.text, f"raw: {trace.raw!r}\n{trace.check.explain()}"
    assert "RMB40.28 billion" in result.evidence[0].quote


def test_verifier_catches_a_wrong_figure_from_the_real_model(gemma):
    caught = []
    for question in TRAPS:
        result, trace = gemma(question)
        assert trace.error is None, trace.error
        assert_every_figure_is_quoted(result, trace)
        wrong = [(c.sentence.marked, c.unsupported) for c in trace.checks if Issue.UNSUPPORTED_FIGURE in c.issues]
        if wrong:
            caught.append((question, trace.raw, wrong, result.verdict, result.text))
            for _, figures_ in wrong:
                assert not any(f in result.text for f in figures_)
            assert result.verdict in ("repaired", "replaced")
            break
    print("\n".join(f"caught: {q}\n  raw model output: {raw!r}\n  unsupported: {w}\n  verdict: {v}\n  shown: {t}"
                    for q, raw, w, v, t in caught))
    assert caught, "the model wrote no wrong figure this time; see test-artifacts/llm-transcript.md"
