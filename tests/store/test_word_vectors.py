"""The index's word vector table on a real index of corpus/: written at ingest, read by a later process instead of
embedding the report's words again, a damaged table named and answered around, and the same answers either way."""
from __future__ import annotations

import errno
import logging
import json
import os
import shutil
import subprocess
import sys

import pytest

from rag.chain import ReportAssistant
from rag.index import ReportIndex
from rag.store import vocabulary
from tests.conftest import ROOT

pytestmark = pytest.mark.store

# "acreage" is not in the report: the answerer looks for report words near it (Featurizer.soft)
QUESTION = "What is the planned acreage of Gui'an New Area?"

# A later process: asks QUESTION and says which texts it embedded and what it answered.
ASK = """
import json, sys
from rag.chain import ReportAssistant
from rag.config import Settings
assistant = ReportAssistant.from_settings(Settings())
embeddings = assistant.index.embeddings
embedded = []
original = embeddings.embed_documents
def recording(texts):
    embedded.extend(texts)
    return original(texts)
embeddings.embed_documents = recording
response = assistant.ask(sys.argv[1])
print(json.dumps({"embedded": embedded, "answer": response.answer,
                  "citations": [[c.page, c.quote] for c in response.citations],
                  "table": assistant.index.word_vectors is not None}))
"""


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", folder)
    return folder


def ask_in_new_process(settings, question: str = QUESTION) -> tuple[dict, str]:
    env = dict(os.environ, RAG_DATA_DIR=str(settings.data_dir), RAG_EMBEDDING_BACKEND=settings.embedding_backend,
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    out = subprocess.run([sys.executable, "-c", ASK, question], cwd=ROOT, env=env, capture_output=True, text=True, check=False,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1]), out.stderr


def one_words(texts: list[str]) -> set[str]:
    return {t for t in texts if t.isalpha() and t.islower()}


@pytest.mark.parametrize("backend", ["onnx-int8", "torch"])
def test_the_table_is_written_at_ingest_and_a_later_process_embeds_no_report_word(make_settings, corpus, backend):
    settings = make_settings(embedding_backend=backend)
    index = ReportIndex.open(settings)
    index.ingest([corpus])
    table = vocabulary.load(settings.data_dir)
    assert table is not None and table.fits(index.embeddings)
    assert list(table.words) == vocabulary.table_words(index.surface_words) and "hectares" in table

    with_table, _ = ask_in_new_process(settings)
    assert with_table["table"]
    embedded = one_words(with_table["embedded"])
    assert "acreage" in embedded and not embedded & set(table.words)  # the question's words, none of the report's

    (settings.data_dir / vocabulary.FILE_NAME).unlink()
    without, _ = ask_in_new_process(settings)
    assert not without["table"]
    assert len(one_words(without["embedded"]) & set(table.words)) > 20  # it embeds the candidates' words again
    assert (without["answer"], without["citations"]) == (with_table["answer"], with_table["citations"])

    again = ReportIndex.open(settings).ingest([corpus])  # nothing changed in the corpus: the table is written again
    assert again.added == 0 and vocabulary.load(settings.data_dir).words == table.words


def test_a_damaged_table_is_named_the_answer_is_still_right_and_ingest_repairs_it(make_settings, corpus):
    settings = make_settings(embedding_backend="onnx-int8")
    ReportIndex.open(settings).ingest([corpus])
    intact, _ = ask_in_new_process(settings)
    path = settings.data_dir / vocabulary.FILE_NAME
    data = bytearray(path.read_bytes())
    data[-8:] = b"\xff" * 8  # the last vector's last two numbers
    path.write_bytes(bytes(data))

    damaged, stderr = ask_in_new_process(settings)
    assert f"The word vector table {path} is damaged (its vectors do not match their checksum)" in stderr
    assert not damaged["table"]
    assert (damaged["answer"], damaged["citations"]) == (intact["answer"], intact["citations"])

    report = ReportIndex.open(settings).ingest([corpus])
    assert report.added == 0
    repaired = vocabulary.load(settings.data_dir)
    assert repaired is not None and len(repaired) > 100
    assert ask_in_new_process(settings)[0]["table"]


def test_a_changed_file_embeds_only_its_new_words(make_settings, corpus):
    settings = make_settings(embedding_backend="onnx-int8")
    index = ReportIndex.open(settings)
    index.ingest([corpus])
    before = vocabulary.load(settings.data_dir)
    page = corpus / "page-156.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("20 hectares", "20 hectares of zeppelinfields"),
                    encoding="utf-8")
    embedded: list[str] = []
    original = index.embeddings.embed_documents
    index.embeddings.embed_documents = lambda texts: embedded.extend(texts) or original(texts)
    try:
        index.ingest([corpus])
    finally:
        del index.embeddings.embed_documents
    after = vocabulary.load(settings.data_dir)
    assert "zeppelinfields" in after and set(after.words) == set(before.words) | {"zeppelinfields"}
    assert one_words(embedded) == {"zeppelinfields"}  # the kept words' rows are reused
    assert (after.get("hectares") == before.get("hectares")).all()


@pytest.mark.parametrize("backend", ["onnx-int8", "torch"])
def test_answers_are_the_same_with_and_without_the_table(make_settings, corpus, backend):
    settings = make_settings(embedding_backend=backend)
    ReportIndex.open(settings).ingest([corpus])
    items = [json.loads(line) for line in (ROOT / "evals" / "eval_set.jsonl").read_text(encoding="utf-8").splitlines()]
    questions = [i["question"] for i in items if not i.get("history")]

    def answers(assistant: ReportAssistant) -> list:
        out = []
        for q in questions:
            r = assistant.ask(q)
            out.append((q, r.answer, r.abstained, [(c.page, c.quote) for c in r.citations]))
        return out

    with_table = ReportAssistant.from_settings(settings)
    looked_up: list[int] = []
    featurizer = with_table.answerer.featurizer
    original = featurizer.report_word_vectors
    featurizer.report_word_vectors = lambda words: looked_up.append(len(words)) or original(words)
    first = answers(with_table)
    assert with_table.index.word_vectors is not None and len(looked_up) >= 10  # the table was used

    (settings.data_dir / vocabulary.FILE_NAME).unlink()
    without = ReportAssistant.from_settings(settings)
    assert without.index.word_vectors is None
    assert answers(without) == first


def test_a_table_that_cannot_be_written_leaves_the_ingest_committed(make_settings, corpus, monkeypatch, caplog):
    settings = make_settings(embedding_backend="onnx-int8")

    def refuse(table, data_dir):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(vocabulary, "save", refuse)
    caplog.set_level(logging.WARNING, logger="rag.index")  # whatever level an earlier test left the logger at
    index = ReportIndex.open(settings)
    report = index.ingest([corpus])
    assert report.added > 5 and index.word_vectors is None
    assert "word vector table could not be written" in caplog.text and "No space left on device" in caplog.text
    answer = ReportAssistant.from_settings(settings).ask("What is the planned area of Gui'an New Area?").answer
    assert "1,901 km²" in answer
