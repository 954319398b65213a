"""The two embedding backends: the int8 ONNX model agrees with torch, is rebuilt when the weights change,
and an index is never searched with the other backend's vectors."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from rag import embeddings
from rag.index import BackendMismatchError, ReportIndex, resolve_model_path
from tests.conftest import CORPUS_PAGE

pytestmark = pytest.mark.store

SENTENCES = [
    "Gui'an New Area has a planned area of 1,901 km² and a directly administered area of 491 km².",
    "What is the planned area of Gui'an New Area?",
    "Respondents expect revenue to grow in 2026, although costs keep rising.",
    "贵安新区位于贵阳和安顺之间。",
    "Table 3: share of members planning to expand, by city",
    "How many large-scale data centers has Gui'an attracted?",
    "Talent shortage remains the top challenge for manufacturers.",
    "The eco-city spans 20 hectares and houses about 3,000 residents.",
]


@pytest.fixture(scope="module")
def onnx_model(tmp_path_factory):
    return embeddings.load("all-MiniLM-L6-v2", backend="onnx-int8", cache_dir=tmp_path_factory.mktemp("models"))


def test_onnx_vectors_match_torch(onnx_model):
    onnx = onnx_model
    torch = embeddings.load("all-MiniLM-L6-v2", backend="torch")
    a, b = np.asarray(onnx.embed_documents(SENTENCES)), np.asarray(torch.embed_documents(SENTENCES))
    assert a.shape == b.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    cosine = (a * b).sum(axis=1)
    assert cosine.mean() > 0.99 and cosine.min() > 0.985, cosine
    # a bare word drifts most (~0.97): int8 rounding is not averaged over many tokens
    short = np.asarray(onnx.embed_documents(["ok"])[0]) @ np.asarray(torch.embed_documents(["ok"])[0])
    assert short > 0.95
    # the same neighbours: the question is nearest its answer sentence with both backends
    for vectors in (a, b):
        assert int(np.argmax(vectors[[0, 2, 4, 6]] @ vectors[1])) == 0
    assert onnx.embed_query(SENTENCES[1]) == pytest.approx(list(a[1]), abs=1e-5)


def test_a_text_gets_the_same_vector_alone_or_among_others(onnx_model, monkeypatch):
    texts = [*SENTENCES, "ok", " ".join(SENTENCES), SENTENCES[0]]  # lengths from 1 to ~150 tokens, a repeat
    alone = np.asarray([onnx_model.embed_documents([t])[0] for t in texts])
    for workers in (1, 3):  # one call after another, and three threads at once whatever the machine's cores
        monkeypatch.setattr(onnx_model, "workers", workers)
        together = np.asarray(onnx_model.embed_documents(texts))
        assert together.shape == alone.shape
        assert (together * alone).sum(axis=1).min() > 1 - 1e-4
        assert np.allclose(together, alone, atol=1e-6)  # in fact bit for bit: every call is single-threaded
        assert np.allclose(together[0], together[-1], atol=1e-6)
        shuffled = np.asarray(onnx_model.embed_documents(texts[::-1]))[::-1]
        assert np.allclose(shuffled, alone, atol=1e-6)  # the order of the list does not matter either
    assert onnx_model.embed_documents([]) == []


def test_onnx_model_is_rebuilt_when_the_weights_change(tmp_path):
    source = tmp_path / "model"
    shutil.copytree(resolve_model_path("all-MiniLM-L6-v2"), source)
    cache = tmp_path / "cache"
    first, fp1 = embeddings.ensure_onnx_model(source, cache)
    built_at = first.stat().st_mtime_ns
    again, fp_again = embeddings.ensure_onnx_model(source, cache)
    assert (again, fp_again) == (first, fp1) and again.stat().st_mtime_ns == built_at  # reused, not rebuilt
    config = json.loads((source / "config.json").read_text())
    config["layer_norm_eps"] = 1e-6  # a changed model (here its config), same path
    (source / "config.json").write_text(json.dumps(config))
    second, fp2 = embeddings.ensure_onnx_model(source, cache)
    assert fp2 != fp1 and second != first and second.exists()
    assert not first.exists()  # the stale build is gone
    assert json.loads((second.parent / "meta.json").read_text())["fingerprint"] == fp2


def test_an_index_is_never_searched_with_the_other_backend(make_settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS_PAGE, corpus / "page-156.txt")
    built = ReportIndex.open(make_settings(embedding_backend="onnx-int8"))
    built.ingest([corpus])
    assert "1,901 km²" in built.dense_search("What is the planned area of Gui'an New Area?", 1)[0][0].text

    other = ReportIndex.open(make_settings(embedding_backend="torch"))
    with pytest.raises(BackendMismatchError, match=r"built with embedding backend 'onnx-int8'.*rag ingest"):
        other.dense_search("What is the planned area of Gui'an New Area?", 1)
    report = other.ingest([corpus])  # re-embeds everything with torch, into a new collection
    assert report.added == len(other.chunks) and report.unchanged == 0
    assert other.store()._collection.metadata["embedding_backend"] == "torch"
    assert other.store()._collection.count() == len(other.chunks)
    assert "1,901 km²" in other.dense_search("What is the planned area of Gui'an New Area?", 1)[0][0].text
    with pytest.raises(BackendMismatchError, match="'torch'"):  # and now the onnx reader is refused
        ReportIndex.open(make_settings(embedding_backend="onnx-int8")).dense_search("planned area", 1)
