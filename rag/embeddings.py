"""Embedder protocol and the sentence-transformers implementation (bundled MiniLM by default)."""

from __future__ import annotations

import logging
import os
import threading
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from .config import DEFAULT_EMBED_MODEL, Settings, offline_environment
from .errors import RagError, UserInputError
from .model_files import bundled_model_path, max_seq_length, resolve_model

__all__ = ["Embedder", "SentenceTransformerEmbedder", "bundled_model_path", "load_embedder", "resolve_model",
           "tokenizer_for"]

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
        try:
            self._model = SentenceTransformer(str(local or model), device="cpu")
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


def load_embedder(settings: Settings) -> Embedder:
    """One embedder per (model, runtime) per process."""
    offline_environment()
    runtime = settings.embed_runtime
    if runtime == "auto":
        # ONNX Runtime int8 embeds ~2.5x faster than sentence-transformers' default and a query in ~2 ms
        # instead of ~20 ms, at cosine >= 0.98 to the torch vectors (bench/embed_throughput.py); torch is
        # the fallback
        runtime = "onnx" if _onnx_usable(settings) else "torch"
    key = (settings.embed_model, runtime, settings.embed_batch_size, settings.onnx_cache, settings.embed_precision,
           settings.embed_workers)
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
                    cache_dir=settings.onnx_cache, workers=settings.embed_workers,
                )
            else:
                raise UserInputError(
                    f"Unknown embedding runtime {runtime!r}.", "Use RAG_EMBED_RUNTIME=torch or onnx."
                )
        return _CACHE[key]
