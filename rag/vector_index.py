"""FAISS index kinds, chosen by corpus size: exact search while it is fast, approximate beyond."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Iterator

import numpy as np

from .errors import UserInputError

# Which kind at which size, from bench/ann_sweep.py: 384-d vectors blended from real MiniLM chunk
# embeddings, real questions as queries, one query at a time on one FAISS thread, top 50 as the
# retriever asks, on this 2-core machine (load average under 1; the 1M rows under load 4, about
# twice as slow: flat over 1M vectors took 64 ms when measured on an idle machine).
#
#   vectors  kind  parameters               build    p50 ms   recall@10
#   41,000   flat                           0.1 s    3.3      1
#   65,000   flat                                    6.7      1
#   65,000   ivf   nlist 1024, nprobe 128   2.3 s    1.1      0.989
#   100,000  flat                                    11.3     1
#   100,000  ivf   nlist 1024, nprobe 128   5.9 s    1.4      0.986
#   100,000  hnsw  M 32, efSearch 256       22 s     0.65     0.989
#   500,000  flat                                    67       1
#   500,000  ivf   nlist 2048, nprobe 128   10 s     5.0      0.978
#   500,000  hnsw  M 32, efSearch 256       82 s     1.06     0.976
#   1M       ivf   nlist 4096, nprobe 128   140 s    8.4      0.966   (under load)
#   1M       hnsw  M 32, efSearch 96        452 s    0.45     0.89    (under load; efSearch before)
#   1M       hnsw  M 32, efSearch 256       452 s    1.06     0.972   (under load)
#
# Exact search while it costs under ~5 ms (half the 10 ms budget of a hybrid search): its results
# are exact and an update rebuilds it for nothing. IVF in the middle range: one to five ms at recall
# ~0.98, and an update reuses the trained centroids (seconds, not minutes). HNSW for the largest
# collections, the only kind here under 5 ms at 1M vectors with recall >= 0.95; its price is the
# build (1.5 minutes for 500,000 vectors, 3-8 for 1M), paid again on every update. The IVF probe
# count decides recall (96-128 probes gave >= 0.96 at every list count tried), so it is fixed, and
# the list count grows with the collection to keep each probe short. Settings.exact_max_vectors and
# .hnsw_min_vectors (RAG_EXACT_MAX_VECTORS, RAG_HNSW_MIN_VECTORS) move the boundaries.
EXACT_MAX_VECTORS = 50_000
HNSW_MIN_VECTORS = 500_000
IVF_LISTS_PER_ROOT = 4  # nlist: about 4 * sqrt(n), a power of two
IVF_PROBES = 128
IVF_TRAIN_PER_LIST = 64  # k-means wants ~39 points per list at least (faiss warns below); more buys little
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 256  # 96 (the value before) gave recall 0.89 at 1M


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
    index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.add(vectors)
    index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def ivf_shape(n_vectors: int) -> tuple[int, int]:
    """(nlist, nprobe) of the IVF index for this many vectors."""
    nlist = 1 << max(4, round(math.log2(IVF_LISTS_PER_ROOT * math.sqrt(max(n_vectors, 1)))))
    nlist = max(1, min(nlist, n_vectors // 39))  # few vectors (index_kind "ivf" on a small corpus): few lists
    return nlist, min(nlist, IVF_PROBES)


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


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise UserInputError(
            f"Unknown index kind {kind!r}.", f"Set RAG_INDEX_KIND to one of: {', '.join(KINDS)}, or unset it."
        )
    return kind


def choose_kind(n_vectors: int, forced: str = "", exact_max: int = 0, hnsw_min: int = 0) -> str:
    """The index kind for this many vectors: `forced` if given, else by size (0: the measured boundaries)."""
    if forced:
        return _check_kind(forced)
    if n_vectors <= (exact_max or EXACT_MAX_VECTORS):
        return "flat"
    return "ivf" if n_vectors < (hnsw_min or HNSW_MIN_VECTORS) else "hnsw"


def build_vector_index(
    vectors: np.ndarray, kind: str | None = None, previous: Path | None = None, exact_max: int = 0, hnsw_min: int = 0
):
    """(kind, FAISS index) for these L2-normalised vectors; without `kind`, chosen by `choose_kind`.

    `previous` is the index file of the generation being replaced: an IVF index reuses its centroids.
    """
    kind = _check_kind(kind or choose_kind(len(vectors), exact_max=exact_max, hnsw_min=hnsw_min))
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
    (flat search over 100,000 vectors here: 11 ms on one thread, 40 ms on two; over 41,000 with the
    machine under load: 11 against 47 ms). The setting is per calling thread in libgomp, so concurrent
    searches, and batch work in other threads, keep theirs."""
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
