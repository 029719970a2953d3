"""What a date / source filter costs a search at 10,000 articles (41,186 chunks, as bench/run.py's corpus).

The search side is real (rag.filters on FAISS flat search with an ID selector, bm25s with a
weight mask, the mask built by FilterColumns); the vectors are random unit vectors and the texts
Zipf-distributed words, since the cost does not depend on what they mean. Prints medians and
p95 in milliseconds, one thread, after a warm-up:

    .venv/bin/python bench/filter_cost.py [--articles 10000] [--queries 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from types import SimpleNamespace

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--chunks-per-article", type=float, default=4.1186)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()

    import bm25s
    import faiss

    from rag.filters import FilterColumns, SearchFilter, bm25_allowed, dense_allowed
    from rag.types import Chunk
    from rag.vector_index import search as vsearch

    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(0)
    n_docs = args.articles
    n_chunks = int(n_docs * args.chunks_per_article)
    doc_of = np.sort(rng.integers(0, n_docs, n_chunks))
    publishers = ["Reuters", "Fox News", "HuffPost", "Breitbart", "The New York Times", "USA Today", "Anadolu Agency"]
    start = dt.date(2010, 1, 1).toordinal()
    documents = {}
    for d in range(n_docs):
        documents[f"a{d:05d}.txt"] = {
            "date": None if d % 20 == 0 else dt.date.fromordinal(start + int(rng.integers(0, 15 * 365))).isoformat(),
            "publisher": publishers[d % len(publishers)], "url": None,
        }
    chunks = [Chunk(str(i), f"a{doc_of[i]:05d}.txt", 0, 1, 1, 0, 0, "") for i in range(n_chunks)]
    vecs = rng.standard_normal((n_chunks, 384)).astype(np.float32)
    faiss.normalize_L2(vecs)
    flat = faiss.IndexFlatIP(384)
    flat.add(vecs)
    vocab = [f"w{i}" for i in range(30_000)]
    zipf = np.minimum(rng.zipf(1.3, size=(n_chunks, 120)), len(vocab)) - 1
    bm = bm25s.BM25()
    bm.index([[vocab[t] for t in row] for row in zipf], show_progress=False)

    queries = [rng.standard_normal(384).astype(np.float32) for _ in range(args.queries)]
    terms = [[vocab[t] for t in np.minimum(rng.zipf(1.3, 6), len(vocab)) - 1] for _ in range(args.queries)]
    for q in queries:
        q /= np.linalg.norm(q)
    state = {"i": 0}
    retriever = SimpleNamespace(
        index=SimpleNamespace(faiss_index=flat, bm25=bm),
        embed_query=lambda _q: queries[state["i"]],
        query_terms=lambda _q: terms[state["i"]],
    )
    columns = FilterColumns(chunks, documents)
    t = time.perf_counter()
    columns.mask(SearchFilter(since="2000-01-01"))
    build_ms = (time.perf_counter() - t) * 1000

    filters = {
        "one year (2015)": SearchFilter.of(since="2015", until="2015"),
        "one month (2015-06)": SearchFilter.of(since="2015-06", until="2015-06"),
        "since 2020": SearchFilter.of(since="2020"),
        "source Reuters": SearchFilter.of(sources=["Reuters"]),
        "2015 + Reuters": SearchFilter.of(since="2015", until="2015", sources=["reuters"]),
    }

    def timed(fn) -> list[float]:
        out = []
        for i in range(len(queries)):
            state["i"] = i
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000)
        return out[len(out) // 10:]  # the first tenth warms caches

    def fmt(xs: list[float]) -> str:
        return f"{statistics.median(xs):6.2f} / {np.percentile(xs, 95):6.2f}"

    base_dense = timed(lambda: vsearch(flat, queries[state["i"]][None, :], 50))
    base_bm25 = timed(lambda: bm.retrieve([terms[state["i"]]], k=50, show_progress=False, n_threads=0))
    print(f"{n_docs:,} articles, {n_chunks:,} chunks; filter columns built once in {build_ms:.1f} ms")
    print(f"{'':24} {'mask p50/p95':>15} {'dense p50/p95':>15} {'bm25 p50/p95':>15} {'kept':>7}")
    print(f"{'no filter':24} {'':>15} {fmt(base_dense):>15} {fmt(base_bm25):>15} {n_chunks:>7}")
    for name, f in filters.items():
        mask_ms = timed(lambda: columns.mask(f))
        allowed = columns.mask(f)
        dense_ms = timed(lambda: dense_allowed(retriever, "", 50, allowed))
        bm_ms = timed(lambda: bm25_allowed(retriever, "", 50, allowed))
        print(f"{name:24} {fmt(mask_ms):>15} {fmt(dense_ms):>15} {fmt(bm_ms):>15} {int(allowed.sum()):>7}")
    print("cost of a filter = mask + (filtered - unfiltered) search; a hybrid search runs both sides")


if __name__ == "__main__":
    main()
