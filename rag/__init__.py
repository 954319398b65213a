"""Report assistant: questions about the AmCham South China 2026 Special Report, answered with quotes
and page citations.

    from rag import HybridRetriever, ReportAssistant, ReportIndex, Settings

    settings = Settings()                                   # RAG_* environment variables
    index = ReportIndex.open(settings)
    index.ingest([Path("corpus")])                          # idempotent
    assistant = ReportAssistant.from_settings(settings)
    response = assistant.ask("What is the planned area of Gui'an New Area?")
    response.answer, response.citations[0].page_label

    retriever = HybridRetriever(index=index, settings=settings, k=4)   # a LangChain BaseRetriever
    retriever.invoke("planned area", k=2)                              # Documents with page metadata

Names are imported on first use, so `import rag` stays light (the CLI's --help does not load torch).
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "HybridRetriever": "rag.retrieve",
    "RetrievalMode": "rag.retrieve",
    "ReportAssistant": "rag.chain",
    "QuestionError": "rag.chain",
    "ChatRequest": "rag.chain",
    "ChatResponse": "rag.chain",
    "Citation": "rag.chain",
    "ReportIndex": "rag.index",
    "Settings": "rag.config",
    "get_settings": "rag.config",
}
__all__ = sorted(_EXPORTS)


def version() -> str:
    """The installed package's version (pyproject.toml is the one place it is written)."""
    from importlib.metadata import PackageNotFoundError, version as installed

    try:
        return installed("report-assistant")
    except PackageNotFoundError:
        return "unknown (the package is not installed; run `make install`)"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return version()
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
