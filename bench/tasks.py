"""Measurements that run in a child process of bench/run.py, one task per process.

Each task prints one JSON object on its last stdout line. A fresh process per task keeps peak RSS,
thread pools and warm caches of one measurement out of the next.

    .venv/bin/python bench/tasks.py build --corpus DIR --index DIR [--runtime torch|onnx]
    .venv/bin/python bench/tasks.py retrieval --corpus DIR --index DIR --questions FILE [--n 200]
    .venv/bin/python bench/tasks.py quality --corpus DIR --index DIR --questions FILE
    .venv/bin/python bench/tasks.py incremental --corpus DIR --index DIR --extra DIR [--rounds 3]
    .venv/bin/python bench/tasks.py answer --corpus DIR --index DIR --questions FILE [--n 8]
    .venv/bin/python bench/tasks.py ann --base VECTORS.npy --questions FILE --sizes 100000,1000000
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

# The checkout whose `rag` is measured: this one, or another (bench/run.py --rag-root, for "before" figures).
ROOT = Path(os.environ.get("RAG_BENCH_ROOT") or Path(__file__).resolve().parents[1]).resolve()
sys.path.insert(0, str(ROOT))  # runnable from a checkout without installing the package
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

from rag.evaluation import percentile as pct  # noqa: E402  (the p50/p95 `rag eval` reports)

# Candidates the retriever asks FAISS for on a k=5 search (rag/retrieval.py: max(50, 8 * k)).
DENSE_POOL = 50


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def settings_for(args):
    from rag.config import Settings

    return Settings(
        corpus_dir=Path(args.corpus), index_dir=Path(args.index), embed_runtime=args.runtime, backend="extractive"
    )


def questions(path: str, answerable_only: bool = False) -> list[dict]:
    out = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if answerable_only:
        out = [q for q in out if q.get("answerable", True) and q.get("kind") != "lookup"]
    return out


class TimedEmbedder:
    """Wraps an embedder to time embed() alone and count the word pieces it read."""

    def __init__(self, inner, tokenizer):
        self.inner = inner
        self.tokenizer = tokenizer
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens
        self.seconds = 0.0
        self.texts = 0
        self.tokens = 0

    def embed(self, texts):
        t0 = time.perf_counter()
        out = self.inner.embed(texts)
        self.seconds += time.perf_counter() - t0
        self.texts += len(texts)
        # the model truncates at max_tokens; count what it read (outside the timed part)
        self.tokens += sum(min(n + 2, self.max_tokens) for n in self.tokenizer.count(list(texts)))
        return out


# ---------------------------------------------------------------------------------------------


def task_build(args) -> dict:
    """A full build from scratch, as `rag index --rebuild` does it, with embedding timed apart."""
    from rag.embeddings import load_embedder, tokenizer_for
    from rag.index import build_index

    settings = settings_for(args)
    t0 = time.perf_counter()
    embedder = load_embedder(settings)
    tokenizer = tokenizer_for(settings)
    load_s = time.perf_counter() - t0
    timed = TimedEmbedder(embedder, tokenizer)
    stages: dict[str, float] = {}

    def progress(stage, done, total):
        stages.setdefault(stage, time.perf_counter())

    report = build_index(settings, timed, tokenizer, rebuild=True, progress=progress)
    end = time.perf_counter()
    names = list(stages)
    stage_s = {
        n: round((stages[names[i + 1]] if i + 1 < len(names) else end) - stages[n], 3) for i, n in enumerate(names)
    }
    return {
        "runtime": args.runtime,
        "embed_model": embedder.name,
        "files": report.files_added + report.files_updated + report.files_unchanged,
        "chunks": report.chunks,
        "chunks_embedded": report.chunks_embedded,
        "load_s": round(load_s, 3),
        "build_s": report.seconds,
        "stages_s": stage_s,
        "chunks_per_s": round(report.chunks / report.seconds, 1) if report.seconds else None,
        "embed_s": round(timed.seconds, 3),
        "embed_texts": timed.texts,
        "embed_tokens": timed.tokens,
        "embed_tokens_per_s": round(timed.tokens / timed.seconds, 1) if timed.seconds else None,
        "embed_chunks_per_s": round(timed.texts / timed.seconds, 1) if timed.seconds else None,
        "peak_rss_mb": peak_rss_mb(),
    }


def task_retrieval(args) -> dict:
    """p50/p95 of Engine.search(q, k=5, mode) per mode, modes interleaved per query, after a warm-up."""
    from rag.engine import Engine

    engine = Engine(settings_for(args))
    t0 = time.perf_counter()
    retriever = engine.retriever  # loads the model and the index once
    load_s = time.perf_counter() - t0
    qs = [q["question"] for q in questions(args.questions)]
    warm, qs = qs[-args.warmup :], qs[: args.n]  # warm-up on other questions than the timed ones
    modes = ("dense", "bm25", "hybrid")
    for q in warm:
        for m in modes:
            engine.search(q, k=5, mode=m)
    times: dict[str, list[float]] = {m: [] for m in modes + ("embed_query",)}
    for rnd in range(args.rounds):
        for i, q in enumerate(qs):
            order = modes if (i + rnd) % 2 == 0 else modes[::-1]
            for m in order:
                t = time.perf_counter()
                engine.search(q, k=5, mode=m)
                times[m].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            retriever.embed_query(q)
            times["embed_query"].append((time.perf_counter() - t) * 1000)
    return {
        "chunks": len(retriever.chunks),
        "index_kind": retriever.index.manifest.get("index_kind"),
        "queries": len(qs),
        "rounds": args.rounds,
        "load_s": round(load_s, 3),
        "ms": {m: {"p50": pct(v, 50), "p95": pct(v, 95)} for m, v in times.items()},
        "peak_rss_mb": peak_rss_mb(),
    }


def task_quality(args) -> dict:
    """hit_at_k and mrr (k=5) of rag.evaluation.evaluate on a question file, no answering backend."""
    from rag.engine import Engine
    from rag.evaluation import evaluate

    engine = Engine(settings_for(args))
    r = evaluate(engine, Path(args.questions), backend=None, k=5)
    keep = ("questions", "hit_at_k", "recall_at_k", "mrr", "lookup_top1", "lookup_line", "latency_ms")
    out = {k: r[k] for k in keep}
    out["embed_model"] = engine.embedder.name
    return out


def _edit(path: Path, n: int) -> None:
    """Change one paragraph of an article (a new sentence at its end), as an editor would."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    i = max(range(len(lines)), key=lambda j: len(lines[j]))
    lines[i] += f" The figures were revised again in update {n}, officials said."
    path.write_text("\n".join(lines), encoding="utf-8")


