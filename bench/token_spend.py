"""Where a corpus's word pieces go before the model sees them: what indexing skips and what it embeds.

    .venv/bin/python bench/token_spend.py /work/data/scraped [--json FILE] [--near 0.8]

No model is run: only the project's own reading, cleaning, chunking and de-duplication, and the
model's tokenizer. Rows, in word pieces of the embedding model:
  raw text               every file as decoded (furniture, repeated lines and all)
  - furniture removed    navigation, share buttons, sign-ups, related lists, copyright lines
                         (rag/documents.py clean: Document.removed_lines and cut spans)
  = article text         what the chunker reads
  + overlap              sentences repeated at the start of the next chunk (Settings.chunk_overlap_tokens)
  + titles and specials  the title embed_text puts before a chunk, [CLS]/[SEP]; less truncation
  = chunk tokens         what embedding every chunk would cost
  - exact duplicates     chunks whose embedded text another chunk already has (embedded once)
  = tokens embedded      what `rag index --rebuild` sends to the model (its tokens_embedded)
  near duplicates        of those, chunks whose word 5-shingles overlap an earlier chunk's by >= --near
                         (Jaccard): embedded today; what skipping them could save at most
  unchanged re-index     0: a second `rag index` embeds nothing (tests/test_index.py)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def shingles(text: str, n: int = 5) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    return {hash(tuple(words[i : i + n])) for i in range(max(1, len(words) - n + 1))}


def near_duplicates(texts: list[str], threshold: float) -> list[int]:
    """Indices of texts whose shingle set overlaps an earlier text's by >= threshold (Jaccard)."""
    sets = [shingles(t) for t in texts]
    by_shingle: dict[int, list[int]] = {}
    dupes = []
    for i, s in enumerate(sets):
        counts: dict[int, int] = {}
        for h in s:
            for j in by_shingle.get(h, ()):
                counts[j] = counts.get(j, 0) + 1
        if any(c / (len(s) + len(sets[j]) - c) >= threshold for j, c in counts.items()):
            dupes.append(i)
        for h in s:
            by_shingle.setdefault(h, []).append(i)
    return dupes


def spend(corpus: Path, near: float = 0.8) -> dict:
    from rag.chunking import ChunkParams, chunk_document
    from rag.config import Settings
    from rag.documents import Skipped, decode, iter_corpus, load_document
    from rag.embeddings import tokenizer_for
    from rag.index import embed_text

    settings = Settings.from_env()
    tok = tokenizer_for(settings)
    params = ChunkParams(settings.chunk_tokens, settings.chunk_overlap_tokens).capped(tok.max_tokens, reserve=24)
    raw_tokens = article_tokens = files = 0
    skipped = []
    chunks = []
    for rel, path in iter_corpus(corpus):
        doc = load_document(path, rel)
        if isinstance(doc, Skipped):
            skipped.append((doc.file, doc.reason))
            continue
        files += 1
        raw, _ = decode(path.read_bytes())
        raw_tokens += sum(tok.count([raw]))
        article_tokens += sum(tok.count([doc.text[b.char_start : b.char_end] for b in doc.blocks]))
        chunks.extend(chunk_document(doc, tok, params))
    texts = [embed_text(c) for c in chunks]
    chunk_text_tokens = sum(c.n_tokens for c in chunks)
    sent = [min(n + 2, tok.max_tokens) for n in tok.count(texts)]
    first: dict[str, int] = {}
    for i, t in enumerate(texts):
        first.setdefault(t, i)
    unique = sorted(first.values())
    embedded = sum(sent[i] for i in unique)
    near_ix = near_duplicates([texts[i] for i in unique], near)
    near_tokens = sum(sent[unique[k]] for k in near_ix)
    return {
        "corpus": str(corpus), "files": files, "skipped": len(skipped), "chunks": len(chunks),
        "chunk_params": {"max_tokens": params.max_tokens, "overlap_tokens": params.overlap_tokens},
        "raw_tokens": raw_tokens,
        "furniture_removed": raw_tokens - article_tokens,
        "article_tokens": article_tokens,
        "overlap_tokens": chunk_text_tokens - article_tokens,
        "titles_specials_truncation": sum(sent) - chunk_text_tokens,
        "chunk_tokens": sum(sent),
        "exact_duplicate_chunks": len(chunks) - len(unique),
        "exact_duplicate_tokens": sum(sent) - embedded,
        "tokens_embedded": embedded,
        "near_duplicate_threshold": near,
        "near_duplicate_chunks": len(near_ix),
        "near_duplicate_tokens": near_tokens,
        "unchanged_reindex_tokens": 0,
    }


def table(r: dict) -> str:
    raw = r["raw_tokens"] or 1
    rows = [
        ("raw text", r["raw_tokens"]),
        ("- furniture removed (documents.clean)", -r["furniture_removed"]),
        ("= article text", r["article_tokens"]),
        ("+ chunk overlap", r["overlap_tokens"]),
        ("+ titles, [CLS]/[SEP], less truncation", r["titles_specials_truncation"]),
        ("= chunk tokens", r["chunk_tokens"]),
        (f"- exact duplicate chunks ({r['exact_duplicate_chunks']})", -r["exact_duplicate_tokens"]),
        ("= tokens embedded (rag index --rebuild)", r["tokens_embedded"]),
        (f"  of which near duplicates, Jaccard >= {r['near_duplicate_threshold']} ({r['near_duplicate_chunks']} chunks)",
         r["near_duplicate_tokens"]),
        ("unchanged files on re-index", 0),
    ]
    head = (f"{r['corpus']}: {r['files']} files ({r['skipped']} skipped), {r['chunks']} chunks of <= "
            f"{r['chunk_params']['max_tokens']} word pieces, overlap {r['chunk_params']['overlap_tokens']}")
    return "\n".join([head] + [f"{name:62} {n:>10,} {n / raw:7.1%}" for name, n in rows])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--near", type=float, default=0.8, help="Jaccard of word 5-shingles for a near duplicate")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    r = spend(args.corpus, args.near)
    r["seconds"] = round(time.perf_counter() - started, 1)
    print(table(r))
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
