"""The index's word vectors: every word of its text embedded once, at ingest, for the answerer's near words.

The answerer (``Featurizer.soft``, rag/answer/features.py) compares a question word the report lacks with the
words of the candidate sentences. Without this table it embedded those words on every question (~50 ms for a
question with such a word); with it, it looks them up and embeds only what the table lacks.

A word's vector is the embedding backend's ``embed_documents`` of that one word, so it depends only on the word and
the model: a table holds right vectors for every word it has, whichever index generation wrote it. The file
``word-vectors.bin`` in the data dir is written at ingest, under the ingest lock, right after the manifest is
replaced (atomically: a temporary file, fsync, rename; meanwhile readers use the previous table, right for the
words it has, and embed the others), and read once per process (again when the file is replaced)::

    RAG-WORD-VECTORS 1\\n | header length (8 bytes, little-endian) | JSON header | zero padding to 64 bytes |
    float32 little-endian matrix, one row per word, in the header's word order

The header names the model, backend, fingerprint and dimension the vectors come from, the words, and the crc32
of the matrix. A table that does not match the loaded model is not used; one that cannot be read is
``CorruptWordVectorsError`` (the index logs it and answers embed their words as before; the next ``rag ingest``
writes the table again).
"""
from __future__ import annotations

import json
import os
import re
import struct
import threading
import zlib
from pathlib import Path

import numpy as np

from rag.store.errors import CorruptIndexError

FILE_NAME = "word-vectors.bin"
MAGIC = b"RAG-WORD-VECTORS 1\n"
ALIGN = 64
MIN_LETTERS = 3  # the answerer compares words of three letters or more
SLICE = 512  # words per embedding call when they are embedded in slices (Builder.result)
_WORD = re.compile(r"[A-Za-z]+")


class CorruptWordVectorsError(CorruptIndexError):
    """The word vector table cannot be read, or does not hold what its header says."""


def printed_words(text: str) -> set[str]:
    """The words of a text as printed, lower-cased (letters only: "Gui'an" is "gui" and "an")."""
    return {w.lower() for w in _WORD.findall(text)}


def chunk_words(chunks) -> set[str]:
    """Every word of the chunks' sections and text as printed, lower-cased."""
    return set().union(*(printed_words(f"{c.section} {c.text}") for c in chunks))


def table_words(words: set[str]) -> list[str]:
    """The words a table holds: those of ``MIN_LETTERS`` letters or more, sorted."""
    return sorted(w for w in words if len(w) >= MIN_LETTERS)


def model_identity(embeddings) -> dict[str, object]:
    """What the vectors depend on besides the word."""
    return {"model": str(embeddings.name), "backend": str(embeddings.backend),
            "fingerprint": str(embeddings.fingerprint), "dimension": int(embeddings.dimension)}


class WordVectors:
    """Word -> row of a float32 matrix (memory-mapped when read from disk)."""

    def __init__(self, words: tuple[str, ...], matrix: np.ndarray, identity: dict[str, object]) -> None:
        self.words = words
        self.matrix = matrix
        self.identity = identity
        self.rows = {w: i for i, w in enumerate(words)}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.rows

    def get(self, word: str) -> np.ndarray | None:
        row = self.rows.get(word)
        return None if row is None else self.matrix[row]

    def fits(self, embeddings) -> bool:
        """Its vectors come from this model and backend."""
        return self.identity == model_identity(embeddings)