def task_incremental(args) -> dict:
    """Re-index after one changed file and after 10 added files, in one long-lived engine and cold."""
    from rag.engine import Engine

    settings = settings_for(args)
    corpus = Path(args.corpus)
    engine = Engine(settings)
    t0 = time.perf_counter()
    engine.embedder  # noqa: B018 - load the model before timing, as a running app has it loaded
    engine.tokenizer  # noqa: B018
    load_s = time.perf_counter() - t0
    results: dict[str, list] = {"noop": [], "change_1": [], "revert_1": [], "add_10": [], "remove_10": []}

    def run(label):
        t, cpu = time.perf_counter(), time.process_time()
        rep = engine.index()
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
        # CPU seconds (all threads of this process) tell what the work costs when the machine is shared
        results[label].append({"s": round(wall, 3), "cpu_s": round(cpu, 3), "chunks_embedded": rep.chunks_embedded,
                               "updated": rep.files_updated, "added": rep.files_added, "removed": rep.files_removed})

    run("noop")  # the working copy was copied from a finished build: nothing to do
    files = sorted(corpus.glob("*.txt"))
    extra = sorted(Path(args.extra).glob("*.txt"))[:10]
    for r in range(args.rounds):
        target = files[(r * 7919) % len(files)]
        original = target.read_bytes()
        _edit(target, r)
        run("change_1")
        target.write_bytes(original)
        run("revert_1")
        added = []
        for j, src in enumerate(extra):
            dst = corpus / f"added_{r}_{j:02d}.txt"
            shutil.copy(src, dst)
            added.append(dst)
        run("add_10")
        for p in added:
            p.unlink()
        run("remove_10")
    run("noop")

    # cold: a fresh `rag index` process after one changed file (model load included)
    import subprocess

    cold = []
    for r in range(args.cold_rounds):
        target = files[(r * 104729 + 13) % len(files)]
        original = target.read_bytes()
        _edit(target, 100 + r)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "RAG_EMBED_RUNTIME": args.runtime}
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "rag.cli", "index", "--json", "--corpus", str(corpus),
                               "--index", str(args.index)], capture_output=True, text=True, env=env, cwd=ROOT)
        wall = time.perf_counter() - t
        target.write_bytes(original)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        rep = json.loads(proc.stdout)
        cold.append({"wall_s": round(wall, 3), "build_s": rep["seconds"], "chunks_embedded": rep["chunks_embedded"]})
    engine.index()  # leave the working copy consistent with its files

    def med(label, key="s"):
        vals = [r[key] for r in results[label]]
        return round(statistics.median(vals), 3) if vals else None

    return {
        "load_s": round(load_s, 3),
        "median_s": {k: med(k) for k in results},
        "median_cpu_s": {k: med(k, "cpu_s") for k in results},
        "cold_rag_index": {"wall_s": round(statistics.median([c["wall_s"] for c in cold]), 3) if cold else None,
                           "build_s": round(statistics.median([c["build_s"] for c in cold]), 3) if cold else None},
        "runs": results,
        "cold_runs": cold,
        "peak_rss_mb": peak_rss_mb(),
    }


