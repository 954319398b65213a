"""Generative answers from an LLM, verified against the report before anything is shown.

Setup:
    An OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp's server, OpenAI)::

        RAG_ANSWERER=generative RAG_LLM_BASE_URL=http://127.0.0.1:8080/v1 RAG_LLM_MODEL=... rag ask "…"

    or a local GGUF file through llama-cpp-python (``pip install '.[local-llm]'``)::

        RAG_ANSWERER=generative RAG_LLM_GGUF_PATH=/models/model.gguf rag ask "…"

Instantiate:
    answerer = GenerativeAnswerer(index=index, settings=settings)

Use:
    result = answerer.answer("What is the planned area of Gui'an New Area?", docs)
    result.text, result.verdict, result.evidence[0].quote

The model sees the question and numbered evidence sentences ``[1]…[n]`` (with their pages) and must cite
them. ``rag.verify`` then checks every sentence: cited, citations that exist, every figure present in
the cited evidence with its unit and scale. Unsupported sentences are dropped ("repaired"); when nothing
is left the extractive answer is shown ("replaced"); a backend error or timeout shows the extractive
answer too ("fallback"). When the extractive answerer abstains, the LLM is not asked at all (verdict None).
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr

from rag.answer import AnswerResult, Evidence, ExtractiveAnswerer
from rag.answer.candidates import candidates_of
from rag.config import Settings
from rag.history import Turn
from rag.index import ReportIndex
from rag.text import STOPWORDS, tokenize
from rag.verify import AnswerCheck, SentenceCheck, Verdict, check_sentence, parse_answer, verdict_of

logger = logging.getLogger(__name__)

ANSWER_INSTRUCTIONS = """You answer questions about a business report. Use only the numbered evidence sentences.
Rules:
- End every sentence with the number of the evidence it comes from, like [1].
- Copy every figure exactly as the evidence writes it, with its unit (for example RMB40.28 billion, 21.1%, 1,901 km²).
- Do not add facts or figures that are not in the evidence.
- Answer in one to three short sentences.

