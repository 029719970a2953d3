"""Readers of news archives, measured (figures printed, nothing asserted):

1. HTML main text: trafilatura (rag/formats/html.py, then rag.documents' cleaning) against our own
   text rules alone (the page's text as lxml gives it, block by block, cleaned by rag.documents)
   on the labelled pages in tests/data/formats: share of the article's sentences kept, share of
   kept words that are furniture.
2. A large export: a CSV of N MB made of the Reuters rows of tests/data/formats (or of the real
   articles of a folder, --articles /work/data/all) with new ids, read row by row by
   rag/formats/tabular.py, cleaned and chunked as `rag index` does before embedding: rows,
   seconds, peak RSS (memory stays bounded: documents and chunks are dropped here; `rag index`
   keeps the changed documents until it has embedded them).

    .venv/bin/python bench/formats_check.py [--mb 100] [--articles /work/data/all] [--no-html]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import resource
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "formats"


def _norm(s: str) -> str:
    return " ".join(re.sub(r"[‘’']", "'", s).split())


def score(kept: str, article: list[str], title: str, neutral: list[str] = ()) -> tuple[float, float]:
    """(share of the article's sentences kept whole, share of the kept words that are furniture).

    A kept word is furniture when it is in neither the article, its title nor the page's neutral
    text (byline, dateline, photo captions, an embedded gallery: the article's own, not its
    sentences, so neither required nor counted against)."""
    from rag.text import split_sentences

    kept = _norm(kept)
    paras = [_norm(p) for p in article]
    sents = [p[a:b] for p in paras for a, b in split_sentences(p)]
    recall = sum(s in kept for s in sents) / len(sents)
    body = set(" ".join(paras + [_norm(title)] + [_norm(n) for n in neutral]).split())
    words = [w for w in kept.split() if re.search(r"\w", w)]  # a list's "-" bullets are no words
    return recall, sum(w not in body for w in words) / max(1, len(words))


def html_compare() -> None:
    import lxml.html

    from rag.documents import clean
    from rag.formats import read

    gold = json.loads((DATA / "pages_gold.json").read_text())
    print(f"{'page':40} {'trafilatura kept / furniture':>30} {'own rules kept / furniture':>28}")
    for page, labels in gold.items():
        [doc] = list(read(DATA / page, page, 20 << 20))
        kept = "\n".join(doc.text[b.char_start:b.char_end] for b in doc.blocks)
        t_rec, t_junk = score(kept, labels["article"], doc.title, labels.get("neutral", ()))
        tree = lxml.html.fromstring((DATA / page).read_bytes())
        for bad in tree.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        for el in tree.iter():  # one line per block, as a browser's "save as text" gives
            if el.tag in ("p", "div", "li", "h1", "h2", "h3", "header", "footer", "nav", "section", "blockquote", "br"):
                el.tail = "\n" + (el.tail or "")
        text = re.sub(r"\n\s*\n+", "\n", tree.text_content())
        own = clean(page, text)
        own_kept = "\n".join(own.text[b.char_start:b.char_end] for b in own.blocks)
        o_rec, o_junk = score(own_kept, labels["article"], doc.title, labels.get("neutral", ()))
        print(f"{page:40} {t_rec:>14.1%} / {t_junk:>6.1%}        {o_rec:>12.1%} / {o_junk:>6.1%}")


def _source_rows(articles: Path | None) -> tuple[list[str], list[dict]]:
    """Header and rows to repeat: the Reuters fixture's, or one row per .txt article of a folder
    (title, source and date from an articles_index.tsv beside the folder when there is one)."""
    if articles is None:
        with open(DATA / "reuters_1987_export.csv", newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        return list(rows[0]), rows
    meta: dict[str, dict] = {}
    index = articles.parent / "articles_index.tsv"
    if index.is_file():
        with open(index, newline="", encoding="utf-8") as fh:
            meta = {r["file"]: r for r in csv.DictReader(fh, delimiter="\t")}
    rows = []
    for f in sorted(articles.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        m = meta.get(f.name, {})
        rows.append({"id": f.stem, "title": m.get("title") or text.split("\n", 1)[0][:120], "body": text,
                     "published": m.get("date", ""), "source": m.get("source", ""), "url": ""})
    return ["id", "title", "body", "published", "source", "url"], rows


def big_export(mb: int, articles: Path | None = None, keep: Path | None = None) -> None:
    """Write an export of `mb` MB (rows repeated with new ids, each body given a "(copy n)" prefix),
    then read it the way `rag index` does up to the embedding: rows -> cleaned documents -> chunks
    in the model's word pieces. Seconds for each, rows per second, peak RSS."""
    from rag.chunking import ChunkParams, chunk_document
    from rag.config import Settings
    from rag.embeddings import tokenizer_for
    from rag.formats import read

    fields, rows = _source_rows(articles)
    settings = Settings.from_env()
    tokenizer = tokenizer_for(settings)
    params = ChunkParams(settings.chunk_tokens, settings.chunk_overlap_tokens).capped(tokenizer.max_tokens, reserve=24)
    with tempfile.TemporaryDirectory() as tmp:
        path = (keep or Path(tmp)) / "big.csv"
        with open(path, "w", newline="", encoding="utf-8") as out:
            w = csv.DictWriter(out, fieldnames=fields)
            w.writeheader()
            n = 0
            while out.tell() < mb * 1_000_000:
                r = dict(rows[n % len(rows)])
                r["id"] = f"r{n}"
                r["body"] = f"(copy {n // len(rows)}) " + r["body"]
                w.writerow(r)
                n += 1
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t, cpu = time.perf_counter(), time.process_time()
        count = chunks = 0
        chunking = 0.0
        for item in read(path, "big.csv", 20 << 20):
            if hasattr(item, "blocks"):
                count += 1
                c0 = time.perf_counter()
                chunks += len(chunk_document(item, tokenizer, params))  # and dropped: memory stays bounded
                chunking += time.perf_counter() - c0
        secs, cpu = time.perf_counter() - t, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{path.stat().st_size / 1e6:.0f} MB CSV, {n:,} rows: {count:,} documents, {chunks:,} chunks in "
              f"{secs:.1f} s ({cpu:.1f} s CPU; reading and cleaning {secs - chunking:.1f} s, chunking {chunking:.1f} s; "
              f"{n / secs:,.0f} rows/s); peak RSS {peak:.0f} MB (before reading {before:.0f} MB)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--articles", type=Path, help="build the export from the .txt articles of this folder "
                    "(e.g. /work/data/all) instead of the five Reuters rows")
    ap.add_argument("--keep", type=Path, help="write the export into this folder and keep it")
    ap.add_argument("--no-html", action="store_true", help="skip the labelled pages")
    args = ap.parse_args()
    if not args.no_html:
        html_compare()
    big_export(args.mb, args.articles, args.keep)


if __name__ == "__main__":
    main()