def task_answer(args) -> dict:
    """Engine.ask timings (ttft_ms, total_ms) per backend on answerable questions, after one warm-up."""
    from rag.engine import Engine

    engine = Engine(settings_for(args))
    qs = [q["question"] for q in questions(args.questions, answerable_only=True)]
    out = {}
    for backend in args.backends.split(","):
        if backend == "llamacpp":
            from rag.generators.llamacpp import bundled_gguf, llama_available

            if not (llama_available() and bundled_gguf()):
                out[backend] = {"error": "llama-cpp-python or the bundled GGUF is missing"}
                continue
        t = time.perf_counter()
        first = engine.ask(qs[-1], backend=backend)  # loads the generator; timed apart as the cold call
        cold_ms = (time.perf_counter() - t) * 1000
        ttft, total, refused = [], [], 0
        for q in qs[: args.n]:
            a = engine.ask(q, backend=backend)
            refused += a.refused
            total.append(a.timings["total_ms"])
            if "ttft_ms" in a.timings:
                ttft.append(a.timings["ttft_ms"])
        out[backend] = {
            "questions": len(total), "refused": refused, "first_call_ms": round(cold_ms, 1),
            "first_call_backend": first.backend,
            "ttft_ms": {"p50": pct(ttft, 50), "p95": pct(ttft, 95)},
            "total_ms": {"p50": pct(total, 50), "p95": pct(total, 95)},
        }
    out["peak_rss_mb"] = peak_rss_mb()
    return out


# ---------------------------------------------------------------------------------------------
# Dense search at sizes no corpus here reaches: vectors shaped like real embeddings.


