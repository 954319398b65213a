"""The vector side of one data dir: a Chroma client (embedded in the data dir, or a server at RAG_CHROMA_URL),
one LangChain Chroma store per collection, and readable errors when the store fails."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.ingest.models import Chunk
from rag.store.embedding import Embeddings_
from rag.store.errors import BackendMismatchError, IndexError_, IndexMismatchError, StoreUnavailableError


class ChromaStore:
    """Chroma for one ``Settings``: the client, opened on first use and reopened to read what another process
    committed, and the collections (the embedding model, its dimension and backend in their metadata)."""

    def __init__(self, settings: Settings, embeddings: Callable[[], Embeddings_]) -> None:
        self.settings = settings
        self.data_dir = Path(settings.data_dir)
        self._embeddings = embeddings
        self._client_obj: Any = None
        self._opened_client = False
        self._file_stamp: tuple[int, int] | None = None  # the embedded store file the client opened
        self._stores: dict[str, Any] = {}
        self._backend_checked: set[str] = set()

    def client(self) -> Any:
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
                raise self.unavailable(exc) from exc
            self._file_stamp = self.file_stamp()
        self._client_obj = client
        self._opened_client = True
        return client

    def reopen(self) -> None:
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

    def collection(self, name: str) -> Any:
        """The LangChain Chroma vector store of a collection, created on first use."""
        store = self._stores.get(name)
        if store is None:
            from langchain_chroma import Chroma

            embeddings = self._embeddings()
            try:
                store = Chroma(
                    collection_name=name,
                    embedding_function=embeddings,
                    client=self.client(),
                    collection_metadata={
                        "hnsw:space": "cosine",
                        "embedding_model": self.settings.embedding_model,
                        "embedding_dim": embeddings.dimension,
                        "embedding_backend": self.settings.embedding_backend,
                    },
                )
            except IndexError_:
                raise
            except Exception as exc:
                raise self.unavailable(exc) from exc
            self._stores[name] = store
        return store

    def unavailable(self, exc: Exception) -> IndexError_:
        """The error to raise for a store failure (and the stores forgotten, so the next use reconnects)."""
        self._stores = {}
        if self.settings.chroma_url:
            return StoreUnavailableError(
                f"Chroma store at {self.settings.chroma_url} is unavailable: {exc.__class__.__name__}: {exc}")
        return StoreUnavailableError(
            f"Chroma store at {self.settings.chroma_path} is unavailable: {exc.__class__.__name__}: {exc}. "
            f"If the store is damaged, delete {self.data_dir} and run `rag ingest` again to rebuild it."
        )

    def _call(self, action: Callable[[], Any]) -> Any:
        """Run a store call; any failure but our own errors becomes StoreUnavailableError."""
        try:
            return action()
        except IndexError_:
            raise
        except Exception as exc:
            raise self.unavailable(exc) from exc

    def metadata(self, name: str) -> dict[str, Any]:
        return self._call(lambda: self.collection(name)._collection.metadata or {})

    def check_compatible(self, name: str) -> None:
        """The collection must have been built with the configured embedding model."""
        meta = self.metadata(name)
        dimension = self._embeddings().dimension
        model, dim = meta.get("embedding_model"), meta.get("embedding_dim")
        if (model and model != self.settings.embedding_model) or (dim and int(dim) != dimension):
            raise IndexMismatchError(
                f"The index was built with embedding model '{model}' ({dim} dimensions) but "
                f"RAG_EMBEDDING_MODEL is '{self.settings.embedding_model}' ({dimension}). "
                "Re-ingest with `rag ingest --rebuild` or set RAG_EMBEDDING_MODEL back."
            )

    def built_backend(self, name: str) -> str:
        """The embedding backend a collection's vectors come from (collections from before the setting: torch)."""
        return str(self.metadata(name).get("embedding_backend", "torch"))

    def check_backend(self, name: str) -> None:
        """Vectors of two backends are close but not equal: a collection is searched only with its own."""
        if name in self._backend_checked:
            return
        built = self.built_backend(name)
        if built != self.settings.embedding_backend:
            raise BackendMismatchError(
                f"The index in {self.settings.chroma_url or self.settings.chroma_path} was built with embedding "
                f"backend '{built}' but RAG_EMBEDDING_BACKEND is '{self.settings.embedding_backend}'. "
                f"Run `rag ingest` (it re-embeds everything with the configured backend) or set "
                f"RAG_EMBEDDING_BACKEND={built}."
            )
        self._backend_checked.add(name)

    @property
    def file(self) -> Path:
        return self.settings.chroma_path / "chroma.sqlite3"

    def file_stamp(self) -> tuple[int, int] | None:
        """(device, inode) of the embedded store's database; None when it is missing (or a server is used)."""
        if self.settings.chroma_url:
            return None
        try:
            stat = self.file.stat()
        except OSError:
            return None
        return (stat.st_dev, stat.st_ino)

    def follow_file(self) -> None:
        """A store database replaced on disk (deleted and rebuilt by `rag ingest`): read the new one. While
        it is missing the open client keeps what it had; ``check`` reports it."""
        if self._client_obj is None or self.settings.chroma_url:
            return
        stamp = self.file_stamp()
        if stamp is not None and stamp != self._file_stamp:
            self.reopen()

    def check(self, name: str, order: Sequence[str], committed: int, sample: int) -> str | None:
        """Does collection ``name`` hold the ``committed`` chunks (ids in ``order``)? None, or the reason."""
        fix = "run `rag ingest` to embed what is missing (no --rebuild needed)"
        if not self.settings.chroma_url and not self.file.exists():
            return (f"The vector store file {self.file.relative_to(self.data_dir)} in the data dir is "
                    f"missing while the index names {committed} chunks; {fix}.")
        try:
            client = self.client()
            if name not in self.collection_names():
                return (f"The vector store has no collection '{name}' while the index names "
                        f"{committed} chunks; {fix}.")
            collection = client.get_collection(name)
            count = collection.count()
            step = max(1, len(order) // sample)
            ids = list(order[::step][:sample])
            found = set(collection.get(ids=ids, include=[])["ids"])
        except Exception as exc:  # noqa: BLE001  (any store failure is the reason /readyz reports)
            self._stores = {}
            reason = str(exc).splitlines()[0][:200].replace(str(self.data_dir.resolve()), "<data dir>")
            return f"The vector store cannot be read ({exc.__class__.__name__}: {reason}); {fix}."
        if count < committed or len(found) < len(ids):
            return (f"The vector store holds {count} vectors for the index's {committed} chunks "
                    f"({len(found)} of {len(ids)} sampled ids found); {fix}.")
        return None

    def collection_names(self) -> list[str]:
        return [c if isinstance(c, str) else c.name for c in self.client().list_collections()]

    def ids(self, name: str) -> set[str]:
        """Every id collection ``name`` holds."""
        return self._call(lambda: set(self.collection(name)._collection.get(include=[])["ids"]))

    def prune(self, committed: str, keep: set[str]) -> None:
        """Drop our collections other than ``committed``, and its vectors whose ids are not in ``keep``."""
        def run() -> None:
            client = self.client()
            names = self.collection_names()
            for name in names:
                if name != committed and (name == self.settings.collection
                                          or name.startswith(f"{self.settings.collection}-")):
                    client.delete_collection(name)
            if committed in names:
                orphans = set(self.collection(committed)._collection.get(include=[])["ids"]) - keep
                if orphans:
                    self.delete(sorted(orphans), committed)

        self._call(run)

    def upsert(self, name: str, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        store = self.collection(name)
        try:
            store._collection.upsert(
                ids=[c.id for c in chunks],
                embeddings=vectors,
                documents=[c.text for c in chunks],
                metadatas=[c.metadata() for c in chunks],
            )
        except Exception as exc:
            raise self.unavailable(exc) from exc

    def delete(self, ids: list[str], name: str) -> None:
        def run() -> None:
            store = self.collection(name)
            for i in range(0, len(ids), 500):
                store.delete(ids=ids[i : i + 500])

        self._call(run)

    def query(self, name: str, vector: list[float], n: int) -> list[tuple[str, float]]:
        """(id, cosine distance) of the ``n`` nearest vectors."""
        result = self._call(lambda: self.collection(name)._collection.query(
            query_embeddings=[vector], n_results=n, include=["distances"]))
        return list(zip(result["ids"][0], result["distances"][0]))

    def ping(self, name: str) -> None:
        """Raise StoreUnavailableError when the vector store cannot be reached."""
        try:
            self.collection(name)._collection.count()
        except IndexError_:
            raise
        except Exception as exc:
            self.reopen()  # reconnect (or re-read the embedded store) once it is back
            raise self.unavailable(exc) from exc
