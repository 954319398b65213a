"""With more pages ingested (same export layout, other places, similar figures), answers cite the
page the figure is on, not a page with a similar figure; and the real page still answers for itself."""
from __future__ import annotations

import pytest

from rag.text import normalise
from tests.conftest import CORPUS_PAGE

pytestmark = pytest.mark.store


@pytest.fixture(scope="module")
def multipage(tmp_path_factory):
    from rag.chain import ReportAssistant
    from rag.config import Settings
    from rag.index import ReportIndex
    from tools.synth import generate_report

    folder = tmp_path_factory.mktemp("multipage")
    pages, facts = generate_report(12, seed=4, start_page=150)  # not a seed the answerer was fitted on
    (folder / "synthetic-150-161.txt").write_text("\f".join(pages), encoding="utf-8")
    (folder / "page-156-real.txt").write_text(CORPUS_PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(data_dir=folder / "data")
    report = ReportIndex.open(settings).ingest([folder])
    assert report.files == 2 and report.pages == 13
    return ReportAssistant.from_settings(settings), facts


def test_generated_facts_cite_their_own_page(multipage):
    assistant, facts = multipage
    right = 0
    misses = []
    for fact in facts:
        response = assistant.ask(fact.question)
        cited = response.citations[0] if response.citations else None
        if (not response.abstained and cited and cited.source.endswith("synthetic-150-161.txt")
                and cited.page == fact.page and normalise(fact.answer) in normalise(response.answer)):
            right += 1
        else:
            misses.append((fact.question, fact.page, response.answer[:80], cited.page if cited else None))
    # mixed page kinds (survey, tables, charts, profiles, bilingual); measured 32/39 at the commit that set this
    assert right >= 0.8 * len(facts), misses


def test_real_page_figures_still_cite_the_real_page(multipage):
    assistant, _ = multipage
    response = assistant.ask("What is the planned area of Gui’an New Area?")
    assert "1,901 km²" in response.answer
    assert response.citations[0].source.endswith("page-156-real.txt") and response.citations[0].page == 156
