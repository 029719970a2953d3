"""The Qdrant store: one collection per index, a named dense vector (cosine) and a sparse BM25 vector
whose IDF the server applies (`Modifier.IDF`), through the official qdrant-client (extra `.[scale]`).

`QDRANT_URL` names a server or cluster (`QDRANT_API_KEY` if it asks for one); without it the client's
local mode keeps the collection in `<index dir>/qdrant/` (one process at a time may open it).

Readers query an alias (Settings.qdrant_collection, default "corpus-rag"). A rebuild fills a new
collection `<alias>--<stamp>` and then moves the alias in one request, so readers see the old index
or the new one, never a half-built one; an update writes in place, file by file: the new chunks first,
then the old chunks of the same files go. Point ids are chunk keys (`chunk_key`), the same in every
generation, so rewriting a chunk is idempotent and a killed update, run again, finishes the job.

BM25 as bm25s scores it ("lucene", k1 1.5, b 0.75): each point stores tf / (tf + k1 (1 - b + b dl/avgdl))
per term, the server multiplies by ln(1 + (N - df + 0.5) / (df + 0.5)), the same IDF, and the query
gives each term its count. avgdl is the corpus's at the time a chunk is written: after updates it
drifts from today's until the next rebuild (a few percent on one score, not the ranking in practice).
"""

from __future__ import annotations

import atexit
import logging
import math
import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..errors import RagError
from ..types import Chunk
from .base import Record, chunk_key

log = logging.getLogger(__name__)

DENSE = "dense"
SPARSE = "bm25"
LOCAL_DIR = "qdrant"
DEFAULT_ALIAS = "corpus-rag"
UPSERT_BATCH = 256
# HNSW search breadth on a server (local mode searches exactly). One breadth does not fit every size:
# recall@10 ~0.99 at 100,000 vectors with 128, but at 1,000,000 (m 16, ef_construct 100) 128 gives
# 0.76-0.78, 256 0.85-0.87, 512 0.93 with a hybrid p50 of 11.8 ms (bench/scale.py --part hybrid,
# bench/results/scale.json "hybrid_1m", 2-core EPYC). So the breadth grows 4x per 10x of points.
HNSW_EF = 128
HNSW_EF_AT = 100_000  # the size up to which HNSW_EF holds
HNSW_EF_MAX = 1024


def search_ef(points: int) -> int:
    """The HNSW breadth for a collection of `points`: HNSW_EF up to HNSW_EF_AT, then 4x per 10x."""
    if points <= HNSW_EF_AT:
        return HNSW_EF
    return min(HNSW_EF_MAX, int(round(HNSW_EF * 4 ** math.log10(points / HNSW_EF_AT))))


_CLIENTS: dict[tuple, object] = {}
_CLIENTS_LOCK = threading.Lock()


def _qdrant():
    try:
        from qdrant_client import QdrantClient, models
    except ImportError:
        raise RagError(
            "RAG_STORE=qdrant needs the qdrant-client package.",
            "Install the scale extra: pip install -e '.[scale]' (or unset RAG_STORE for the embedded store).",
        ) from None
    return QdrantClient, models


def client_for(settings, index_dir: Path):
    """One client per server (or local directory) per process: local mode locks its directory."""
    QdrantClient, _ = _qdrant()
    if settings.qdrant_url:
        key = ("url", settings.qdrant_url, settings.qdrant_api_key)
    else:
        key = ("path", str((Path(index_dir) / LOCAL_DIR).resolve()))
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            try:
                if settings.qdrant_url:
                    _CLIENTS[key] = QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key or None,
                                                 timeout=30)
                else:
                    Path(key[1]).mkdir(parents=True, exist_ok=True)
                    _CLIENTS[key] = QdrantClient(path=key[1])
                if len(_CLIENTS) == 1:  # closed before the interpreter tears down what close() needs
                    atexit.register(close_clients)
            except RuntimeError as exc:  # local mode: another process has the directory open
                raise RagError(f"Cannot open the Qdrant store: {exc}",
                               "Close the other process (app or `rag index`), or run a Qdrant server and set QDRANT_URL.") from exc
        return _CLIENTS[key]


