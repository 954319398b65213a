"""The one citation formatter every surface uses (CLI, OpenAI-compatible content, Slack)."""
from __future__ import annotations

from rag.chain import Citation
from rag.citations import citation_line, format_citation, format_sources, quoted

QUOTE = "Gui’an New Area has a planned area of 1,901 km² and a directly administered area of 491 km²."


def cite(label: str, source: str = "corpus/page-156.txt", page: int = 1, quote: str = QUOTE) -> Citation:
    return Citation(page=page, page_label=label, source=source, quote=quote, score=0.9)


def test_a_citation_names_the_printed_page_and_the_file_without_its_folder():
    assert format_citation(cite("156")) == "p. 156 (page-156.txt)"
    assert format_citation(cite("iv", source="uploads/2026/annex.pdf")) == "p. iv (annex.pdf)"


def test_sources_list_each_page_once_in_the_order_cited():
    citations = [cite("156"), cite("157", "corpus/page-157.txt"), cite("156")]
    assert format_sources(citations) == "Sources: p. 156 (page-156.txt); p. 157 (page-157.txt)"


def test_the_same_page_label_in_two_files_is_two_sources():
    line = format_sources([cite("3", "corpus/a.pdf"), cite("3", "corpus/b.pdf")])
    assert line == "Sources: p. 3 (a.pdf); p. 3 (b.pdf)"


def test_no_citations_make_no_sources_line():
    assert format_sources([]) == ""


def test_the_cli_line_keeps_the_path_and_the_whole_quote():
    long = "word " * 100
    assert citation_line(cite("156")) == f"p. 156 · corpus/page-156.txt · “{QUOTE}”"
    assert citation_line(cite("156", quote=long)) == f"p. 156 · corpus/page-156.txt · “{long}”"


def test_a_long_quote_is_cut_to_the_limit_with_an_ellipsis():
    assert quoted("short", limit=10) == "“short”"
    assert quoted("exactly10!", limit=10) == "“exactly10!”"
    cut = quoted("one two three four", limit=9)
    assert cut == "“one two…”"


def test_rag_ask_prints_the_answer_then_each_citation_numbered(capsys):
    from rag.chain import ChatResponse
    from rag.cli import _print_response

    second = cite("157", "corpus/page-157.txt", quote="Another sentence.")
    _print_response(ChatResponse(answer="491 km²", abstained=False, citations=[cite("156"), second],
                                 session_id="s1"), as_json=False)
    assert capsys.readouterr().out.splitlines() == [
        "491 km²",
        f"  [1] p. 156 · corpus/page-156.txt · “{QUOTE}”",
        "  [2] p. 157 · corpus/page-157.txt · “Another sentence.”",
    ]


def test_a_citation_without_a_section_keeps_the_contract_shape():
    from langchain_core.documents import Document

    from rag.chain import ChatResponse, citation

    meta = {"page": 156, "page_label": "156", "source": "corpus/page-156.txt"}
    bare = citation(Document(page_content=QUOTE, metadata={**meta, "section": ""}), QUOTE, 0.9)
    nested = citation(Document(page_content=QUOTE, metadata={**meta, "section": "Zones > Gui’an New Area"}),
                      QUOTE, 0.9)
    assert bare.section is None and set(bare.model_dump()) == {"page", "page_label", "source", "quote", "score"}
    assert nested.section == "Zones > Gui’an New Area" and nested.model_dump()["section"] == nested.section
    dumped = ChatResponse(answer="a", abstained=False, citations=[bare, nested], session_id="s").model_dump_json()
    assert '"section":"Zones > Gui’an New Area"' in dumped and dumped.count('"section"') == 1
    assert Citation(**{**bare.model_dump(), "section": ""}).section is None  # as conversations stored it before


def test_slack_shows_the_innermost_heading_of_the_citation():
    from api.slack.render import source_lines

    nested = Citation(page=1, page_label="156", source="corpus/page-156.txt", quote=QUOTE, score=0.9,
                      section="Special economic zones > Gui’an New Area")
    lines = source_lines([nested, cite("157")])
    assert [line.section for line in lines] == ["Gui’an New Area", ""]
    assert lines[0].mrkdwn() == f"*p. 156* · Gui’an New Area · “{QUOTE}”"
    assert lines[1].mrkdwn() == f"*p. 157* · “{QUOTE}”"
