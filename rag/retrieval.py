"""Dense (FAISS) and BM25 retrieval, fused by standardised scores, then de-duplicated."""

from __future__ import annotations

import logging
import threading
from typing import Sequence

import numpy as np

from . import bm25 as _bm25
from .errors import UserInputError
from .filters import FilterColumns, SearchFilter, bm25_allowed, combine, dense_allowed
from .formats import split_key
from .text import terms
from .types import Chunk, Hit

log = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "bm25")
NEAR_DUPLICATE = 0.7  # Jaccard of term sets above which two passages count as copies
PER_FILE_FIRST_PASS = 3  # at most this many passages of one article before others get a turn
# Spelling repair: a query term the corpus never uses is read as the corpus term it is this close
# to (rapidfuzz ratio, 0-100), if any. "finnland" -> "finland" (93), "peskov" -> "pekov" (91);
# 85 keeps "russia"/"prussia" (92) a repair but not "brussels"/"russel" (71).
SPELLING_MIN_RATIO = 85
SPELLING_MIN_LENGTH = 4  # shorter terms ("us", "eu", "nato"'s stem) are left as written


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
        self.store = index.store  # rag.store: raw dense and BM25 scores; the ranking is made here
        self._vocab, self._df = self.store.term_stats()
        self._spellings: dict[tuple[str, int], list[tuple[int, str]]] | None = None
        # Term sets of chunks, filled as queries touch them: _diversify compares the candidates of
        # every query, and re-tokenising them cost more than the BM25 search itself.
        self._term_sets: dict[int, frozenset[str]] = {}
        self._lock = threading.Lock()

    # -- the two sides ------------------------------------------------------------------------

    def embed_query(self, query: str) -> np.ndarray:
        return self.embedder.embed([query])[0]

    def dense(self, query: str, n: int, qvec: np.ndarray | None = None) -> list[tuple[int, float]]:
        if not self.chunks:
            return []
        if qvec is None:
            qvec = self.embed_query(query)
        return self.store.dense(qvec[None, :], n)[0]

    def query_terms(self, query: str) -> list[str]:
        """BM25 terms of the query, each spelling repaired (see `correct`)."""
        return [self.correct(t) for t in terms(query)]

    def has_term(self, term: str) -> bool:
        return term in self._vocab

    def correct(self, term: str) -> str:
        """The one spelling rule: a term the corpus never uses becomes its closest corpus term.

        Numbers and short terms stay as written; so does a term with no close enough spelling."""
        if term in self._vocab or not self._vocab or term[0].isdigit() or len(term) < SPELLING_MIN_LENGTH:
            return term
        return self._closest(term) or term

    def idf(self, term: str) -> float:
        """Inverse document frequency of a BM25 term over the chunks (absent terms weigh most)."""
        col = self._vocab.get(term)
        df = int(self._df[col]) if col is not None and col < len(self._df) else 0
        return _bm25.idf(df, max(1, len(self.chunks)))

    def _closest(self, term: str) -> str | None:
        from rapidfuzz import fuzz, process

        with self._lock:
            if self._spellings is None:
                # by first letter and length, so that a lookup reads a few hundred terms, not all of them
                buckets: dict[tuple[str, int], list[tuple[int, str]]] = {}
                for n, v in enumerate(v for v in self._vocab if v and not v[0].isdigit()):
                    buckets.setdefault((v[0], len(v)), []).append((n, v))
                self._spellings = buckets
        found = [e for size in range(len(term) - 2, len(term) + 3) for e in self._spellings.get((term[0], size), ())]
        cands = [v for _, v in sorted(found)]  # in vocabulary order: ties go to the same term as before
        best = process.extractOne(term, cands, scorer=fuzz.ratio, score_cutoff=SPELLING_MIN_RATIO)
        return best[0] if best else None

    def bm25(self, query: str, n: int) -> list[tuple[int, float]]:
        if not self.chunks or not self._vocab:
            return []
        q = self.query_terms(query)
        if not q:
            return []
        return [(r, s) for r, s in self.store.lexical(q, min(n, len(self.chunks))) if s > 0]

    # -- fused search -------------------------------------------------------------------------

    def search(self, query: str, k: int = 5, mode: str = "hybrid",
               exclude_files: Sequence[str] = (), filter: SearchFilter | None = None) -> list[Hit]:
        """The k best passages; what `filter` (and `exclude_files`) leaves out is left out before
        ranking, as if it were not indexed."""
        check_mode(mode)
        if not query.strip() or not self.chunks:
            return []
        k = max(1, k)
        pool = max(50, 8 * k)
        allowed = self.filter_columns.mask(combine(filter, exclude_files) or SearchFilter())
        if allowed is None:
            dense = self.dense(query, pool) if mode in ("dense", "hybrid") else []
            sparse = self.bm25(query, pool) if mode in ("bm25", "hybrid") else []
            n_allowed = len(self.chunks)
        else:
            dense = dense_allowed(self, query, pool, allowed) if mode in ("dense", "hybrid") else []
            sparse = bm25_allowed(self, query, pool, allowed) if mode in ("bm25", "hybrid") else []
            n_allowed = int(allowed.sum())
        dense_scores = dict(dense)
        bm25_scores = dict(sparse)
        if mode == "dense":
            ranked = [(r, s) for r, s in dense]
        elif mode == "bm25":
            ranked = [(r, s) for r, s in sparse]
        else:
            # BM25 leaves out the candidates that share no word with the query: they scored 0
            ranked = fuse(dense, sparse, zeros_to=min(pool, n_allowed))
        rows = self._diversify([r for r, _ in ranked], k)
        score_of = dict(ranked)
        return [self._hit(r, score_of[r], dense_scores.get(r), bm25_scores.get(r)) for r in rows]

    def _diversify(self, rows: list[int], k: int) -> list[int]:
        """Drop near-copies; let no article take more than two places before others had theirs."""
        chosen: list[int] = []
        chosen_terms: list[frozenset[str]] = []
        deferred: list[int] = []
        per_file: dict[str, int] = {}
        for r in rows:
            c = self.chunks[r]
            ts = self._term_sets.get(r)
            if ts is None:
                ts = self._term_sets[r] = frozenset(terms(c.text))
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

    @property
    def filter_columns(self) -> FilterColumns:
        """Per-chunk dates, publishers and files for filters (built on the first filtered search)."""
        with self._lock:
            if getattr(self, "_filter_columns", None) is None:
                self._filter_columns = FilterColumns(self.chunks, self.index.documents)
            return self._filter_columns

    def _hit(self, row: int, score: float, dense: float | None, bm: float | None) -> Hit:
        c = self.chunks[row]
        doc = self.index.documents.get(c.file) or {}
        _file, row_id, page = split_key(c.file)
        return Hit(
            chunk_id=c.id, file=c.file, line_start=c.line_start, line_end=c.line_end,
            score=round(float(score), 6), text=c.text, title=c.title,
            char_start=c.char_start, char_end=c.char_end,
            dense_score=None if dense is None else round(dense, 6),
            bm25_score=None if bm is None else round(bm, 6),
            date=doc.get("date"), source=doc.get("publisher"), url=doc.get("url"), row=row_id, page=page,
        )


