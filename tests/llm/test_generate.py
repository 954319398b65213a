"""The generative answerer wired into the chain, with a scripted model and failing stand-in servers:
verified, repaired and replaced answers, abstention, streaming, and fallback on backend errors."""
from __future__ import annotations

import pytest

from rag.answer import AnswerResult, ExtractiveAnswerer
from rag.chain import ReportAssistant
from rag.generate import GenerationTrace, GenerativeAnswerer, LLMConfigError
from rag.history import Turn
from rag.retrieve import HybridRetriever
from rag.verify import Issue, figures
from tests.llm.conftest import ScriptedChatModel, StandInServer, cite

pytestmark = pytest.mark.store

AREA_Q = "What is the planned area of Gui'an New Area?"
GDP_Q = "What was the GDP of Gui'an New Area's directly administered area in 2024?"


def retrieve(settings, index, question):
    return HybridRetriever(index=index, settings=settings).search(question)


def assert_figures_quoted(result: AnswerResult) -> None:
    """The product's promise: every figure shown appears in a cited quote."""
    quoted = [f for e in result.evidence for f in figures(e.quote)]
    for figure in figures(result.text):
        assert any(figure.supported_by(q) for q in quoted), (figure.raw, result.text, [e.quote for e in result.evidence])


def answerer_with(indexed, script, **settings):
    make, index = indexed
    s = make(answerer="generative", llm_base_url="http://127.0.0.1:9/v1", **settings)
    model = ScriptedChatModel(script=script)
    return s, index, model, GenerativeAnswerer(index=index, settings=s, model=model)


def test_verified_answer_cites_the_sentence_it_quotes(indexed):
    s, index, model, answerer = answerer_with(
        indexed, lambda m: f"Gui’an New Area has a planned area of 1,901 km² [{cite(m, '1,901 km²')}].")
    trace = GenerationTrace()
    result = answerer.answer(AREA_Q, retrieve(s, index, AREA_Q), trace=trace)
    assert result.verdict == "verified", trace.check.explain()
    assert result.text == "Gui’an New Area has a planned area of 1,901 km²."
    assert "1,901 km²" in result.evidence[0].quote and len(result.evidence) == 1
    assert not result.abstained
    prompt = str(model.calls[0][-1].content)
    assert "(page 156)" in prompt and AREA_Q in prompt


def test_wrong_figure_sentence_is_dropped_and_the_rest_kept(indexed):
    def script(m):
        n = cite(m, "RMB40.28 billion")
        return f"In 2024 the GDP reached RMB40.28 billion [{n}]. That is a growth of 27.1% [{n}]."

    s, index, _, answerer = answerer_with(indexed, script)
    trace = GenerationTrace()
    result = answerer.answer(GDP_Q, retrieve(s, index, GDP_Q), trace=trace)
    assert result.verdict == "repaired"
    assert result.text == "In 2024 the GDP reached RMB40.28 billion."
    assert [c.issues for c in trace.checks] == [[], [Issue.UNSUPPORTED_FIGURE]]
    assert "27.1" not in result.text
    assert_figures_quoted(result)


def test_answer_with_nothing_verifiable_is_replaced_by_the_extractive_one(indexed):
    s, index, _, answerer = answerer_with(indexed, lambda m: "The planned area is 1,910 km² [1]. It is huge [99].")
    docs = retrieve(s, index, AREA_Q)
    result = answerer.answer(AREA_Q, docs)
    extractive = ExtractiveAnswerer(index=index, settings=s).answer(AREA_Q, docs)
    assert result.verdict == "replaced"
    assert result.text == extractive.text and "1,901 km²" in result.text
    assert [e.quote for e in result.evidence] == [e.quote for e in extractive.evidence]


def test_unanswerable_question_abstains_without_asking_the_model(indexed):
    s, index, model, answerer = answerer_with(indexed, lambda m: "Tesla sold 5 million cars [1].")
    question = "How many cars did Tesla sell in Germany in 2019?"
    result = answerer.answer(question, retrieve(s, index, question))
    assert result.abstained and result.verdict is None
    assert model.calls == []


def test_chain_streams_only_verified_sentences_and_ends_with_citations(indexed):
    def script(m):
        return (f"Gui’an New Area was established in 2014 [{cite(m, 'established in 2014')}]. "
                f"Its planned area is 1,901 km² [{cite(m, '1,901 km²')}]. It has 9 million residents.")

    s, index, _, answerer = answerer_with(indexed, script)
    assistant = ReportAssistant(s, index, answerer=answerer)
    events = list(assistant.stream("When was Gui'an New Area established and how big is it?"))
    deltas = "".join(v for k, v in events if k == "delta")
    kind, final = events[-1]
    assert kind == "final"
    assert deltas == final.response.answer == "Gui’an New Area was established in 2014. Its planned area is 1,901 km²."
    assert final.result.verdict == "repaired"
    assert [c.page_label for c in final.response.citations] == ["156", "156"]
    assert "established in 2014" in final.response.citations[0].quote
    assert "1,901 km²" in final.response.citations[1].quote


