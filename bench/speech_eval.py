"""Reported-speech extraction against hand labels: statement recall, precision, speaker attribution.

    .venv/bin/python bench/speech_eval.py                       # bench/data/speech_labels.jsonl
    .venv/bin/python bench/speech_eval.py --timing /work/data/wire   # + extraction time per article

Each label line is one article: {"corpus": "seeds" | "wire" | "haystack" | ..., "file": ...,
"split": "train" | "heldout" (optional), "statements": [{"lines": [first, last], "speaker":
"Dmitry Peskov", "kind": "direct", "quote": "a few words of it"}, ...]}. Articles of a corpus
other than "seeds" are read from --data/<corpus>/. A predicted statement matches a labelled one
when their lines overlap (one to one, in order) and, when the label gives a `quote` (needed in
an article on one line, where every statement is on line 1), its span overlaps those words (found
case- and punctuation-blind within the lines); attribution is correct when the speaker's words
contain the label's or the other way round ("Sanyo broker" / "a broker at Sanyo Securities Co
Ltd"), after canonical keys (rag.speech.speaker_key). Figures are given per corpus and per split.

    .venv/bin/python bench/speech_eval.py --labels bench/data/speech_labels_haystack.jsonl --split heldout
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.documents import Skipped, iter_corpus, load_document  # noqa: E402
from rag.speech import extract_statements, speaker_key  # noqa: E402
from rag.text import STOPWORDS  # noqa: E402


def same_speaker(gold: str, predicted: str) -> bool:
    g = {w for w in speaker_key(gold).split() if w not in STOPWORDS}
    p = {w for w in speaker_key(predicted).split() if w not in STOPWORDS}
    return bool(g) and bool(p) and (g <= p or p <= g)


def quote_span(doc, words: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Where a label's quote words are in the article (within its lines), case- and punctuation-blind."""
    toks = re.findall(r"\w+", words.lower())
    if not toks:
        return None
    rx = re.compile(r"\b" + r"\W+".join(re.escape(t) for t in toks) + r"\b")
    text = doc.text.lower()
    for m in rx.finditer(text):
        if lo <= doc.line_of(m.start()) <= hi:
            return m.start(), m.end()
    return None


def score(labels: list[dict], data: Path) -> dict:
    n_gold = n_pred = n_match = n_right = 0
    per_corpus: dict[str, list[int]] = {}
    per_split: dict[str, list[int]] = {}
    errors = []
    for art in labels:
        base = ROOT / "seeds" if art["corpus"] == "seeds" else data / art["corpus"]
        doc = load_document(base / art["file"], art["file"])
        pred = extract_statements(doc)
        used: set[int] = set()
        c = per_corpus.setdefault(art["corpus"], [0, 0, 0, 0])
        sp = per_split.setdefault(art.get("split", "all"), [0, 0, 0, 0])
        for g in art["statements"]:
            lo, hi = g["lines"]
            cands = [i for i, s in enumerate(pred) if i not in used and s.line_start <= hi and s.line_end >= lo]
            if g.get("quote"):
                at = quote_span(doc, g["quote"], lo, hi)
                if at is None:
                    raise SystemExit(f"{art['file']}: label quote {g['quote']!r} is not on lines {lo}-{hi}")
                cands = [i for i in cands if pred[i].char_start < at[1] and pred[i].char_end > at[0]]
            # prefer a predicted statement by the labelled speaker among those on the lines
            cands.sort(key=lambda i: not same_speaker(g["speaker"], pred[i].speaker))
            if cands:
                i = cands[0]
                used.add(i)
                n_match += 1
                c[2] += 1
                sp[2] += 1
                if same_speaker(g["speaker"], pred[i].speaker):
                    n_right += 1
                    c[3] += 1
                    sp[3] += 1
                else:
                    errors.append(f"{art['file']}:{lo} speaker {pred[i].speaker!r}, labelled {g['speaker']!r}")
            else:
                errors.append(f"{art['file']}:{lo}-{hi} missed ({g['speaker']})")
        for i, s in enumerate(pred):
            if i not in used:
                errors.append(f"{art['file']}:{s.line_start} extra: {s.speaker!r}: {s.text[:60]!r}")
        n_gold += len(art["statements"])
        n_pred += len(pred)
        c[0] += len(art["statements"])
        c[1] += len(pred)
        sp[0] += len(art["statements"])
        sp[1] += len(pred)

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "articles": len(labels),
        "statements_labelled": n_gold,
        "statements_extracted": n_pred,
        "statement_recall": ratio(n_match, n_gold),
        "statement_precision": ratio(n_match, n_pred),
        "speaker_accuracy": ratio(n_right, n_match),
        "by_corpus": {k: {"labelled": v[0], "extracted": v[1], "recall": ratio(v[2], v[0]),
                          "precision": ratio(v[2], v[1]), "speaker_accuracy": ratio(v[3], v[2]),
                          "speaker_accuracy_of_labelled": ratio(v[3], v[0])}
                      for k, v in per_corpus.items()},
        "by_split": {k: {"labelled": v[0], "extracted": v[1], "recall": ratio(v[2], v[0]),
                         "precision": ratio(v[2], v[1]), "speaker_accuracy": ratio(v[3], v[2]),
                         "speaker_accuracy_of_labelled": ratio(v[3], v[0])}
                     for k, v in per_split.items()},
        "errors": errors,
    }


def timing(corpus: Path) -> dict:
    """Seconds to read and clean every article, and to extract its statements (the added cost)."""
    docs = []
    t0 = time.perf_counter()
    for rel, path in iter_corpus(corpus):
        d = load_document(path, rel)
        if not isinstance(d, Skipped):
            docs.append(d)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    n = sum(len(extract_statements(d)) for d in docs)
    t_extract = time.perf_counter() - t0
    return {"corpus": str(corpus), "articles": len(docs), "statements": n, "read_clean_s": round(t_read, 3),
            "extract_s": round(t_extract, 3), "extract_ms_per_article": round(1000 * t_extract / max(1, len(docs)), 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", type=Path, default=ROOT / "bench" / "data" / "speech_labels.jsonl")
    ap.add_argument("--data", type=Path, default=Path("/work/data"), help="folder holding the non-seed corpora")
    ap.add_argument("--timing", type=Path, action="append", default=[], metavar="CORPUS_DIR")
    ap.add_argument("--errors", action="store_true", help="list every miss, extra and wrong speaker")
    ap.add_argument("--split", help="score only the articles of this split (train, heldout)")
    args = ap.parse_args(argv)
    labels = [json.loads(line) for line in args.labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.split:
        labels = [a for a in labels if a.get("split", "all") == args.split]
    report = score(labels, args.data)
    report["timing"] = [timing(c) for c in args.timing]
    if not args.errors:
        report["errors"] = len(report["errors"])
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
