"""Embedder protocol and the sentence-transformers implementation (bundled MiniLM by default)."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol, Sequence, runtime_checkable

import numpy as np

from .config import DEFAULT_EMBED_MODEL, Settings, offline_environment
from .errors import RagError, UserInputError
from .model_files import bundled_model_path, max_seq_length, resolve_model

__all__ = ["Embedder", "GpuStatus", "SentenceTransformerEmbedder", "VectorJournal", "bundled_model_path",
           "choose_device", "gpu_status", "load_embedder", "resolve_model", "resolve_runtime", "tokenizer_for"]

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors. One method; batching is the caller's choice."""

    name: str  # what the manifest records: a change of model forces a rebuild
    dim: int
    max_tokens: int  # the model's maximum sequence length in word pieces

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _torch_threads(threads: int) -> None:
    if threads > 0:
        import torch

        torch.set_num_threads(threads)


class SentenceTransformerEmbedder:
    """sentence-transformers on torch: the reference implementation."""

    runtime = "torch"

    def __init__(self, model: str = DEFAULT_EMBED_MODEL, batch_size: int = 8, threads: int = 0):
        self.name, local = resolve_model(model)
        self.batch_size = batch_size
        offline_environment()
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer

        try:  # the weight-loading progress bar is noise on a terminal and in --json output
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
        except ImportError:  # pragma: no cover - transformers always comes with sentence-transformers
            pass
        _torch_threads(threads)
        self.device = choose_device("torch", (), _torch_cuda())
        try:
            self._model = SentenceTransformer(str(local or model), device=self.device)
        except Exception as exc:  # the library raises many kinds; the user needs one sentence
            raise RagError(
                f"Cannot load the embedding model {model!r} ({type(exc).__name__}: {exc}).",
                "Use the bundled default (unset RAG_EMBED_MODEL) or a local model directory.",
            ) from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.max_tokens = int(self._model.max_seq_length)
        self._lock = threading.Lock()
        self._local = local

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # torch modules are not guaranteed re-entrant across threads
            vecs = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def tokenizer_file(self) -> str | None:
        if self._local and (self._local / "tokenizer.json").exists():
            return str(self._local / "tokenizer.json")
        return None


def tokenizer_for(settings: Settings):
    """The chunker's tokenizer: the embedding model's tokenizer.json, loaded without torch."""
    offline_environment()
    from .chunking import HFTokenizer

    _, local = resolve_model(settings.embed_model)
    if local is None or not (local / "tokenizer.json").exists():
        raise UserInputError(
            f"No tokenizer.json found for the embedding model {settings.embed_model!r}.",
            "Use a local sentence-transformers model directory that includes tokenizer.json.",
        )
    return HFTokenizer(str(local / "tokenizer.json"), max_tokens=max_seq_length(local))


def _onnx_usable(settings: Settings) -> bool:
    """ONNX needs onnxruntime and a local model folder (the bundled one, or a path) to export."""
    import importlib.util

    if importlib.util.find_spec("onnxruntime") is None:
        return False
    try:
        _, local = resolve_model(settings.embed_model)
    except RagError:
        return False
    return local is not None


