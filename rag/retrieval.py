"""Dense (FAISS) and BM25 retrieval, fused with reciprocal rank fusion, then de-duplicated."""

from __future__ import annotations

import logging
import threading
from typing import Sequence

import numpy as np

from .errors import UserInputError
from .text import terms
from .types import Chunk, Hit

log = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "bm25")
RRF_K = 60  # the constant from Cormack et al.; damps the head of each list
NEAR_DUPLICATE = 0.7  # Jaccard of term sets above which two passages count as copies
PER_FILE_FIRST_PASS = 2  # at most this many passages of one article before others get a turn


def bm25_text(chunk: Chunk) -> str:
    return _bm25_text(chunk.text, chunk.title)


def _bm25_text(text: str, title: str) -> str:
    return f"{title}\n{text}" if title and title not in text else text


def chunk_terms(text: str, title: str = "") -> str:
    """A chunk's BM25 terms joined by spaces (no term holds one): the index caches this per chunk."""
    return " ".join(terms(_bm25_text(text, title)))


def import_bm25s():
    """bm25s, with the DEBUG level it sets on its own logger at import turned back down."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def build_bm25(chunks: Sequence[Chunk]):
    """A bm25s index over the chunks' terms (stemmed, stopwords out, quotes normalised)."""
    if not chunks:
        return None
    return build_bm25_from_terms([chunk_terms(c.text, c.title) for c in chunks])


def build_bm25_from_terms(rows: Sequence[str]):
    """The bm25s index build_bm25 makes, from each chunk's cached terms (see chunk_terms).

    bm25s.BM25.index counts terms in Python loops (about 6 s for 40,000 chunks here); this does the
    same arithmetic (method "lucene", its defaults k1=1.5, b=0.75, float32 scores) with numpy in a
    fraction of that, so an incremental build does not pay for the whole corpus again.
    """
    from itertools import chain

    bm25s = import_bm25s()
    if not rows:
        return None
    docs = [r.split() for r in rows]
    flat = list(chain.from_iterable(docs))
    retriever = bm25s.BM25()
    if not flat or retriever.method != "lucene" or retriever.idf_method not in (None, "lucene"):
        retriever.index(docs, show_progress=False)  # degenerate input, or a bm25s whose defaults moved
        return retriever
    vocab = {t: i for i, t in enumerate(dict.fromkeys(flat))}
    n_docs, n_vocab = len(docs), len(vocab)
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=n_docs)
    ids = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
    # one key per (term, chunk) pair, term-major: sorted keys are the CSC layout bm25s stores
    keys, tf = np.unique(ids * n_docs + np.repeat(np.arange(n_docs, dtype=np.int64), lengths), return_counts=True)
    term = keys // n_docs
    doc = keys - term * n_docs
    df = np.bincount(term, minlength=n_vocab)
    idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5)).astype(retriever.dtype)
    k1, b = retriever.k1, retriever.b
    tfc = tf / (k1 * ((1 - b) + b * lengths[doc] / lengths.mean()) + tf)
    indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    retriever.scores = {
        "data": (idf[term] * tfc).astype(retriever.dtype),
        "indices": doc.astype(retriever.int_dtype),
        "indptr": indptr,
        "num_docs": n_docs,
    }
    vocab[""] = n_vocab  # bm25s adds the empty token after the matrix's columns
    retriever.vocab_dict = vocab
    retriever.unique_token_ids_set = set(vocab.values())
    retriever.nonoccurrence_array = None
    return retriever


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise UserInputError(f"Unknown search mode {mode!r}.", f"Choose one of: {', '.join(MODES)}.")
    return mode


