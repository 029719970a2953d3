"""FAISS index kinds, chosen by corpus size: exact search while it is fast, approximate beyond."""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path
from typing import Iterator

import numpy as np

from .errors import UserInputError

# Exact inner-product search over 200,000 384-d vectors takes ~15 ms on one core here; past that
# an approximate index keeps queries in single-digit milliseconds (see bench/ for the figures).
EXACT_MAX_VECTORS = int(os.environ.get("RAG_EXACT_MAX_VECTORS", "200000"))
# IVF shape: about IVF_LISTS_PER_ROOT * sqrt(n) lists (a power of two), a 1/IVF_PROBE_DIVISOR share probed.
IVF_LISTS_PER_ROOT = 2
IVF_PROBE_DIVISOR = 16
IVF_MIN_PROBE = 16
# k-means wants about this many training points per list (faiss warns below 39); more buys little.
IVF_TRAIN_PER_LIST = 64


def _faiss():
    import faiss

    return faiss


def _flat(vectors: np.ndarray, previous: Path | None = None):
    faiss = _faiss()
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


def _hnsw(vectors: np.ndarray, previous: Path | None = None):
    faiss = _faiss()
    index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 80
    index.add(vectors)
    index.hnsw.efSearch = 96
    return index


def ivf_shape(n_vectors: int) -> tuple[int, int]:
    """(nlist, nprobe) of the IVF index for this many vectors."""
    nlist = 1 << max(4, round(math.log2(IVF_LISTS_PER_ROOT * math.sqrt(max(n_vectors, 1)))))
    nlist = max(1, min(nlist, n_vectors // 39))  # tiny collections (RAG_INDEX_KIND=ivf): few lists
    return nlist, min(nlist, max(IVF_MIN_PROBE, nlist // IVF_PROBE_DIVISOR))


def _centroids(previous: Path | None, nlist: int, d: int) -> np.ndarray | None:
    """The coarse centroids of the previous generation's IVF index, if it has the list count wanted."""
    if previous is None or not previous.is_file():
        return None
    faiss = _faiss()
    try:
        old = faiss.read_index(str(previous), faiss.IO_FLAG_MMAP)  # maps the lists, reads the centroids
        ivf = faiss.try_extract_index_ivf(old)
        if ivf is None or ivf.nlist != nlist or ivf.d != d or ivf.metric_type != faiss.METRIC_INNER_PRODUCT:
            return None
        return ivf.quantizer.reconstruct_n(0, nlist)
    except RuntimeError:  # unreadable: train afresh
        return None


def _ivf(vectors: np.ndarray, previous: Path | None = None):
    faiss = _faiss()
    n, d = vectors.shape
    nlist, nprobe = ivf_shape(n)
    quantizer = faiss.IndexFlatIP(d)
    index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    centroids = _centroids(previous, nlist, d)
    if centroids is not None:
        # An update keeps the lists it had: k-means is most of the build, and a few changed files
        # do not move the clusters. `rag index --rebuild` trains afresh.
        quantizer.add(centroids)
        index.is_trained = True
    else:
        sample = IVF_TRAIN_PER_LIST * nlist
        train = vectors if n <= sample else vectors[np.random.default_rng(0).choice(n, sample, replace=False)]
        index.train(train)
    index.add(vectors)
    index.nprobe = nprobe
    return index


KINDS = {"flat": _flat, "hnsw": _hnsw, "ivf": _ivf}


def choose_kind(n_vectors: int) -> str:
    forced = os.environ.get("RAG_INDEX_KIND")
    if forced:
        if forced not in KINDS:
            raise UserInputError(f"Unknown index kind {forced!r}.", f"Choose one of: {', '.join(KINDS)}.")
        return forced
    return "flat" if n_vectors <= EXACT_MAX_VECTORS else "ivf"


def build_vector_index(vectors: np.ndarray, kind: str | None = None, previous: Path | None = None):
    """(kind, FAISS index) for these L2-normalised vectors.

    `previous` is the index file of the generation being replaced: an IVF index reuses its centroids.
    """
    kind = kind or choose_kind(len(vectors))
    if kind not in KINDS:
        raise UserInputError(f"Unknown index kind {kind!r}.", f"Choose one of: {', '.join(KINDS)}.")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) == 0:
        kind = "flat"
    return kind, KINDS[kind](vectors, previous)


def write_vector_index(index, path: Path) -> None:
    _faiss().write_index(index, str(path))


def read_vector_index(path: Path):
    return _faiss().read_index(str(path))


def search(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores, rows) of the k nearest vectors for each query; rows are -1 where there are fewer."""
    k = max(1, min(k, index.ntotal))
    if index.ntotal == 0:
        return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    if len(queries) > 1:
        return index.search(queries, k)
    with _one_thread():
        return index.search(queries, k)


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """One OpenMP thread for a single query: a second one costs more to wake and join than it saves
    (flat search over 41,000 vectors: 10.6 ms on one thread, 47 ms on two, on a busy 2-core machine;
    elsewhere 7.7 against 16 ms over 100,000). The setting is per calling thread in libgomp, so
    concurrent searches and batch work in other threads keep theirs."""
    faiss = _faiss()
    before = faiss.omp_get_max_threads()
    if before == 1:
        yield
        return
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)
