"""Latency under load and memory on hostile files (issue 7's figures); prints JSON on its last line.

    .venv/bin/python bench/load.py concurrency [--threads 20] [--backend extractive]
    .venv/bin/python bench/load.py hostile-rss
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.config import Settings  # noqa: E402
from rag.engine import Engine  # noqa: E402

QUESTIONS = [
    "What did Peskov say about Finland?",
    "Who handed Finland's signed NATO accession treaty to Antony Blinken?",
    "Where did Russia decide to station tactical nuclear weapons?",
    "How long is the border that Finland shares with Russia?",
    "What is the population of Finland?",
    "Which anniversary did the CSTO summit in Moscow coincide with?",
    "What did Jens Stoltenberg call the joint statement by Russia and China?",
    "Why does the Kremlin consider Ukraine's possible NATO membership unacceptable?",
    "Which Ukrainian foreign minister travelled to Brussels for the NATO meeting?",
    "What did Peskov say about dialogue between Putin and Olaf Scholz?",
]


def pct(values, p):
    v = sorted(values)
    return round(v[min(len(v) - 1, int(round((len(v) - 1) * p / 100)))], 2)


def concurrency(threads: int, backend: str, rounds: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="rag-load-"))
    try:
        engine = Engine(Settings(corpus_dir=ROOT / "seeds", index_dir=tmp / "index"))
        engine.index()
        qs = (QUESTIONS * ((threads * rounds) // len(QUESTIONS) + 1))[: threads * rounds]
        serial = {}
        for q in QUESTIONS:  # warm-up, and the reference answers
            serial[q] = engine.ask(q, backend=backend).text

        def one(q):
            t0 = time.perf_counter()
            a = engine.ask(q, backend=backend)
            return (time.perf_counter() - t0) * 1000, a.text == serial[q]

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(one, qs))
        wall = time.perf_counter() - t0
        lat = [r[0] for r in results]
        return {
            "task": "concurrency", "threads": threads, "questions": len(qs), "backend": backend,
            "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95), "mean_ms": round(statistics.mean(lat), 2),
            "throughput_qps": round(len(qs) / wall, 2), "same_as_serial": all(r[1] for r in results),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def hostile_rss() -> dict:
    """Peak RSS of `rag index` over the seeds plus a 50 MB file and a 1 MB single-line file."""
    import subprocess

    tmp = Path(tempfile.mkdtemp(prefix="rag-hostile-"))
    try:
        corpus = tmp / "corpus"
        shutil.copytree(ROOT / "seeds", corpus)
        line = b"The committee met again and discussed the budget in great detail. " * 15 + b"\n"
        with open(corpus / "huge.txt", "wb") as fh:
            for _ in range(50 * 1024 * 1024 // len(line) + 1):
                fh.write(line)
        sentence = "The river authority said the water level at the Verlin gauge rose overnight again. "
        (corpus / "oneline.txt").write_text(sentence * (1024 * 1024 // len(sentence)), encoding="utf-8")
        out = {}
        for label, extra in (("seeds_only", ["huge.txt", "oneline.txt"]), ("with_hostile_files", [])):
            c = tmp / f"c-{label}"
            shutil.copytree(corpus, c)
            for name in extra:
                (c / name).unlink()
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "rag.cli", "index", "--json", "--corpus", str(c),
                                   "--index", str(tmp / f"i-{label}")], capture_output=True, text=True, cwd=ROOT)
            rep = json.loads(proc.stdout)
            out[label] = {
                "seconds": round(time.perf_counter() - t0, 2),
                "peak_rss_mb": round(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024, 1),
                "chunks": rep["chunks"], "skipped": rep["skipped"],
            }
        return {"task": "hostile_rss", **out}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("task", choices=["concurrency", "hostile-rss"])
    ap.add_argument("--threads", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--backend", default="extractive")
    args = ap.parse_args()
    result = concurrency(args.threads, args.backend, args.rounds) if args.task == "concurrency" else hostile_rss()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