TORCH_BATCH = 8  # Settings.embed_batch_size 0: sentence-transformers' fastest batch on 2 cores (config.py)
_CACHE: dict[tuple, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def resolve_runtime(settings: Settings) -> str:
    """The runtime `load_embedder` uses for these settings: "auto" becomes "onnx" or "torch"."""
    if settings.embed_runtime != "auto":
        return settings.embed_runtime
    # ONNX Runtime int8 embeds ~2.5x faster than sentence-transformers' default and a query in ~2 ms
    # instead of ~20 ms, at cosine >= 0.98 to the torch vectors (bench/embed_throughput.py); torch is
    # the fallback
    return "onnx" if _onnx_usable(settings) else "torch"


def load_embedder(settings: Settings) -> Embedder:
    """One embedder per (model, runtime) per process."""
    offline_environment()
    runtime = resolve_runtime(settings)
    key = (settings.embed_model, runtime, settings.embed_batch_size, settings.onnx_cache, settings.embed_precision,
           settings.embed_workers, settings.threads)
    with _CACHE_LOCK:
        if key not in _CACHE:
            if runtime == "torch":
                _CACHE[key] = SentenceTransformerEmbedder(
                    settings.embed_model, settings.embed_batch_size or TORCH_BATCH, settings.threads
                )
            elif runtime == "onnx":
                from .onnx_embedder import DEFAULT_BATCH, OnnxEmbedder

                _CACHE[key] = OnnxEmbedder.for_model(
                    settings.embed_model, settings.embed_batch_size or DEFAULT_BATCH, precision=settings.embed_precision,
                    cache_dir=settings.onnx_cache, workers=settings.embed_workers, threads=settings.threads,
                )
            else:
                raise UserInputError(
                    f"Unknown embedding runtime {runtime!r}.", "Use RAG_EMBED_RUNTIME=torch or onnx."
                )
        return _CACHE[key]


# ---------------------------------------------------------------------------------------------
# GPU: CUDA when the machine has one (ONNX Runtime's CUDA provider, or torch's CUDA build)

CUDA_PROVIDER = "CUDAExecutionProvider"


def choose_device(runtime: str, onnx_providers: Iterable[str], torch_cuda: bool) -> str:
    """"cuda" or "cpu" for an embedder on `runtime`, given what the machine offers.

    ONNX runs on CUDA only through onnxruntime's CUDA provider (the onnxruntime-gpu wheel); torch
    only when its build sees a CUDA device. Nothing else decides the device, so the choice is tested
    here on a machine without a GPU."""
    if runtime == "onnx":
        return "cuda" if CUDA_PROVIDER in set(onnx_providers) else "cpu"
    if runtime == "torch":
        return "cuda" if torch_cuda else "cpu"
    raise UserInputError(f"Unknown embedding runtime {runtime!r}.", "Use RAG_EMBED_RUNTIME=torch or onnx.")


def _onnx_providers() -> list[str]:
    try:
        import onnxruntime
    except ImportError:
        return []
    return list(onnxruntime.get_available_providers())


def _torch_cuda() -> bool:
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    try:
        return bool(torch.cuda.is_available())
    except Exception:  # a CUDA build on a machine with a broken driver: no GPU for us  # noqa: BLE001
        return False


@dataclass(frozen=True)
class GpuStatus:
    """What `rag doctor` reports: the device each runtime would use, and why."""

    onnx_providers: tuple[str, ...]
    torch_cuda: bool
    device: str  # the device of the runtime Settings choose
    runtime: str

    @property
    def detail(self) -> str:
        onnx = "CUDA provider present" if CUDA_PROVIDER in self.onnx_providers else "no CUDA provider (CPU only)"
        torch = "torch sees a CUDA device" if self.torch_cuda else "torch sees no CUDA device"
        return f"embeds on {self.device} ({self.runtime}); onnxruntime: {onnx}; {torch}"


def gpu_status(settings: Settings) -> GpuStatus:
    """Which device the embedder of `settings` runs on, from onnxruntime's providers and torch.cuda."""
    runtime = resolve_runtime(settings)
    providers, cuda = tuple(_onnx_providers()), _torch_cuda()
    return GpuStatus(providers, cuda, choose_device(runtime, providers, cuda), runtime)


# ---------------------------------------------------------------------------------------------
# The vector journal: what an unfinished build has embedded so far, by text hash


class VectorJournal:
    """Vectors of a build that has not committed yet, keyed by the hash of the text embedded.

    Written as batches finish (by the Ray path, rag/ray_embed.py), read by the next build before it
    embeds anything: a build killed halfway, rerun, embeds only what is missing. The build removes
    the file once its generation is live. Rows of another model (or dimension) are dropped on open."""

    FILE = "pending-vectors.sqlite"

    def __init__(self, path: Path, model: str, dim: int):
        self.path = Path(path)
        self.dim = int(dim)
        self._con = sqlite3.connect(self.path)
        self._con.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            "CREATE TABLE IF NOT EXISTS meta (model TEXT NOT NULL, dim INTEGER NOT NULL);"
            "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL);"
        )
        if self._con.execute("SELECT model, dim FROM meta").fetchall() != [(model, self.dim)]:
            with self._con:
                self._con.execute("DELETE FROM vectors")
                self._con.execute("DELETE FROM meta")
                self._con.execute("INSERT INTO meta VALUES (?, ?)", (model, self.dim))

    @classmethod
    def in_index(cls, index_dir: Path, model: str, dim: int) -> "VectorJournal":
        return cls(Path(index_dir) / cls.FILE, model, dim)

    @classmethod
    def exists_in(cls, index_dir: Path) -> bool:
        return (Path(index_dir) / cls.FILE).exists()

    @classmethod
    def discard(cls, index_dir: Path) -> None:
        """Remove the journal (and SQLite's WAL files) of a build whose generation is now live."""
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(Path(index_dir) / (cls.FILE + suffix))
            except FileNotFoundError:
                pass

    def __len__(self) -> int:
        return int(self._con.execute("SELECT count(*) FROM vectors").fetchone()[0])

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The journaled vectors of these keys (absent keys are left out)."""
        out: dict[str, np.ndarray] = {}
        keys = list(keys)
        for start in range(0, len(keys), 500):  # SQLite's limit on bound parameters
            part = keys[start : start + 500]
            rows = self._con.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part
            ).fetchall()
            for key, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape == (self.dim,):
                    out[key] = vec
        return out

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Record one finished batch; committed before returning, so a kill right after loses nothing."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(keys), self.dim):
            raise RagError(f"A batch of {len(keys)} texts came back with vectors of shape {vectors.shape}.",
                           "This is a bug; run `rag index` without --ray.")
        with self._con:
            self._con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                  ((k, v.tobytes()) for k, v in zip(keys, vectors)))

    def close(self) -> None:
        self._con.close()