def synth_vectors(base: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """n unit vectors, each a random blend of two real chunk embeddings plus a little noise.

    Blends stay on the manifold the model writes to (the same directions, the same clumping by
    topic) while giving n distinct points; uniform random vectors would make every ANN index look
    bad (no structure to exploit) and every neighbour equally far.
    """
    rng = np.random.default_rng(seed)
    d = base.shape[1]
    out = np.empty((n, d), dtype=np.float32)
    step = 100_000
    for s in range(0, n, step):
        m = min(step, n - s)
        a = base[rng.integers(0, len(base), m)]
        b = base[rng.integers(0, len(base), m)]
        w = rng.uniform(0.55, 1.0, (m, 1)).astype(np.float32)
        v = w * a + (1 - w) * b + rng.normal(0, 0.25 / np.sqrt(d), (m, d)).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        out[s : s + m] = v
    return out


def query_vectors(args) -> np.ndarray:
    from rag.config import Settings
    from rag.embeddings import load_embedder

    qs = [q["question"] for q in questions(args.questions)]
    emb = load_embedder(Settings(embed_runtime=args.runtime))
    return emb.embed(qs[: args.n]).astype(np.float32)


def measure_ann(index, queries: np.ndarray, truth: np.ndarray, warmup: int = 20) -> dict:
    from rag.vector_index import search

    for q in queries[:warmup]:
        search(index, q[None, :], DENSE_POOL)
    times, found = [], []
    for q in queries:
        t = time.perf_counter()
        _, rows = search(index, q[None, :], DENSE_POOL)
        times.append((time.perf_counter() - t) * 1000)
        found.append(rows[0][:10])
    recall = float(np.mean([len(set(f.tolist()) & set(t.tolist())) / 10 for f, t in zip(found, truth)]))
    return {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "recall_at_10": round(recall, 4)}


def describe(index) -> dict:
    """The parameters that decide an index's speed and recall."""
    import faiss

    out = {"type": type(index).__name__}
    ivf = faiss.try_extract_index_ivf(index) if not isinstance(index, faiss.IndexFlat) else None
    if ivf is not None:
        out.update(nlist=ivf.nlist, nprobe=ivf.nprobe)
    hnsw = getattr(index, "hnsw", None)
    if hnsw is not None:
        out.update(M=hnsw.nb_neighbors(1), efConstruction=hnsw.efConstruction, efSearch=hnsw.efSearch)
    return out


def task_ann(args) -> dict:
    import faiss

    from rag.vector_index import build_vector_index, choose_kind

    base = np.load(args.base).astype(np.float32)
    queries = query_vectors(args)
    out = {"base_vectors": len(base), "queries": len(queries), "sizes": {}}
    for n in [int(s) for s in args.sizes.split(",")]:
        t = time.perf_counter()
        vecs = synth_vectors(base, n)
        gen_s = time.perf_counter() - t
        _, truth = faiss.knn(queries, vecs, 10, metric=faiss.METRIC_INNER_PRODUCT)
        kind = args.kind or choose_kind(n)
        t = time.perf_counter()
        kind, index = build_vector_index(vecs, kind)
        build_s = time.perf_counter() - t
        del vecs
        row = {"kind": kind, "params": describe(index), "build_s": round(build_s, 2), "gen_s": round(gen_s, 2)}
        row.update(measure_ann(index, queries, truth))
        out["sizes"][str(n)] = row
        print(json.dumps({str(n): row}), file=sys.stderr, flush=True)
        del index
    out["peak_rss_mb"] = peak_rss_mb()
    return out


# ---------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("task", choices=["build", "retrieval", "quality", "incremental", "answer", "ann"])
    p.add_argument("--corpus")
    p.add_argument("--index")
    p.add_argument("--runtime", default="torch")
    p.add_argument("--questions")
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--cold-rounds", type=int, default=1)
    p.add_argument("--extra")
    p.add_argument("--backends", default="extractive,llamacpp")
    p.add_argument("--base")
    p.add_argument("--sizes", default="100000")
    p.add_argument("--kind", default=None)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    for noisy in ("sentence_transformers", "faiss", "bm25s", "httpx", "transformers"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    result = globals()[f"task_{args.task}"](args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