class Retriever:
    """Searches one loaded index. Thread-safe: FAISS and bm25s searches only read shared state."""

    def __init__(self, index, embedder):
        self.index = index
        self.embedder = embedder
        self.chunks: list[Chunk] = index.chunks
        self._vocab: dict[str, int] = dict(getattr(index.bm25, "vocab_dict", {}) or {})
        self._vocab_list: list[str] | None = None
        self._lock = threading.Lock()

    # -- the two sides ------------------------------------------------------------------------

    def embed_query(self, query: str) -> np.ndarray:
        return self.embedder.embed([query])[0]

    def dense(self, query: str, n: int, qvec: np.ndarray | None = None) -> list[tuple[int, float]]:
        from .vector_index import search

        if not self.chunks:
            return []
        if qvec is None:
            qvec = self.embed_query(query)
        scores, rows = search(self.index.faiss_index, qvec[None, :], n)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def query_terms(self, query: str) -> list[str]:
        """BM25 terms of the query; a term the corpus never uses is replaced by its closest spelling."""
        out = []
        for t in terms(query):
            if t in self._vocab or not self._vocab or t[0].isdigit() or len(t) < 4:
                out.append(t)
                continue
            fixed = self._closest(t)
            out.append(fixed or t)
        return out

    def _closest(self, term: str) -> str | None:
        from rapidfuzz import fuzz, process

        with self._lock:
            if self._vocab_list is None:
                self._vocab_list = [v for v in self._vocab if v and not v[0].isdigit()]
        cands = [v for v in self._vocab_list if abs(len(v) - len(term)) <= 2 and v[0] == term[0]]
        best = process.extractOne(term, cands, scorer=fuzz.ratio, score_cutoff=85)
        return best[0] if best else None

    def bm25(self, query: str, n: int) -> list[tuple[int, float]]:
        bm = self.index.bm25
        if bm is None or not self.chunks:
            return []
        q = self.query_terms(query)
        if not q:
            return []
        n = min(n, len(self.chunks))
        docs, scores = bm.retrieve([q], k=n, show_progress=False, n_threads=1)
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    # -- fused search -------------------------------------------------------------------------

    def search(self, query: str, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        check_mode(mode)
        if not query.strip() or not self.chunks:
            return []
        k = max(1, k)
        pool = max(50, 8 * k)
        dense = self.dense(query, pool) if mode in ("dense", "hybrid") else []
        sparse = self.bm25(query, pool) if mode in ("bm25", "hybrid") else []
        dense_scores = dict(dense)
        bm25_scores = dict(sparse)
        if mode == "dense":
            ranked = [(r, s) for r, s in dense]
        elif mode == "bm25":
            ranked = [(r, s) for r, s in sparse]
        else:
            fused: dict[int, float] = {}
            for lst in (dense, sparse):
                for rank, (row, _s) in enumerate(lst):
                    fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
            ranked = sorted(fused.items(), key=lambda x: -x[1])
        rows = self._diversify([r for r, _ in ranked], k)
        score_of = dict(ranked)
        return [self._hit(r, score_of[r], dense_scores.get(r), bm25_scores.get(r)) for r in rows]

    def _diversify(self, rows: list[int], k: int) -> list[int]:
        """Drop near-copies; let no article take more than two places before others had theirs."""
        chosen: list[int] = []
        chosen_terms: list[set[str]] = []
        deferred: list[int] = []
        per_file: dict[str, int] = {}
        for r in rows:
            c = self.chunks[r]
            ts = set(terms(c.text))
            if any(_jaccard(ts, other) > NEAR_DUPLICATE for other in chosen_terms):
                continue
            if per_file.get(c.file, 0) >= PER_FILE_FIRST_PASS:
                deferred.append(r)
                continue
            chosen.append(r)
            chosen_terms.append(ts)
            per_file[c.file] = per_file.get(c.file, 0) + 1
            if len(chosen) >= k:
                return chosen
        for r in deferred:
            if len(chosen) >= k:
                break
            chosen.append(r)
        return chosen

    def _hit(self, row: int, score: float, dense: float | None, bm: float | None) -> Hit:
        c = self.chunks[row]
        return Hit(
            chunk_id=c.id, file=c.file, line_start=c.line_start, line_end=c.line_end,
            score=round(float(score), 6), text=c.text, title=c.title,
            char_start=c.char_start, char_end=c.char_end,
            dense_score=None if dense is None else round(dense, 6),
            bm25_score=None if bm is None else round(bm, 6),
        )

    def hit_for_row(self, row: int, score: float) -> Hit:
        return self._hit(row, score, None, None)


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