def close_clients() -> None:
    """Close every client this process opened (tests; local mode releases its directory lock)."""
    with _CLIENTS_LOCK:
        for c in _CLIENTS.values():
            c.close()
        _CLIENTS.clear()
        atexit.unregister(close_clients)


def _alias(settings) -> str:
    return settings.qdrant_collection or DEFAULT_ALIAS


def _alias_target(client, alias: str) -> str | None:
    for a in client.get_aliases().aliases:
        if a.alias_name == alias:
            return a.collection_name
    return None


def _payload(r: Record) -> dict:
    c = r.chunk
    return {
        "chunk_id": c.id, "file": c.file, "ordinal": c.ordinal,
        "line_start": c.line_start, "line_end": c.line_end, "char_start": c.char_start, "char_end": c.char_end,
        "text": c.text, "title": c.title, "n_tokens": c.n_tokens, "date": r.date, "source": r.source,
    }


def _chunk(p: dict) -> Chunk:
    return Chunk(p["chunk_id"], p["file"], p["ordinal"], p["line_start"], p["line_end"], p["char_start"],
                 p["char_end"], p["text"], p.get("title", ""), p.get("n_tokens", 0))


class QdrantStore:
    """Searches the collection behind the alias; maps point ids to rows of the loaded chunk table."""

    kind = "qdrant"

    def __init__(self, client, alias: str, chunks: Sequence[Chunk], vocab: dict[str, int],
                 counted: tuple[dict[str, int], np.ndarray], local: bool):
        self.client, self.alias, self.local = client, alias, local
        self._row = {chunk_key(c.id): row for row, c in enumerate(chunks)}
        self._vocab = vocab  # term -> id of the sparse vector (the index's vocabulary)
        self._counted = counted
        _, self._models = _qdrant()
        # local mode is plain Python over shared arrays; a server client is thread-safe
        self._lock = threading.Lock() if local else None

    @classmethod
    def open(cls, settings, gen: Path, chunks: Sequence[Chunk], db: Path, entry: dict) -> "QdrantStore":
        from .. import bm25 as _bm25

        client = client_for(settings, gen.parent)
        alias = entry.get("alias") or _alias(settings)
        if not client.collection_exists(alias):
            from ..errors import IndexDamagedError

            where = settings.qdrant_url or str(gen.parent / LOCAL_DIR)
            raise IndexDamagedError(f"The Qdrant collection {alias!r} is missing at {where}.",
                                    "Run `rag index --rebuild` to build it again.")
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            vocab = {t: i for i, t in con.execute("SELECT id, term FROM vocab")}
            blobs = [t for (t,) in con.execute("SELECT terms FROM chunks ORDER BY row")]
        finally:
            con.close()
        return cls(client, alias, chunks, vocab, _bm25.frequencies(blobs, vocab), not settings.qdrant_url)

    def _call(self, fn, *args, **kwargs):
        if self._lock is None:
            return fn(*args, **kwargs)
        with self._lock:
            return fn(*args, **kwargs)

    def _rows(self, points) -> list[tuple[int, float]]:
        # a point an update added after this generation was loaded has no row here: left out
        return [(self._row[p.id], float(p.score)) for p in points if p.id in self._row]

    def dense(self, queries: np.ndarray, n: int) -> list[list[tuple[int, float]]]:
        m = self._models
        params = None if self.local else m.SearchParams(hnsw_ef=max(search_ef(len(self._row)), n))
        out = []
        for q in np.asarray(queries, dtype=np.float32):
            res = self._call(self.client.query_points, self.alias, query=q.tolist(), using=DENSE, limit=n,
                             search_params=params, with_payload=False)
            out.append(self._rows(res.points))
        return out

    def lexical(self, terms: Sequence[str], n: int) -> list[tuple[int, float]]:
        counts: dict[int, int] = {}
        for t in terms:
            i = self._vocab.get(t)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return []
        m = self._models
        query = m.SparseVector(indices=list(counts), values=[float(v) for v in counts.values()])
        res = self._call(self.client.query_points, self.alias, query=query, using=SPARSE, limit=n, with_payload=False)
        return [(r, s) for r, s in self._rows(res.points) if s > 0]

    def fetch(self, chunk_ids: Sequence[str]) -> list[Chunk | None]:
        points = self._call(self.client.retrieve, self.alias, ids=[chunk_key(i) for i in chunk_ids], with_payload=True)
        found = {p.payload["chunk_id"]: _chunk(p.payload) for p in points}
        return [found.get(i) for i in chunk_ids]

    def term_stats(self) -> tuple[dict[str, int], np.ndarray]:
        return self._counted


