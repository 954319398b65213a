"""The word vector table file (rag/store/vocabulary.py): written and read back exactly, reused rows, damage named."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from rag.store import vocabulary
from rag.store.vocabulary import FILE_NAME, CorruptWordVectorsError


class CountingModel:
    """A stand-in for the embedding model: a vector from the text's hash, and a record of what it embedded."""

    name, backend, fingerprint, dimension = "all-MiniLM-L6-v2", "onnx-int8", "abc123", 8

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        out = []
        for text in texts:
            raw = np.frombuffer(hashlib.sha256(text.encode()).digest()[: self.dimension * 4], dtype=np.uint32)
            v = raw.astype(np.float64) / 2**32 - 0.5
            out.append((v / np.linalg.norm(v)).tolist())
        return out


def test_printed_words_and_table_words():
    assert vocabulary.printed_words("Gui'an New Area: 1,901 km² of GDP") == {"gui", "an", "new", "area", "km", "of",
                                                                           "gdp"}
    assert vocabulary.table_words({"gui", "an", "new", "area", "km"}) == ["area", "gui", "new"]


def test_a_table_is_read_back_exactly(tmp_path):
    model = CountingModel()
    table = vocabulary.build(["area", "hectares", "port"], model)
    vocabulary.save(table, tmp_path)
    read = vocabulary.load(tmp_path)
    assert read.words == ("area", "hectares", "port") and read.fits(model)
    for word, vector in zip(read.words, model.embed_documents(list(read.words))):
        assert np.array_equal(read.get(word), np.asarray(vector, dtype=np.float32))
    assert read.get("berths") is None and "berths" not in read and len(read) == 3
    assert not list(tmp_path.glob(f"{FILE_NAME}.tmp.*"))  # the temporary file is gone


def test_an_empty_table_round_trips(tmp_path):
    vocabulary.save(vocabulary.build([], CountingModel()), tmp_path)
    assert len(vocabulary.load(tmp_path)) == 0


def test_no_table_is_none(tmp_path):
    assert vocabulary.load(tmp_path) is None


def test_rebuilding_embeds_only_new_words(tmp_path):
    model = CountingModel()
    first = vocabulary.build(["area", "port"], model)
    model.embedded.clear()
    second = vocabulary.build(["area", "berths", "port"], model, reuse=first)
    assert model.embedded == ["berths"]
    assert np.array_equal(second.get("port"), first.get("port"))


def test_another_models_rows_are_not_reused(tmp_path):
    other = CountingModel()
    other.fingerprint = "other"
    old = vocabulary.build(["area"], other)
    model = CountingModel()
    table = vocabulary.build(["area"], model, reuse=old)
    assert model.embedded == ["area"] and table.fits(model) and not old.fits(model)


@pytest.mark.parametrize("damage, reason", [
    (lambda b: b[:-5], "bytes, but 2 vectors of 8 need"),
    (lambda b: b[:-4] + bytes(4), "do not match their checksum"),
    (lambda b: b"NOT-A-TABLE" + b[11:], "signature"),
    (lambda b: b[:40], "header length"),
    (lambda b: b"", "signature"),
])
def test_a_damaged_table_is_named_precisely(tmp_path, damage, reason):
    path = vocabulary.save(vocabulary.build(["area", "port"], CountingModel()), tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(CorruptWordVectorsError, match=reason) as err:
        vocabulary.load(tmp_path)
    assert str(path) in str(err.value) and "`rag ingest` writes the table again" in str(err.value)


def test_a_header_without_its_fields_is_named(tmp_path):
    path = vocabulary.save(vocabulary.build(["area"], CountingModel()), tmp_path)
    data = path.read_bytes().replace(b'"crc32"', b'"crc99"')
    path.write_bytes(data)
    with pytest.raises(CorruptWordVectorsError, match="header is incomplete.*crc32"):
        vocabulary.load(tmp_path)


def test_a_batch_independent_model_builds_the_same_table_in_the_background_and_in_slices(monkeypatch):
    class OneAtATime(CountingModel):
        batch_independent = True

    monkeypatch.setattr(vocabulary, "SLICE", 7)
    words = [f"word{chr(97 + i % 26)}{i}" for i in range(300)]
    model = OneAtATime()
    builder = vocabulary.Builder(words, model)
    table = builder.result()  # whatever the thread did, the rest in slices of 7
    assert sorted(model.embedded) == sorted(words)  # each word once
    expected = vocabulary.build(words, CountingModel())
    assert table.words == expected.words and np.array_equal(table.matrix, expected.matrix)
