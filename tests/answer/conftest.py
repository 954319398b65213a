from __future__ import annotations

import pytest

from tests.conftest import CORPUS_PAGE


def assistant_over(data_dir, *pages):
    """An assistant over a private index of the given page files, in ``data_dir``."""
    from rag.chain import ReportAssistant
    from rag.config import Settings
    from rag.index import ReportIndex

    settings = Settings(data_dir=data_dir)
    ReportIndex.open(settings).ingest(list(pages))
    return ReportAssistant.from_settings(settings)


@pytest.fixture(scope="package")
def assistant(tmp_path_factory):
    """One assistant over a private index of the real page, shared by this package's store tests."""
    assistant = assistant_over(tmp_path_factory.mktemp("answer-data"), CORPUS_PAGE)
    assistant.warm_up()
    return assistant
