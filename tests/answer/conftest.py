from __future__ import annotations

import pytest

from tests.conftest import CORPUS_PAGE


@pytest.fixture(scope="package")
def assistant(tmp_path_factory):
    """One assistant over a private index of the real page, shared by this package's store tests."""
    from rag.chain import ReportAssistant
    from rag.config import Settings
    from rag.index import ReportIndex

    settings = Settings(data_dir=tmp_path_factory.mktemp("answer-data"))
    ReportIndex.open(settings).ingest([CORPUS_PAGE])
    assistant = ReportAssistant.from_settings(settings)
    assistant.warm_up()
    return assistant
