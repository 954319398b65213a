"""Pages written for the ingest tests (tests/fixtures/pages/), reconstructed; a test class names its page in PAGE."""
from __future__ import annotations

import pytest

from rag.ingest.loaders import load_file
from rag.ingest.models import ReconstructedPage
from rag.ingest.pipeline import reconstruct_pages
from tests.conftest import ROOT

FIXTURE_PAGES = ROOT / "tests" / "fixtures" / "pages"


def read_fixture(name: str) -> ReconstructedPage:
    """The first reconstructed page of a fixture file."""
    return reconstruct_pages(load_file(FIXTURE_PAGES / name))[0]


@pytest.fixture(scope="class")
def page(request) -> ReconstructedPage:
    """The page the test class names in ``PAGE``, reconstructed once per class."""
    return read_fixture(request.cls.PAGE)
