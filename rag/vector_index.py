"""FAISS index kinds, chosen by corpus size: exact search while it is fast, approximate beyond."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from .errors import UserInputError

# Exact inner-product search over 200,000 384-d vectors takes ~15 ms on one core here; past that
# an approximate index keeps queries in single-digit milliseconds (see bench/ for the figures).
EXACT_MAX_VECTORS = int(os.environ.get("RAG_EXACT_MAX_VECTORS", "200000"))


def _faiss():
    import faiss

    return faiss


def _flat(vectors: np.ndarray):
    faiss = _faiss()
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


def _hnsw(vectors: np.ndarray):
    faiss = _faiss()
    index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 80
    index.add(vectors)
    index.hnsw.efSearch = 96
    return index


def _ivf(vectors: np.ndarray):
    faiss = _faiss()
    n, d = vectors.shape
    nlist = max(16, int(4 * math.sqrt(n)))
    quantizer = faiss.IndexFlatIP(d)
    index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    train = vectors if n <= 50 * nlist else vectors[np.random.default_rng(0).choice(n, 50 * nlist, replace=False)]
    index.train(train)
    index.add(vectors)
    index.nprobe = max(8, nlist // 32)
    return index


KINDS = {"flat": _flat, "hnsw": _hnsw, "ivf": _ivf}


def choose_kind(n_vectors: int) -> str:
    forced = os.environ.get("RAG_INDEX_KIND")
    if forced:
        if forced not in KINDS:
            raise UserInputError(f"Unknown index kind {forced!r}.", f"Choose one of: {', '.join(KINDS)}.")
        return forced
    return "flat" if n_vectors <= EXACT_MAX_VECTORS else "hnsw"


def build_vector_index(vectors: np.ndarray, kind: str | None = None):
    """(kind, FAISS index) for these L2-normalised vectors."""
    kind = kind or choose_kind(len(vectors))
    if kind not in KINDS:
        raise UserInputError(f"Unknown index kind {kind!r}.", f"Choose one of: {', '.join(KINDS)}.")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) == 0:
        kind = "flat"
    return kind, KINDS[kind](vectors)


def write_vector_index(index, path: Path) -> None:
    _faiss().write_index(index, str(path))


def read_vector_index(path: Path):
    return _faiss().read_index(str(path))


def search(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores, rows) of the k nearest vectors for each query; rows are -1 where there are fewer."""
    k = max(1, min(k, index.ntotal))
    if index.ntotal == 0:
        return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
