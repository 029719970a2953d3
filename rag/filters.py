"""Search filters (dates, publishers, left-out files), applied to the candidates before ranking.

A filter is turned into a boolean mask over the index's chunk rows once per search; FAISS and
bm25s then search only the rows the mask allows, so a narrow filter still returns k passages
(filtering the top 50 afterwards would leave none when the period holds 1% of the corpus).
"""

from __future__ import annotations

import datetime as _dt
import re
import threading
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from .errors import UserInputError

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_date(value: str | None, end: bool = False) -> str | None:
    """'2024', '2024-12' or '2024-12-03' -> 'yyyy-mm-dd' (the first day, or with end=True the last)."""
    if value is None or not str(value).strip():
        return None
    m = _ISO.match(str(value).strip())
    if not m:
        raise UserInputError(f"{value!r} is not a date.", "Give it as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2024-12-03.")
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    try:
        if mo is None:
            day = _dt.date(y, 12, 31) if end else _dt.date(y, 1, 1)
        elif d is None:
            first = _dt.date(y, int(mo), 1)
            day = (first.replace(day=28) + _dt.timedelta(days=4)).replace(day=1) - _dt.timedelta(days=1) if end else first
        else:
            day = _dt.date(y, int(mo), int(d))
    except ValueError:
        raise UserInputError(f"{value!r} is not a date.", "Give it as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2024-12-03.") from None
    return day.isoformat()


@dataclass(frozen=True)
class SearchFilter:
    """What a search may return. Empty fields filter nothing.

    since/until are inclusive ISO dates; an article without a date is left out as soon as either
    is set (nothing shows it is in the period). `sources` match the publisher (case-insensitive,
    whole words: "fox" matches "Fox News") or the host of the article's URL ("reuters.com")."""

    exclude_files: frozenset[str] = frozenset()
    since: str | None = None
    until: str | None = None
    sources: frozenset[str] = frozenset()
    # True when the dates come from the question ("in December 2024"), not from the user's options
    from_question: bool = field(default=False, compare=False)

    @classmethod
    def of(cls, since: str | None = None, until: str | None = None, sources: Iterable[str] = (),
           exclude_files: Iterable[str] = ()) -> "SearchFilter":
        """Parse user input ('2024-12', 'Reuters'); raises UserInputError for a date that is not one."""
        s, u = parse_date(since), parse_date(until, end=True)
        if s and u and s > u:
            raise UserInputError(f"The since date {since} is after the until date {until}.", "Swap the two dates.")
        names = frozenset(n.strip() for n in sources if n and n.strip())
        return cls(frozenset(exclude_files), s, u, names)

    def __bool__(self) -> bool:
        return bool(self.exclude_files or self.since or self.until or self.sources)

    @property
    def dated(self) -> bool:
        return bool(self.since or self.until)

    def excluding(self, files: Sequence[str]) -> "SearchFilter":
        return replace(self, exclude_files=self.exclude_files | frozenset(files)) if files else self

    def describe(self) -> str:
        """'2024-12-01 to 2024-12-31, Reuters' for a caption."""
        parts = []
        if self.dated:
            parts.append(f"{self.since or '…'} to {self.until or '…'}")
        if self.sources:
            parts.append(", ".join(sorted(self.sources)))
        return "; ".join(parts)


def combine(f: SearchFilter | None, exclude_files: Sequence[str] = ()) -> SearchFilter | None:
    """One filter from an optional filter and the older `exclude_files` argument."""
    if not exclude_files:
        return f
    return (f or SearchFilter()).excluding(exclude_files)


def _words(s: str) -> str:
    return " " + " ".join(re.findall(r"\w+", s.casefold())) + " "


def source_matches(name: str, publisher: str | None, url: str | None) -> bool:
    """Whether a --source NAME matches an article's publisher or URL host."""
    want = _words(name)
    if want.strip() and publisher and want in _words(publisher):
        return True
    if url:
        host = re.sub(r"^[a-z]+://", "", url.casefold()).split("/", 1)[0].split(":", 1)[0]
        n = name.casefold().strip()
        return bool(n) and (host == n or host.endswith("." + n) or host.removeprefix("www.") == n)
    return False


def date_ordinal(date: str | None) -> int:
    """Days since year 1 of an ISO date's first ten characters; -1 when there is none."""
    if not date:
        return -1
    try:
        return _dt.date.fromisoformat(date[:10]).toordinal()
    except ValueError:
        return -1


