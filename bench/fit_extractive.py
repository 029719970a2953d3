"""Fit the extractive answerer's sentence score on real-news questions, report answer_match held out.

    .venv/bin/python bench/fit_extractive.py --index DIR --corpus DIR --train A.jsonl ... \
        --heldout C.jsonl ... [--out bench/results/extractive.json]

For every answerable training question the retrieved passages' sentences are the candidates
(rag.generators.extractive); a sentence is a positive when it holds every part of the gold answer
(`answer_must`), the same test `rag eval` applies to a whole answer. A logistic model over
SENTENCE_FEATURES is fitted per question (a conditional logit: the sentences of one question ranked
against each other; `--pointwise` for bench/fit_gate.py's sentence-level fitter), and `rag eval`'s answer_match is then
measured with the fitted weights on the training sets and the held-out ones, next to the weights
in the library; `--cv-answer-match` adds answer_match 5-fold over the training questions (fitted on
four fifths, scored on the fifth), the fair comparison with weights fitted on those same sets.
Held-out sets are only scored.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
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


def fit_per_question(X, y, qid, l2: float = 1.0, steps: int = 800, rate: float = 0.5) -> np.ndarray:
    """Weights of a conditional logit: within each question a softmax over its candidate sentences,
    fitted to put the mass on the sentences that answer it. It learns to rank the sentences of one
    question against each other, which is what choosing the answer is (a pointwise model also
    learns which questions are easy). Standardised features, gradient steps, returned unscaled."""
    mu, sd = X.mean(0), X.std(0) + 1e-9
    Z = (X - mu) / sd
    groups = [np.flatnonzero(qid == q) for q in dict.fromkeys(qid.tolist())]
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        grad = l2 * w / len(groups)
        for g in groups:
            s = Z[g] @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            grad += Z[g].T @ (p - y[g] / y[g].sum()) / len(groups)
        w -= rate * grad
    return w / sd


def fitted_weights(X, y, qid, pointwise: bool, l2: float) -> np.ndarray:
    """The sentence score's weights fitted on these rows (per question, or per sentence)."""
    if pointwise:
        w0, _b, _mu, sd = fit_logistic(X, y, l2)
        return w0 / sd
    return fit_per_question(X, y, qid, l2)


def at_library_scale(w: np.ndarray) -> np.ndarray:
    """The score's scale matters to KEEP_RATIO and TYPED_RUNNER_UP: the fitted direction at the
    library weights' total."""
    return w / w.sum() * ex.WEIGHTS.sum()


def pooled(runs) -> dict[str, float | None]:
    """answer_match over the answerable questions and the share of unanswerable ones refused, over
    several `rag eval` reports ((questions, report) pairs)."""
    right = answerable = refused = unanswerable = 0.0
    for questions, r in runs:
        n_ans = sum(bool(q["answerable"]) for q in questions)
        if r.get("answer_match") is not None:
            right += r["answer_match"] * n_ans
            answerable += n_ans
        if len(questions) > n_ans and r.get("refusal_accuracy") is not None:
            refused += r["refusal_accuracy"] * (len(questions) - n_ans)
            unanswerable += len(questions) - n_ans
    return {"answer_match": round(right / answerable, 4) if answerable else None,
            "unanswerable_refused": round(refused / unanswerable, 4) if unanswerable else None,
            "answerable": int(answerable)}


def top1_cv(X, y, qid, pointwise: bool | None, l2: float, folds: int = 5) -> float:
    """Share of questions whose best-scored sentence answers, 5-fold over questions (None: the
    library's weights, not refitted)."""
    qs = np.array(list(dict.fromkeys(qid.tolist())))
    order = np.random.default_rng(0).permutation(len(qs))
    right = 0
    for part in np.array_split(order, folds):
        test = np.isin(qid, qs[part])
        w = ex.WEIGHTS if pointwise is None else fitted_weights(X[~test], y[~test], qid[~test], pointwise, l2)
        for q in qs[part]:
            rows = np.flatnonzero(qid == q)
            right += int(y[rows[np.argmax(X[rows] @ w)]] > 0)
    return round(right / len(qs), 4)


