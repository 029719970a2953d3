#!/usr/bin/env python3
"""Past one machine, measured here: Ray embedding against in-process, and Qdrant against the embedded store.

    .venv/bin/python bench/scale.py                       # both parts (make bench-scale)
    .venv/bin/python bench/scale.py --part ray --texts 400
    .venv/bin/python bench/scale.py --part store --vectors 100000 [--queries 200]
    .venv/bin/python bench/scale.py --part hybrid --vectors 100000 [--queries 200]
    .venv/bin/python bench/scale.py --part store --vectors 1000000 --engines qdrant-edge \
        --indexing-threads 1 --hnsw-ef 64,128,256 [--hnsw-m 16 --ef-construct 100 --quantize int8 | --exact] \
        --json bench/results/scale.json --json-key store_1m_run

ray:   the same passages (~200 word pieces, built from seeds/ as bench/embed_throughput.py builds them)
       embedded in-process (the engine's embedder: ONNX, one batch per core) and on a local Ray
       (rag/ray_embed.py, as `rag index --ray` runs it) with 1 and 2 single-thread actors. Per job:
       Ray's start (once per `rag index --ray`), the overhead of one job (actors started, model loaded,
       a batch per actor: the time of a job of 4 texts per actor), and the steady throughput
       ((N - small) / (t_N - t_small)), per worker and against in-process.
store: N synthetic unit vectors (384-d, in 200 topics and N/5 stories, see make_vectors: every query
       has many near neighbours, as news passages do; no model, which would take hours to embed N
       passages here) searched one query at a time, as the engine does, by
         embedded      FAISS as the index builds it (rag/vector_index.py: exact to 50,000, IVF above)
         qdrant-local  qdrant-client's local mode (RAG_STORE=qdrant without QDRANT_URL: exact, numpy)
         qdrant-edge   Qdrant's own Rust shard engine in-process (qdrant-edge-py): HNSW as a Qdrant
                       server builds it (m 16, ef_construct 100), searched with hnsw_ef 128 as
                       rag/store/qdrant.py asks a server
       recall@10 against exact search; latency p50/p95; memory = the process's peak RSS less its RSS
       before the vectors were made (each engine runs in its own process).
hybrid: the same vectors plus synthetic BM25 terms for every point (see make_terms: a Zipf vocabulary
       of 50,000 terms, ~60 distinct terms a passage; queries of 3-8 terms taken from a passage), and
       the engine's hybrid query as rag/retrieval.py sends it: dense top-50 and lexical top-50 (the
       pool of a k=5 search), then `fuse` in the library. The lexical side by
         embedded      bm25s built by rag/bm25.py, searched through EmbeddedStore.lexical
         qdrant-local  a sparse vector with Modifier.IDF, as rag/store/qdrant.py creates the collection,
                       values tf / (tf + k1 (1 - b + b dl/avgdl)) (rag/bm25.term_weights), query = counts
         qdrant-edge   the same sparse field in Qdrant's engine (EdgeSparseVectorParams(modifier=Idf))
       p50/p95 of the whole query (dense + lexical + fusion) and of each part; recall@10 of the lexical
       top 10 against exact BM25 (scipy, Lucene IDF), a tie with the exact 10th counting as a hit.
qdrant-edge's index (store and hybrid): --hnsw-m, --ef-construct (the graph; m 0 = no graph, every
       query scans the sealed segment, quantized if asked), --indexing-threads (0 = Qdrant's auto; 1 on a
       shared machine), --quantize int8 (scalar quantization in RAM, searched with rescoring and
       --oversampling), --hnsw-ef (a comma list: each value searched on the same build), --exact (no
       index at all: indexing off, every query a full scan of the original vectors; embedded: FAISS flat).
       Defaults are the index a Qdrant server builds, as measured at 100,000.
Figures go to stdout as a table and, last line, JSON; --json FILE merges them into FILE (the other keys
of an existing file are kept; --json-key NAME stores a single part's figures under NAME instead of
"ray"/"store"/"hybrid"). Progress of each engine's child process goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

DIM = 384
TOPICS = 200


@dataclass(frozen=True)
class EdgeIndex:
    """How qdrant-edge indexes the dense vector (the defaults: a Qdrant server's HNSW, as at 100,000)."""

    m: int = 16
    ef_construct: int = 100
    threads: int = 0  # HNSW build threads, 0 = Qdrant's auto (every core)
    quantize: str = "none"  # or "int8": scalar quantization, searched with rescoring
    oversampling: float = 2.0
    exact: bool = False  # no index: indexing off, a full scan of the original vectors
    hnsw_ef: tuple[int, ...] = (128,)

    def config_kwargs(self) -> dict:
        import qdrant_edge as qe

        kw = {"hnsw_config": qe.HnswIndexConfig(m=self.m, ef_construct=self.ef_construct, full_scan_threshold=10_000,
                                                max_indexing_threads=self.threads)}
        if self.quantize == "int8":
            kw["quantization_config"] = qe.ScalarQuantizationConfig(type=qe.ScalarType.Int8, quantile=0.99, always_ram=True)
        if self.exact:  # indexing_threshold 0 turns the indexing optimizer off: one appendable segment
            kw["optimizers"] = qe.EdgeOptimizersConfig(indexing_threshold=0)
        return kw

    def search_params(self, ef: int):
        import qdrant_edge as qe

        quant = qe.QuantizationSearchParams(rescore=True, oversampling=self.oversampling) if self.quantize == "int8" else None
        return qe.SearchParams(hnsw_ef=ef, quantization=quant)

    def describe(self) -> str:
        if self.exact:
            return "none (full scan)"
        graph = f"hnsw m {self.m} / ef_construct {self.ef_construct}" if self.m else "no graph (full scan)"
        return graph + (f" + int8, rescore x{self.oversampling:g}" if self.quantize == "int8" else "")

    def efs(self) -> tuple[int, ...]:
        # ef means nothing to a scan: one row
        return self.hnsw_ef if self.m and not self.exact else self.hnsw_ef[:1]


def _progress(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {_load()} rss {_rss_mb():,.0f} MB] {msg}", file=sys.stderr, flush=True)


def _edge_fill(shard, n: int, point) -> None:
    """Upsert points 0..n-1 (point(i) -> qe.Point) in batches of 2,000, then build the index as a server's
    optimizer does in the background, logging progress (a 1M build takes tens of minutes here)."""
    import qdrant_edge as qe

    for s in range(0, n, 2000):
        shard.update(qe.UpdateOperation.upsert_points([point(i) for i in range(s, min(s + 2000, n))]))
        if (s + 2000) % 100_000 == 0:
            _progress(f"upserted {s + 2000:,}")
    _progress("optimize (index build) started")
    t, cpu = time.perf_counter(), time.process_time()
    shard.optimize()
    info = shard.info()
    _progress(f"optimize done in {time.perf_counter() - t:.0f} s ({time.process_time() - cpu:.0f} CPU-s): "
              f"{info.segments_count} segments, {info.indexed_vectors_count:,} vectors indexed")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


# ------------------------------------------------------------------------------------------------
# ray


def ray_part(n_texts: int) -> dict:
    from embed_throughput import build_passages

    from rag.config import Settings
    from rag.embeddings import load_embedder
    from rag.ray_embed import RayEmbedder, ray_session

    texts, _ = build_passages(n_texts, 200)
    keys = [f"{i:08d}" for i in range(len(texts))]
    settings = Settings()
    local = load_embedder(settings)
    local.embed(texts[:8])  # warm
    t, cpu = time.perf_counter(), time.process_time()
    want = local.embed(texts)
    t_local, cpu_local = time.perf_counter() - t, time.process_time() - cpu
    out = {"texts": len(texts), "model": local.name, "in_process_s": round(t_local, 2),
           "in_process_per_s": round(len(texts) / t_local, 1),
           "in_process_per_cpu_s": round(len(texts) / cpu_local, 1), "load_before": _load(), "ray": {}}
    for workers in (1, 2):
        t = time.perf_counter()
        with ray_session(num_cpus=workers):
            t_init = time.perf_counter() - t
            emb = RayEmbedder(settings, local, workers=workers)
            got = {}

            def sink(k, v):
                got.update(zip(k, v))

            small = 4 * workers
            t = time.perf_counter()
            emb.embed_keyed(keys[:small], texts[:small], sink)
            t_small = time.perf_counter() - t
            got.clear()
            t = time.perf_counter()
            emb.embed_keyed(keys, texts, sink)
            t_big = time.perf_counter() - t
        vecs = np.stack([got[k] for k in keys])
        rate = (len(texts) - small) / max(t_big - t_small, 1e-9)
        out["ray"][workers] = {
            "ray_start_s": round(t_init, 1), "job_overhead_s": round(t_small, 1), "job_s": round(t_big, 1),
            "steady_per_s": round(rate, 1), "per_worker_per_s": round(rate / workers, 1),
            "vs_in_process": round(rate / (len(texts) / t_local), 2),
            "whole_job_per_s": round(len(texts) / t_big, 1),
            "max_abs_diff_to_in_process": float(np.abs(vecs - want).max()),
            # passages per CPU-second of one actor: a worker's rate on a core of its own
            "per_worker_cpu_s": round(len(texts) / emb.last_job_cpu_s, 1),
            "per_cpu_vs_in_process": round(len(texts) / emb.last_job_cpu_s / (len(texts) / cpu_local), 2),
        }
    out["load_after"] = _load()
    return out


# ------------------------------------------------------------------------------------------------
# store


def make_vectors(n: int, n_queries: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors in topics and stories: a point is its topic + its story + noise (equal norms), so
    it has ~4 story mates (cosine ~0.6), ~500 topic mates (~0.3) and the rest (~0); a query's top 10
    are its story mates and the closest of its topic mates, among many nearly as close, as in news."""
    rng = np.random.default_rng(seed)

    def unit(m: int) -> np.ndarray:
        v = rng.standard_normal((m, DIM)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    topics, stories = unit(TOPICS), unit(max(1, n // 5))
    story_topic = rng.integers(0, TOPICS, len(stories))

    def points(m: int) -> np.ndarray:
        story = rng.integers(0, len(stories), m)
        pts = topics[story_topic[story]] + stories[story] + 0.8 * unit(m)
        return pts / np.linalg.norm(pts, axis=1, keepdims=True)

    x = np.concatenate([points(min(100_000, n - s)) for s in range(0, n, 100_000)])
    return np.ascontiguousarray(x, dtype=np.float32), points(n_queries)


def exact_top(x: np.ndarray, q: np.ndarray, k: int = 10) -> np.ndarray:
    out = np.empty((len(q), k), dtype=np.int64)
    for s in range(0, len(q), 50):
        scores = q[s : s + 50] @ x.T
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
        out[s : s + 50] = np.take_along_axis(top, order, axis=1)
    return out


def _engine(name: str, x: np.ndarray, workdir: Path, edge: EdgeIndex):
    """(build seconds, build CPU seconds, search(q, ef) -> ids, name)."""
    t, cpu = time.perf_counter(), time.process_time()
    if name == "embedded":
        from rag.vector_index import build_vector_index, search

        kind, index = build_vector_index(x, kind="flat" if edge.exact else None)
        name = f"embedded ({kind})"

        def query(q, ef):
            return search(index, q[None, :], 10)[1][0]
    elif name == "qdrant-local":
        from qdrant_client import QdrantClient, models

        # in memory: the same search code as path=... (which also pickles every point into SQLite, at
        # ~55 points/s here: 5,000 took 90 s, so 100,000 would take half an hour to load)
        client = QdrantClient(":memory:")
        client.create_collection("bench", vectors_config={"dense": models.VectorParams(size=DIM, distance=models.Distance.COSINE)})
        client.upload_collection("bench", vectors={"dense": x}, ids=range(len(x)), batch_size=2000)

        def query(q, ef):
            res = client.query_points("bench", query=q.tolist(), using="dense", limit=10, with_payload=False)
            return np.array([p.id for p in res.points])
    elif name == "qdrant-edge":
        import qdrant_edge as qe

        config = qe.EdgeConfig(vectors={"dense": qe.EdgeVectorParams(size=DIM, distance=qe.Distance.Cosine)},
                               **edge.config_kwargs())
        shard = qe.EdgeShard.create(str(workdir / "edge"), config)
        _edge_fill(shard, len(x), lambda i: qe.Point(i, {"dense": x[i].tolist()}))
        params = {ef: edge.search_params(ef) for ef in edge.efs()}

        def query(q, ef):
            res = shard.query(qe.QueryRequest(limit=10, query=qe.Query.Nearest(q.tolist(), using="dense"), params=params[ef]))
            return np.array([p.id for p in res])
    else:
        raise SystemExit(f"unknown engine {name}")
    return time.perf_counter() - t, time.process_time() - cpu, query, name


def store_engine(name: str, n: int, n_queries: int, edge: EdgeIndex = EdgeIndex()) -> list[dict]:
    """One engine, in this process: build, then search the queries one at a time (for qdrant-edge's HNSW,
    once per hnsw_ef, on the same build): a row per search setting."""
    base = _rss_mb()
    x, qs = make_vectors(n, n_queries)
    truth = exact_top(x, qs)
    _progress(f"{name}: {n:,} vectors and the exact top 10 of {n_queries} queries made")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        build_s, build_cpu_s, query, name = _engine(name, x, Path(tmp), edge)
        rss_built = _rss_mb() - base
        disk = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file()) / 2**20
        for ef in edge.efs() if name == "qdrant-edge" else (None,):
            for q in qs[:10]:
                query(q, ef)  # warm
            times, recall = [], []
            for q, want in zip(qs, truth):
                t = time.perf_counter()
                got = query(q, ef)
                times.append((time.perf_counter() - t) * 1000)
                recall.append(len(set(got.tolist()) & set(want.tolist())) / 10)
            q = statistics.quantiles(times, n=20)
            row = {"engine": name, "vectors": n, "build_s": round(build_s, 1), "build_cpu_s": round(build_cpu_s, 1),
                   "p50_ms": round(statistics.median(times), 2), "p95_ms": round(q[18], 2),
                   "recall_at_10": round(float(np.mean(recall)), 3), "memory_mb": round(_peak_mb() - base),
                   "rss_after_build_mb": round(rss_built), "vectors_mb": round(x.nbytes / 2**20), "disk_mb": round(disk),
                   "load": _load()}
            if name == "qdrant-edge":
                row.update(index=edge.describe(), hnsw_ef=ef if edge.m and not edge.exact else None)
            rows.append(row)
            _progress(f"{row}")
    return rows


# ------------------------------------------------------------------------------------------------
# hybrid

VOCAB = 50_000
ZIPF_OFFSET = 20  # p(rank r) ~ 1 / (r + 20): the commonest term is in ~1/3 of passages, as a content word
POOL = 50  # rag/retrieval.py: pool = max(50, 8 k) for the k = 5 of a chat question
# qdrant-client's local mode scores a sparse query in Python over every point (~180 ms at 5,000 points
# here, growing with them): fewer queries for it, so that the run stays within minutes
LOCAL_HYBRID_QUERIES = 40


def make_terms(n: int, n_queries: int, seed: int = 1) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """(term ids per passage, their counts, query term ids with repeats): each passage draws its terms
    from a Zipf vocabulary until it has 40-80 distinct ones (counts 1 + geometric, mean ~1.7, as term
    counts of a ~100-word passage); a query is 3-8 distinct terms of a random passage, so it mixes
    common and rare terms as a question about an article does."""
    rng = np.random.default_rng(seed)
    p = 1.0 / (np.arange(VOCAB) + 1 + ZIPF_OFFSET)
    cdf = np.cumsum(p / p.sum())
    ids, counts = [], []
    want = rng.integers(40, 81, n)
    for s in range(0, n, 10_000):
        draws = np.searchsorted(cdf, rng.random((min(10_000, n - s), 160)))
        for row, m in zip(draws, want[s : s + len(draws)]):
            _, first = np.unique(row, return_index=True)
            t = row[np.sort(first)[:m]].astype(np.int32)
            ids.append(t)
            counts.append(rng.geometric(0.6, len(t)).astype(np.int32))
    queries = []
    for d in rng.integers(0, n, n_queries):
        t = rng.choice(ids[d], size=int(rng.integers(3, 9)), replace=False)
        queries.append(np.concatenate([t, t[rng.random(len(t)) < 0.1]]))  # now and then a term twice
    return ids, counts, queries


def exact_bm25(ids: list[np.ndarray], counts: list[np.ndarray]):
    """(term-major weight matrix with IDF, avgdl): BM25 "lucene" as bm25s and rag/bm25.py score it."""
    import scipy.sparse as sp

    from rag import bm25 as _bm25

    sizes = np.fromiter((len(t) for t in ids), dtype=np.int64, count=len(ids))
    cols = np.concatenate(ids)
    tf = np.concatenate(counts).astype(np.float64)
    doc = np.repeat(np.arange(len(ids)), sizes)
    dl = np.bincount(doc, weights=tf, minlength=len(ids))
    avgdl = float(dl.mean())
    df = np.bincount(cols, minlength=VOCAB)
    idf = _bm25.idf_values(df, len(ids))
    w = idf[cols] * tf / (tf + _bm25.K1 * ((1 - _bm25.B) + _bm25.B * dl[doc] / avgdl))
    return sp.csc_matrix((w, (doc, cols)), shape=(len(ids), VOCAB)), avgdl


def _hybrid_engine(name: str, x: np.ndarray, ids, counts, avgdl: float, workdir: Path, edge: EdgeIndex):
    """(build seconds, dense(q, n, ef) -> [(row, score)], lexical(term ids, n) -> [(row, score)], name)."""
    from rag import bm25 as _bm25

    def weights(i: int) -> list[float]:
        pairs = np.stack([ids[i], counts[i]], axis=1).astype("<i4").tobytes()
        return _bm25.term_weights(pairs, avgdl)[1].tolist()

    t = time.perf_counter()
    if name == "embedded":
        from rag.store.embedded import EmbeddedStore
        from rag.vector_index import build_vector_index

        kind, index = build_vector_index(x)
        rows = [np.stack([a, c], axis=1).astype("<i4").tobytes() for a, c in zip(ids, counts)]
        store = EmbeddedStore(index, _bm25.build(rows, [f"t{i}" for i in range(VOCAB)]), range(len(x)))
        del rows
        name = f"embedded ({kind} + bm25s)"

        def dense(q, n, ef):
            return store.dense(q[None, :], n)[0]

        def lexical(terms, n):
            return store.lexical([f"t{i}" for i in terms], n)
    elif name == "qdrant-local":
        from qdrant_client import QdrantClient, models

        client = QdrantClient(":memory:")  # see _engine: path=... pickles every point into SQLite
        client.create_collection("bench", vectors_config={"dense": models.VectorParams(size=DIM, distance=models.Distance.COSINE)},
                                 sparse_vectors_config={"bm25": models.SparseVectorParams(modifier=models.Modifier.IDF)})
        for s in range(0, len(x), 2000):
            client.upsert("bench", [models.PointStruct(id=i, vector={
                "dense": x[i].tolist(), "bm25": models.SparseVector(indices=ids[i].tolist(), values=weights(i))})
                for i in range(s, min(s + 2000, len(x)))], wait=True)

        def dense(q, n, ef):  # as QdrantStore.dense in local mode (exact: no search params)
            res = client.query_points("bench", query=q.tolist(), using="dense", limit=n, with_payload=False)
            return [(p.id, p.score) for p in res.points]

        def lexical(terms, n):  # as QdrantStore.lexical: each term once, its count as the value
            u, c = np.unique(terms, return_counts=True)
            res = client.query_points("bench", query=models.SparseVector(indices=u.tolist(), values=c.astype(float).tolist()),
                                      using="bm25", limit=n, with_payload=False)
            return [(p.id, p.score) for p in res.points if p.score > 0]
    elif name == "qdrant-edge":
        import qdrant_edge as qe

        config = qe.EdgeConfig(vectors={"dense": qe.EdgeVectorParams(size=DIM, distance=qe.Distance.Cosine)},
                               sparse_vectors={"bm25": qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
                               **edge.config_kwargs())
        shard = qe.EdgeShard.create(str(workdir / "edge"), config)
        _edge_fill(shard, len(x), lambda i: qe.Point(i, {"dense": x[i].tolist(), "bm25": qe.SparseVector(ids[i].tolist(), weights(i))}))
        params = {ef: edge.search_params(ef) for ef in edge.efs()}

        def dense(q, n, ef):  # as QdrantStore.dense on a server: hnsw_ef max(128, n)
            res = shard.query(qe.QueryRequest(limit=n, query=qe.Query.Nearest(q.tolist(), using="dense"), params=params[ef]))
            return [(p.id, p.score) for p in res]

        def lexical(terms, n):
            u, c = np.unique(terms, return_counts=True)
            res = shard.query(qe.QueryRequest(limit=n, query=qe.Query.Nearest(
                qe.SparseVector(u.tolist(), c.astype(float).tolist()), using="bm25")))
            return [(p.id, p.score) for p in res if p.score > 0]
    else:
        raise SystemExit(f"unknown engine {name}")
    return time.perf_counter() - t, dense, lexical, name


def hybrid_engine(name: str, n: int, n_queries: int, edge: EdgeIndex = EdgeIndex()) -> list[dict]:
    """One engine, in this process: build dense + sparse, then the hybrid query one at a time (for
    qdrant-edge's HNSW, once per hnsw_ef, on the same build): a row per search setting."""
    from rag.retrieval import fuse

    base = _rss_mb()
    x, qs = make_vectors(n, n_queries)
    dense_truth = exact_top(x, qs)
    ids, counts, qterms = make_terms(n, n_queries)
    w, avgdl = exact_bm25(ids, counts)
    exact = []
    for terms in qterms:
        u, c = np.unique(terms, return_counts=True)
        scores = np.asarray(w[:, u] @ c.astype(np.float64)).ravel()
        exact.append((scores, np.sort(scores)[-10]))
    del w
    _progress(f"{name}: {n:,} points with terms, the exact BM25 and dense top 10 of {n_queries} queries made")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        build_s, dense, lexical, name = _hybrid_engine(name, x, ids, counts, avgdl, Path(tmp), edge)
        pct = lambda v: (round(statistics.median(v), 2), round(statistics.quantiles(v, n=20)[18], 2))  # noqa: E731
        df_top = int(np.bincount(np.concatenate(ids), minlength=VOCAB).max())
        rows = []
        for ef in edge.efs() if name == "qdrant-edge" else (None,):
            for q, terms in list(zip(qs, qterms))[:10]:
                fuse(dense(q, POOL, ef), lexical(terms, POOL), zeros_to=POOL)  # warm
            whole, t_dense, t_lex, t_fuse, recall, dense_recall = [], [], [], [], [], []
            for q, terms, (scores, kth), want in zip(qs, qterms, exact, dense_truth):
                t0 = time.perf_counter()
                d = dense(q, POOL, ef)
                t1 = time.perf_counter()
                s = lexical(terms, POOL)
                t2 = time.perf_counter()
                fuse(d, s, zeros_to=POOL)
                t3 = time.perf_counter()
                whole.append((t3 - t0) * 1000)
                t_dense.append((t1 - t0) * 1000)
                t_lex.append((t2 - t1) * 1000)
                t_fuse.append((t3 - t2) * 1000)
                recall.append(sum(scores[r] >= kth - 1e-4 * max(kth, 1) for r, _ in s[:10]) / 10)
                dense_recall.append(len({r for r, _ in d[:10]} & set(want.tolist())) / 10)
            rows.append({
                "engine": name, "vectors": n, "build_s": round(build_s, 1),
                "hybrid_p50_ms": pct(whole)[0], "hybrid_p95_ms": pct(whole)[1],
                "dense_p50_ms": pct(t_dense)[0], "dense_p95_ms": pct(t_dense)[1],
                "lexical_p50_ms": pct(t_lex)[0], "lexical_p95_ms": pct(t_lex)[1],
                "fuse_p50_ms": pct(t_fuse)[0], "lexical_recall_at_10": round(float(np.mean(recall)), 3),
                "dense_recall_at_10": round(float(np.mean(dense_recall)), 3),
                "queries": n_queries, "pool": POOL, "terms_per_passage": round(float(np.mean([len(t) for t in ids])), 1),
                "query_terms": round(float(np.mean([len(t) for t in qterms])), 1), "commonest_term_df": df_top,
                "memory_mb": round(_peak_mb() - base), "load": _load(),
                **({"index": edge.describe(), "hnsw_ef": ef if edge.m and not edge.exact else None}
                   if name == "qdrant-edge" else {})})
            _progress(f"{rows[-1]}")
    return rows


def store_part(n: int, n_queries: int, engines: list[str], hybrid: bool = False, edge_args: list[str] = ()) -> list[dict]:
    """Each engine in a child process of its own (its peak RSS is its own); its stderr (progress) is passed on."""
    rows = []
    for name in engines:
        nq = min(n_queries, LOCAL_HYBRID_QUERIES) if hybrid and name == "qdrant-local" else n_queries
        child = subprocess.Popen([sys.executable, __file__, "--engine", name, "--vectors", str(n), "--queries", str(nq),
                                  *edge_args] + (["--hybrid"] if hybrid else []),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        tail: list[str] = []
        for line in child.stderr:
            sys.stderr.write(line)
            tail = (tail + [line.rstrip()])[-1:]
        stdout = child.stdout.read()
        if child.wait() != 0:
            rows.append({"engine": name, "vectors": n, "error": tail})
            continue
        got = json.loads(stdout.strip().splitlines()[-1])
        rows.extend(got if isinstance(got, list) else [got])
    return rows


def _index_label(row: dict) -> str:
    return f"{row['index']}, hnsw_ef {row['hnsw_ef']}" if row.get("hnsw_ef") else row.get("index", "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("ray", "store", "hybrid", "all"), default="all")
    ap.add_argument("--texts", type=int, default=400)
    ap.add_argument("--vectors", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--engines", default="embedded,qdrant-local,qdrant-edge")
    ap.add_argument("--engine", help=argparse.SUPPRESS)  # one engine in a child process
    ap.add_argument("--hybrid", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--hnsw-m", type=int, default=EdgeIndex.m, help="qdrant-edge HNSW m (0: no graph, a full scan)")
    ap.add_argument("--ef-construct", type=int, default=EdgeIndex.ef_construct)
    ap.add_argument("--indexing-threads", type=int, default=EdgeIndex.threads, help="HNSW build threads (0: auto)")
    ap.add_argument("--quantize", choices=("none", "int8"), default=EdgeIndex.quantize)
    ap.add_argument("--oversampling", type=float, default=EdgeIndex.oversampling)
    ap.add_argument("--hnsw-ef", default=",".join(map(str, EdgeIndex.hnsw_ef)), help="comma list, each searched on one build")
    ap.add_argument("--exact", action="store_true", help="no index: qdrant-edge full scan, embedded FAISS flat")
    ap.add_argument("--json", dest="json_out", help="merge the figures into this JSON file")
    ap.add_argument("--json-key", help="store the one part's figures under this key of --json")
    args = ap.parse_args()
    edge_args = ["--hnsw-m", str(args.hnsw_m), "--ef-construct", str(args.ef_construct), "--indexing-threads",
                 str(args.indexing_threads), "--quantize", args.quantize, "--oversampling", str(args.oversampling),
                 "--hnsw-ef", args.hnsw_ef] + (["--exact"] if args.exact else [])
    edge = EdgeIndex(args.hnsw_m, args.ef_construct, args.indexing_threads, args.quantize, args.oversampling,
                     args.exact, tuple(int(v) for v in args.hnsw_ef.split(",")))
    if args.engine:
        rows = (hybrid_engine if args.hybrid else store_engine)(args.engine, args.vectors, args.queries, edge)
        print(json.dumps(rows[0] if len(rows) == 1 else rows))
        return 0
    if args.json_key and args.part == "all":
        raise SystemExit("--json-key names one part's figures: give --part ray, store or hybrid with it")
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "?")
    out: dict = {"machine": cpu,
                 "cores": len(os.sched_getaffinity(0))}
    command = "bench/scale.py " + " ".join(sys.argv[1:])
    load_before = _load()
    if args.part in ("ray", "all"):
        r = out["ray"] = ray_part(args.texts)
        print(f"\nRay embedding, {r['texts']} passages of ~200 word pieces, {r['model']} (load {r['load_before']}-{r['load_after']})")
        print(f"  in-process (one batch per core):  {r['in_process_per_s']:6.1f} passages/s, "
              f"{r['in_process_per_cpu_s']:.1f} per CPU-second")
        print("  workers  Ray start  job overhead  steady/s  per worker/s  vs in-process  whole job/s  "
              "per actor CPU-s  vs in-process/CPU-s  max |diff|")
        for w, row in r["ray"].items():
            print(f"  {w:7}  {row['ray_start_s']:8.1f}s  {row['job_overhead_s']:11.1f}s  {row['steady_per_s']:8.1f}  "
                  f"{row['per_worker_per_s']:12.1f}  {row['vs_in_process']:13.2f}  {row['whole_job_per_s']:11.1f}  "
                  f"{row['per_worker_cpu_s']:15.1f}  {row['per_cpu_vs_in_process']:19.2f}  "
                  f"{row['max_abs_diff_to_in_process']:.1e}")
    if args.part in ("store", "all"):
        rows = out["store"] = store_part(args.vectors, args.queries, args.engines.split(","), edge_args=edge_args)
        print(f"\nDense search, {args.vectors:,} vectors, {args.queries} queries one at a time")
        print("  engine              build s   p50 ms   p95 ms  recall@10  memory MB  disk MB  index")
        for row in rows:
            if "error" in row:
                print(f"  {row['engine']:13}  failed: {row['error']}")
                continue
            print(f"  {row['engine']:18}  {row['build_s']:7.1f}  {row['p50_ms']:7.2f}  {row['p95_ms']:7.2f}  "
                  f"{row['recall_at_10']:9.3f}  {row['memory_mb']:9}  {row['disk_mb']:7}  {_index_label(row)}")
    if args.part in ("hybrid", "all"):
        load_before = _load()
        rows = out["hybrid"] = store_part(args.vectors, args.queries, args.engines.split(","), hybrid=True,
                                          edge_args=edge_args)
        print(f"\nHybrid search (dense top-{POOL} + lexical top-{POOL} + fuse), {args.vectors:,} points, "
              f"{args.queries} queries one at a time ({LOCAL_HYBRID_QUERIES} for qdrant-local; load {load_before}-{_load()})")
        print("  engine                     build s  hybrid p50  p95   dense p50  lexical p50  p95   fuse p50  "
              "lexical recall@10  dense recall@10  memory MB  load  index")
        for row in rows:
            if "error" in row:
                print(f"  {row['engine']:13}  failed: {row['error']}")
                continue
            print(f"  {row['engine']:25}  {row['build_s']:7.1f}  {row['hybrid_p50_ms']:10.2f}  {row['hybrid_p95_ms']:6.2f}  "
                  f"{row['dense_p50_ms']:9.2f}  {row['lexical_p50_ms']:11.2f}  {row['lexical_p95_ms']:6.2f}  "
                  f"{row['fuse_p50_ms']:8.2f}  {row['lexical_recall_at_10']:17.3f}  {row['dense_recall_at_10']:15.3f}  {row['memory_mb']:9}  {row['load']}  {_index_label(row)}")
    if args.json_key:
        (part,) = (k for k in ("ray", "store", "hybrid") if k in out)
        out[args.json_key] = {"command": command, "load_during_run": f"{load_before}-{_load()}", "rows": out.pop(part)}
    if args.json_out:
        # merge: the file's other keys (figures arranged by hand, other parts' runs) are kept
        path = Path(args.json_out)
        merged = json.loads(path.read_text()) if path.exists() else {}
        merged.update(out)
        path.write_text(json.dumps(merged, indent=1) + "\n")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