class FilterColumns:
    """Per-chunk date, publisher and file ids of one loaded index, built on first use (thread-safe)."""

    def __init__(self, chunks, documents: dict[str, dict]):
        self._chunks = chunks
        self._documents = documents
        self._lock = threading.Lock()
        self._built = False

    def _build(self) -> None:
        import numpy as np

        with self._lock:
            if self._built:
                return
            files: dict[str, int] = {}
            pubs: dict[tuple[str | None, str | None], int] = {}
            n = len(self._chunks)
            self.file_id = np.empty(n, dtype=np.int32)
            self.pub_id = np.empty(n, dtype=np.int32)
            self.day = np.empty(n, dtype=np.int32)
            doc_day: dict[str, int] = {}
            doc_pub: dict[str, int] = {}
            for row, c in enumerate(self._chunks):
                f = c.file
                fid = files.get(f)
                if fid is None:
                    fid = files[f] = len(files)
                    d = self._documents.get(f) or {}
                    doc_day[f] = date_ordinal(d.get("date"))
                    # one id per distinct (publisher, host): a source filter tests each once
                    doc_pub[f] = pubs.setdefault((d.get("publisher"), _host(d.get("url"))), len(pubs))
                self.file_id[row] = fid
                self.day[row] = doc_day[f]
                self.pub_id[row] = doc_pub[f]
            self.files = files
            self.pubs = list(pubs)
            self._built = True

    def mask(self, f: SearchFilter):
        """Boolean array over chunk rows (True = may be returned), or None when nothing is filtered."""
        import numpy as np

        if not f or not self._chunks:
            return None
        self._build()
        keep = np.ones(len(self._chunks), dtype=bool)
        if f.dated:
            lo = date_ordinal(f.since) if f.since else 0
            hi = date_ordinal(f.until) if f.until else 1 << 30
            keep &= (self.day >= lo) & (self.day <= hi)  # undated rows (-1) fall below any `since`
            if not f.since:
                keep &= self.day >= 0
        if f.sources:
            ok = [i for i, (pub, host) in enumerate(self.pubs)
                  if any(source_matches(n, pub, host) for n in f.sources)]
            keep &= np.isin(self.pub_id, np.asarray(ok, dtype=np.int32))
        if f.exclude_files:
            # a whole export is left out by its name ("export.csv"), one row by its key ("export.csv#812")
            from .formats import source_file

            drop = [i for name, i in self.files.items() if name in f.exclude_files or source_file(name) in f.exclude_files]
            if drop:
                keep &= ~np.isin(self.file_id, np.asarray(drop, dtype=np.int32))
        return keep

    def dated_in(self, since: str, until: str) -> int:
        """How many chunks have a date within [since, until]."""
        self._build()
        lo, hi = date_ordinal(since), date_ordinal(until)
        return int(((self.day >= lo) & (self.day <= hi)).sum())

    def newest(self) -> str | None:
        """The newest article date in the index (ISO), or None when no article has one."""
        self._build()
        if not len(self.day) or int(self.day.max()) < 0:
            return None
        return _dt.date.fromordinal(int(self.day.max())).isoformat()


def _host(url: str | None) -> str | None:
    if not url:
        return None
    return re.sub(r"^[a-z]+://", "", url.casefold()).split("/", 1)[0].split(":", 1)[0] or None


# A store that cannot search within a mask is asked for this many times the pool (at most), and
# its candidates filtered: enough for a filter that keeps a tenth of the corpus or more.
WIDEN = 10


def dense_allowed(retriever, query: str, n: int, allowed) -> list[tuple[int, float]]:
    """The n rows most similar to the query among the allowed ones, best first.

    With FAISS at hand (the embedded store) the search itself reads only allowed rows (an ID
    selector), so the candidates are the n best of the period, however narrow it is."""
    faiss_index = getattr(retriever.index, "faiss_index", None)
    count = int(allowed.sum())
    if count == 0:
        return []
    if faiss_index is None:
        return [(r, s) for r, s in retriever.dense(query, min(len(allowed), n * WIDEN)) if allowed[r]][:n]
    import faiss
    import numpy as np

    from .vector_index import _one_thread

    n = max(1, min(n, count))
    bits = np.packbits(allowed, bitorder="little")
    sel = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits))
    ivf = faiss.try_extract_index_ivf(faiss_index)
    if ivf is not None:
        params = faiss.SearchParametersIVF(sel=sel, nprobe=ivf.nprobe)
    elif hasattr(faiss_index, "hnsw"):
        params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(faiss_index.hnsw.efSearch, n))
    else:
        params = faiss.SearchParameters(sel=sel)
    q = np.ascontiguousarray(retriever.embed_query(query)[None, :], dtype=np.float32)
    with _one_thread():
        scores, rows = faiss_index.search(q, n, params=params)
    del bits  # the selector reads it until here
    return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]


def bm25_allowed(retriever, query: str, n: int, allowed) -> list[tuple[int, float]]:
    """BM25's n best allowed rows: every row's score (bm25s get_scores), the top n taken among the
    allowed ones. (bm25s' own weight_mask took 2.6 ms for a one-year filter at 41,186 chunks against
    0.45 ms this way, bench/filter_cost.py.)"""
    import numpy as np

    bm = getattr(retriever.index, "bm25", None)
    rows = np.flatnonzero(allowed)
    if not len(rows):
        return []
    if bm is None or not hasattr(bm, "get_scores"):
        return [(r, s) for r, s in retriever.bm25(query, min(len(allowed), n * WIDEN)) if allowed[r]][:n]
    q = retriever.query_terms(query)
    if not q:
        return []
    scores = np.asarray(bm.get_scores(q))[rows]
    k = min(n, len(rows))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(rows[i]), float(scores[i])) for i in top if scores[i] > 0]


def statement_allowed(f: SearchFilter, statement, documents: dict[str, dict]) -> bool:
    """Whether a reported-speech statement (rag.speech) passes the filter: its article's date and
    publisher, as for passages."""
    from .formats import source_file

    doc = documents.get(statement.file) or {}
    if statement.file in f.exclude_files or source_file(statement.file) in f.exclude_files:
        return False
    if f.dated:
        day = date_ordinal(getattr(statement, "date", None) or doc.get("date"))
        if day < 0 or (f.since and day < date_ordinal(f.since)) or (f.until and day > date_ordinal(f.until)):
            return False
    if f.sources:
        pub = getattr(statement, "publisher", None) or doc.get("publisher")
        if not any(source_matches(n, pub, doc.get("url")) for n in f.sources):
            return False
    return True