class Builder:
    """Builds a table while an ingest embeds and stores its chunks.

    Rows of ``reuse`` (when it fits the model) are kept. For a backend whose vectors do not depend on the texts
    embedded with them (``onnx-int8``: one text per model call), the other words are embedded one at a time by a
    thread of the lowest priority, which takes only the core the ingest leaves idle (Chroma writes, the manifest);
    ``result()`` then embeds what is left on every core. Other backends (torch batches its texts) embed all the
    new words in ``result()``, in one call, as the answerer's pool of words was embedded."""

    def __init__(self, words: list[str], embeddings, reuse: WordVectors | None = None) -> None:
        self.words = words
        self.embeddings = embeddings
        self.identity = model_identity(embeddings)
        self.matrix = np.zeros((len(words), int(self.identity["dimension"])), dtype=np.float32)  # type: ignore[arg-type]
        known = reuse if reuse is not None and reuse.fits(embeddings) else None
        self.todo: list[int] = []
        for i, word in enumerate(words):
            vector = known.get(word) if known is not None else None
            if vector is None:
                self.todo.append(i)
            else:
                self.matrix[i] = vector
        self._next = 0
        self._lock = threading.Lock()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if self.todo and getattr(embeddings, "batch_independent", False):
            self._thread = threading.Thread(target=self._background, name="word-vectors", daemon=True)
            self._thread.start()

    def _take(self) -> int | None:
        with self._lock:
            if self._next >= len(self.todo):
                return None
            self._next += 1
            return self.todo[self._next - 1]

    def _background(self) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # this thread only (Linux)
        except (AttributeError, OSError):
            pass
        try:
            while (i := self._take()) is not None:
                self.matrix[i] = self.embeddings.embed_documents([self.words[i]])[0]
        except BaseException as exc:  # noqa: BLE001 - re-raised in the ingest's thread by result()
            self._error = exc

    def _rest(self) -> list[int]:
        with self._lock:
            rest, self._next = self.todo[self._next:], len(self.todo)
        return rest

    def cancel(self) -> None:
        """Stop the thread after its current word (an ingest that failed)."""
        self._rest()
        if self._thread is not None:
            self._thread.join()

    def result(self) -> WordVectors:
        rest = self._rest()
        # In slices when the vectors do not depend on the batch (a list of 6,800 vectors as Python floats is 80 MB);
        # else in one call, as the answerer's pool of words was embedded.
        step = SLICE if getattr(self.embeddings, "batch_independent", False) else max(1, len(rest))
        for k in range(0, len(rest), step):
            part = rest[k : k + step]
            self.matrix[part] = np.asarray(self.embeddings.embed_documents([self.words[i] for i in part]),
                                           dtype=np.float32)
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return WordVectors(tuple(self.words), self.matrix, self.identity)


def build(words: list[str], embeddings, reuse: WordVectors | None = None) -> WordVectors:
    """The table of ``words`` (see Builder)."""
    return Builder(words, embeddings, reuse).result()


def save(table: WordVectors, data_dir: Path) -> Path:
    """Write the table atomically into ``data_dir`` (temporary file, fsync, rename, fsync of the folder)."""
    path = Path(data_dir) / FILE_NAME
    matrix = np.ascontiguousarray(table.matrix, dtype="<f4")
    header = json.dumps({**table.identity, "count": len(table.words), "words": list(table.words),
                         "crc32": zlib.crc32(matrix.tobytes())}, ensure_ascii=False).encode("utf-8")
    head = MAGIC + struct.pack("<Q", len(header)) + header
    head += b"\0" * (-len(head) % ALIGN)
    tmp = path.with_name(f"{FILE_NAME}.tmp.{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(head)
            fh.write(matrix.tobytes())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return path


def load(data_dir: Path) -> WordVectors | None:
    """The table in ``data_dir``, memory-mapped; None when there is none; CorruptWordVectorsError when it is
    damaged (the message says what is wrong and that `rag ingest` writes it again)."""
    path = Path(data_dir) / FILE_NAME
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if fh.read(len(MAGIC)) != MAGIC:
                raise ValueError("it does not start with the table's signature")
            (length,) = struct.unpack("<Q", fh.read(8) or b"\0" * 8)
            if length > size:
                raise ValueError(f"its header length {length} is past the end of the file ({size} bytes)")
            header = json.loads(fh.read(length).decode("utf-8"))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorruptWordVectorsError(_message(path, f"cannot be read: {exc.strerror or exc}")) from exc
    except (ValueError, struct.error) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise CorruptWordVectorsError(_message(path, str(exc)[:200])) from exc
    try:
        words = tuple(header["words"])
        count, dim = int(header["count"]), int(header["dimension"])
        identity = {"model": str(header["model"]), "backend": str(header["backend"]),
                    "fingerprint": str(header["fingerprint"]), "dimension": dim}
        crc = int(header["crc32"])
        if count != len(words) or not all(isinstance(w, str) for w in words):
            raise ValueError(f"its header names {len(words)} words but counts {count}")
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptWordVectorsError(_message(path, f"its header is incomplete ({exc.__class__.__name__}: {exc})"))
    offset = len(MAGIC) + 8 + length
    offset += -offset % ALIGN
    if size != offset + count * dim * 4:
        raise CorruptWordVectorsError(_message(
            path, f"it is {size} bytes, but {count} vectors of {dim} need {offset + count * dim * 4}"))
    matrix = (np.memmap(path, dtype="<f4", mode="r", offset=offset, shape=(count, dim)) if count
              else np.zeros((0, dim), dtype=np.float32))
    if zlib.crc32(matrix.tobytes() if count else b"") != crc:
        raise CorruptWordVectorsError(_message(path, "its vectors do not match their checksum"))
    return WordVectors(words, matrix, identity)


def _message(path: Path, reason: str) -> str:
    return (f"The word vector table {path} is damaged ({reason}). Answers are still right (they embed the words "
            f"they need); `rag ingest` writes the table again.")
