"""BM25: per-chunk term counts, building and loading the bm25s index, document frequencies and IDF.

The index builds it (rag/index.py), retrieval and the evidence gate read it (rag/retrieval.py);
the term rules themselves live in rag/text.py.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np

from .text import terms
from .types import Chunk


def bm25_text(chunk: Chunk) -> str:
    return _bm25_text(chunk.text, chunk.title)


def _bm25_text(text: str, title: str) -> str:
    return f"{title}\n{text}" if title and title not in text else text


def term_counts(text: str, title: str, vocab: dict[str, int]) -> bytes:
    """A chunk's BM25 terms as (term id, count) int32 pairs; unseen terms are added to `vocab`.

    The index caches this per chunk, so that an update re-counts only the chunks that changed.
    """
    counts = Counter(terms(_bm25_text(text, title)))
    pairs = np.empty((len(counts), 2), dtype="<i4")
    pairs[:, 0] = [vocab.setdefault(t, len(vocab)) for t in counts]
    pairs[:, 1] = list(counts.values())
    return pairs.tobytes()


def import_bm25s():
    """bm25s, with the DEBUG level it sets on its own logger at import turned back down."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def build(rows: Sequence[bytes], vocab: Sequence[str]):
    """The bm25s index of chunks given as term_counts() pairs, `vocab[id]` being each id's term.

    bm25s.BM25.index counts every token in Python loops (about 6 s for 40,000 chunks here). This does
    the same arithmetic (bm25s's defaults: method "lucene", k1=1.5, b=0.75, float32 scores) with
    numpy on counts cached per chunk, so an update does not pay for the whole corpus again. The
    result is the object bm25s builds (same matrix, up to the order of the vocabulary, which bm25s
    takes from a set), saved and loaded by bm25s itself.
    """
    bm25s = import_bm25s()
    if not rows:
        return None
    retriever = bm25s.BM25()
    sizes = np.fromiter((len(r) // 8 for r in rows), dtype=np.int64, count=len(rows))
    if not sizes.any() or retriever.method != "lucene" or retriever.idf_method not in (None, "lucene"):
        # no terms at all, or a bm25s whose defaults moved: let bm25s count
        docs = []
        for r in rows:
            pairs = np.frombuffer(r, dtype="<i4").reshape(-1, 2)
            docs.append([vocab[i] for i, c in pairs for _ in range(c)])
        retriever.index(docs, show_progress=False)
        return retriever
    import scipy.sparse as sp  # bm25s depends on scipy

    pairs = np.frombuffer(b"".join(rows), dtype="<i4").reshape(-1, 2)
    ids, tf = pairs[:, 0], pairs[:, 1].astype(np.float64)
    n_docs = len(rows)
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), sizes)
    doc_len = np.bincount(doc, weights=tf, minlength=n_docs)
    # columns: the vocabulary ids that occur, in id order
    present = np.bincount(ids, minlength=len(vocab)) > 0
    used = np.flatnonzero(present)
    col = (np.cumsum(present) - 1)[ids]
    df = np.bincount(col, minlength=len(used))
    idf = idf_values(df, n_docs).astype(retriever.dtype)
    k1, b = retriever.k1, retriever.b
    data = idf[col] * (tf / (k1 * ((1 - b) + b * doc_len[doc] / doc_len.mean()) + tf))
    row_ptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(sizes, out=row_ptr[1:])
    # chunk-major pairs to the term-major (CSC) layout bm25s searches; scipy keeps chunks ascending
    csc = sp.csr_matrix((data.astype(retriever.dtype), col, row_ptr), shape=(n_docs, len(used))).tocsc()
    retriever.scores = {
        "data": csc.data.astype(retriever.dtype, copy=False),
        "indices": csc.indices.astype(retriever.int_dtype, copy=False),
        "indptr": csc.indptr.astype(np.int64, copy=False),
        "num_docs": n_docs,
    }
    vocab_dict = {vocab[i]: c for c, i in enumerate(used.tolist())}
    vocab_dict.setdefault("", len(vocab_dict))  # bm25s adds the empty token after the matrix's columns
    retriever.vocab_dict = vocab_dict
    retriever.unique_token_ids_set = set(vocab_dict.values())
    retriever.nonoccurrence_array = None
    return retriever


def idf_values(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Lucene's IDF (bm25s's default): log(1 + (N - df + 0.5) / (df + 0.5)); an absent term weighs most."""
    df = np.asarray(df, dtype=np.float64)
    return np.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def idf(df: int, n_docs: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def document_frequencies(index) -> tuple[dict[str, int], np.ndarray]:
    """(term -> column, chunks per column) of a bm25s index; empty for none."""
    if index is None:
        return {}, np.zeros(0, dtype=np.int64)
    vocab = dict(getattr(index, "vocab_dict", {}) or {})
    indptr = np.asarray(index.scores["indptr"])  # term-major (CSC): a column's length is its df
    return vocab, np.diff(indptr)


def save(index, path: Path) -> None:
    index.save(str(path), show_progress=False)


def load(path: Path):
    return import_bm25s().BM25.load(str(path), show_progress=False, verbosity=0)


# bm25s's defaults ("lucene"), which build() reads from bm25s itself; a store that weighs terms on its
# own (rag/store/qdrant.py) uses these.
K1 = 1.5
B = 0.75


def lengths(rows: Sequence[bytes]) -> np.ndarray:
    """Each chunk's length in BM25 terms (the sum of its term counts)."""
    return np.fromiter((np.frombuffer(r, dtype="<i4").reshape(-1, 2)[:, 1].sum() for r in rows),
                       dtype=np.float64, count=len(rows))


def term_weights(row: bytes, avg_length: float) -> tuple[np.ndarray, np.ndarray]:
    """(term ids, tf / (tf + k1 (1 - b + b dl / avgdl))): a chunk's BM25 score per term before IDF."""
    pairs = np.frombuffer(row, dtype="<i4").reshape(-1, 2)
    tf = pairs[:, 1].astype(np.float64)
    norm = K1 * ((1 - B) + B * tf.sum() / max(avg_length, 1e-9))
    return pairs[:, 0].astype(np.int64), (tf / (norm + tf)).astype(np.float32)


def frequencies(rows: Sequence[bytes], vocab: dict[str, int]) -> tuple[dict[str, int], np.ndarray]:
    """(term -> column, chunks per column) from term_counts() rows, as document_frequencies() gives for
    a bm25s index: only terms that occur, columns in id order."""
    if not rows:
        return {}, np.zeros(0, dtype=np.int64)
    ids = np.frombuffer(b"".join(rows), dtype="<i4").reshape(-1, 2)[:, 0]
    df = np.bincount(ids, minlength=len(vocab))
    used = np.flatnonzero(df)
    col = {i: c for c, i in enumerate(used.tolist())}
    return {t: col[i] for t, i in vocab.items() if i in col}, df[used].astype(np.int64)