def fuse(*lists: Sequence[tuple[int, float]], zeros_to: int = 0) -> list[tuple[int, float]]:
    """Rows ranked by the sum of their standardised scores (z-scores within each list; a row a list
    lacks gets nothing from it, as if it scored that list's mean).

    A list shorter than `zeros_to` is standardised as if the rows it left out scored 0 (BM25 returns
    only passages that share a word with the query). Otherwise a rare name that only three passages
    contain gives BM25 a list of three, whose best is barely above its own mean, and the dense list's
    confident misses win: "What did Sybiha do in Brussels?" among 1,000 other articles.

    Reciprocal rank fusion, used before, weighs rank 1 of either list alike, however far ahead it
    is: a question naming a rare entity, which BM25 ranks first by a wide margin and the embedding
    model hardly recognises, lost to passages both lists ranked middling. On the 10,000-article
    planted-fact questions hit@5 went from 0.74 to 0.97 and MRR from 0.60 to 0.89 (1,000 articles:
    0.87 to 0.99); the dev set stays at 1.0 for both.
    """
    fused: dict[int, float] = {}
    for lst in lists:
        if not lst:
            continue
        scores = np.fromiter((s for _, s in lst), dtype=np.float64, count=len(lst))
        pool = np.concatenate([scores, np.zeros(max(0, zeros_to - len(scores)))])
        sd = pool.std()
        z = (scores - pool.mean()) / sd if sd > 0 else np.zeros_like(scores)  # all alike: no preference
        for (row, _), zi in zip(lst, z.tolist()):
            fused[row] = fused.get(row, 0.0) + zi
    return sorted(fused.items(), key=lambda x: -x[1])


def _jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
