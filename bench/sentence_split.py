"""Sentence boundaries: rag.text.split_sentences against pysbd, syntok and blingfire.

    .venv/bin/pip install pysbd syntok blingfire   # for this comparison only, not dependencies
    .venv/bin/python bench/sentence_split.py

bench/data/sentences.jsonl holds real paragraphs with hand-labelled boundaries: the seeds, the
seeds lower-cased and joined on one line (as CSV exports and one-article-per-line corpora come),
Reuters wire paragraphs, scraped Fox News / HuffPost / Breitbart paragraphs, lower-cased NYT and
USA Today articles whose headline runs into the text, and lower-cased copies of the wire and
scraped ones. Each record gives `boundaries` (offsets where a sentence starts) and `optional`
ones that are not scored either way: a full stop inside a quotation (conventions differ; we keep
a short quotation whole with its speaker) and a few broken texts ("Putin said. mentioned at").

Prints boundary precision, recall and F1 per segmenter, per kind of text, and characters per
second (best of three passes over the sample).
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.text import split_sentences  # noqa: E402

DATA = ROOT / "bench" / "data" / "sentences.jsonl"


def _starts(spans) -> set[int]:
    return {s for s, _ in spans}


def ours(text: str) -> set[int]:
    return _starts(split_sentences(text))


def _pysbd():
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: {s.start for s in seg.segment(text)}


def _syntok():
    from syntok import segmenter

    def split(text: str) -> set[int]:
        out = set()
        for para in segmenter.analyze(text):
            for sent in para:
                out.add(sent[0].offset)
        return out

    return split


def _blingfire():
    import blingfire

    def split(text: str) -> set[int]:
        _s, offsets = blingfire.text_to_sentences_and_offsets(text)  # character offsets
        return {a for a, _b in offsets}

    return split


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def score(split, records) -> dict[str, tuple[int, int, int]]:
    """kind -> (true positives, false positives, false negatives) of sentence starts."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in records:
        text = r["text"]
        gold = set(r["boundaries"])
        optional = set(r["optional"])
        got = {_skip_space(text, s) for s in split(text)} - {_skip_space(text, 0)} - optional
        for key in (r["kind"], "all"):
            out[key][0] += len(got & gold)
            out[key][1] += len(got - gold)
            out[key][2] += len(gold - got)
    return {k: tuple(v) for k, v in out.items()}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def speed(split, records) -> float:
    chars = sum(len(r["text"]) for r in records)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for r in records:
            split(r["text"])
        best = min(best, time.perf_counter() - t0)
    return chars / best


def main() -> int:
    records = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    n_gold = sum(len(r["boundaries"]) for r in records)
    n_opt = sum(len(r["optional"]) for r in records)
    print(f"{len(records)} paragraphs, {n_gold} labelled boundaries, {n_opt} not scored")
    splitters = {"rag.text": ours}
    for name, make in (("pysbd", _pysbd), ("syntok", _syntok), ("blingfire", _blingfire)):
        try:
            splitters[name] = make()
        except ImportError:
            print(f"({name} is not installed: pip install {name})")
    kinds = sorted({r["kind"] for r in records})
    print(f"\n{'segmenter':<11} {'P':>6} {'R':>6} {'F1':>6} {'chars/s':>12}   F1 by kind")
    for name, split in splitters.items():
        s = score(split, records)
        p, r, f = prf(*s["all"])
        by_kind = "  ".join(f"{k}={prf(*s[k])[2]:.2f}" for k in kinds)
        print(f"{name:<11} {p:6.3f} {r:6.3f} {f:6.3f} {speed(split, records):12,.0f}   {by_kind}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
