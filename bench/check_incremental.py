"""Check that incremental index updates give the index a from-scratch build gives.

    .venv/bin/python bench/check_incremental.py [--articles 300]

Copies part of the 1,000-article synthetic corpus to a temporary folder, then edits, adds, copies,
empties and deletes files step by step; after each step it updates one index incrementally, builds
another from scratch, and compares chunks, documents, manifest entries, vectors and BM25 results
(bm25s's own index built from the same chunks included). A stand-in embedder (vectors derived from a
hash of the text) keeps it fast and makes equal texts get equal vectors, as the real model does.
Exit status 1 on the first difference.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import sys
import tempfile
from dataclasses import astuple, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402


class HashEmbedder:
    name = "hash-embedder"
    dim = 384
    max_tokens = 256

    def embed(self, texts):
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            out[i] = np.random.default_rng(seed).standard_normal(self.dim)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def compare(a, b) -> list[str]:
    """Differences between two loaded indexes (empty when they hold the same)."""
    from rag.bm25 import import_bm25s

    problems = []
    if [astuple(c) for c in a.chunks] != [astuple(c) for c in b.chunks]:
        problems.append("chunks differ")
    if a.documents != b.documents:
        problems.append("documents differ")
    for key in ("files", "n_chunks", "skipped", "index_kind"):
        if a.manifest.get(key) != b.manifest.get(key):
            problems.append(f"manifest[{key!r}] differs")
    va = np.load(a.path / "vectors.npy")
    if not np.array_equal(va, np.load(b.path / "vectors.npy")):
        problems.append("vectors.npy differs")
    if not np.array_equal(va, a.faiss_index.reconstruct_n(0, a.faiss_index.ntotal)):
        problems.append("faiss index and vectors.npy differ")
    reference = import_bm25s().BM25()
    from rag.text import terms
    from rag.bm25 import bm25_text

    reference.index([terms(bm25_text(c)) for c in a.chunks], show_progress=False)
    vocab = sorted(t for t in reference.vocab_dict if t)
    if sorted(t for t in a.bm25.vocab_dict if t) != vocab or sorted(t for t in b.bm25.vocab_dict if t) != vocab:
        problems.append("BM25 vocabularies differ")
        return problems
    rng = random.Random(0)
    k = min(20, len(a.chunks))
    for _ in range(200):
        q = rng.sample(vocab, 3)
        want = reference.retrieve([q], k=k, show_progress=False, n_threads=0)
        for name, idx in (("incremental", a), ("rebuilt", b)):
            got = idx.bm25.retrieve([q], k=k, show_progress=False, n_threads=0)
            if got.documents[0].tolist() != want.documents[0].tolist() or not np.allclose(got.scores, want.scores):
                problems.append(f"BM25 of the {name} index differs from bm25s's for {q}")
                return problems
    return problems


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--articles", type=int, default=300)
    args = p.parse_args(argv)

    from run import corpus, extra_files  # the bench's synthetic corpora

    from rag.config import Settings
    from rag.embeddings import tokenizer_for
    from rag.index import build_index, load_index

    src, _ = corpus(1000)
    extra = sorted(extra_files().glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        work = tmp / "corpus"
        work.mkdir()
        for f in sorted(src.glob("*.txt"))[: args.articles]:
            shutil.copy(f, work / f.name)
        files = sorted(work.glob("*.txt"))
        inc = Settings(corpus_dir=work, index_dir=tmp / "incremental")
        tok, emb = tokenizer_for(inc), HashEmbedder()

        def edit(path: Path, n: int) -> None:
            path.write_text(path.read_text(encoding="utf-8").replace(".", f". Revised {n}.", 1), encoding="utf-8")

        steps = [
            ("first build", lambda: None),
            ("nothing changed", lambda: None),
            ("one file changed", lambda: edit(files[len(files) // 2], 1)),
            ("ten files added (before, between and after the others)",
             lambda: [shutil.copy(e, work / name) for e, name in
                      zip(extra, ["aaa_first.txt", "syn_000000a.txt", "zzz_last.txt", *[f"new_{i}.txt" for i in range(7)]])]),
            ("copies of a file (embedded once)", lambda: [shutil.copy(files[3], work / f"copy_{i}.txt") for i in range(3)]),
            ("files deleted, one emptied, one made binary",
             lambda: (files[0].unlink(), files[-1].unlink(), files[5].write_text(""), files[6].write_bytes(b"\x00\x01bin"))),
            ("first and last files changed", lambda: (edit(work / "aaa_first.txt", 2), edit(work / "zzz_last.txt", 3))),
            ("a file changed back", lambda: files[len(files) // 2].write_bytes((src / files[len(files) // 2].name).read_bytes())),
        ]
        for n, (label, change) in enumerate(steps):
            change()
            build_index(inc, emb, tok)
            fresh = replace(inc, index_dir=tmp / f"fresh{n}")
            build_index(fresh, emb, tok, rebuild=True)
            problems = compare(load_index(inc.index_dir), load_index(fresh.index_dir))
            print(f"{'ok  ' if not problems else 'FAIL'} {label}" + "".join(f"\n     {p}" for p in problems))
            if problems:
                return 1
            shutil.rmtree(fresh.index_dir)
    print("incremental updates match full rebuilds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
