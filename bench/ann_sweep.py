"""Dense-index parameter sweep: build time, single-query latency and recall@10 against exact search.

The figures behind the choices in rag/vector_index.py (threshold, IVF nlist/nprobe, HNSW M/efSearch).

    .venv/bin/python bench/ann_sweep.py --base bench/corpora/syn10k/index-torch/gen-*/vectors.npy \\
        --questions bench/corpora/syn10k/questions.jsonl --sizes 100000,1000000 [--hnsw] [--json OUT]

Corpus vectors are blends of real chunk embeddings (bench/tasks.py synth_vectors); queries are the
embeddings of real questions. Searches run one query at a time on one FAISS thread, as the engine does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from tasks import DENSE_POOL, pct, query_vectors, synth_vectors  # noqa: E402


def timed_search(index, queries: np.ndarray, truth: np.ndarray, warmup: int = 10) -> dict:
    for q in queries[:warmup]:
        index.search(q[None, :], DENSE_POOL)
    times, hits = [], []
    for q, t in zip(queries, truth):
        started = time.perf_counter()
        _, rows = index.search(q[None, :], DENSE_POOL)
        times.append((time.perf_counter() - started) * 1000)
        hits.append(len(set(rows[0][:10].tolist()) & set(t.tolist())) / 10)
    return {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "recall_at_10": round(float(np.mean(hits)), 4)}


def main(argv=None) -> int:
    import faiss

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True, help="vectors.npy of a built index (real chunk embeddings)")
    p.add_argument("--questions", required=True)
    p.add_argument("--runtime", default="torch", help="the runtime the base vectors were embedded with")
    p.add_argument("--sizes", default="100000,1000000")
    p.add_argument("--n", type=int, default=200, help="queries")
    p.add_argument("--nlist", default="", help="IVF list counts (default: 1, 2 and 4 x sqrt(n), rounded to 2^k)")
    p.add_argument("--nprobe", default="8,16,24,32,48,64,96,128")
    p.add_argument("--no-ivf", action="store_true", help="skip IVF")
    p.add_argument("--hnsw", action="store_true", help="also HNSW (slow to build at 1M)")
    p.add_argument("--hnsw-m", default="32")
    p.add_argument("--ef-search", default="16,32,48,64,96,128")
    p.add_argument("--json", help="append one JSON line per configuration here")
    args = p.parse_args(argv)

    base = np.load(args.base).astype(np.float32)
    queries = query_vectors(args)
    out = open(args.json, "a") if args.json else None

    def report(row: dict) -> None:
        print(json.dumps(row), flush=True)
        if out:
            out.write(json.dumps(row) + "\n")
            out.flush()

    for n in [int(s) for s in args.sizes.split(",")]:
        vecs = synth_vectors(base, n)
        d = vecs.shape[1]
        faiss.omp_set_num_threads(2)
        _, truth = faiss.knn(queries, vecs, 10, metric=faiss.METRIC_INNER_PRODUCT)

        flat = faiss.IndexFlatIP(d)
        flat.add(vecs)
        for threads in (1, 2):
            faiss.omp_set_num_threads(threads)
            report({"n": n, "kind": "flat", "threads": threads, **timed_search(flat, queries, truth)})
        del flat

        root = int(np.sqrt(n))
        nlists = [int(x) for x in args.nlist.split(",")] if args.nlist else sorted({1 << int(round(np.log2(f * root))) for f in (1, 2, 4)})
        for nlist in [] if args.no_ivf else nlists:
            faiss.omp_set_num_threads(2)
            started = time.perf_counter()
            quantizer = faiss.IndexFlatIP(d)
            ivf = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
            sample = min(n, 64 * nlist)
            ivf.train(vecs[np.random.default_rng(0).choice(n, sample, replace=False)] if sample < n else vecs)
            train_s = time.perf_counter() - started
            ivf.add(vecs)
            build_s = time.perf_counter() - started
            faiss.omp_set_num_threads(1)
            for nprobe in [int(x) for x in args.nprobe.split(",")]:
                if nprobe > nlist:
                    continue
                ivf.nprobe = nprobe
                report({"n": n, "kind": "ivf", "nlist": nlist, "nprobe": nprobe, "train_sample": sample,
                        "train_s": round(train_s, 1), "build_s": round(build_s, 1), **timed_search(ivf, queries, truth)})
            del ivf, quantizer

        if args.hnsw:
            for m in [int(x) for x in args.hnsw_m.split(",")]:
                faiss.omp_set_num_threads(2)
                started = time.perf_counter()
                hnsw = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
                hnsw.hnsw.efConstruction = 80
                hnsw.add(vecs)
                build_s = time.perf_counter() - started
                faiss.omp_set_num_threads(1)
                for ef in [int(x) for x in args.ef_search.split(",")]:
                    hnsw.hnsw.efSearch = ef
                    report({"n": n, "kind": "hnsw", "M": m, "efConstruction": 80, "efSearch": ef,
                            "build_s": round(build_s, 1), **timed_search(hnsw, queries, truth)})
                del hnsw
        del vecs
    return 0


if __name__ == "__main__":
    sys.exit(main())
