"""The project against a stock LlamaIndex pipeline: same corpus, same MiniLM, same machine, back to back.

    .venv/bin/python bench/side_by_side.py [--articles 300] [--peer-first] [--json FILE]

Corpus: `--articles` real news articles copied to bench/corpora/side300/ (git-ignored): the files of
/work/data/slices/train_*.txt first, then the other gold files of eval/realnews/train_*.jsonl, then
other /work/data/haystack files in a fixed pseudo-random order (sha1 of the name) until there are
enough. Questions: the lines of eval/realnews/train_*.jsonl whose gold_files are all in the corpus.

The peer runs in its own venv (bench/corpora/llamaindex-venv, created here on first use with
`python3 -m venv`, then `pip install torch==2.13.0` - the CPU wheel on disk, so pip does not fetch a
CUDA build - and `pip install llama-index-core llama-index-embeddings-huggingface`) as a subprocess
of this same file (`--peer`). It uses LlamaIndex's defaults: SimpleDirectoryReader, the default
SentenceSplitter (chunk 1,024 tokens, overlap 200), VectorStoreIndex with
HuggingFaceEmbedding(model_name=<the bundled MiniLM path>) at its default batch size, and
`index.as_retriever(similarity_top_k=5)`. HF_HUB_OFFLINE=1 on both sides.

Timed: build seconds from the files on disk to a searchable index (model loading is not counted on
either side). Word pieces embedded: the project's IndexReport.tokens_embedded; for the peer the
same MiniLM tokenizer over what LlamaIndex sends the model (each node's
get_content(metadata_mode=EMBED)), truncated to 256 word pieces as the model does, [CLS]/[SEP]
included on both. Retrieval: hit@5 and MRR@5 by gold file (the rank of the first hit from a gold
file), for the project's hybrid and dense-only search and the peer's retriever.
Figures and ratios (project / peer) are printed; the last stdout line is JSON (or --json FILE).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HAYSTACK = Path("/work/data/haystack")
SLICES = Path("/work/data/slices")
QUESTIONS = sorted((ROOT / "eval" / "realnews").glob("train_*.jsonl"))
CORPORA = ROOT / "bench" / "corpora"
PEER_VENV = CORPORA / "llamaindex-venv"
PEER_PACKAGES = ["llama-index-core", "llama-index-embeddings-huggingface"]
TORCH_PIN = "torch==2.13.0"  # the CPU wheel in /opt/wheels, the same torch as the project venv
MAX_TOKENS = 256  # MiniLM's max_seq_length (sentence_bert_config.json)


# ------------------------------------------------------------------------------ corpus and questions

def load_questions() -> list[dict]:
    rows = []
    for path in QUESTIONS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def choose_files(n: int, questions: list[dict]) -> list[str]:
    picked: list[str] = []

    def add(name: str) -> None:
        if name not in picked and (HAYSTACK / name).is_file() and len(picked) < n:
            picked.append(name)

    for path in sorted(SLICES.glob("train_*.txt")):
        for name in sorted(line.strip() for line in path.read_text().splitlines() if line.strip()):
            add(name)
    for name in sorted({g for q in questions for g in q.get("gold_files") or []}):
        add(name)
    rest = sorted((p.name for p in HAYSTACK.glob("*.txt")), key=lambda s: hashlib.sha1(s.encode()).hexdigest())
    for name in rest:
        add(name)
    return picked


def make_corpus(n: int, questions: list[dict]) -> tuple[Path, list[str]]:
    files = choose_files(n, questions)
    out = CORPORA / f"side{n}"
    if out.exists() and sorted(p.name for p in out.iterdir()) == sorted(files):
        return out, files
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in files:
        shutil.copy2(HAYSTACK / name, out / name)
    return out, files


def score(ranked_files: list[list[str]], questions: list[dict]) -> dict:
    hits, rr = 0, 0.0
    for files, q in zip(ranked_files, questions):
        gold = set(q["gold_files"])
        rank = next((i for i, f in enumerate(files[:5], 1) if f in gold), None)
        hits += rank is not None
        rr += 1 / rank if rank else 0.0
    return {"hit@5": hits / len(questions), "mrr": rr / len(questions), "questions": len(questions)}


def loadavg() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load average %.2f, %.2f, %.2f" % os.getloadavg()


# ------------------------------------------------------------------------------ the peer (its own venv)

def ensure_peer_venv() -> Path:
    python = PEER_VENV / "bin" / "python"
    ok = python.exists() and subprocess.run(
        [str(python), "-c", "import llama_index.core, llama_index.embeddings.huggingface"],
        capture_output=True).returncode == 0
    if ok:
        return python
    print(f"creating the LlamaIndex venv in {PEER_VENV} ...", file=sys.stderr)
    subprocess.run(["python3", "-m", "venv", str(PEER_VENV)], check=True)
    pip = [str(PEER_VENV / "bin" / "pip"), "install", "-q"]
    subprocess.run(pip + [TORCH_PIN], check=True)  # first, so the embeddings package does not pull CUDA torch
    subprocess.run(pip + PEER_PACKAGES, check=True)
    return python


def run_peer(corpus: Path, model: Path, questions: list[dict]) -> dict:
    python = ensure_peer_venv()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([q["question"] for q in questions], f)
        qfile = f.name
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    try:
        proc = subprocess.run([str(python), __file__, "--peer", str(corpus), str(model), qfile],
                              capture_output=True, text=True, env=env)
    finally:
        os.unlink(qfile)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"the LlamaIndex run failed (exit {proc.returncode})")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.update(score(out.pop("ranked_files"), questions))
    return out


def peer_main(corpus: str, model: str, qfile: str) -> int:
    """Runs inside the LlamaIndex venv: stock pipeline, LlamaIndex's defaults, the given MiniLM."""
    import llama_index.core
    from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
    from llama_index.core.schema import MetadataMode
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from tokenizers import Tokenizer

    started = time.perf_counter()
    embed_model = HuggingFaceEmbedding(model_name=model)
    load_s = time.perf_counter() - started

    started = time.perf_counter()
    documents = SimpleDirectoryReader(corpus).load_data()
    index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
    build_s = time.perf_counter() - started

    nodes = list(index.docstore.docs.values())
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
    tok = Tokenizer.from_file(str(Path(model) / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    full = [len(e.ids) for e in tok.encode_batch(texts)]  # [CLS]/[SEP] included
    sent = [min(n, MAX_TOKENS) for n in full]

    retriever = index.as_retriever(similarity_top_k=5)
    questions = json.loads(Path(qfile).read_text())
    started = time.perf_counter()
    ranked = [[r.node.metadata.get("file_name", "") for r in retriever.retrieve(q)] for q in questions]
    query_s = time.perf_counter() - started
    print(json.dumps({
        "system": f"LlamaIndex {llama_index.core.__version__} (SentenceSplitter {Settings.node_parser.chunk_size}"
                  f"/{Settings.node_parser.chunk_overlap}, HuggingFaceEmbedding batch {embed_model.embed_batch_size})",
        "documents": len(documents), "chunks": len(nodes), "model_load_s": load_s, "build_s": build_s,
        "tokens_embedded": sum(sent), "tokens_in_chunks": sum(full),
        "chunks_truncated": sum(n > MAX_TOKENS for n in full), "query_s": query_s, "ranked_files": ranked,
    }))
    return 0


# ------------------------------------------------------------------------------ the project

def run_project(corpus: Path, questions: list[dict]) -> dict:
    sys.path.insert(0, str(ROOT))
    from rag.config import Settings
    from rag.engine import Engine

    tmp = Path(tempfile.mkdtemp(prefix="side-by-side-"))
    try:
        engine = Engine(Settings(corpus_dir=corpus, index_dir=tmp / "index"))
        started = time.perf_counter()
        engine.embedder, engine.tokenizer  # noqa: B018 - load (and export) the model outside the timing
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        report = engine.index(rebuild=True)
        build_s = time.perf_counter() - started
        out = {"system": f"corpus-rag ({engine.embedder.name})", "documents": report.files_added,
               "chunks": report.chunks, "chunks_embedded": report.chunks_embedded, "model_load_s": load_s,
               "build_s": build_s, "tokens_embedded": report.tokens_embedded}
        for mode in ("hybrid", "dense"):
            started = time.perf_counter()
            ranked = [[h.file for h in engine.search(q["question"], k=5, mode=mode)] for q in questions]
            out[mode] = dict(score(ranked, questions), query_s=time.perf_counter() - started)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------ main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--peer-first", action="store_true", help="run LlamaIndex before the project")
    parser.add_argument("--json", metavar="FILE", help="write the figures here instead of stdout's last line")
    parser.add_argument("--peer", nargs=3, metavar=("CORPUS", "MODEL", "QUESTIONS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer:
        return peer_main(*args.peer)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    from cpu import cpu_info, describe

    from rag.model_files import bundled_model_path

    model = bundled_model_path()
    every = load_questions()
    corpus, files = make_corpus(args.articles, every)
    inside = set(files)
    questions = [q for q in every if q.get("answerable", True) and q.get("gold_files")
                 and set(q["gold_files"]) <= inside]

    info = cpu_info()
    print(describe(info))
    print(f"cores {os.cpu_count()}; a shared machine: other work may run at the same time (load below)")
    print(f"corpus {corpus} ({len(files)} articles), {len(questions)} answerable questions of {len(every)}; model {model}")
    loads = {"start": loadavg()}
    print("before:", loads["start"])
    runs = {}
    for side in (("peer", "project") if args.peer_first else ("project", "peer")):
        runs[side] = run_project(corpus, questions) if side == "project" else run_peer(corpus, model, questions)
        loads[f"after {side}"] = loadavg()
        print(f"after {side}:", loads[f"after {side}"])
    proj, peer = runs["project"], runs["peer"]
    for r in (proj, peer):
        r["articles_per_s"] = len(files) / r["build_s"]
        r["tokens_per_s"] = r["tokens_embedded"] / r["build_s"]

    print()
    print(f"project: {proj['system']}")
    print(f"peer:    {peer['system']}; {peer['chunks_truncated']} of {peer['chunks']} chunks cut at {MAX_TOKENS} "
          f"word pieces ({peer['tokens_in_chunks']:,} in its chunks, {peer['tokens_embedded']:,} embedded)")
    rows = [
        ("build seconds", "build_s", "{:.1f}"),
        ("articles/s", "articles_per_s", "{:.2f}"),
        ("chunks", "chunks", "{:,}"),
        ("word pieces embedded", "tokens_embedded", "{:,}"),
        ("word pieces embedded/s", "tokens_per_s", "{:.0f}"),
    ]
    print(f"\n{'measure':34} {'project':>14} {'LlamaIndex':>14} {'project/peer':>13}")
    ratios = {}
    for label, key, fmt in rows:
        ratios[key] = proj[key] / peer[key]
        print(f"{label:34} {fmt.format(proj[key]):>14} {fmt.format(peer[key]):>14} {ratios[key]:12.2f}x")
    for mode in ("hybrid", "dense"):
        for m in ("hit@5", "mrr"):
            key = f"{mode} {m}"
            ratios[key] = proj[mode][m] / peer[m] if peer[m] else None
            print(f"{m + ' (project ' + mode + ')':34} {proj[mode][m]:14.3f} {peer[m]:14.3f} {ratios[key]:12.2f}x")
    print(f"{'model load seconds (not timed)':34} {proj['model_load_s']:14.1f} {peer['model_load_s']:14.1f}")

    figures = {"cpu": info, "loads": loads, "articles": len(files), "questions": len(questions),
               "order": list(runs), "project": proj, "peer": peer, "ratios_project_over_peer": ratios}
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    else:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
