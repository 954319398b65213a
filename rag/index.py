"""The index: embeddings, the Chroma store (embedded or server) and the lexical index, kept in step.

    index = ReportIndex.open(get_settings())
    report = index.ingest([Path("corpus")])
    index.dense_search("planned area of Gui'an", k=5)     # [(Chunk, similarity)]
    index.lexical_search("planned area of Gui'an", k=5)   # [(Chunk, bm25 score)]

The committed state is one manifest file (``index.json`` in ``RAG_DATA_DIR``), replaced atomically
at the end of an ingest. Chroma may briefly hold more vectors than the manifest names; searches
only return committed chunks, so a query during (or after an interrupted) ingest sees the old
index or the new one, never a mix:

- each thread answers from the committed state it pinned at its last ``reload()`` (the retriever
  reloads once per question), so a concurrent reload never changes a question's index halfway;
- a ``--rebuild`` embeds into a fresh collection named by the new manifest; the superseded
  collection is dropped by the next ingest, never under a reader's feet;
- vectors left behind by an interrupted ingest are deleted by the next one;
- an embedded Chroma client is reopened when another process committed, and a newly opened
  ``ReportIndex`` always starts from a fresh one, since Chroma caches one in-memory view per path
  for the life of the process and never re-reads what other processes wrote;
- the ingest lock is an ``flock`` on ``ingest.lock``: the kernel releases it when its holder dies
  (even by SIGKILL), so a killed ingest never leaves a stale lock; a second ingest meanwhile is
  refused with ``IngestLockedError`` naming the holder's pid and the data dir.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import re
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag import embeddings as embeddings_mod
from rag.config import Settings
from rag.ingest.chunk import chunk_page
from rag.ingest.continuation import KIND as CONTINUATION, continuation_chunks
from rag.ingest.loaders import LoadError, load_file, source_name
from rag.ingest.models import Block, Chart, ChartSeries, Chunk, ReconstructedPage, Table
from rag.ingest.pipeline import (corpus_files, default_vocabulary, display_path, reconstruct_pages, source_kind,
                                 walked_sources)
from rag.spelling import Speller
from rag.text import tokenize

MANIFEST_VERSION = 1
PIPELINE_VERSION = 2  # bump when reconstruction or chunking changes what a file yields
BUNDLED_MODELS = embeddings_mod.BUNDLED_MODELS


class IndexError_(Exception):
    """Base of the index's clear, user-facing errors."""


class ModelNotFoundError(IndexError_):
    pass


class IndexMismatchError(IndexError_):
    pass


class StoreUnavailableError(IndexError_):
    pass


class BackendMismatchError(IndexMismatchError):
    pass


class IngestLockedError(IndexError_):
    pass


class CorruptIndexError(IndexError_):
    pass


def resolve_model_path(name: str) -> Path:
    """The on-disk directory of an embedding model; never a download."""
    try:
        return embeddings_mod.resolve_model_path(name)
    except embeddings_mod.EmbeddingError as exc:
        raise ModelNotFoundError(str(exc)) from exc


Embeddings_ = embeddings_mod.TorchEmbeddings | embeddings_mod.OnnxEmbeddings


def load_embeddings(name: str, batch_size: int = 64, *, backend: str = "torch",
                    cache_dir: Path | None = None) -> Embeddings_:
    """One model per process and backend, whoever asks (rag.embeddings has the backends)."""
    try:
        return embeddings_mod.load(name, backend=backend, cache_dir=cache_dir, batch_size=batch_size)
    except embeddings_mod.EmbeddingError as exc:
        raise ModelNotFoundError(str(exc)) from exc


