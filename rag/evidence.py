"""May we answer? The answerability decision, in one place.

`EvidenceGate.judge(query, hits)` measures what the retrieved passages have of the question
(`Signals`) and decides with the pure function `decide(signals)`, which tests check from a table
with no model loaded. The engine refuses when the verdict says so, before any backend runs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import numpy as np

from .questions import expected_type, has_type
from .text import content_terms, names, passage_terms, split_sentences
from .types import Hit

# Reasons, as the Answer's refusal_reason shows them.
REASON_NO_PASSAGES = "No passage was found for the question."
REASON_NAMES = "No passage found mentions everyone and everything the question names."
REASON_COVERAGE = "The passages found do not cover what the question asks about."

# The hand-set rule of sessions 1-2, kept until the fitted decision replaces it:
# the best passage must cover this IDF-weighted share of the question's topic terms
# (../shared/eval/dev.jsonl: answerable >= 0.6, unanswerable <= 0.45) ...
MIN_COVERAGE = 0.55
# ... and below full coverage a passage sentence must also be this close in meaning (MiniLM cosine;
# dev answerable >= 0.5, "What is the population of Finland?" among 1,000 articles 0.42).
FULL_COVERAGE = 0.8
MIN_CLOSENESS = 0.45
# When every name of the question occurs in one passage, the rest is often paraphrased: less
# coverage is needed, with a closer sentence (1,000-article planted-fact questions: 10 of 10
# unanswerable refused, 6 of 190 answerable wrongly refused).
NAMED_COVERAGE = 0.4
NAMED_CLOSENESS = 0.5


@dataclass(frozen=True)
class Signals:
    """What the passages have of the question: the inputs of the decision."""

    n_hits: int
    coverage: float  # best IDF-weighted share of the question's topic terms that one passage covers
    closeness: float  # highest cosine between the question and any passage sentence
    names_together: bool | None  # one passage names everything the question names (None: no names)
    n_terms: int = 0  # topic terms of the question
    n_names: int = 0  # names (capitalised words) of the question
    name_share: float = 1.0  # IDF-weighted share of the question's names in the best passage for them
    sentence_coverage: float = 0.0  # best IDF-weighted share of topic terms in one sentence
    # the question asks for a kind of answer (a number, a time, a person...): the best sentence
    # coverage among sentences that have that kind of answer in them; else sentence_coverage
    typed_coverage: float = 0.0
    asks_type: bool = False
    top_dense: float = 0.0  # best dense (cosine) score among the passages
    article_coverage: float = 0.0  # coverage by all retrieved passages of one article together

    def to_dict(self) -> dict:
        return asdict(self)


FEATURES = ("coverage", "closeness", "names_missing", "has_names", "name_share", "sentence_coverage",
            "typed_coverage", "asks_type", "top_dense", "log_terms", "article_coverage")


def features(s: Signals) -> np.ndarray:
    """The signals as the fitted decision reads them (FEATURES order)."""
    return np.array([
        s.coverage, s.closeness, float(s.names_together is False), float(s.n_names > 0), s.name_share,
        s.sentence_coverage, s.typed_coverage, float(s.asks_type), s.top_dense, float(np.log1p(s.n_terms)),
        s.article_coverage,
    ], dtype=np.float64)


@dataclass(frozen=True)
class Verdict:
    answerable: bool
    reason: str  # why not, for the Answer's refusal_reason; "" when answerable
    signals: Signals


def decide(s: Signals) -> Verdict:
    """The decision from the signals alone (pure: tested from a table of cases)."""
    if s.n_hits == 0:
        return Verdict(False, REASON_NO_PASSAGES, s)
    if s.names_together is False:
        return Verdict(False, REASON_NAMES, s)
    need = NAMED_COVERAGE if s.names_together else MIN_COVERAGE
    if s.coverage < need:
        return Verdict(False, REASON_COVERAGE, s)
    if s.coverage < FULL_COVERAGE:
        closeness_needed = NAMED_CLOSENESS if s.coverage < MIN_COVERAGE else MIN_CLOSENESS
        if s.closeness < closeness_needed:
            return Verdict(False, REASON_COVERAGE, s)
    return Verdict(True, "", s)


class EvidenceGate:
    """Measures the signals for one question against its retrieved passages.

    `correct` and `idf` come from the Retriever (the corpus's spelling rule and term weights),
    `embed` is the engine's cached embedder."""

    def __init__(self, correct: Callable[[str], str], idf: Callable[[str], float],
                 embed: Callable[[Sequence[str]], np.ndarray]):
        self.correct = correct
        self.idf = idf
        self.embed = embed

    def signals(self, query: str, hits: Sequence[Hit]) -> Signals:
        qterms = [self.correct(t) for t in content_terms(query)]
        wanted = {self.correct(n) for n in names(query)}
        sentences = [h.text[a:b] for h in hits for a, b in split_sentences(h.text)]
        want = expected_type(query)
        sent_cov = typed_cov = 0.0
        for text in sentences:
            cov = self._share(qterms, passage_terms(text))
            sent_cov = max(sent_cov, cov)
            if want is None or has_type(text, want, query):
                typed_cov = max(typed_cov, cov)
        dense = [h.dense_score for h in hits if h.dense_score is not None]
        return Signals(
            n_hits=len(hits),
            coverage=self.coverage(qterms, hits),
            closeness=self._closeness(query, sentences),
            names_together=self.names_together(query, hits),
            n_terms=len(qterms),
            n_names=len(wanted),
            name_share=max((self._share(sorted(wanted), passage_terms(h.text, h.title or "")) for h in hits),
                           default=0.0) if wanted else 1.0,
            sentence_coverage=sent_cov,
            typed_coverage=typed_cov,
            asks_type=want is not None,
            top_dense=max(dense, default=0.0),
            article_coverage=self._article_coverage(qterms, hits),
        )

    def _article_coverage(self, qterms: Sequence[str], hits: Sequence[Hit]) -> float:
        by_file: dict[str, frozenset[str]] = {}
        for h in hits:
            by_file[h.file] = by_file.get(h.file, frozenset()) | passage_terms(h.text, h.title or "")
        return max((self._share(qterms, have) for have in by_file.values()), default=0.0)

    def _share(self, qterms: Sequence[str], have: frozenset[str]) -> float:
        if not qterms:
            return 1.0
        total = sum(self.idf(t) for t in qterms) or 1.0
        return sum(self.idf(t) for t in qterms if t in have) / total

    def judge(self, query: str, hits: Sequence[Hit]) -> Verdict:
        return decide(self.signals(query, hits))

    def coverage(self, qterms: Sequence[str], hits: Sequence[Hit]) -> float:
        """Best IDF-weighted share of the question's topic terms that one passage covers."""
        if not qterms:
            return 1.0 if hits else 0.0
        weights = {t: self.idf(t) for t in qterms}
        total = sum(weights.values()) or 1.0
        best = 0.0
        for h in hits:
            have = passage_terms(h.text, h.title or "")
            best = max(best, sum(w for t, w in weights.items() if t in have) / total)
        return best

    def names_together(self, query: str, hits: Sequence[Hit]) -> bool | None:
        """Whether one passage mentions every name of the question (None: the question names nothing).

        A misspelt name counts as the corpus word it is closest to, as in search."""
        wanted = {self.correct(n) for n in names(query)}
        if not wanted:
            return None
        return any(wanted <= passage_terms(h.text, h.title or "") for h in hits)

    def closeness(self, query: str, hits: Sequence[Hit]) -> float:
        """Highest cosine between the question and any sentence of the passages."""
        return self._closeness(query, [h.text[a:b] for h in hits for a, b in split_sentences(h.text)])

    def _closeness(self, query: str, sentences: Sequence[str]) -> float:
        if not sentences:
            return 0.0
        vecs = self.embed([query, *sentences])
        return float((vecs[1:] @ vecs[0]).max())
