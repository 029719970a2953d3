#!/usr/bin/env python3
"""Does the bundled chat model help the extractive answerer? Query-likelihood reranking, measured.

For each question, the extractive answerer's N best candidate sentences (rag.generators.extractive)
are scored by the embedded SmolLM2-135M GGUF: the mean log-probability of the question's tokens
after "Passage: <sentence>\\nA question this passage answers:", less the same without a passage (a
pointwise mutual information, so questions compare with each other). The sentence score becomes
score + W * (pmi - best pmi of the N); the evidence gate still reads the unchanged scores, so only
the choice of sentences moves. Prints `rag eval`'s figures per set, and over all sets:
  - how often the best candidate holds the gold answer (current order, and the model's order);
  - the AUC of the best pmi between answerable and unanswerable questions (an answerability signal?).
Scores are cached in --cache, so a second run with another W costs no model call.

    .venv/bin/python bench/lm_rerank.py --corpus DIR --index DIR --weight 0.03 eval/realnews/train*.jsonl
"""
from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rag.generators.extractive as ex  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.evaluation import answer_matches, evaluate, load_questions  # noqa: E402
from rag.generators.llamacpp import bundled_gguf  # noqa: E402


class QuestionLikelihood:
    def __init__(self, cache: Path):
        self.cache_path = cache
        self.cache = pickle.loads(cache.read_bytes()) if cache.is_file() else {}
        self._llm = None

    def __call__(self, passage: str, question: str) -> float:
        key = (passage, question)
        if key not in self.cache:
            self.cache[key] = self._score(passage, question)
        return self.cache[key]

    def _score(self, passage: str, question: str) -> float:
        if self._llm is None:
            from llama_cpp import Llama
            self._llm = Llama(model_path=str(bundled_gguf()), n_ctx=1024, n_threads=2, logits_all=True, verbose=False)
        m = self._llm
        head = f"Passage: {' '.join(passage.split())[:1200]}\nA question this passage answers:" if passage else "A question:"
        p = m.tokenize(head.encode(), add_bos=True)
        q = m.tokenize((" " + question.strip()).encode(), add_bos=False)
        m.reset()
        m.eval(p + q)
        logits = np.array(m.scores[len(p) - 1: len(p) + len(q) - 1], dtype=np.float64)
        top = logits.max(axis=1, keepdims=True)
        logp = logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))
        return float(logp[np.arange(len(q)), q].mean())

    def save(self) -> None:
        self.cache_path.write_bytes(pickle.dumps(self.cache))


def auc(pos: list[float], neg: list[float]) -> float | None:
    if not pos or not neg:
        return None
    a, b = np.array(pos)[:, None], np.array(neg)[None, :]
    return float((a > b).mean() + 0.5 * (a == b).mean())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="+", type=Path)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--weight", type=float, default=0.0, help="W; 0 measures the current order")
    ap.add_argument("--top", type=int, default=8, help="N: candidates the model scores")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/lm_rerank_cache.pkl"))
    args = ap.parse_args()
    for path in args.sets:  # candidates are matched to `rag eval`'s rows by question text
        qs = load_questions(path)
        if len({q["question"] for q in qs}) < len(qs) or any(q.get("exclude_files") for q in qs):
            sys.exit(f"{path}: a question asked twice (or without its gold files) cannot be told apart here")
    lik = QuestionLikelihood(args.cache)
    seen: dict[str, list[tuple[str, float]]] = {}  # question -> (sentence, pmi) in the current order
    original = ex.ExtractiveGenerator._scored
    ex.ExtractiveGenerator.scores = lambda self, q, p: original(self, q, p)[1]  # the gate: unchanged

    def scored(self, question, passages):
        cands, s = original(self, question, passages)
        if not cands:
            return cands, s
        order = np.argsort(-s)[: args.top]
        base = lik("", question)
        pmi = {int(i): lik(cands[i].text, question) - base for i in order}
        seen.setdefault(question, [(cands[i].text, pmi[int(i)]) for i in order])
        if args.weight:
            best = max(pmi.values())
            adj = np.full(len(s), min(pmi.values()) - best)
            for i, v in pmi.items():
                adj[i] = v - best
            s = s + args.weight * adj
        return cands, s

    ex.ExtractiveGenerator._scored = scored
    engine = Engine(Settings(corpus_dir=args.corpus, index_dir=args.index, backend="extractive"))
    pos, neg, first_now, first_lm = [], [], [], []
    for path in args.sets:
        r = evaluate(engine, path, backend="extractive", k=5)
        lik.save()
        print(f"{path.name}: answer_match {r['answer_match']} false refusals {r['false_refusal_rate']} "
              f"unanswerable refused {r['refusal_accuracy']} citation precision {r['citation_precision']}", flush=True)
        for row in r["per_question"]:
            top = seen.get(row["question"])
            if not top or row.get("refused"):
                continue
            (pos if row["answerable"] else neg).append(max(v for _, v in top))
            if row["answerable"] and row["gold"]:
                ok = [answer_matches(t, row["gold"]) for t, _ in top]
                if any(ok):
                    first_now.append(ok[0])
                    first_lm.append(ok[int(np.argmax([v for _, v in top]))])
    print(f"best candidate holds the answer ({len(first_now)} questions with one in the top {args.top}): "
          f"current order {np.mean(first_now):.3f}, model's order {np.mean(first_lm):.3f}")
    print(f"best pmi, answerable ({len(pos)}) against unanswerable ({len(neg)}) answered: AUC {auc(pos, neg)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
