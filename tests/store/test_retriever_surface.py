"""The retriever as a LangChain component: LangChain's own standard retriever tests on a real index of a
small fixture corpus, plus `k` at construction and per call, and a clear error for an empty query."""
from __future__ import annotations

import shutil

import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from tests.conftest import CORPUS_PAGE, ROOT

pytestmark = pytest.mark.store

FIXTURE_PAGES = ROOT / "tests" / "fixtures" / "pages"


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    """Page 156 and two fixture pages, ingested into a real embedded Chroma store."""
    from rag import ReportIndex, Settings

    corpus = tmp_path_factory.mktemp("retriever-corpus")
    for page in (CORPUS_PAGE, FIXTURE_PAGES / "page-88.txt", FIXTURE_PAGES / "page-89.txt"):
        shutil.copy(page, corpus / page.name)
    settings = Settings(data_dir=tmp_path_factory.mktemp("retriever-data"))
    index = ReportIndex.open(settings)
    index.ingest([corpus])
    assert len(index.chunks) > 6
    return index, settings


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _index(self, small_index):
        self.index, self.settings = small_index

    @property
    def retriever_constructor(self):
        from rag import HybridRetriever

        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"index": self.index, "settings": self.settings}

    @property
    def retriever_query_example(self) -> str:
        return "What is the planned area of Gui'an New Area?"


def test_the_package_exports_what_its_docstring_promises(small_index):
    import rag
    from rag import HybridRetriever, ReportAssistant, ReportIndex, Settings  # noqa: F401

    assert set(rag.__all__) >= {"HybridRetriever", "ReportAssistant", "ReportIndex", "Settings"}
    for name in rag.__all__:
        assert getattr(rag, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        rag.Nope  # noqa: B018


def test_k_at_construction_and_per_call(small_index):
    from rag import HybridRetriever

    index, settings = small_index
    question = "What is the planned area of Gui'an New Area?"
    default = HybridRetriever(index=index, settings=settings).invoke(question)
    assert len(default) == settings.top_k
    three = HybridRetriever(index=index, settings=settings, k=3)
    docs = three.invoke(question)
    assert [d.id for d in docs] == [d.id for d in default[:3]], "k cuts the same ranking"
    assert "1,901 km²" in docs[0].page_content and docs[0].metadata["page"] == 156
    assert len(three.invoke(question, k=2)) == 2 and len(three.invoke(question)) == 3
    assert all(isinstance(d, Document) and d.metadata["score"] > 0 for d in docs)


@pytest.mark.parametrize(("query", "message"), [
    ("", "The query is empty"), ("   \n", "The query is empty"), (None, "The query must be text"),
])
def test_an_empty_query_is_a_clear_value_error(small_index, query, message):
    from rag import HybridRetriever

    index, settings = small_index
    with pytest.raises(ValueError, match=message):
        HybridRetriever(index=index, settings=settings).invoke(query)


@pytest.mark.parametrize("k", [0, -1, "two"])
def test_a_bad_k_is_refused(small_index, k):
    from pydantic import ValidationError

    from rag import HybridRetriever

    index, settings = small_index
    with pytest.raises(ValueError, match="k must be a whole number"):
        HybridRetriever(index=index, settings=settings).invoke("planned area", k=k)
    with pytest.raises(ValidationError):
        HybridRetriever(index=index, settings=settings, k=k)
