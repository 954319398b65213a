"""Citations written for people, the same way on every surface (CLI, OpenAI-compatible route, Slack).

    format_citation(c)            # 'p. 156 (page-156.txt)'
    format_sources([c, c2])       # 'Sources: p. 156 (page-156.txt); p. 157 (page-157.txt)' (repeats dropped)
    citation_line(c)              # 'p. 156 · corpus/page-156.txt · “Gui’an New Area has …”' (the CLI's line)
    quoted(c.quote, limit=280)    # '“…”', shortened with an ellipsis past ``limit`` characters
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.chain import Citation

SEPARATOR = " · "  # between the parts of one citation line


def page_ref(page_label: str) -> str:
    """The printed page a reader looks up: 'p. 156'."""
    return f"p. {page_label}"


def source_name(source: str) -> str:
    """The file name of an ingested source, without its folder."""
    return source.rsplit("/", 1)[-1]


def quoted(quote: str, limit: int | None = None) -> str:
    """The quote in curly quotation marks, cut to ``limit`` characters (the ellipsis included) when longer."""
    if limit is not None and len(quote) > limit:
        quote = quote[: limit - 1].rstrip() + "…"
    return f"“{quote}”"


def format_citation(citation: Citation) -> str:
    """'p. 156 (page-156.txt)'."""
    return f"{page_ref(citation.page_label)} ({source_name(citation.source)})"


def format_sources(citations: Iterable[Citation]) -> str:
    """'Sources: p. 156 (page-156.txt); p. 157 (page-157.txt)', each page once; '' without citations."""
    pages = list(dict.fromkeys(format_citation(c) for c in citations))
    return "Sources: " + "; ".join(pages) if pages else ""


def citation_line(citation: Citation) -> str:
    """The page, the source's path and the whole quote on one line: 'p. 156 · corpus/page-156.txt · “…”'."""
    return SEPARATOR.join((page_ref(citation.page_label), citation.source, quoted(citation.quote)))
