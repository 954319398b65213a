"""The index: embeddings, the Chroma store (embedded or server) and the lexical index, kept in step.

ReportIndex is the facade; its parts are in rag/store/ (errors, embedding, lexical, manifest, chroma, lock,
sources), and the names ingest, the chain and the routes use are re-exported here.

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

import hashlib
import logging
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.ingest.chunk import chunk_page
from rag.ingest.continuation import KIND as CONTINUATION
from rag.ingest.continuation import continuation_chunks
from rag.ingest.loaders import LoadError, load_file, source_name
from rag.ingest.models import Chunk, ReconstructedPage
from rag.ingest.pipeline import (
    corpus_files,
    default_vocabulary,
    display_path,
    reconstruct_pages,
    source_kind,
    walked_sources,
)
from rag.store import vocabulary
from rag.store.chroma import ChromaStore
from rag.store.embedding import BUNDLED_MODELS, Embeddings_, load_embeddings, resolve_model_path
from rag.store.errors import (
    BackendMismatchError,
    CorruptIndexError,
    IndexError_,
    IndexMismatchError,
    IngestLockedError,
    ModelNotFoundError,
    StoreUnavailableError,
)
from rag.store.lexical import LexicalIndex
from rag.store.lock import ingest_lock
from rag.store.manifest import PIPELINE_VERSION, read_manifest, temporary_manifests, write_manifest
from rag.store.sources import IngestReport, unique_source
from rag.text import tokenize

__all__ = ["BUNDLED_MODELS", "BackendMismatchError", "CorruptIndexError", "IndexError_", "IndexMismatchError",
           "IngestLockedError", "IngestReport", "LexicalIndex", "ModelNotFoundError", "ReportIndex",
           "StoreUnavailableError", "load_embeddings", "resolve_model_path", "unique_source"]


log = logging.getLogger(__name__)


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


def _pinned(name: str, doc: str) -> property:
    """A read-only view of one field of the committed state the calling thread pinned."""
    return property(lambda self: getattr(self._view, name), doc=doc)


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
        self._embeddings: Embeddings_ | None = None
        self._surface: tuple[int, set[str]] | None = None
        self._word_vectors: tuple[Any, vocabulary.WordVectors | None] | None = None  # (file stamp, table)
        self.chroma = ChromaStore(settings, lambda: self.embeddings)

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

    # What this thread's pinned state holds (see _view).
    chunks = _pinned("chunks", "The committed chunks by id.")
    order = _pinned("order", "The committed chunk ids, in the manifest's order.")
    pages = _pinned("pages", "The reconstructed pages by (source, physical page).")
    sources = _pinned("sources", "The ingested files by source name (sha256, pages, chunks, file, when).")
    lexical = _pinned("lexical", "The LexicalIndex over the committed chunks.")
    generation = _pinned("generation", "Bumped whenever a new committed state is installed.")
    collection_name = _pinned("collection", "The Chroma collection holding the committed vectors.")

    @property
    def embeddings(self) -> Embeddings_:
        if self._embeddings is None:
            self._embeddings = load_embeddings(self.settings.embedding_model, self.settings.embedding_batch_size,
                                               backend=self.settings.embedding_backend,
                                               cache_dir=self.settings.resolved_model_cache_dir)
        return self._embeddings

    def store(self, collection: str | None = None) -> Any:
        """The LangChain Chroma vector store of the committed collection (or another), created on first use."""
        return self.chroma.collection(collection or self.collection_name)

    def check_compatible(self) -> None:
        """The collection must have been built with the configured embedding model and backend."""
        self.chroma.check_compatible(self.collection_name)

    @property
    def store_file(self) -> Path:
        return self.chroma.file

    def self_check(self, sample: int = 32) -> str | None:
        """Do the manifest and the vector store agree? None when they do, else the reason, readable and
        without absolute paths: the store file is missing, the collection is gone, it holds fewer vectors
        than the manifest names, or some of a spread sample of committed ids are not in it. A failed check
        reopens the store once and checks again (another process may have repaired it)."""
        problem = self._check_store(sample)
        if problem is not None:
            self.chroma.reopen()
            problem = self._check_store(sample)
        return problem

    def _check_store(self, sample: int) -> str | None:
        view = self._view
        if not view.chunks:
            return None
        return self.chroma.check(view.collection, view.order, len(view.chunks), sample)

    def missing_vectors(self, collection: str) -> set[str]:
        """Committed chunk ids the vector store does not hold."""
        return set(self.chunks) - self.chroma.ids(collection)

    def reload(self) -> bool:
        """Pin this thread to the latest committed state, loading the manifest if it changed on disk.

        True when a new state was loaded.
        """
        with self._reload_lock:
            self.chroma.follow_file()
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
        manifest = read_manifest(self.manifest_path, self.settings.collection)
        if self._manifest_stamp is not None or self._latest.generation:
            self.chroma.reopen()  # another process (or our own ingest) committed: read its vectors
        self._install(manifest.chunks, manifest.pages, manifest.sources, manifest.collection)
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
            words = vocabulary.chunk_words(view.chunks.values())
            cached = (view.generation, words)
            self._surface = cached
        return cached[1]

    @property
    def word_vectors(self) -> vocabulary.WordVectors | None:
        """The vectors of the index's words (rag/store/vocabulary.py), read again only when the file changed (an
        ingest writes it right after its commit); None when there is no usable table (none written yet, another
        model's, or damaged: logged, and the answerer embeds the words it needs instead)."""
        try:
            st = (self.data_dir / vocabulary.FILE_NAME).stat()
            stamp: Any = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            stamp = None
        cached = self._word_vectors
        if cached is None or cached[0] != stamp:
            cached = self._word_vectors = (stamp, self._read_word_vectors() if stamp is not None else None)
        return cached[1]

    def _read_word_vectors(self) -> vocabulary.WordVectors | None:
        try:
            table = vocabulary.load(self.data_dir)
        except vocabulary.CorruptWordVectorsError as exc:
            log.warning("%s", exc)
            return None
        if table is not None and not table.fits(self.embeddings):
            return None  # another model's or backend's vectors: the next ingest writes ours
        return table

    def _word_vector_builder(self, chunks: Iterable[Chunk]) -> vocabulary.Builder | None:
        """A builder of the table of the words of ``chunks``, or None when the table on disk holds exactly them
        (its fitting rows are reused, new words embedded); part of an ingest, under its lock."""
        words = vocabulary.table_words(vocabulary.chunk_words(chunks))
        current = self._read_word_vectors()
        if current is not None and list(current.words) == words:
            return None
        return vocabulary.Builder(words, self.embeddings, reuse=current)

    @property
    def ready(self) -> bool:
        return bool(self.chunks)

    def _write_manifest(self, chunks: list[Chunk], pages: list[ReconstructedPage], sources: dict[str, Any],
                        collection: str | None = None) -> None:
        write_manifest(self.manifest_path, embedding_model=self.settings.embedding_model,
                       collection=collection or self.collection_name, sources=sources, chunks=chunks, pages=pages)

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        rebuild: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> IngestReport:
        """Bring the index in line with the given files; idempotent, and safe to interrupt."""
        with self._writing() as report:
            committed = self._view
            if not rebuild and committed.chunks:  # another backend's vectors are never mixed with ours
                rebuild = self.chroma.built_backend(committed.collection) != self.settings.embedding_backend
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
        return report

    @contextmanager
    def _writing(self) -> Iterator[IngestReport]:
        """An ingest or a removal: the lock held, the latest committed state loaded and what interrupted runs left
        cleaned; the report it yields gets its seconds."""
        started = time.perf_counter()
        report = IngestReport()
        lock = ingest_lock(self.data_dir)
        try:
            self.reload()
            self._remove_leftovers()
            yield report
        finally:
            lock.close()
        report.seconds = time.perf_counter() - started

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
        all_chunks = [c for s in sorted(chunks_by_source) for c in chunks_by_source[s]]
        all_chunks += sorted(continuations.values(), key=lambda c: (c.source, c.page, c.start))
        # The word vector table (rag/store/vocabulary.py) is embedded beside the chunks, on the core they leave idle.
        words = self._word_vector_builder(all_chunks)
        try:
            self._embed_and_store(new_chunks, collection, progress, report)
            store_started = time.perf_counter()
            all_pages = [p for s in sorted(pages_by_source) for p in pages_by_source[s]]
            if (rebuild or new_chunks or removed_ids or sources != self.sources
                    or not self.manifest_path.exists()):
                self._write_manifest(all_chunks, all_pages, sources, collection)
            if removed_ids and not rebuild:
                self._delete(removed_ids, collection)
            self.reload()
            report.store_seconds += time.perf_counter() - store_started
        except BaseException:
            if words is not None:
                words.cancel()
            raise
        if words is not None:  # after the commit: until then readers use the old table, right for the words it has
            started = time.perf_counter()
            table = words.result()
            report.embed_seconds += time.perf_counter() - started
            try:
                vocabulary.save(table, self.data_dir)
            except OSError as exc:  # the index is committed; without the table answers only embed more words
                log.warning("The word vector table could not be written in %s (%s); answers embed the words they "
                            "need until an ingest writes it.", self.data_dir, exc.strerror or exc)

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
        with self._writing() as report:
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
        return report

    def _remove_leftovers(self) -> None:
        """Clean what interrupted ingests left: temporary manifests, uncommitted vectors, old collections."""
        for tmp in temporary_manifests(self.manifest_path):
            tmp.unlink(missing_ok=True)
        for tmp in self.data_dir.glob(f"{vocabulary.FILE_NAME}.tmp.*"):
            tmp.unlink(missing_ok=True)
        if not self.manifest_path.exists():
            return
        self.chroma.prune(self.collection_name, set(self.chunks))

    def _embed_and_store(self, chunks: list[Chunk], collection: str,
                         progress: Callable[[str, int, int], None] | None, report: IngestReport) -> None:
        self.store(collection)  # a store that is down fails before any embedding
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
            self.chroma.upsert(collection, part, vectors)
            report.store_seconds += time.perf_counter() - store_started
            if progress:
                progress("embedding", min(i + batch, len(chunks)), len(chunks))

    def _delete(self, ids: list[str], collection: str | None = None) -> None:
        self.chroma.delete(ids, collection or self.collection_name)

    def dense_search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        """Nearest chunks by embedding, with cosine similarity; only committed chunks."""
        view = self._view
        if not view.chunks:
            return []
        self.chroma.check_backend(view.collection)
        vector = self.embeddings.embed_query(query)
        nearest = self.chroma.query(view.collection, vector, min(k + 10, max(1, len(view.chunks) + 10)))
        hits = []
        for chunk_id, distance in nearest:
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
        self.chroma.ping(self.collection_name)
