"""Fit the evidence gate's answerability decision on real-news question sets, report it held out.

    .venv/bin/python bench/fit_gate.py --index DIR --corpus DIR --train A.jsonl B.jsonl \
        --heldout C.jsonl D.jsonl [--out bench/results/gate.json]

For every question the retrieved passages' Signals are measured (rag.evidence); answerable
questions are positives, written unanswerable ones negatives, and each answerable question asked
without its gold articles (`exclude_files`, as if they were not indexed) is a near-miss negative:
the related articles that remain make the refusal hard. A logistic model over rag.evidence.FEATURES
is fitted on the training sets (L2, Newton steps, numpy only); its threshold is the one that keeps
false refusals of training answerables at or under the target, by 5-fold cross-validation. The
held-out sets are only scored, never looked into question by question.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.config import Settings  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.evaluation import load_questions  # noqa: E402
from rag.evidence import FEATURES, decide, features  # noqa: E402


def measure(engine: Engine, paths: list[Path], k: int = 5) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    X, y, rows = [], [], []
    for path in paths:
        for q in load_questions(path):
            cases = [(q["answerable"], ())]
            if q["answerable"] and q.get("gold_files"):
                cases.append((False, tuple(q["gold_files"])))  # near miss
            for label, exclude in cases:
                hits = engine.search(q["question"], k=k, exclude_files=exclude)
                sig = engine.gate.signals(q["question"], hits)
                X.append(features(sig))
                y.append(float(label))
                rows.append({"set": path.name, "id": q["id"], "answerable": label, "near_miss": bool(exclude),
                             "old": decide(sig).answerable})
    return np.array(X), np.array(y), rows


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50,
                 weight: np.ndarray | None = None) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Weights on standardised features (each example counted `weight` times, default once);
    returns (w, b, mean, scale) for raw features."""
    weight = np.ones(len(y)) if weight is None else weight
    mu, sd = X.mean(0), X.std(0)
    sd[sd == 0] = 1.0
    Z = np.hstack([(X - mu) / sd, np.ones((len(X), 1))])
    w = np.zeros(Z.shape[1])
    reg = np.full(Z.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-Z @ w))
        g = Z.T @ (weight * (p - y)) + reg * w
        H = (Z * (weight * p * (1 - p))[:, None]).T @ Z + np.diag(reg)
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1]), mu, sd


def score(X, w, b, mu, sd) -> np.ndarray:
    return ((X - mu) / sd) @ w + b


def threshold_for(z: np.ndarray, y: np.ndarray, max_false_refusal: float) -> float:
    """The highest threshold that refuses at most `max_false_refusal` of the answerables."""
    pos = np.sort(z[y == 1])
    i = int(np.floor(max_false_refusal * len(pos)))
    return float(pos[min(i, len(pos) - 1)] - 1e-9)


def report(name: str, z: np.ndarray, y: np.ndarray, t: float, rows: list[dict]) -> dict:
    ans = z >= t
    pos, neg = y == 1, y == 0
    near = np.array([r["near_miss"] for r in rows])
    old = np.array([r["old"] for r in rows])
    out = {
        "set": name, "n": int(len(y)), "answerable": int(pos.sum()), "unanswerable": int((neg & ~near).sum()),
        "near_miss": int((neg & near).sum()),
        "false_refusal": round(float((~ans & pos).sum() / max(1, pos.sum())), 3),
        "unanswerable_refused": round(float((~ans & neg & ~near).sum() / max(1, (neg & ~near).sum())), 3),
        "near_miss_refused": round(float((~ans & neg & near).sum() / max(1, (neg & near).sum())), 3),
        "old_false_refusal": round(float((~old & pos).sum() / max(1, pos.sum())), 3),
        "old_unanswerable_refused": round(float((~old & neg & ~near).sum() / max(1, (neg & ~near).sum())), 3),
        "old_near_miss_refused": round(float((~old & neg & near).sum() / max(1, (neg & near).sum())), 3),
    }
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--train", nargs="+", required=True)
    ap.add_argument("--heldout", nargs="*", default=[])
    ap.add_argument("--max-false-refusal", type=float, nargs="+", default=[0.03, 0.10])
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--unanswerable-weight", type=float, default=1.0,
                    help="count each written unanswerable question this many times (near misses once)")
    ap.add_argument("--out")
    args = ap.parse_args()
    engine = Engine(Settings(corpus_dir=Path(args.corpus), index_dir=Path(args.index), backend="extractive"))
    Xtr, ytr, rtr = measure(engine, [Path(p) for p in args.train])
    wt = np.array([args.unanswerable_weight if not r["answerable"] and not r["near_miss"] else 1.0 for r in rtr])
    w, b, mu, sd = fit_logistic(Xtr, ytr, args.l2, weight=wt)
    ztr = score(Xtr, w, b, mu, sd)
    # cross-validated threshold: each fold's scores come from a model fitted without it
    rng = np.random.default_rng(0)
    fold = rng.integers(0, 5, len(ytr))
    zcv = np.empty_like(ztr)
    for f in range(5):
        m = fold == f
        wf, bf, muf, sdf = fit_logistic(Xtr[~m], ytr[~m], args.l2, weight=wt[~m])
        zcv[m] = score(Xtr[m], wf, bf, muf, sdf)
    result = {"features": FEATURES, "weights": (w / sd).round(6).tolist(),
              "bias": round(float(b - (w * mu / sd).sum()), 6), "train": [], "heldout": []}
    thresholds = {str(t): threshold_for(zcv, ytr, t) for t in args.max_false_refusal}
    result["thresholds"] = thresholds
    for t_name, t in thresholds.items():
        result["train"].append({"max_false_refusal": t_name, **report("train (cv)", zcv, ytr, t, rtr)})
    for p in args.heldout:
        Xh, yh, rh = measure(engine, [Path(p)])
        zh = score(Xh, w, b, mu, sd)
        for t_name, t in thresholds.items():
            result["heldout"].append({"max_false_refusal": t_name, **report(Path(p).name, zh, yh, t, rh)})
    print(json.dumps(result, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