Example:
Evidence:
[1] (page 12) The port handled 3.5 million containers in 2023, up 8.2%.
Question: How many containers did the port handle?
Answer: The port handled 3.5 million containers in 2023 [1]."""

CONDENSE_INSTRUCTIONS = """Rewrite the user's last question as one standalone question that names what it refers to,
using the conversation. Reply with the question only."""


class LLMConfigError(ValueError):
    """The generative answerer is not configured (no endpoint, no model file, or llama-cpp-python missing)."""


class LLMTimeoutError(TimeoutError):
    """The model did not finish within ``RAG_LLM_TIMEOUT`` seconds."""


class LlamaCppChatModel(BaseChatModel):
    """A local GGUF model through llama-cpp-python, as a LangChain chat model.

    Setup:
        ``pip install '.[local-llm]'`` (llama-cpp-python compiles llama.cpp from source).

    Instantiate:
        model = LlamaCppChatModel(model_path="/models/gemma-3-270m-it-Q4_K_M.gguf", max_tokens=128)

    Use:
        model.invoke([HumanMessage("Hello")]).content
        for chunk in model.stream([HumanMessage("Hello")]): ...

    The GGUF's own chat template formats the messages. ``timeout`` bounds a whole generation: llama.cpp
    cannot be interrupted mid-token, so the check runs between tokens.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    max_tokens: int = 256
    temperature: float = 0.0
    n_ctx: int = 4096
    n_threads: int | None = None
    chat_format: str | None = Field(None, description="llama-cpp-python chat format; None: the GGUF's template.")
    timeout: float = 30.0
    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _load(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise LLMConfigError("RAG_LLM_GGUF_PATH needs llama-cpp-python: pip install '.[local-llm]'") from exc
            if not Path(self.model_path).is_file():
                raise LLMConfigError(f"RAG_LLM_GGUF_PATH={self.model_path} is not a file; point it at a local "
                                     ".gguf model (nothing is downloaded).")
            self._llama = Llama(model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads,
                                chat_format=self.chat_format, verbose=False)
        return self._llama

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        roles = {"human": "user", "ai": "assistant", "system": "system"}
        payload = [{"role": roles.get(m.type, "user"), "content": str(m.content)} for m in messages]
        deadline = time.monotonic() + self.timeout
        with self._lock:
            llama = self._load()
            for part in llama.create_chat_completion(messages=payload, max_tokens=self.max_tokens,
                                                     temperature=self.temperature, stop=stop, stream=True):
                delta = part["choices"][0].get("delta", {}).get("content") or ""
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk
                if time.monotonic() > deadline:
                    raise LLMTimeoutError(f"the local model did not finish within {self.timeout:g}s")

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = "".join(str(c.message.content) for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def chat_model(settings: Settings, *, max_tokens: int | None = None) -> BaseChatModel:
    """The configured LangChain chat model: ``RAG_LLM_BASE_URL`` wins over ``RAG_LLM_GGUF_PATH``."""
    max_tokens = max_tokens or settings.llm_max_tokens
    if settings.llm_base_url:
        from langchain_openai import ChatOpenAI

        # ChatOpenAI sends OpenAI's newer "max_completion_tokens", which llama.cpp's and older Ollama/vLLM
        # servers ignore: other endpoints get the classic "max_tokens".
        limit: dict[str, Any] = ({"max_tokens": max_tokens} if "api.openai.com" in settings.llm_base_url
                                 else {"extra_body": {"max_tokens": max_tokens}})
        return ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key,
                          timeout=settings.llm_timeout, max_retries=0, temperature=settings.llm_temperature, **limit)
    if settings.llm_gguf_path:
        path = Path(settings.llm_gguf_path).expanduser()
        if not path.is_file():
            raise LLMConfigError(f"RAG_LLM_GGUF_PATH={path} is not a file; point it at a local .gguf model "
                                 "(nothing is downloaded).")
        return LlamaCppChatModel(model_path=str(path), max_tokens=max_tokens, temperature=settings.llm_temperature,
                                 timeout=settings.llm_timeout)
    raise LLMConfigError("RAG_ANSWERER=generative needs an LLM: set RAG_LLM_BASE_URL (an OpenAI-compatible "
                         "endpoint) or RAG_LLM_GGUF_PATH (a local GGUF file, with the local-llm extra).")


@dataclass
class NumberedEvidence:
    """An evidence sentence as the model sees it: ``[n] (page label) quote``."""

    quote: str
    doc: Document
    similarity: float

    @property
    def page_label(self) -> str:
        return str(self.doc.metadata.get("page_label", self.doc.metadata.get("page", "")))


@dataclass
class GenerationTrace:
    """What one generation did: the evidence shown, the model's raw output, the checks, any backend error."""

    evidence: list[NumberedEvidence] = field(default_factory=list)
    raw: str = ""
    checks: list[SentenceCheck] = field(default_factory=list)
    error: str | None = None
    llm_seconds: float = 0.0

    @property
    def check(self) -> AnswerCheck:
        return AnswerCheck(sentences=self.checks, verdict=verdict_of(self.checks))


class GenerativeAnswerer:
    """Fluent answers from an LLM that never show a figure the cited evidence does not contain.

    The extractive answerer is its fallback and its gate: when it abstains, so does this one.
    """

    def __init__(self, *, index: ReportIndex, settings: Settings, model: BaseChatModel | None = None,
                 max_evidence: int = 8, history_turns: int = 2, retry_after: float = 30.0) -> None:
        self.index = index
        self.settings = settings
        self.fallback = ExtractiveAnswerer(index=index, settings=settings)
        self.model = model or chat_model(settings)
        self.max_evidence = max_evidence
        self.history_turns = history_turns
        self.retry_after = retry_after
        self._unavailable_until = 0.0

    # -- the answerer protocol ------------------------------------------------------------------

    def answer(self, question: str, docs: list[Document], *, query: str | None = None,
               history: list[Turn] | None = None, trace: GenerationTrace | None = None) -> AnswerResult:
        final = None
        for item in self.stream(question, docs, query=query, history=history, trace=trace):
            if isinstance(item, AnswerResult):
                final = item
        assert final is not None
        return final

    def stream(self, question: str, docs: list[Document], *, query: str | None = None,
               history: list[Turn] | None = None, trace: GenerationTrace | None = None) -> Iterator[str | AnswerResult]:
        """Verified sentences as the model completes them, then the final AnswerResult.

        A sentence is sent only once it is complete and verified, so nothing unverified reaches a reader.
        """
        trace = trace if trace is not None else GenerationTrace()
        extractive = self.fallback.answer(question, docs, query=query)
        if extractive.abstained or not self._available():
            verdict = None if extractive.abstained else Verdict.FALLBACK.value
            if verdict:
                trace.error = "backend unavailable (recent failure)"
            yield from self._extractive(extractive, verdict)
            return
        trace.evidence = self.select_evidence(question, query, docs, extractive)
        quotes = [e.quote for e in trace.evidence]
        messages = self.answer_messages(question, query, trace.evidence, history or [])
        sent = 0
        started = time.monotonic()
        try:
            for delta in self._deltas(messages):
                trace.raw += delta
                pieces = parse_answer(trace.raw)
                complete = pieces[:-1]  # the last sentence may still grow (or gain its citation)
                for piece in complete[len(trace.checks):]:
                    checked = check_sentence(piece, quotes)
                    trace.checks.append(checked)
                    if checked.ok:
                        yield ("" if sent == 0 else " ") + piece.text
                        sent += 1
        except Exception as exc:  # any backend failure (HTTP, timeout, llama.cpp) becomes a fallback, never a 500
            trace.error = f"{type(exc).__name__}: {exc}"
            logger.warning("LLM backend failed (%s); answering extractively", trace.error)
            self._unavailable_until = time.monotonic() + self.retry_after
            trace.llm_seconds = time.monotonic() - started
            if sent == 0:
                yield from self._extractive(extractive, Verdict.FALLBACK.value)
                return
        else:
            trace.llm_seconds = time.monotonic() - started
            for piece in parse_answer(trace.raw)[len(trace.checks):]:
                checked = check_sentence(piece, quotes)
                trace.checks.append(checked)
                if checked.ok:
                    yield ("" if sent == 0 else " ") + piece.text
                    sent += 1
        check = trace.check
        if check.dropped:
            logger.info("verification dropped %d sentence(s) of %r\n%s", len(check.dropped), trace.raw, check.explain())
        if sent == 0:
            yield from self._extractive(extractive, Verdict.REPLACED.value)
            return
        verdict = Verdict.REPAIRED if trace.error else check.verdict
        yield self._result(check, trace.evidence, extractive, verdict.value)

    def condense(self, question: str, history: list[Turn]) -> str | None:
        """A standalone question for a follow-up, written by the LLM; None when it fails or makes no sense."""
        if not history or not self._available():
            return None
        lines = []
        for turn in history[-self.history_turns:]:
            lines += [f"User: {turn.question}", f"Assistant: {_clip(turn.answer, 300)}"]
        messages = [HumanMessage(f"{CONDENSE_INSTRUCTIONS}\n\nConversation:\n" + "\n".join(lines)
                                 + f"\n\nLast question: {question}\nStandalone question:")]
        try:
            text = "".join(self._deltas(messages, max_chars=400))
        except Exception as exc:
            logger.warning("LLM condense failed (%s: %s)", type(exc).__name__, exc)
            self._unavailable_until = time.monotonic() + self.retry_after
            return None
        return standalone_question(text, history)

    # -- parts ------------------------------------------------------------------------------------

    def select_evidence(self, question: str, query: str | None, docs: list[Document],
                        extractive: AnswerResult) -> list[NumberedEvidence]:
        """The sentences the model may use: the extractive evidence first, then the closest to the question."""
        candidates = candidates_of(docs)
        if not candidates:
            return []
        vectors = self.fallback.featurizer.vectors.get_many([query or question] + [c.text for c in candidates],
                                                            self.index.embeddings.embed_documents)
        sims = vectors[1:] @ vectors[0]
        chosen: dict[str, NumberedEvidence] = {}
        for e in extractive.evidence:
            chosen.setdefault(e.quote, NumberedEvidence(e.quote, e.doc, e.similarity))
        for i in np.argsort(-sims):
            if len(chosen) >= self.max_evidence:
                break
            candidate = candidates[int(i)]
            chosen.setdefault(candidate.text, NumberedEvidence(candidate.text, candidate.doc, float(sims[int(i)])))
        return list(chosen.values())

    def answer_messages(self, question: str, query: str | None, evidence: list[NumberedEvidence],
                        history: list[Turn]) -> list[BaseMessage]:
        # Instructions go in the user turn: some chat templates (Gemma's) drop system messages.
        messages: list[BaseMessage] = []
        for turn in history[-self.history_turns:]:
            messages += [HumanMessage(turn.question), AIMessage(_clip(turn.answer, 300))]
        numbered = "\n".join(f"[{n}] (page {e.page_label}) {e.quote}" for n, e in enumerate(evidence, 1))
        asked = question if not query or query == question else f"{question}\n(That is: {query})"
        messages.append(HumanMessage(f"{ANSWER_INSTRUCTIONS}\n\nEvidence:\n{numbered}\n\nQuestion: {asked}\nAnswer:"))
        return messages

    def _deltas(self, messages: list[BaseMessage], *, max_chars: int | None = None) -> Iterator[str]:
        """The model's text as it streams, within ``llm_timeout`` seconds in all."""
        deadline = time.monotonic() + self.settings.llm_timeout
        produced = 0
        for chunk in self.model.stream(messages):
            delta = chunk.content if isinstance(chunk.content, str) else "".join(
                p.get("text", "") if isinstance(p, dict) else str(p) for p in chunk.content)
            if delta:
                produced += len(delta)
                yield delta
            if time.monotonic() > deadline:
                raise LLMTimeoutError(f"the model did not finish within {self.settings.llm_timeout:g}s")
            if max_chars is not None and produced >= max_chars:
                return

    def _available(self) -> bool:
        return time.monotonic() >= self._unavailable_until

    def _extractive(self, result: AnswerResult, verdict: str | None) -> Iterator[str | AnswerResult]:
        yield result.text
        yield AnswerResult(text=result.text, abstained=result.abstained, confidence=result.confidence,
                           evidence=result.evidence, kind=result.kind, verdict=verdict)

    def _result(self, check: AnswerCheck, evidence: list[NumberedEvidence], extractive: AnswerResult,
                verdict: str) -> AnswerResult:
        known = {e.quote: e for e in extractive.evidence}
        cited = []
        for n in check.cited:
            shown = evidence[n - 1]
            cited.append(known.get(shown.quote) or Evidence(quote=shown.quote, doc=shown.doc, score=shown.similarity,
                                                            coverage=0.0, similarity=shown.similarity,
                                                            type_match=0.0))
        return AnswerResult(text=check.text, abstained=False, confidence=extractive.confidence, evidence=cited,
                            kind=extractive.kind, verdict=verdict)


def standalone_question(text: str, history: list[Turn]) -> str | None:
    """The model's rewrite, cleaned; None unless it is one question about this conversation."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = re.sub(r"^(standalone question|question|rewritten question)\s*:\s*", "", line, flags=re.I)
    line = line.strip(" \"'“”*")
    if not 3 <= len(line) <= 300:
        return None
    words = {t for t in tokenize(line) if t not in STOPWORDS}
    context = {t for turn in history[-2:] for t in tokenize(f"{turn.question} {turn.query}")}
    return line if words & context else None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
