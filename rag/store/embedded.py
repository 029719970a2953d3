"""The embedded store: FAISS for vectors and bm25s for terms, files in the generation directory.

The code is the one the index always used (rag/vector_index.py, rag/bm25.py); this module only puts
it behind the Store protocol. Both indexes are rebuilt whole for every generation (an IVF index keeps
its trained centroids), so the writer takes every row at once and ignores the per-file changes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from .. import bm25 as _bm25
from ..types import Chunk
from .base import Record

log = logging.getLogger(__name__)

FAISS = "faiss.index"
BM25_DIR = "bm25"


class EmbeddedStore:
    """Searches a loaded FAISS index and a bm25s index; rows are FAISS ids and bm25s documents."""

    kind = "embedded"

    def __init__(self, faiss_index, bm25, chunks: Sequence[Chunk]):
        self.faiss_index = faiss_index
        self.bm25 = bm25
        self._chunks = chunks
        self._by_id: dict[str, Chunk] | None = None

    @classmethod
    def open(cls, gen: Path, chunks: Sequence[Chunk]) -> "EmbeddedStore":
        from ..vector_index import read_vector_index

        faiss_index = read_vector_index(gen / FAISS)
        bm25 = _bm25.load(gen / BM25_DIR) if (gen / BM25_DIR).exists() else None
        return cls(faiss_index, bm25, chunks)

    @property
    def n_vectors(self) -> int:
        return int(getattr(self.faiss_index, "ntotal", len(self._chunks)))

    def dense(self, queries: np.ndarray, n: int) -> list[list[tuple[int, float]]]:
        from ..vector_index import search

        scores, rows = search(self.faiss_index, queries, n)
        return [[(int(r), float(s)) for r, s in zip(rr, ss) if r >= 0] for rr, ss in zip(rows, scores)]

    def lexical(self, terms: Sequence[str], n: int) -> list[tuple[int, float]]:
        if self.bm25 is None or not terms or not self._chunks:
            return []
        n = min(n, len(self._chunks))
        # n_threads=0 scores in this thread; any other value starts a thread pool for each query
        docs, scores = self.bm25.retrieve([list(terms)], k=n, show_progress=False, n_threads=0)
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def fetch(self, chunk_ids: Sequence[str]) -> list[Chunk | None]:
        if self._by_id is None:
            self._by_id = {c.id: c for c in self._chunks}
        return [self._by_id.get(i) for i in chunk_ids]

    def term_stats(self) -> tuple[dict[str, int], np.ndarray]:
        return _bm25.document_frequencies(self.bm25)


class EmbeddedWriter:
    """Builds faiss.index and bm25/ into the new generation directory from every row."""

    rewrites_all = True

    def __init__(self, gen: Path, vectors: np.ndarray, term_counts: Sequence[bytes], vocab: Sequence[str],
                 kind: str = "", previous_faiss: Path | None = None, exact_max: int = 0, hnsw_min: int = 0):
        self.gen, self.vectors, self.term_counts, self.vocab = gen, vectors, term_counts, vocab
        self.kind, self.previous_faiss = kind, previous_faiss
        self.exact_max, self.hnsw_min = exact_max, hnsw_min

    def upsert(self, records: Iterable[Record]) -> None:
        """Nothing to do row by row: commit() builds both indexes from all the rows."""

    def delete_files(self, files: Sequence[str], keep: Iterable[int] = ()) -> None:
        """Nothing to do: a file left out of the rows is left out of the new indexes."""

    def commit(self) -> dict:
        from ..vector_index import build_vector_index, write_vector_index

        kind, vindex = build_vector_index(
            self.vectors, kind=self.kind or None, previous=self.previous_faiss,
            exact_max=self.exact_max, hnsw_min=self.hnsw_min,
        )
        write_vector_index(vindex, self.gen / FAISS)
        del vindex
        bm25 = _bm25.build(self.term_counts, self.vocab)
        if bm25 is not None:
            _bm25.save(bm25, self.gen / BM25_DIR)
        return {"kind": self.kind_name, "index_kind": kind}

    kind_name = EmbeddedStore.kind


def previous_faiss(prev_path: Path, prev_manifest: dict, verify: Callable[[Path, dict, Sequence[str]], None]) -> Path | None:
    """The previous generation's IVF index, whose centroids a new IVF index reuses, if it checks out."""
    from ..errors import IndexDamagedError

    if prev_manifest.get("index_kind") != "ivf":
        return None
    try:  # its centroids are reused: check them as the rest of what is reused
        verify(prev_path, prev_manifest, (FAISS,))
        return prev_path / FAISS
    except IndexDamagedError as exc:
        log.warning("Training the vector index afresh: %s", exc.message)
        return None
