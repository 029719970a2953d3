"""`make bench`: speed and quality of corpus-rag at scale; prints a table, writes bench/results.json.

    .venv/bin/python bench/run.py            # seeds, 1,000 and 10,000 articles, 100k and 1M vectors
    .venv/bin/python bench/run.py --quick    # seeds, 1,000 articles, fewer queries, 100k vectors (< 5 min)
    .venv/bin/python bench/run.py --only retrieval,quality --sizes 10000    # some sections only
    .venv/bin/python bench/run.py --table bench/results.json                # print a saved table again
    .venv/bin/python bench/run.py --rag-root ../before --tag before --out bench/results/before.json
                                             # the same measurements of another checkout's `rag` (git worktree)
    .venv/bin/python bench/run.py --compare bench/results/before-9c327ea.json bench/results.json   # side by side

Synthetic corpora come from bench/make_corpus.py (deterministic) and are written once under
bench/corpora/ (git-ignored), with their indexes (index-onnx/, index-torch/). Every measurement runs
in a child process (bench/tasks.py), so each build's peak RSS is its own and no measurement inherits
another's warm caches. The full run rebuilds every index from scratch: on 2 cores about 15 minutes
with --runtimes onnx (the 10,000-article build is 6 of them) and 15 more for the torch builds;
--quick (about 1.5 minutes, 3 with a 1,000-article corpus to write and index) builds the
1,000-article index once and reuses it afterwards (its build figures are in the table when it is
built). Timings are medians; the machine may be shared, so the table shows the load average at the
start and end, and the incremental re-index also shows CPU seconds, which load does not inflate.

bench/ann_sweep.py holds the parameter sweep behind the index kinds in rag/vector_index.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import select
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CORPORA = BENCH / "corpora"
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
# `python -m rag.cli` from ROOT is the `rag` command of this checkout (the console script may point elsewhere)
RAG = [PY, "-m", "rag.cli"]
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
SECTIONS = ("embed", "seeds", "build", "incremental", "retrieval", "quality", "answer", "cli", "ann")
HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime", "llama_cpp", "streamlit", "faiss",
         "bm25s", "rapidfuzz", "scipy", "numpy", "tokenizers", "ollama", "httpx")

sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(ROOT))


from cpu import cpu_info, describe  # noqa: E402 - bench/ is on sys.path from here on


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# The checkout whose `rag` package is measured (--rag-root); index directories carry --tag.
RAG_ROOT = ROOT
TAG = ""


def child(task: str, *args: str, timeout: float = 7200) -> dict:
    """Run bench/tasks.py TASK in a fresh process; its last stdout line is the JSON result."""
    cmd = [PY, str(BENCH / "tasks.py"), task, *args]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "RAG_BENCH_ROOT": str(RAG_ROOT)}
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=RAG_ROOT, timeout=timeout)
    if proc.returncode != 0:
        log(f"{task} failed:\n{proc.stderr[-3000:]}")
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_s"] = round(time.perf_counter() - t, 2)
    return out


def corpus(n: int) -> tuple[Path, Path]:
    """The deterministic synthetic corpus of n articles (written once, reused while it is complete)."""
    from make_corpus import make_corpus

    out = CORPORA / f"syn{n // 1000}k"
    cdir, qpath = out / "corpus", out / "questions.jsonl"
    if qpath.exists() and len(list(cdir.glob("syn_*.txt"))) == n:
        return cdir, qpath
    log(f"writing the synthetic corpus of {n:,} articles to {out}")
    return make_corpus(n, out, seed=0, n_questions=200)


def extra_files() -> Path:
    """Ten more articles (another seed, so their text is new) for the 'add 10 files' measurement."""
    from make_corpus import make_corpus

    out = CORPORA / "extra10"
    if len(list((out / "corpus").glob("*.txt"))) != 10:
        make_corpus(10, out, seed=1, n_questions=0)
    return out / "corpus"


def index_dir(name: str, runtime: str) -> Path:
    return CORPORA / name / (f"index-{runtime}-{TAG}" if TAG else f"index-{runtime}")


def live_vectors(idx: Path) -> Path:
    return idx / (idx / "CURRENT").read_text().strip() / "vectors.npy"


def default_runtimes() -> list[str]:
    """The runtime an Engine picks by default (as rag.embeddings.load_embedder resolves "auto"), then the other."""
    from rag.config import Settings

    settings = Settings.from_env()
    rt = settings.embed_runtime
    if rt == "auto":
        try:
            from rag.embeddings import _onnx_usable  # how load_embedder decides

            rt = "onnx" if _onnx_usable(settings) else "torch"
        except ImportError:  # an older rag: torch unless told otherwise
            rt = os.environ.get("RAG_EMBED_RUNTIME_DEFAULT", "torch")
    return [rt] + [r for r in ("torch", "onnx") if r != rt]


def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


# ---------------------------------------------------------------------------------------------
# CLI start-up, measured from a cold shell


def _time_cmd(cmd: list[str], env: dict) -> tuple[float, bytes]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=env, cwd=RAG_ROOT)
    return time.perf_counter() - t, proc.stdout


def _first_byte_on_pty(cmd: list[str], env: dict) -> tuple[float, float]:
    """(seconds to the first stdout byte, seconds to exit) with stdout on a terminal, so `rag ask` streams."""
    master, slave = pty.openpty()
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=slave, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env, cwd=RAG_ROOT)
    os.close(slave)
    first = None
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            if not ready:
                break
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            if first is None:
                first = time.perf_counter() - t
    finally:
        os.close(master)
        proc.wait()
    return (first if first is not None else float("nan")), time.perf_counter() - t


def cli_startup(seeds_index: Path, repeat: int) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    where = ["--corpus", str(ROOT / "seeds"), "--index", str(seeds_index)]
    q = "Who handed Finland's signed NATO accession treaty to Antony Blinken?"
    runs: dict[str, list[float]] = {"help": [], "search_json": [], "ask_json": [], "ask_pty_first_byte": [], "ask_pty_total": [],
                                    "ask_llamacpp_pty_first_byte": [], "ask_llamacpp_pty_total": []}
    for _ in range(repeat):
        runs["help"].append(_time_cmd([*RAG, "--help"], env)[0])
        runs["search_json"].append(_time_cmd([*RAG, "search", q, "--json", *where], env)[0])
        runs["ask_json"].append(_time_cmd([*RAG, "ask", q, "--backend", "extractive", "--json", *where], env)[0])
        first, total = _first_byte_on_pty([*RAG, "ask", q, "--backend", "extractive", *where], env)
        runs["ask_pty_first_byte"].append(first)
        runs["ask_pty_total"].append(total)
        # the embedded model streams its tokens to a terminal: the first byte is its first token
        first, total = _first_byte_on_pty([*RAG, "ask", q, "--backend", "llamacpp", *where], env)
        runs["ask_llamacpp_pty_first_byte"].append(first)
        runs["ask_llamacpp_pty_total"].append(total)
    imports = {}
    for name, argv in {"help": ["--help"], "search": ["search", q, "--json", *where]}.items():
        code = (
            "import sys, json, contextlib, io\n"
            "from rag.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try: main(%r)\n"
            "    except SystemExit: pass\n"
            "print(json.dumps(sorted(m for m in %r if m in sys.modules)))\n" % (argv, HEAVY)
        )
        proc = subprocess.run([PY, "-c", code], capture_output=True, text=True, env=env, cwd=RAG_ROOT)
        imports[name] = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else proc.stderr[-300:]
    return {"median_s": {k: median(v) for k, v in runs.items()}, "runs": runs, "heavy_imports": imports}


# ---------------------------------------------------------------------------------------------


def run(args) -> dict:
    quick = args.quick
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([1000] if quick else [1000, 10000])
    runtimes = args.runtimes.split(",") if args.runtimes else default_runtimes()
    primary = runtimes[0]
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    n_queries = 50 if quick else 200
    cpu = cpu_info()
    log(describe(cpu))  # first: every figure below belongs to this CPU
    res: dict = {
        "meta": {
            "cpu": cpu, "quick": quick, "started": time.strftime("%Y-%m-%d %H:%M:%S"), "python": platform.python_version(),
            "cpus": os.cpu_count(), "loadavg_start": [round(x, 2) for x in os.getloadavg()],
            "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=RAG_ROOT).stdout.strip(),
            "rag_root": str(RAG_ROOT), "tag": TAG,
            "runtimes": runtimes, "sizes": sizes,
        },
        "embed": {}, "build": {}, "incremental": {}, "retrieval": {}, "quality": {}, "answer": {}, "cli": {}, "ann": {},
    }
    t_start = time.perf_counter()

    # 1. embedding throughput (a colleague's script; included when it exists)
    if "embed" in only and (BENCH / "embed_throughput.py").exists() and (ROOT / "rag" / "onnx_embedder.py").exists():
        log("embedding throughput (bench/embed_throughput.py)")
        out = CORPORA / "embed_throughput.json"
        CORPORA.mkdir(parents=True, exist_ok=True)
        cmd = [PY, str(BENCH / "embed_throughput.py"), "--threads", "2", "--json", str(out)]
        cmd += ["--n", "16", "--repeat", "1"] if quick else ["--n", "100", "--repeat", "3"]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        res["embed"] = json.loads(out.read_text()) if proc.returncode == 0 and out.exists() else {"error": proc.stderr[-500:]}

    # 2. the seeds: build, quality on the dev set, answering, CLI start-up
    seeds_idx = {rt: index_dir("seeds", rt) for rt in runtimes}
    if only & {"seeds", "build", "quality", "answer", "cli", "retrieval"}:
        for rt in runtimes:
            if "build" in only or "seeds" in only or not (seeds_idx[rt] / "CURRENT").exists():
                log(f"seeds: build ({rt})")
                res["build"][f"seeds/{rt}"] = child("build", "--corpus", str(ROOT / "seeds"), "--index", str(seeds_idx[rt]), "--runtime", rt)
            if "quality" in only or "seeds" in only:
                log(f"seeds: quality on dev.jsonl ({rt})")
                res["quality"][f"dev/{rt}"] = child("quality", "--corpus", str(ROOT / "seeds"), "--index", str(seeds_idx[rt]),
                                                    "--runtime", rt, "--questions", str(DEV))
        if "retrieval" in only or "seeds" in only:
            log("seeds: retrieval latency")
            res["retrieval"][f"seeds/{primary}"] = child(
                "retrieval", "--corpus", str(ROOT / "seeds"), "--index", str(seeds_idx[primary]), "--runtime", primary,
                "--questions", str(DEV), "--n", "20", "--warmup", "5", "--rounds", "2" if quick else "5")
        if "answer" in only or "seeds" in only:
            log("seeds: answering (extractive, llamacpp)")
            res["answer"][primary] = child("answer", "--corpus", str(ROOT / "seeds"), "--index", str(seeds_idx[primary]),
                                           "--runtime", primary, "--questions", str(DEV), "--n", "2" if quick else "8")
        if "cli" in only or "seeds" in only:
            log("seeds: CLI start-up from a cold shell")
            res["cli"] = cli_startup(seeds_idx[primary], repeat=2 if quick else 5)

    # 3. synthetic corpora: build, quality, retrieval latency
    for n in sizes:
        name = f"syn{n // 1000}k"
        if not only & {"build", "quality", "retrieval", "incremental", "ann"}:
            break
        cdir, qpath = corpus(n)
        for rt in runtimes if not quick else [primary]:
            idx = index_dir(name, rt)
            if quick and (idx / "CURRENT").exists():
                # embedding 4,000 chunks alone takes minutes on 2 cores: --quick builds the index once
                res["build"][f"{name}/{rt}"] = {"reused": str(idx)}
            elif "build" in only or not (idx / "CURRENT").exists():
                log(f"{name}: build ({rt})")
                res["build"][f"{name}/{rt}"] = child("build", "--corpus", str(cdir), "--index", str(idx), "--runtime", rt)
            if "quality" in only:
                log(f"{name}: quality ({rt})")
                res["quality"][f"{name}/{rt}"] = child("quality", "--corpus", str(cdir), "--index", str(idx), "--runtime", rt,
                                                       "--questions", str(qpath))
            if "retrieval" in only:
                log(f"{name}: retrieval latency ({rt})")
                res["retrieval"][f"{name}/{rt}"] = child("retrieval", "--corpus", str(cdir), "--index", str(idx), "--runtime", rt,
                                                         "--questions", str(qpath), "--n", str(n_queries),
                                                         "--rounds", "1" if quick else "2")

    # 4. incremental re-index on a working copy of the largest corpus and its index
    if "incremental" in only and sizes:
        n = max(sizes)
        name = f"syn{n // 1000}k"
        cdir, _ = corpus(n)
        work = CORPORA / "work"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(cdir, work / "corpus")
        shutil.copytree(index_dir(name, primary), work / "index", ignore=shutil.ignore_patterns("LOCK"))
        log(f"{name}: incremental re-index ({primary})")
        r = child("incremental", "--corpus", str(work / "corpus"), "--index", str(work / "index"), "--runtime", primary,
                  "--extra", str(extra_files()), "--rounds", "2" if quick else "3", "--cold-rounds", "1" if quick else "3")
        r["corpus"] = name
        res["incremental"] = r
        shutil.rmtree(work, ignore_errors=True)

    # 5. dense search over 100k (and 1M) vectors shaped like real embeddings
    if "ann" in only:
        n = max(sizes) if sizes else 1000
        name = f"syn{n // 1000}k"
        _, qpath = corpus(n)
        base = live_vectors(index_dir(name, primary))
        ann_sizes = args.ann_sizes or ("100000" if quick else "100000,1000000")
        log(f"dense ANN over {ann_sizes} vectors (blends of {name}'s chunk embeddings)")
        res["ann"] = child("ann", "--base", str(base), "--questions", str(qpath), "--runtime", primary,
                           "--sizes", ann_sizes, "--n", "100" if quick else "200")

    res["meta"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    res["meta"]["seconds"] = round(time.perf_counter() - t_start, 1)
    return res


# ---------------------------------------------------------------------------------------------
# The table


def _f(v, fmt="{:.1f}"):
    if v is None or (isinstance(v, float) and v != v):
        return "-"
    return fmt.format(v) if isinstance(v, (int, float)) else str(v)


def table(res: dict) -> str:
    out = []
    m = res["meta"]
    out.append(f"corpus-rag bench ({'quick' if m['quick'] else 'full'}), {m['cpus']} CPUs, load average "
               f"{m['loadavg_start'][0]} -> {m.get('loadavg_end', ['?'])[0]}, {m.get('seconds', 0):.0f} s")
    out.append(describe(m["cpu"]) if m.get("cpu") else "CPU: not recorded (a run from before bench/cpu.py)")

    def section(title, header, rows):
        if not rows:
            return
        rows = [list(r) + [""] * (len(header) - len(r)) for r in rows]  # an error row is short
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
        out.append("")
        out.append(title)
        out.append("  " + "  ".join(str(h).ljust(w) for h, w in zip(header, widths)))
        for r in rows:
            out.append("  " + "  ".join(str(x).ljust(w) for x, w in zip(r, widths)))

    e = res.get("embed") or {}
    if e.get("passages_per_s"):
        tr = e.get("tokens_per_s", {})  # word pieces/s and roof shares (bench/roof.py), from runs after it came in

        def pct(k, which, kind):
            return _f((tr.get(k, {}).get(which) or {}).get(kind), "{:.0%}")

        rows = [[k, _f(v["uniform"]), _f(v["mixed"]), _f(tr.get(k, {}).get("tokens_per_s"), "{:.0f}"),
                 pct(k, "roof_share", "fp32"), pct(k, "roof_share", "int8"), pct(k, "roof_share_per_cpu_s", "int8")]
                for k, v in e["passages_per_s"].items()]
        lat = e.get("query_latency_ms", {})
        rows += [[f"single query latency {k}", _f(v, "{:.1f} ms"), "", "", "", "", ""] for k, v in lat.items()]
        roof = e.get("roof") or {}
        note = (f"; roofs {roof.get('mflop_per_token')} MFLOP/token, {roof.get('cores')} cores x {roof.get('ghz')} GHz x "
                f"{roof.get('flop_per_cycle')}/cycle: fp32 {roof.get('fp32_tokens_per_s')}, int8 "
                f"{roof.get('int8_tokens_per_s')} word pieces/s") if roof else ""
        section(f"Embedding throughput (bench/embed_throughput.py, {e.get('n')} passages of ~{e.get('tokens')} word pieces{note})",
                ["configuration", "uniform p/s", "mixed p/s", "tok/s", "fp32 roof", "int8 roof", "int8 roof per CPU-s"], rows)
    elif e.get("error"):
        out.append(f"\nEmbedding throughput: failed ({e['error'][-200:]})")

    rows = []
    for key, b in res.get("build", {}).items():
        if "reused" in b:
            rows.append([key, "(index from an earlier run reused; `make bench` rebuilds it)"])
            continue
        if "error" in b:
            rows.append([key, "error: " + b["error"][:60]])
            continue
        rows.append([key, b["files"], b["chunks"], _f(b["build_s"]), _f(b["chunks_per_s"]), _f(b["embed_tokens_per_s"], "{:.0f}"),
                     _f(b["embed_s"]), _f(b["build_s"] - b["embed_s"]), _f(b["peak_rss_mb"], "{:.0f}")])
    section("Index build (from scratch, in a child process; model load not included)",
            ["corpus/runtime", "files", "chunks", "seconds", "chunks/s", "embed tok/s", "embed s", "other s", "peak RSS MB"], rows)

    inc = res.get("incremental") or {}
    if inc.get("median_s"):
        ms, cpu = inc["median_s"], inc.get("median_cpu_s") or {}
        cold = inc.get("cold_rag_index", {})
        label = {"noop": "nothing changed", "change_1": "1 file changed", "revert_1": "1 file changed back",
                 "add_10": "10 files added", "remove_10": "10 files removed"}
        rows = [[label.get(k, k), _f(v, "{:.2f}"), _f(cpu.get(k), "{:.2f}")] for k, v in ms.items()]
        rows.append(["cold `rag index`, 1 file changed (process wall)", _f(cold.get("wall_s"), "{:.2f}"), ""])
        rows.append(["  of which build_index", _f(cold.get("build_s"), "{:.2f}"), ""])
        section(f"Incremental re-index, {inc.get('corpus')} (engine already loaded; medians)", ["operation", "wall s", "CPU s"], rows)
    elif inc.get("error"):
        out.append(f"\nIncremental: failed ({inc['error'][:200]})")

    rows = []
    for key, r in res.get("retrieval", {}).items():
        if "error" in r:
            rows.append([key, "error"])
            continue
        ms = r["ms"]
        rows.append([key, r["chunks"], r["index_kind"], r["queries"] * r["rounds"]]
                    + [f"{_f(ms[m]['p50'], '{:.2f}')} / {_f(ms[m]['p95'], '{:.2f}')}" for m in ("dense", "bm25", "hybrid", "embed_query")])
    section("Retrieval latency, Engine.search(k=5), ms p50 / p95", ["corpus", "chunks", "kind", "n", "dense", "bm25", "hybrid", "(query embedding)"], rows)

    a = res.get("ann") or {}
    rows = []
    for n, r in (a.get("sizes") or {}).items():
        p = r["params"]
        params = ", ".join(f"{k}={v}" for k, v in p.items() if k != "type")
        rows.append([f"{int(n):,}", r["kind"], params or "-", _f(r["build_s"]), _f(r["p50_ms"], "{:.2f}"), _f(r["p95_ms"], "{:.2f}"), _f(r["recall_at_10"], "{:.3f}")])
    section(f"Dense search, one query at a time, top {50} ({a.get('queries', 0)} real question vectors; corpus vectors: blends of real chunk embeddings)",
            ["vectors", "kind", "parameters", "build s", "p50 ms", "p95 ms", "recall@10"], rows)
    if a.get("error"):
        out.append(f"  ann failed: {a['error'][:200]}")

    rows = []
    for key, q in res.get("quality", {}).items():
        if "error" in q:
            rows.append([key, "error"])
            continue
        rows.append([key, q["questions"], _f(q["hit_at_k"], "{:.3f}"), _f(q["mrr"], "{:.3f}"), _f(q["lookup_top1"], "{:.3f}")])
    section("Retrieval quality (rag.evaluation.evaluate, k=5)", ["questions/runtime", "n", "hit@5", "mrr", "lookup top1"], rows)

    rows = []
    for rt, ans in res.get("answer", {}).items():
        for backend, r in ans.items():
            if not isinstance(r, dict):
                continue
            if "error" in r:
                rows.append([backend, r["error"][:60]])
                continue
            rows.append([backend, r["questions"], r["refused"], _f(r["ttft_ms"]["p50"], "{:.0f}"), _f(r["total_ms"]["p50"], "{:.0f}"),
                         _f(r["total_ms"]["p95"], "{:.0f}"), _f(r["first_call_ms"], "{:.0f}")])
    section("Answering on the seeds (Engine.ask), ms", ["backend", "n", "refused", "ttft p50", "total p50", "total p95", "first call"], rows)

    c = res.get("cli") or {}
    if c.get("median_s"):
        ms = c["median_s"]
        rows = [["rag --help", _f(ms["help"], "{:.2f}")], ["rag search --json (whole output)", _f(ms["search_json"], "{:.2f}")],
                ["rag ask --backend extractive --json (whole output)", _f(ms["ask_json"], "{:.2f}")],
                ["rag ask --backend extractive on a tty: first byte", _f(ms["ask_pty_first_byte"], "{:.2f}")],
                ["rag ask --backend extractive on a tty: exit", _f(ms["ask_pty_total"], "{:.2f}")],
                ["rag ask --backend llamacpp on a tty: first token", _f(ms.get("ask_llamacpp_pty_first_byte"), "{:.2f}")],
                ["rag ask --backend llamacpp on a tty: exit", _f(ms.get("ask_llamacpp_pty_total"), "{:.2f}")]]
        for k, mods in (c.get("heavy_imports") or {}).items():
            rows.append([f"heavy modules imported by `rag {k}`", (", ".join(mods) or "none") if isinstance(mods, list) else "?"])
        section("CLI from a cold shell (process start to output), seconds", ["command", "value"], rows)
    return "\n".join(out)


def _get(res: dict, path: str):
    cur = res
    for part in path.split("|"):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _first_key(section: dict, prefix: str) -> str | None:
    return next((k for k in section if k.startswith(prefix)), None)


def compare(before: dict, after: dict) -> str:
    """The headline figures of two results files side by side (each row: before, after)."""

    def build(res, name, field):
        key = _first_key(res.get("build", {}), name + "/")
        return _get(res, f"build|{key}|{field}") if key else None

    def retrieval(res, name, mode):
        key = _first_key(res.get("retrieval", {}), name + "/")
        return _get(res, f"retrieval|{key}|ms|{mode}|p50") if key else None

    def quality(res, name, field):
        key = _first_key(res.get("quality", {}), name + "/")
        return _get(res, f"quality|{key}|{field}") if key else None

    def ann(res, n, field):
        return _get(res, f"ann|sizes|{n}|{field}")

    def answer(res, backend, field):
        for per_runtime in res.get("answer", {}).values():
            if backend in per_runtime:
                return _get(per_runtime, f"{backend}|{field}")
        return None

    def embed(res, which):  # which: "engine_default" or "baseline", the rows embed_throughput names
        e = res.get("embed") or {}
        return _get(e, f"passages_per_s|{e[which]}|uniform") if e.get(which) else None

    def cpu(res):
        c = res["meta"].get("cpu")
        return f"{c['model']} ({', '.join(n for n, v in c['simd'].items() if v) or 'no SIMD listed'})" if c else None

    rows = [
        ("CPU (SIMD features)", cpu, "{}"),
        ("runtime (embedding)", lambda r: ",".join(r["meta"].get("runtimes", [])), "{}"),
        ("embedding passages/s (240 word pieces; before: sentence-transformers default)",
         lambda r: embed(r, "engine_default") if r is after else embed(after, "baseline"), "{:.1f}"),
        ("build 10k: seconds", lambda r: build(r, "syn10k", "build_s"), "{:.0f}"),
        ("build 10k: embed word pieces/s", lambda r: build(r, "syn10k", "embed_tokens_per_s"), "{:.0f}"),
        ("build 10k: peak RSS MB", lambda r: build(r, "syn10k", "peak_rss_mb"), "{:.0f}"),
        ("build 1k: seconds", lambda r: build(r, "syn1k", "build_s"), "{:.1f}"),
        ("re-index 10k, nothing changed: s", lambda r: _get(r, "incremental|median_s|noop"), "{:.2f}"),
        ("re-index 10k, 1 file changed: s", lambda r: _get(r, "incremental|median_s|change_1"), "{:.2f}"),
        ("re-index 10k, 10 files added: s", lambda r: _get(r, "incremental|median_s|add_10"), "{:.2f}"),
        ("cold `rag index` 10k, 1 file changed: s", lambda r: _get(r, "incremental|cold_rag_index|wall_s"), "{:.2f}"),
    ]
    for name in ("seeds", "syn1k", "syn10k"):
        for mode in ("dense", "bm25", "hybrid"):
            rows.append((f"{name} {mode} p50 ms", lambda r, n=name, m=mode: retrieval(r, n, m), "{:.2f}"))
    for n in ("100000", "1000000"):
        rows.append((f"{int(n):,} vectors: kind", lambda r, n=n: ann(r, n, "kind"), "{}"))
        rows.append((f"{int(n):,} vectors: p50 ms", lambda r, n=n: ann(r, n, "p50_ms"), "{:.2f}"))
        rows.append((f"{int(n):,} vectors: recall@10", lambda r, n=n: ann(r, n, "recall_at_10"), "{:.3f}"))
    for name, label in (("dev", "dev.jsonl"), ("syn1k", "1k planted"), ("syn10k", "10k planted")):
        rows.append((f"{label} hit@5", lambda r, n=name: quality(r, n, "hit_at_k"), "{:.3f}"))
        rows.append((f"{label} mrr", lambda r, n=name: quality(r, n, "mrr"), "{:.3f}"))
    for backend in ("extractive", "llamacpp"):
        rows.append((f"{backend}: ttft p50 ms", lambda r, b=backend: answer(r, b, "ttft_ms|p50"), "{:.0f}"))
        rows.append((f"{backend}: total p50 ms", lambda r, b=backend: answer(r, b, "total_ms|p50"), "{:.0f}"))
    for key, label in (("search_json", "cold `rag search --json`: s"), ("ask_pty_first_byte", "cold `rag ask` extractive, first byte: s"),
                       ("ask_llamacpp_pty_first_byte", "cold `rag ask` llamacpp, first token: s")):
        rows.append((label, lambda r, k=key: _get(r, f"cli|median_s|{k}"), "{:.2f}"))

    out = [f"before: {before['meta'].get('git')} ({before['meta'].get('started')}); "
           f"after: {after['meta'].get('git')} ({after['meta'].get('started')})", "",
           "| measure | before | after |", "|---|---|---|"]
    for label, fn, fmt in rows:
        cells = []
        for res in (before, after):
            try:
                cells.append(_f(fn(res), fmt))
            except (KeyError, TypeError):
                cells.append("-")
        out.append(f"| {label} | {cells[0]} | {cells[1]} |")
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="seeds + 1,000 articles, fewer queries, 100k vectors (< 5 min)")
    p.add_argument("--sizes", help="corpus sizes in articles, comma-separated (default 1000,10000; quick 1000)")
    p.add_argument("--ann-sizes", help="vector counts for dense search (default 100000,1000000; quick 100000)")
    p.add_argument("--runtimes", default=None,
                   help="embedding runtimes, comma-separated (default: the project's default first, then the other)")
    p.add_argument("--only", help=f"comma-separated sections: {','.join(SECTIONS)}")
    p.add_argument("--out", default=str(BENCH / "results.json"))
    p.add_argument("--rag-root", help="measure the `rag` package of another checkout (e.g. a git worktree of an older commit)")
    p.add_argument("--tag", default="", help="suffix for the index directories this run builds (keeps runs apart)")
    p.add_argument("--table", metavar="RESULTS", help="print the table of a saved results.json and exit")
    p.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), help="print two results files side by side and exit")
    args = p.parse_args(argv)
    if args.compare:
        before, after = (json.loads(Path(f).read_text()) for f in args.compare)
        print(compare(before, after))
        return 0
    if args.table:
        print(table(json.loads(Path(args.table).read_text())))
        return 0
    global RAG_ROOT, TAG
    if args.rag_root:
        RAG_ROOT = Path(args.rag_root).resolve()
    TAG = args.tag
    res = run(args)
    Path(args.out).write_text(json.dumps(res, indent=1))
    print(table(res))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
