"""What the index and retrieval need from storage: the Store protocol, one reader and one writer.

A store holds, for one index, each chunk's dense vector and its BM25 term weights, and answers the
two searches with raw scores (cosine / inner product, BM25). Everything that decides a ranking
(fusion, spelling repair, diversity, the evidence gate) stays in rag/retrieval.py and
rag/evidence.py, so every backend ranks the same way. The chunk table, the documents, reported
speech and the manifest stay in the index directory's generation (rag/index.py), as for every
backend; a store is what replaces FAISS and bm25s.

Rows are positions in the generation's chunk table (what `LoadedIndex.chunks` lists); keys are a
chunk's stable number (`chunk_key`), the same in every generation, for backends that update in place.
A third backend (Milvus: one collection, a FLOAT_VECTOR field with COSINE and a SPARSE_FLOAT_VECTOR
field with IP, `delete(expr)`, `query(ids)`, aliases) fits the same two classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence, runtime_checkable

import numpy as np

from ..types import Chunk


def chunk_key(chunk_id: str) -> int:
    """A chunk's stable 63-bit number (a point id), from its id (a sha1 of file, span and text)."""
    return int(chunk_id[:16], 16) >> 1


@dataclass(frozen=True)
class Record:
    """One chunk as a store keeps it."""

    chunk: Chunk
    vector: np.ndarray  # float32, L2-normalised
    term_ids: np.ndarray  # BM25 terms, ids into the index's vocabulary (int32, unique)
    term_weights: np.ndarray  # BM25's term-frequency part per term; the store multiplies it by IDF
    date: str | None = None
    source: str | None = None  # the publisher

    @property
    def key(self) -> int:
        return chunk_key(self.chunk.id)


@runtime_checkable
class Store(Protocol):
    """Searches one index generation; thread-safe for reading."""

    kind: str

    def dense(self, queries: np.ndarray, n: int) -> list[list[tuple[int, float]]]:
        """For each query vector, up to n (row, raw similarity), best first."""
        ...

    def lexical(self, terms: Sequence[str], n: int) -> list[tuple[int, float]]:
        """Up to n (row, raw BM25 score) for these query terms (a repeated term counts twice), best first."""
        ...

    def fetch(self, chunk_ids: Sequence[str]) -> list[Chunk | None]:
        """The chunks with these ids (None for an id the store does not hold)."""
        ...

    def term_stats(self) -> tuple[dict[str, int], np.ndarray]:
        """(term -> column, chunks containing each column's term): spelling repair and IDF read this."""
        ...


@runtime_checkable
class StoreWriter(Protocol):
    """Writes one new generation. `rewrites_all`: the backend is given every row each time (FAISS and
    bm25s are rebuilt whole); otherwise only the chunks of files that changed, and it updates in place."""

    rewrites_all: bool

    def upsert(self, records: Iterable[Record]) -> None: ...

    def delete_files(self, files: Sequence[str], keep: Iterable[int] = ()) -> None:
        """Remove the chunks of these files, except those whose key is in `keep` (just upserted)."""
        ...

    def commit(self) -> dict:
        """Make the writes visible to readers (atomically where the backend allows); returns what the
        manifest records under "store" so that a reader can open it."""
        ...