class LexicalIndex:
    """BM25 over the chunks' normalised tokens, with spelling correction against its vocabulary.

    Each token's posting list is two arrays (chunk numbers, precomputed BM25 weights), so a query
    is a few vector additions into one score array: ~1 ms at 28,000 chunks instead of ~90 ms of
    Python loops.
    """

    def __init__(self, docs: list[list[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.lengths = [len(d) for d in docs]
        self.avg_len = (sum(self.lengths) / len(docs)) if docs else 0.0
        lists: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for i, doc in enumerate(docs):
            for token, tf in Counter(doc).items():
                ids, tfs = lists[token]
                ids.append(i)
                tfs.append(tf)
        n = len(docs)
        lengths = np.asarray(self.lengths, dtype=np.float64)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.idf: dict[str, float] = {}
        for token, (ids, tfs) in lists.items():
            idx = np.asarray(ids, dtype=np.int64)
            tf = np.asarray(tfs, dtype=np.float64)
            norm = k1 * (1 - b + b * lengths[idx] / (self.avg_len or 1))
            self.idf[token] = idf = math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
            self.postings[token] = (idx, idf * tf * (k1 + 1) / (tf + norm))
        self._speller: Speller | None = None

    def df(self, token: str) -> int:
        """How many chunks contain the token."""
        entry = self.postings.get(token)
        return 0 if entry is None else len(entry[0])

    def correct(self, token: str) -> str | None:
        """The index's spelling of a query word it does not know ("aera" -> "area"): one edit away."""
        if token in self.postings:
            return token
        if len(token) < 4 or token.isdigit():
            return None
        if self._speller is None:
            self._speller = Speller(t for t in self.postings if t.isalpha())
        return self._speller.correct_token(token)

    def search(self, tokens: list[str], k: int) -> list[tuple[int, float]]:
        if not self.lengths or k <= 0:
            return []
        scores = np.zeros(len(self.lengths), dtype=np.float64)
        touched = np.zeros(len(self.lengths), dtype=bool)
        for token in tokens:
            token = self.correct(token)  # type: ignore[assignment]
            if token is None:
                continue
            idx, weights = self.postings[token]
            scores[idx] += weights  # a chunk appears once per posting list
            touched[idx] = True
        hits = np.flatnonzero(touched)
        if not len(hits):
            return []
        # ranked on scores rounded to 9 decimals: equal scores summed in another order stay equal, and ties go
        # by chunk number (stable)
        ranked = np.round(scores[hits], 9)
        if len(hits) > k:  # the k best
            cut = -np.partition(-ranked, k - 1)[k - 1]
            keep = ranked >= cut
            hits, ranked = hits[keep], ranked[keep]
        order = np.lexsort((hits, -ranked))[:k]
        return [(int(hits[i]), float(scores[hits[i]])) for i in order]


def unique_source(path: Path, sources: dict[str, Any]) -> str:
    """The file's source name (``source_name``: never absolute); when another file already holds that name, the
    name with a short hash of this file's real path, so two files are never one source."""
    name = source_name(path)
    real = str(path.resolve())
    held = sources.get(name, {}).get("file")
    if held is None or held == real:
        return name
    return f"{name}@{hashlib.sha256(real.encode()).hexdigest()[:8]}"


@dataclass
class IngestReport:
    files: int = 0
    pages: int = 0
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    repaired: int = 0  # committed chunks the vector store had lost, embedded again
    skipped: list[tuple[str, str]] = field(default_factory=list)
    removed_sources: list[str] = field(default_factory=list)  # files no longer in an ingested folder
    seconds: float = 0.0
    parse_seconds: float = 0.0  # loading, layout reconstruction and chunking
    embed_seconds: float = 0.0  # the embedding model alone
    store_seconds: float = 0.0  # Chroma writes and the manifest


def _page_to_json(page: ReconstructedPage) -> dict[str, Any]:
    return asdict(page)


def _block_from_json(data: dict[str, Any]) -> Block:
    table = Table(**data.pop("table")) if data.get("table") else None
    chart = None
    if data.get("chart"):
        c = dict(data.pop("chart"))
        series = [ChartSeries(s["label"], [tuple(p) for p in s["points"]]) for s in c.pop("series")]
        chart = Chart(series=series, **c)
    data.pop("table", None), data.pop("chart", None)
    return Block(**data, table=table, chart=chart)


def _page_from_json(data: dict[str, Any]) -> ReconstructedPage:
    blocks = [_block_from_json(dict(b)) for b in data.pop("blocks")]
    return ReconstructedPage(blocks=blocks, **data)


def _chunk_from_json(data: dict[str, Any]) -> Chunk:
    return Chunk(**{**data, "footnotes": tuple(data["footnotes"])})


@dataclass(frozen=True)
class _Committed:
    """One committed state of the index, swapped in whole so readers never see half of two."""

    chunks: dict[str, Chunk]
    order: list[str]
    pages: dict[tuple[str, int], ReconstructedPage]
    sources: dict[str, dict[str, Any]]
    lexical: LexicalIndex
    collection: str
    generation: int


class ReportIndex:
    """Chroma + lexical index + reconstructed pages, for one ``RAG_DATA_DIR``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir = Path(settings.data_dir)
        self.manifest_path = self.data_dir / "index.json"
        self._latest = _Committed({}, [], {}, {}, LexicalIndex([]), settings.collection, 0)
        self._local = threading.local()
        self._reload_lock = threading.Lock()
        self._manifest_stamp: tuple[float, int, int] | None = None
        self._client_obj: Any = None
        self._opened_client = False
        self._store_stamp: tuple[int, int] | None = None  # the embedded store file the client opened
        self._stores: dict[str, Any] = {}
        self._embeddings: Embeddings_ | None = None
        self._surface: tuple[int, set[str]] | None = None
        self._backend_checked: set[str] = set()

    @property
    def _pipeline(self) -> str:
        """What turns a file into chunks; a file read with other settings is read again."""
        return f"{PIPELINE_VERSION}:{self.settings.chunk_max_chars}"

    @classmethod
    def open(cls, settings: Settings) -> ReportIndex:
        index = cls(settings)
        index.reload()
        return index

    @property
    def _view(self) -> _Committed:
        """The state this thread pinned at its last reload (the latest one if it never reloaded)."""
        return getattr(self._local, "state", None) or self._latest

    @property
    def chunks(self) -> dict[str, Chunk]:
        return self._view.chunks

    @property
    def order(self) -> list[str]:
        return self._view.order

    @property
    def pages(self) -> dict[tuple[str, int], ReconstructedPage]:
        return self._view.pages

    @property
    def sources(self) -> dict[str, dict[str, Any]]:
        return self._view.sources

    @property
    def lexical(self) -> LexicalIndex:
        return self._view.lexical

    @property
    def generation(self) -> int:
        """Bumped whenever a new committed state is installed."""
        return self._view.generation

    @property
    def collection_name(self) -> str:
        """The Chroma collection holding the committed vectors."""
        return self._view.collection

    @property
    def embeddings(self) -> Embeddings_:
        if self._embeddings is None:
            self._embeddings = load_embeddings(self.settings.embedding_model, self.settings.embedding_batch_size,
                                               backend=self.settings.embedding_backend,
                                               cache_dir=self.settings.resolved_model_cache_dir)
        return self._embeddings

    def _client(self) -> Any:
        if self._client_obj is not None:
            return self._client_obj
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_url:
            from urllib.parse import urlparse

            url = urlparse(self.settings.chroma_url)
            try:
                client = chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                             ssl=url.scheme == "https", settings=chroma_settings)
            except Exception as exc:  # chromadb raises plain ValueError/ConnectionError when down
                raise StoreUnavailableError(
                    f"Chroma server at {self.settings.chroma_url} is not reachable ({exc}). "
                    "Start it (chroma run --path DIR --port N) or unset RAG_CHROMA_URL."
                ) from exc
        else:
            if not self._opened_client:
                # Chroma caches one System per path for the process's lifetime and never re-reads what
                # other processes wrote: a newly opened index starts from what is on disk now.
                from chromadb.api.client import SharedSystemClient

                SharedSystemClient._identifier_to_system.pop(str(self.settings.chroma_path), None)
            try:
                client = chromadb.PersistentClient(path=str(self.settings.chroma_path), settings=chroma_settings)
            except Exception as exc:
                raise self._unavailable(exc) from exc
            self._store_stamp = self._store_file_stamp()
        self._client_obj = client
        self._opened_client = True
        return client

    def _reopen_client(self) -> None:
        """Forget the embedded client so the next use reads what another process committed."""
        if self._client_obj is None:
            return
        if not self.settings.chroma_url:
            from chromadb.api.client import SharedSystemClient

            # Chroma shares one System per path for the process's lifetime; a reader that is still
            # using the old one keeps it (it is not stopped), new queries get a fresh view.
            SharedSystemClient._identifier_to_system.pop(str(self.settings.chroma_path), None)
        self._client_obj = None
        self._stores = {}

    def store(self, collection: str | None = None) -> Any:
        """The LangChain Chroma vector store of the committed collection, created on first use."""
        name = collection or self.collection_name
        store = self._stores.get(name)
        if store is None:
            from langchain_chroma import Chroma

            try:
                store = Chroma(
                    collection_name=name,
                    embedding_function=self.embeddings,
                    client=self._client(),
                    collection_metadata={
                        "hnsw:space": "cosine",
                        "embedding_model": self.settings.embedding_model,
                        "embedding_dim": self.embeddings.dimension,
                        "embedding_backend": self.settings.embedding_backend,
                    },
                )
            except IndexError_:
                raise
            except Exception as exc:
                raise self._unavailable(exc) from exc
            self._stores[name] = store
        return store

    def _unavailable(self, exc: Exception) -> IndexError_:
        self._stores = {}
        if self.settings.chroma_url:
            return StoreUnavailableError(
                f"Chroma store at {self.settings.chroma_url} is unavailable: {exc.__class__.__name__}: {exc}")
        return StoreUnavailableError(
            f"Chroma store at {self.settings.chroma_path} is unavailable: {exc.__class__.__name__}: {exc}. "
            f"If the store is damaged, delete {self.data_dir} and run `rag ingest` again to rebuild it."
        )

    def check_compatible(self) -> None:
        """The collection must have been built with the configured embedding model and backend."""
        try:
            meta = self.store()._collection.metadata or {}
        except IndexError_:
            raise
        except Exception as exc:
            raise self._unavailable(exc) from exc
        model, dim = meta.get("embedding_model"), meta.get("embedding_dim")
        if (model and model != self.settings.embedding_model) or (dim and int(dim) != self.embeddings.dimension):
            raise IndexMismatchError(
                f"The index was built with embedding model '{model}' ({dim} dimensions) but "
                f"RAG_EMBEDDING_MODEL is '{self.settings.embedding_model}' ({self.embeddings.dimension}). "
                "Re-ingest with `rag ingest --rebuild` or set RAG_EMBEDDING_MODEL back."
            )

    @property
    def store_file(self) -> Path:
        return self.settings.chroma_path / "chroma.sqlite3"

    def _store_file_stamp(self) -> tuple[int, int] | None:
        """(device, inode) of the embedded store's database; None when it is missing (or a server is used)."""
        if self.settings.chroma_url:
            return None
        try:
            stat = self.store_file.stat()
        except OSError:
            return None
        return (stat.st_dev, stat.st_ino)

    def _follow_store_file(self) -> None:
        """A store database replaced on disk (deleted and rebuilt by `rag ingest`): read the new one. While
        it is missing the open client keeps what it had; self_check reports it."""
        if self._client_obj is None or self.settings.chroma_url:
            return
        stamp = self._store_file_stamp()
        if stamp is not None and stamp != self._store_stamp:
            self._reopen_client()

    def self_check(self, sample: int = 32) -> str | None:
        """Do the manifest and the vector store agree? None when they do, else the reason, readable and
        without absolute paths: the store file is missing, the collection is gone, it holds fewer vectors
        than the manifest names, or some of a spread sample of committed ids are not in it. A failed check
        reopens the store once and checks again (another process may have repaired it)."""
        problem = self._check_store(sample)
        if problem is not None:
            self._reopen_client()
            problem = self._check_store(sample)
        return problem

    def _check_store(self, sample: int) -> str | None:
        view = self._view
        if not view.chunks:
            return None
        fix = "run `rag ingest` to embed what is missing (no --rebuild needed)"
        if not self.settings.chroma_url and not self.store_file.exists():
            return (f"The vector store file {self.store_file.relative_to(self.data_dir)} in the data dir is "
                    f"missing while the index names {len(view.chunks)} chunks; {fix}.")
        try:
            client = self._client()
            names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
            if view.collection not in names:
                return (f"The vector store has no collection '{view.collection}' while the index names "
                        f"{len(view.chunks)} chunks; {fix}.")
            collection = client.get_collection(view.collection)
            count = collection.count()
            step = max(1, len(view.order) // sample)
            ids = view.order[::step][:sample]
            found = set(collection.get(ids=ids, include=[])["ids"])
        except Exception as exc:  # noqa: BLE001  (any store failure is the reason /readyz reports)
            self._stores = {}
            reason = str(exc).splitlines()[0][:200].replace(str(self.data_dir.resolve()), "<data dir>")
            return f"The vector store cannot be read ({exc.__class__.__name__}: {reason}); {fix}."
        if count < len(view.chunks) or len(found) < len(ids):
            return (f"The vector store holds {count} vectors for the index's {len(view.chunks)} chunks "
                    f"({len(found)} of {len(ids)} sampled ids found); {fix}.")
        return None

    def missing_vectors(self, collection: str) -> set[str]:
        """Committed chunk ids the vector store does not hold."""
        try:
            present = set(self.store(collection)._collection.get(include=[])["ids"])
        except IndexError_:
            raise
        except Exception as exc:
            raise self._unavailable(exc) from exc
        return set(self.chunks) - present

    def _built_backend(self, collection: str) -> str:
        """The embedding backend a collection's vectors come from (collections from before the setting: torch)."""
        try:
            meta = self.store(collection)._collection.metadata or {}
        except IndexError_:
            raise
        except Exception as exc:
            raise self._unavailable(exc) from exc
        return str(meta.get("embedding_backend", "torch"))

    def _check_backend(self, collection: str) -> None:
        """Vectors of two backends are close but not equal: a collection is searched only with its own."""
        if collection in self._backend_checked:
            return
        built = self._built_backend(collection)
        if built != self.settings.embedding_backend:
            raise BackendMismatchError(
                f"The index in {self.settings.chroma_url or self.settings.chroma_path} was built with embedding "
                f"backend '{built}' but RAG_EMBEDDING_BACKEND is '{self.settings.embedding_backend}'. "
                f"Run `rag ingest` (it re-embeds everything with the configured backend) or set "
                f"RAG_EMBEDDING_BACKEND={built}."
            )
        self._backend_checked.add(collection)

    def reload(self) -> bool:
        """Pin this thread to the latest committed state, loading the manifest if it changed on disk.

        True when a new state was loaded.
        """
        with self._reload_lock:
            self._follow_store_file()
            loaded = self._load_manifest()
            self._local.state = self._latest
        return loaded

    def _load_manifest(self) -> bool:
        try:
            stat = self.manifest_path.stat()
        except FileNotFoundError:
            return False
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if stamp == self._manifest_stamp:
            return False
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            if data.get("version") != MANIFEST_VERSION:
                raise ValueError(f"manifest version {data.get('version')} (expected {MANIFEST_VERSION})")
            chunks = [_chunk_from_json(c) for c in data["chunks"]]
            pages = [_page_from_json(p) for p in data["pages"]]
            collection = str(data.get("collection") or self.settings.collection)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:  # deep nesting too
            raise CorruptIndexError(
                f"The index file {self.manifest_path} is corrupt ({exc.__class__.__name__}: {str(exc)[:200]}). "
                f"Delete {self.data_dir} (or just {self.manifest_path.name}) and run `rag ingest` again to rebuild it."
            ) from exc
        except OSError as exc:
            raise CorruptIndexError(
                f"The index file {self.manifest_path} cannot be read ({exc.strerror or exc}). "
                f"Check its permissions, or delete {self.data_dir} and run `rag ingest` again."
            ) from exc
        if self._manifest_stamp is not None or self._latest.generation:
            self._reopen_client()  # another process (or our own ingest) committed: read its vectors
        self._install(chunks, pages, data.get("sources", {}), collection)
        self._manifest_stamp = stamp
        return True

    def _install(self, chunks: list[Chunk], pages: list[ReconstructedPage], sources: dict[str, Any],
                 collection: str) -> None:
        state = _Committed(
            chunks={c.id: c for c in chunks},
            order=[c.id for c in chunks],
            pages={(p.source, p.page): p for p in pages},
            sources=sources,
            lexical=LexicalIndex([tokenize(f"{c.section} {c.embed_text}") for c in chunks]),
            collection=collection,
            generation=self._latest.generation + 1,
        )
        self._latest = state
        self._local.state = state

    @property
    def surface_words(self) -> set[str]:
        """Every word of the indexed text as printed (lower-cased), for spelling and word similarity."""
        view = self._view
        cached = self._surface
        if cached is None or cached[0] != view.generation:
            words = {w.lower() for c in view.chunks.values() for w in re.findall(r"[A-Za-z]+", f"{c.section} {c.text}")}
            cached = (view.generation, words)
            self._surface = cached
        return cached[1]

    @property
    def ready(self) -> bool:
        return bool(self.chunks)

    def _write_manifest(self, chunks: list[Chunk], pages: list[ReconstructedPage], sources: dict[str, Any],
                        collection: str | None = None) -> None:
        data = {
            "version": MANIFEST_VERSION,
            "embedding_model": self.settings.embedding_model,
            "collection": collection or self.collection_name,
            "sources": sources,
            "chunks": [asdict(c) for c in chunks],
            "pages": [_page_to_json(p) for p in pages],
        }
        tmp = self.manifest_path.with_suffix(f".tmp.{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.manifest_path)
        try:  # the rename must survive a power cut too
            dir_fd = os.open(self.data_dir, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError:
            pass

    def _lock(self) -> Any:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fh = open(self.data_dir / "ingest.lock", "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise IngestLockedError(
                f"Another `rag ingest` ({holder}) is writing to {self.data_dir}; wait for it to finish "
                f"(the lock {self.data_dir / 'ingest.lock'} is released when that process exits)."
            ) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        return fh

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        rebuild: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> IngestReport:
        """Bring the index in line with the given files; idempotent, and safe to interrupt."""
        started = time.perf_counter()
        report = IngestReport()
        lock = self._lock()
        try:
            self.reload()
            self._remove_leftovers()
            committed = self._view
            if not rebuild and committed.chunks:  # another backend's vectors are never mixed with ours
                rebuild = self._built_backend(committed.collection) != self.settings.embedding_backend
            if rebuild:  # a fresh collection; nothing carried over
                collection = f"{self.settings.collection}-{uuid.uuid4().hex[:12]}"
                chunks_by_source, pages_by_source, old_continuations = defaultdict(list), defaultdict(list), {}
                sources: dict[str, Any] = {}
            else:  # sentences across page breaks are redone from all pages in _commit
                self.check_compatible()
                collection = self.collection_name
                chunks_by_source, pages_by_source, old_continuations = self._split_committed()
                sources = dict(self.sources)
            paths = list(paths)
            files, refused = corpus_files(paths)
            report.skipped.extend(refused)
            removed_ids: list[str] = []

            def drop(source: str) -> None:
                report.removed += len(chunks_by_source[source])
                removed_ids.extend(c.id for c in chunks_by_source.pop(source, []))
                pages_by_source.pop(source, None)
                sources.pop(source, None)

            for folder in (p for p in paths if p.is_dir()):  # files gone from a folder leave the index
                found = [f for f in files if folder.resolve() in f.resolve().parents]
                for source in walked_sources(folder, found, sources):
                    drop(source)
                    report.removed_sources.append(source)
            names_of_file: dict[str, list[str]] = defaultdict(list)  # real path -> the names it was ingested as
            for name, entry in sources.items():
                if entry.get("file"):
                    names_of_file[entry["file"]].append(name)
            new_chunks: list[Chunk] = []
            parse_started = time.perf_counter()
            for n, path in enumerate(files, start=1):
                if progress:
                    progress(f"reading {path.name}", n, len(files))
                try:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError as exc:
                    report.skipped.append((str(path), exc.strerror or str(exc)))
                    continue
                source = unique_source(path, sources)
                for stale in names_of_file.pop(str(path.resolve()), []):
                    if stale != source and stale in sources:  # the same file under an earlier name: one source
                        drop(stale)
                report.files += 1
                known = sources.get(source, {})
                if known.get("sha256") == digest and known.get("pipeline", self._pipeline) == self._pipeline:
                    report.pages += len(pages_by_source[source])
                    report.unchanged += len(chunks_by_source[source])
                    continue
                try:
                    pages = reconstruct_pages(load_file(path, source))
                except LoadError as exc:
                    report.files -= 1
                    report.skipped.append((str(path), exc.reason))
                    continue
                chunks = [c for p in pages for c in chunk_page(p, self.settings.chunk_max_chars)]
                old_ids = {c.id for c in chunks_by_source[source]}
                new_ids = {c.id for c in chunks}
                report.pages += len(pages)
                report.unchanged += len(old_ids & new_ids)
                report.added += len(new_ids - old_ids)
                report.removed += len(old_ids - new_ids)
                removed_ids.extend(old_ids - new_ids)
                new_chunks.extend(c for c in chunks if c.id not in old_ids)
                chunks_by_source[source] = chunks
                pages_by_source[source] = pages
                sources[source] = {"sha256": digest, "pages": len(pages), "chunks": len(chunks),
                                   "pipeline": self._pipeline, "file": str(path.resolve()),
                                   "ingested": time.time()}
            report.parse_seconds = time.perf_counter() - parse_started
            self._commit(chunks_by_source, pages_by_source, sources, old_continuations, new_chunks, removed_ids,
                         collection, report, rebuild=rebuild, progress=progress)
        finally:
            lock.close()
        report.seconds = time.perf_counter() - started
        return report

    def _split_committed(self) -> tuple[dict[str, list[Chunk]], dict[str, list[ReconstructedPage]], dict[str, Chunk]]:
        """The committed chunks and pages by source, and the sentences across page breaks apart."""
        committed = self._view
        chunks_by_source: dict[str, list[Chunk]] = defaultdict(list)
        continuations: dict[str, Chunk] = {}
        for chunk in (committed.chunks[i] for i in committed.order):
            if chunk.kind == CONTINUATION:
                continuations[chunk.id] = chunk
            else:
                chunks_by_source[chunk.source].append(chunk)
        pages_by_source: dict[str, list[ReconstructedPage]] = defaultdict(list)
        for page in committed.pages.values():
            pages_by_source[page.source].append(page)
        return chunks_by_source, pages_by_source, continuations

    def _commit(self, chunks_by_source: dict[str, list[Chunk]], pages_by_source: dict[str, list[ReconstructedPage]],
                sources: dict[str, Any], old_continuations: dict[str, Chunk], new_chunks: list[Chunk],
                removed_ids: list[str], collection: str, report: IngestReport, *, rebuild: bool = False,
                progress: Callable[[str, int, int], None] | None = None) -> None:
        """Embed what is new, then commit (the manifest replace is the one commit point), then drop old vectors.

        A crash before the manifest is replaced leaves the previous state whole; after it, only vectors no
        manifest names remain, which searches never return and the next ingest deletes.
        """
        # A sentence cut by a page break, over every source's pages (pages of two files can follow each
        # other); ids from content and position, so unchanged pages embed nothing again.
        continuations = {c.id: c for c in continuation_chunks(
            (p for s in sorted(pages_by_source) for p in pages_by_source[s]), set(default_vocabulary()))}
        report.unchanged += len(continuations.keys() & old_continuations.keys())
        report.added += len(continuations.keys() - old_continuations.keys())
        report.removed += len(old_continuations.keys() - continuations.keys())
        removed_ids = [*removed_ids, *(old_continuations.keys() - continuations.keys())]
        new_chunks = [*new_chunks, *(c for i, c in continuations.items() if i not in old_continuations)]
        if not rebuild and self._view.chunks:
            # Vectors the store lost (a deleted or damaged store file): embed the committed chunks again.
            queued = {c.id for c in new_chunks}
            lost = self.missing_vectors(collection) - queued - set(removed_ids)
            current = {c.id: c for cs in chunks_by_source.values() for c in cs} | continuations
            repair = [current[i] for i in sorted(lost) if i in current]
            report.repaired += len(repair)
            new_chunks.extend(repair)
        self._embed_and_store(new_chunks, collection, progress, report)
        store_started = time.perf_counter()
        all_chunks = [c for s in sorted(chunks_by_source) for c in chunks_by_source[s]]
        all_chunks += sorted(continuations.values(), key=lambda c: (c.source, c.page, c.start))
        all_pages = [p for s in sorted(pages_by_source) for p in pages_by_source[s]]
        if (rebuild or new_chunks or removed_ids or sources != self.sources
                or not self.manifest_path.exists()):
            self._write_manifest(all_chunks, all_pages, sources, collection)
        if removed_ids and not rebuild:
            self._delete(removed_ids, collection)
        self.reload()
        report.store_seconds += time.perf_counter() - store_started

    def source_list(self) -> list[dict[str, Any]]:
        """Every ingested file: path (relative to the corpus root, never absolute), kind, pages, printed
        page labels, chunks, and when it was ingested (Unix time; None for an index written before that)."""
        view = self._view
        chunks = Counter(c.source for c in view.chunks.values() if c.kind != CONTINUATION)
        labels: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for page in view.pages.values():
            labels[page.source].append((page.page, page.page_label))
        return [{"source": source, "path": display_path(source, entry, self.settings.corpus_dir),
                 "kind": source_kind(source), "pages": len(labels[source]),
                 "page_labels": [label for _, label in sorted(labels[source])], "chunks": chunks[source],
                 "ingested": entry.get("ingested"), "sha256": entry.get("sha256")}
                for source, entry in sorted(view.sources.items())]

    def find_source(self, name: str) -> str | None:
        """The stored source a user means: its name as stored, the name of that path, or a unique file name."""
        sources = self.sources
        if name in sources:
            return name
        named = source_name(Path(name))
        if named in sources:
            return named
        matches = [s for s in sources if Path(s).name == Path(name).name]
        return matches[0] if len(matches) == 1 else None

    def remove(self, source: str) -> IngestReport:
        """Remove one source: its chunks from Chroma and the lexical index, its pages and its manifest entry.

        Raises KeyError when no source has that name (see ``find_source``).
        """
        started = time.perf_counter()
        report = IngestReport()
        lock = self._lock()
        try:
            self.reload()
            self._remove_leftovers()
            self.check_compatible()
            if source not in self.sources:
                raise KeyError(source)
            chunks_by_source, pages_by_source, old_continuations = self._split_committed()
            sources = dict(self.sources)
            sources.pop(source)
            gone = chunks_by_source.pop(source, [])
            pages_by_source.pop(source, None)
            report.removed = len(gone)
            report.removed_sources.append(source)
            self._commit(chunks_by_source, pages_by_source, sources, old_continuations, [], [c.id for c in gone],
                         self.collection_name, report)
        finally:
            lock.close()
        report.seconds = time.perf_counter() - started
        return report

    def _remove_leftovers(self) -> None:
        """Clean what interrupted ingests left: temporary manifests, uncommitted vectors, old collections."""
        for tmp in self.data_dir.glob(f"{self.manifest_path.stem}.tmp.*"):
            tmp.unlink(missing_ok=True)
        if not self.manifest_path.exists():
            return
        committed = self.collection_name
        try:
            client = self._client()
            names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
            for name in names:
                if name != committed and (name == self.settings.collection
                                          or name.startswith(f"{self.settings.collection}-")):
                    client.delete_collection(name)
            if committed in names:
                orphans = set(self.store()._collection.get(include=[])["ids"]) - set(self.chunks)
                if orphans:
                    self._delete(sorted(orphans), committed)
        except IndexError_:
            raise
        except Exception as exc:
            raise self._unavailable(exc) from exc

    def _embed_and_store(self, chunks: list[Chunk], collection: str,
                         progress: Callable[[str, int, int], None] | None, report: IngestReport) -> None:
        store = self.store(collection)
        # Similar lengths in one model batch waste little on padding; one upsert per slice keeps
        # Chroma's per-call overhead small and the progress bar moving.
        chunks = sorted(chunks, key=lambda c: len(c.embed_text))
        batch = max(1, self.settings.embedding_batch_size * 4)
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            embed_started = time.perf_counter()
            vectors = self.embeddings.embed_documents([c.embed_text for c in part])
            store_started = time.perf_counter()
            report.embed_seconds += store_started - embed_started
            try:
                store._collection.upsert(
                    ids=[c.id for c in part],
                    embeddings=vectors,
                    documents=[c.text for c in part],
                    metadatas=[c.metadata() for c in part],
                )
            except Exception as exc:
                raise self._unavailable(exc) from exc
            report.store_seconds += time.perf_counter() - store_started
            if progress:
                progress("embedding", min(i + batch, len(chunks)), len(chunks))

    def _delete(self, ids: list[str], collection: str | None = None) -> None:
        try:
            store = self.store(collection)
            for i in range(0, len(ids), 500):
                store.delete(ids=ids[i : i + 500])
        except IndexError_:
            raise
        except Exception as exc:
            raise self._unavailable(exc) from exc

    def dense_search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        """Nearest chunks by embedding, with cosine similarity; only committed chunks."""
        view = self._view
        if not view.chunks:
            return []
        self._check_backend(view.collection)
        vector = self.embeddings.embed_query(query)
        try:
            result = self.store(view.collection)._collection.query(
                query_embeddings=[vector], n_results=min(k + 10, max(1, len(view.chunks) + 10)),
                include=["distances"],
            )
        except IndexError_:
            raise
        except Exception as exc:
            raise self._unavailable(exc) from exc
        hits = []
        for chunk_id, distance in zip(result["ids"][0], result["distances"][0]):
            chunk = view.chunks.get(chunk_id)
            if chunk is not None:
                hits.append((chunk, 1.0 - float(distance)))
        return hits[:k]

    def lexical_search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        view = self._view
        tokens = tokenize(query)
        return [(view.chunks[view.order[i]], score) for i, score in view.lexical.search(tokens, k)]

    def page(self, page: int | str, source: str | None = None) -> ReconstructedPage | None:
        """A reconstructed page by physical number or printed label (optionally of one source)."""
        for p in self.pages.values():
            if source and p.source != source and Path(p.source).name != source:
                continue
            if str(page) in (str(p.page), p.page_label):
                return p
        return None

    def ping(self) -> None:
        """Raise StoreUnavailableError when the vector store cannot be reached."""
        try:
            self.store()._collection.count()
        except IndexError_:
            raise
        except Exception as exc:
            self._reopen_client()  # reconnect (or re-read the embedded store) once it is back
            raise self._unavailable(exc) from exc