def answer_match(engine: Engine, paths: list[Path]) -> dict[str, float]:
    out = {}
    for p in paths:
        r = evaluate(engine, p, backend="extractive")
        out[p.name] = {key: r[key] for key in ("answer_match", "false_refusal_rate", "refusal_accuracy", "citation_precision")}
    return out


def answer_match_cv(engine: Engine, paths: list[Path], X, y, qid, l2: float, pointwise: bool,
                    folds: int = 5, seed: int = 0) -> dict[str, float | None]:
    """answer_match over every answerable training question, 5-fold over questions: weights fitted
    on four fifths of the sentence rows, `rag eval` run on the other fifth's questions (unanswerable
    ones too: refusals depend on the chosen sentences). The library's weights were fitted on some
    of these sets, so their in-sample answer_match flatters them; read this next to it."""
    questions = [(p, q) for p in paths for q in load_questions(p)]
    fold_of = dict(zip((f"{p.name}:{q['id']}" for p, q in questions),
                       np.random.default_rng(seed).integers(0, folds, len(questions)).tolist()))
    row_fold = np.array([fold_of[q] for q in qid])
    saved = ex.WEIGHTS.copy()
    runs = []
    tmp = Path(tempfile.mkdtemp(prefix="fit_extractive_"))
    try:
        for f in range(folds):
            train = row_fold != f
            ex.WEIGHTS = at_library_scale(fitted_weights(X[train], y[train], qid[train], pointwise, l2))
            for p in paths:
                part = [q for pp, q in questions if pp == p and fold_of[f"{p.name}:{q['id']}"] == f]
                if part:
                    sub = tmp / p.name
                    sub.write_text("".join(json.dumps(q) + "\n" for q in part))
                    runs.append((part, evaluate(engine, sub, backend="extractive")))
            ex.WEIGHTS = saved
    finally:
        ex.WEIGHTS = saved
        shutil.rmtree(tmp, ignore_errors=True)
    return pooled(runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--train", nargs="+", required=True)
    ap.add_argument("--heldout", nargs="*", default=[])
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--pointwise", action="store_true",
                    help="fit a sentence-level logistic model instead of the per-question one")
    ap.add_argument("--cv-answer-match", action="store_true",
                    help="also report answer_match 5-fold over the training questions (a few minutes)")
    ap.add_argument("--out")
    args = ap.parse_args()
    engine = Engine(Settings(corpus_dir=Path(args.corpus), index_dir=Path(args.index), backend="extractive"))
    train, held = [Path(p) for p in args.train], [Path(p) for p in args.heldout]
    X, y, qid = sentence_rows(engine, train)
    if args.pointwise:
        w, b, mu, sd = fit_logistic(X, y, args.l2)
        weights = (w / sd)
        bias = float(b - (w * mu / sd).sum())
    else:
        weights, bias = fit_per_question(X, y, qid, args.l2), 0.0
    result = {"features": ex.SENTENCE_FEATURES, "fitted_weights": weights.round(4).tolist(), "fitted_bias": round(bias, 4),
              "positives": int(y.sum()), "candidates": int(len(y)), "questions": int(len(set(qid))),
              "top1_cv": {"library": top1_cv(X, y, qid, None, args.l2), "fitted": top1_cv(X, y, qid, args.pointwise, args.l2)}}
    result["library"] = {"train": answer_match(engine, train), "heldout": answer_match(engine, held)}
    if args.cv_answer_match:
        result["answer_match_cv"] = {
            "library": pooled((load_questions(p), result["library"]["train"][p.name]) for p in train),
            "fitted": answer_match_cv(engine, train, X, y, qid, args.l2, args.pointwise), "folds": 5}
    saved = ex.WEIGHTS.copy()
    try:
        ex.WEIGHTS = at_library_scale(weights)
        result["fitted"] = {"train": answer_match(engine, train), "heldout": answer_match(engine, held)}
    finally:
        ex.WEIGHTS = saved
    print(json.dumps(result, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
