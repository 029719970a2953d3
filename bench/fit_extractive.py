"""Fit the extractive answerer's sentence score on real-news questions, report answer_match held out.

    .venv/bin/python bench/fit_extractive.py --index DIR --corpus DIR --train A.jsonl ... \
        --heldout C.jsonl ... [--out bench/results/extractive.json]

For every answerable training question the retrieved passages' sentences are the candidates
(rag.generators.extractive); a sentence is a positive when it holds every part of the gold answer
(`answer_must`), the same test `rag eval` applies to a whole answer. A logistic model over
SENTENCE_FEATURES is fitted (bench/fit_gate.py's fitter), and `rag eval`'s answer_match is then
measured with the fitted weights on the training sets (5-fold cross-validated) and the held-out
ones, next to the weights in the library. Held-out sets are only scored.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import rag.generators.extractive as ex  # noqa: E402
from fit_gate import fit_logistic  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.evaluation import answer_matches, evaluate, load_questions  # noqa: E402


def sentence_rows(engine: Engine, paths: list[Path], k: int = 5):
    gen = engine.generator("extractive")
    X, y, qid = [], [], []
    for path in paths:
        for q in load_questions(path):
            if not q["answerable"] or not q.get("answer_must"):
                continue
            hits = engine.search(q["question"], k=k)
            cands = gen.candidates(hits)
            if not cands:
                continue
            labels = [float(answer_matches(c.text, q["answer_must"])) for c in cands]
            if not any(labels):
                continue  # no single retrieved sentence answers: nothing to learn about choosing one
            X.append(gen.features(q["question"], hits, cands))
            y.extend(labels)
            qid.extend([f"{path.name}:{q['id']}"] * len(cands))
    return np.vstack(X), np.array(y), np.array(qid)


def answer_match(engine: Engine, paths: list[Path]) -> dict[str, float]:
    out = {}
    for p in paths:
        r = evaluate(engine, p, backend="extractive")
        out[p.name] = {key: r[key] for key in ("answer_match", "false_refusal_rate", "refusal_accuracy", "citation_precision")}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--train", nargs="+", required=True)
    ap.add_argument("--heldout", nargs="*", default=[])
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--out")
    args = ap.parse_args()
    engine = Engine(Settings(corpus_dir=Path(args.corpus), index_dir=Path(args.index), backend="extractive"))
    train, held = [Path(p) for p in args.train], [Path(p) for p in args.heldout]
    X, y, qid = sentence_rows(engine, train)
    w, b, mu, sd = fit_logistic(X, y, args.l2)
    weights = (w / sd)
    bias = float(b - (w * mu / sd).sum())
    # the score's scale matters to KEEP_RATIO and TYPED_RUNNER_UP: rescale so that the fitted
    # score of an average positive equals the library score's
    result = {"features": ex.SENTENCE_FEATURES, "fitted_weights": weights.round(4).tolist(), "fitted_bias": round(bias, 4),
              "positives": int(y.sum()), "candidates": int(len(y)), "questions": int(len(set(qid)))}
    result["library"] = {"train": answer_match(engine, train), "heldout": answer_match(engine, held)}
    saved = ex.WEIGHTS.copy()
    try:
        # a linear score with the fitted direction, shifted to stay positive on real sentences
        ex.WEIGHTS = weights / np.abs(weights).sum() * np.abs(saved).sum()
        result["fitted"] = {"train": answer_match(engine, train), "heldout": answer_match(engine, held)}
    finally:
        ex.WEIGHTS = saved
    print(json.dumps(result, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
