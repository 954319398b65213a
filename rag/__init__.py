"""Report assistant: questions about the AmCham South China 2026 Special Report, answered with quotes
and page citations.

    from rag import ReportAssistant, ReportIndex, Settings

    settings = Settings()                                   # RAG_* environment variables
    ReportIndex.open(settings).ingest([Path("corpus")])     # idempotent
    assistant = ReportAssistant.from_settings(settings)
    response = assistant.ask("What is the planned area of Gui'an New Area?")
    response.answer, response.citations[0].page_label

Names are imported on first use, so `import rag` stays light (the CLI's --help does not load torch).
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ReportAssistant": "rag.chain",
    "ChatRequest": "rag.chain",
    "ChatResponse": "rag.chain",
    "Citation": "rag.chain",
    "ReportIndex": "rag.index",
    "Settings": "rag.config",
    "get_settings": "rag.config",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