def test_follow_up_is_condensed_by_the_model(indexed):
    s, index, model, answerer = answerer_with(indexed, lambda m: "What is the planned area of Gui'an New Area?")
    history = [Turn(question="When was Gui'an New Area established?", query="When was Gui'an New Area established?",
                    answer="Gui’an New Area was established in 2014.")]
    assert answerer.condense("How big is it?", history) == "What is the planned area of Gui'an New Area?"
    off_topic = GenerativeAnswerer(index=index, settings=s, model=ScriptedChatModel(script=lambda m: "Sure!"))
    assert off_topic.condense("How big is it?", history) is None


@pytest.mark.parametrize("mode", ["hang", "error"])
def test_backend_timeout_or_error_falls_back_to_the_extractive_answer(indexed, mode):
    make, index = indexed
    with StandInServer(mode, hang_seconds=4) as server:
        s = make(answerer="generative", llm_base_url=server.url, llm_timeout=1.0)
        assistant = ReportAssistant.from_settings(s)
        assert isinstance(assistant.answerer, GenerativeAnswerer)
        turn = assistant.run(AREA_Q)
        assert server.requests == 1
        assert turn.result.verdict == "fallback"
        assert "1,901 km²" in turn.response.answer and not turn.response.abstained
        assert "1,901 km²" in turn.response.citations[0].quote
        # While the backend is down, answers (streamed ones too) do not wait for it again.
        events = list(assistant.stream(AREA_Q))
        assert events[-1][1].result.verdict == "fallback" and server.requests == 1
        assert "".join(v for k, v in events if k == "delta") == events[-1][1].response.answer == turn.response.answer
        # A fresh answerer waits no longer than RAG_LLM_TIMEOUT for a hanging backend.
        docs = assistant.retriever.search(AREA_Q)
        fresh = GenerativeAnswerer(index=index, settings=s)
        fresh.fallback.featurizer = assistant.answerer.fallback.featurizer  # warm caches: time only the wait
        trace = GenerationTrace()
        result = fresh.answer(AREA_Q, docs, trace=trace)
        assert result.verdict == "fallback" and result.text == turn.response.answer
        assert trace.llm_seconds < s.llm_timeout + 0.5, trace.llm_seconds
        assert trace.error and ("Timeout" in trace.error if mode == "hang" else "500" in trace.error), trace.error


def test_generative_without_a_model_is_a_clear_error(indexed, tmp_path):
    make, index = indexed
    with pytest.raises(LLMConfigError, match="RAG_LLM_BASE_URL"):
        GenerativeAnswerer(index=index, settings=make(answerer="generative"))
    with pytest.raises(LLMConfigError, match="is not a file"):
        GenerativeAnswerer(index=index, settings=make(answerer="generative", llm_gguf_path=tmp_path / "none.gguf"))


def test_eval_runs_both_answerers_side_by_side_and_counts_verdicts(indexed, tmp_path):
    """`rag eval --baseline generative`: the same items through both answerers in one run; a backend that
    fails makes every answered item a fallback that shows exactly the extractive answer."""
    from pathlib import Path

    from rag.evaluation.dataset import load_items
    from rag.evaluation.report import shown_metrics, write_markdown
    from rag.evaluation.runner import run_evaluation

    make, index = indexed
    items = [i for i in load_items(Path("evals/eval_set.jsonl")) if not i.history][:6]
    with StandInServer("error") as server:
        run = run_evaluation(items, systems=["system", "generative"], data_dir=index.data_dir,
                             settings=make(llm_base_url=server.url, llm_timeout=2.0))
    extractive, generative = run.systems["system"], run.systems["generative"]
    assert [o.answer for o in extractive.outcomes] == [o.answer for o in generative.outcomes]
    answered = [o for o in generative.outcomes if not o.abstained]
    assert answered and all(o.verdict == "fallback" for o in answered)
    assert generative.metrics["overall"]["fallback_rate"] == 1.0
    assert extractive.metrics["overall"]["fallback_rate"] is None
    assert "fallback_rate" in shown_metrics(run)
    write_markdown(run, tmp_path / "report.md", None)
    row = next(line for line in (tmp_path / "report.md").read_text().splitlines()
               if line.startswith("| LLM failed, extractive shown"))
    assert row.split("|")[2:4] == [" — ", " 1.000 "], row
