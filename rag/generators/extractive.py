"""No LLM: the answer is the retrieved sentences that best answer the question, each cited."""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

import numpy as np

from ..citations import REFUSAL
from ..questions import expected_type, has_type, is_open_question
from ..text import content_terms, is_instruction_like, passage_terms, split_sentences, terms
from .base import Prompt

MAX_SENTENCES = 3
KEEP_RATIO = 0.85  # extra sentences must score at least this share of the best one
NEAR_COPY = 0.6
TYPED_RUNNER_UP = 0.75  # a sentence with the asked-for type leads if it scores this share of the best


class ExtractiveGenerator:
    name = "extractive"
    model = "extractive"

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray] | None = None,
                 idf: Callable[[str], float] | None = None):
        self.embed = embed
        self.idf = idf or (lambda _t: 1.0)

    @classmethod
    def from_settings(cls, settings, embed=None, idf=None, **_deps) -> "ExtractiveGenerator":
        return cls(embed=embed, idf=idf)

    def select(self, question: str, passages, limit: int | None = None,
               keep_ratio: float = KEEP_RATIO) -> list[tuple[int, str, float]]:
        """(passage number, sentence, score) of the sentences chosen to answer, best first."""
        qterms = content_terms(question)
        want = expected_type(question)
        cands: list[tuple[int, str, set[str], float]] = []  # (n, sentence, terms, context coverage)
        following: dict[str, str] = {}  # sentence -> the next one in its passage
        for n, hit in enumerate(passages, 1):
            spans = split_sentences(hit.text)
            texts = [hit.text[s:e] for s, e in spans]
            texts = _join_lead_ins(texts)
            ctx = passage_terms(hit.text, hit.title or "")
            ctx_cov = self._coverage(qterms, ctx)
            texts = [t for t in texts if not is_instruction_like(t)]  # article text aimed at a model
            for i, t in enumerate(texts):
                cands.append((n, t, set(terms(t)), ctx_cov))
                if i + 1 < len(texts):
                    following.setdefault(t, texts[i + 1])
        if not cands:
            return []
        sims = np.zeros(len(cands), dtype=np.float32)
        if self.embed is not None:
            vecs = self.embed([question] + [c[1] for c in cands])
            sims = vecs[1:] @ vecs[0]
        k = max(1, len(passages))
        scored = []
        for (n, text, ts, ctx_cov), sim in zip(cands, sims):
            lex = self._coverage(qterms, ts)
            score = 0.45 * lex + 0.2 * ctx_cov + 0.35 * float(sim) + 0.03 * (k - n + 1) / k
            if want and has_type(text, want, question):
                score += 0.1
            scored.append((score, n, text, ts))
        scored.sort(key=lambda x: -x[0])
        if want and not has_type(scored[0][2], want, question):
            # the best match lacks what was asked for ("how long": a length); a close runner-up that
            # has it answers the question, the best one only repeats its words
            typed = next((x for x in scored if has_type(x[2], want, question)), None)
            if typed is not None and typed[0] >= TYPED_RUNNER_UP * scored[0][0]:
                scored.remove(typed)
                scored.insert(0, typed)
        best = scored[0][0]
        if limit is None:
            limit = MAX_SENTENCES if is_open_question(question) else 2
        chosen: list[tuple[int, str, float]] = []
        chosen_terms: list[set[str]] = []
        for score, n, text, ts in scored:
            if len(chosen) >= limit or score < keep_ratio * best:
                break
            if any(_jaccard(ts, o) > NEAR_COPY for o in chosen_terms):
                continue
            chosen.append((n, text, round(score, 4)))
            chosen_terms.append(ts)
            # the best sentence lacks what was asked for (a name, a number): its follower may have it
            if len(chosen) == 1 and want and not has_type(text, want, question):
                nxt = following.get(text)
                if nxt and has_type(nxt, want, question):
                    chosen.append((n, nxt, round(score, 4)))
                    chosen_terms.append(set(terms(nxt)))
        return chosen

    def _coverage(self, qterms: list[str], have: set[str]) -> float:
        if not qterms:
            return 0.0
        total = sum(self.idf(t) for t in qterms)
        return sum(self.idf(t) for t in qterms if t in have) / total if total else 0.0

    def stream(self, prompt: Prompt) -> Iterator[str]:
        chosen = self.select(prompt.question, prompt.passages)
        if not chosen:
            yield REFUSAL
            return
        for i, (n, text, _score) in enumerate(chosen):
            yield ("" if i == 0 else " ") + f"{text.strip()} [{n}]"


def _join_lead_ins(texts: list[str]) -> list[str]:
    """'Peskov said:' followed by the quote is one statement."""
    out: list[str] = []
    carry = ""
    for t in texts:
        if t.rstrip().endswith(":") and len(t.split()) <= 12:
            carry = (carry + " " + t).strip()
            continue
        out.append((carry + " " + t).strip() if carry else t)
        carry = ""
    if carry:
        out.append(carry)
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