class QdrantWriter:
    """Writes the chunks of one build. A new collection (rewrites_all) when there is none to update:
    first build, `--rebuild`, another model or chunking, another dimension, or a collection gone."""

    def __init__(self, settings, index_dir: Path, previous: dict | None, dim: int):
        _, self.m = _qdrant()
        self.client = client_for(settings, index_dir)
        self.local = not settings.qdrant_url
        self.alias = _alias(settings)
        target = _alias_target(self.client, self.alias)
        same = (previous is not None and previous.get("kind") == "qdrant" and previous.get("alias") == self.alias
                and previous.get("collection") == target and previous.get("dim") == dim)
        self.rewrites_all = not same
        self.dim = dim
        if same:
            self.collection = target
        else:
            self.collection = f"{self.alias}--{time.strftime('%Y%m%d-%H%M%S')}-{time.monotonic_ns() % 10**6}"
            self._create()

    def _create(self) -> None:
        m = self.m
        self.client.create_collection(
            self.collection,
            vectors_config={DENSE: m.VectorParams(size=self.dim, distance=m.Distance.COSINE)},
            sparse_vectors_config={SPARSE: m.SparseVectorParams(modifier=m.Modifier.IDF)},
        )
        if not self.local:  # local mode has no payload indexes (and says so)
            self.client.create_payload_index(self.collection, "file", m.PayloadSchemaType.KEYWORD)

    def upsert(self, records: Iterable[Record]) -> None:
        m = self.m
        batch: list = []
        for r in records:
            batch.append(m.PointStruct(
                id=r.key,
                vector={DENSE: np.asarray(r.vector, dtype=np.float32).tolist(),
                        SPARSE: m.SparseVector(indices=r.term_ids.tolist(), values=r.term_weights.tolist())},
                payload=_payload(r),
            ))
            if len(batch) >= UPSERT_BATCH:
                self.client.upsert(self.collection, batch, wait=True)
                batch = []
        if batch:
            self.client.upsert(self.collection, batch, wait=True)

    def delete_files(self, files: Sequence[str], keep: Iterable[int] = ()) -> None:
        if not files:
            return
        m = self.m
        keep = list(keep)
        flt = m.Filter(must=[m.FieldCondition(key="file", match=m.MatchAny(any=list(files)))],
                       must_not=[m.HasIdCondition(has_id=keep)] if keep else None)
        self.client.delete(self.collection, points_selector=m.FilterSelector(filter=flt), wait=True)

    def commit(self) -> dict:
        m = self.m
        if self.rewrites_all:
            old = _alias_target(self.client, self.alias)
            ops = [m.DeleteAliasOperation(delete_alias=m.DeleteAlias(alias_name=self.alias))] if old else []
            ops.append(m.CreateAliasOperation(create_alias=m.CreateAlias(collection_name=self.collection,
                                                                         alias_name=self.alias)))
            self.client.update_collection_aliases(change_aliases_operations=ops)  # one request: atomic
            # the replaced collection, and those of rebuilds killed before their swap
            for c in self.client.get_collections().collections:
                if c.name.startswith(f"{self.alias}--") and c.name != self.collection:
                    self.client.delete_collection(c.name)
        return {"kind": QdrantStore.kind, "alias": self.alias, "collection": self.collection, "dim": self.dim}
