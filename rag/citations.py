"""Label sources, parse [n] markers in an answer, and verify each sentence against its sources.

Thresholds (calibrated on ../shared/eval/dev.jsonl answers from all three backends, see README):
a sentence is supported by a passage sentence when
  - lexical coverage (share of the claim's content terms found in the passage) >= LEXICAL_OK, or
  - coverage >= LEXICAL_MIN and embedding cosine >= SEMANTIC_OK,
and every number in the claim appears in the passage (a changed number is a wrong claim).
An uncited sentence gets a citation only when it clears the stricter ATTACH_* bars.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .text import STOPWORDS, is_instruction_like, names as _names, normalize, split_sentences, stem, words
from .types import AnswerSentence, Citation, Hit

LEXICAL_OK = 0.7
LEXICAL_MIN = 0.4
SEMANTIC_OK = 0.62
ATTACH_LEXICAL = 0.75
ATTACH_SEMANTIC = 0.7
MIN_CLAIM_TERMS = 2

REFUSAL = "The corpus does not say."
_REFUSAL_RE = re.compile(
    r"(corpus|passages?|sources?|context|articles?|provided (text|information)|documents?)\b[^.]{0,40}\b"
    r"(does not|doesn't|do not|don't|did not|didn't)\s+(say|contain|mention|include|provide|answer|state|specify)"
    r"|\b(cannot|can't|unable to) (answer|find|determine)|\bno (information|mention)\b|\bnot (mentioned|stated|specified)\b",
    re.I,
)

# [1]  [1, 2]  [1][2]  [Source 1]  [source 1, 3]  (1)  (1, 2)  [1-3]
_MARKER = re.compile(
    r"\[\s*(?:sources?|passages?|refs?\.?)?\s*(\d{1,2}(?:\s*(?:,|;|and|&|-|–)\s*(?:sources?\s*)?\d{1,2})*)\s*\]"
    r"|\(\s*(?:sources?|passages?)?\s*(\d{1,2}(?:\s*,\s*\d{1,2})*)\s*\)",
    re.I,
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Text an answer puts in quotation marks: “...” or "..." (not across another quotation mark).
_QUOTED_SPAN = re.compile(r"“([^“”\"]{8,400})”|\"([^“”\"]{8,400})\"")
QUOTE_REPAIR_MIN = 90  # rapidfuzz partial ratio: a misquote this close to a passage is put right


@dataclass(frozen=True)
class ParsedSentence:
    text: str  # without markers
    sources: tuple[int, ...]  # as written (may include out-of-range numbers)


def is_refusal(text: str) -> bool:
    t = text.strip()
    return not t or t.lower().startswith(REFUSAL.lower()[:-1]) or bool(_REFUSAL_RE.search(t))


def _expand(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|and|&)\s*", group):
        part = re.sub(r"(?i)sources?", "", part).strip()
        m = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if 0 < a <= b and b - a < 10:
                out.extend(range(a, b + 1))
        elif part.isdigit():
            out.append(int(part))
    return out


_AFTER_MARKER = re.compile(r"(?:(?<=\[\d\])|(?<=\[\d\d\]))\s+(?=\S)")


def parse_answer(text: str, n_sources: int = 99, verbatim: bool = False) -> list[ParsedSentence]:
    """Split an answer into sentences and the source numbers cited in each.

    A marker standing after the sentence's full stop ("... Brussels. [1]") belongs to that sentence.
    Parenthesised numbers count as markers only when they are valid source numbers. `verbatim`:
    sentences copied from the sources, each followed by its marker (the extractive backend), so
    every marker ends one: a headline without a full stop before a lower-cased sentence is two.
    """
    text = text.strip()
    if not text:
        return []
    if verbatim:
        raw = _AFTER_MARKER.split(text)
    else:
        # a marker followed by a new sentence ends the previous one, full stop or not
        text = re.sub(r"\]\s+(?=[\"“‘'(]?[A-Z0-9])", "]\n", text)
        raw = [text[s:e] for s, e in split_sentences(text)]
    # markers that open a sentence ("[1] Finland joined...") stay with it; a sentence that is only
    # markers is folded into the previous one
    merged: list[str] = []
    lead = ""  # markers standing before the first sentence belong to it
    for piece in raw:
        if not _MARKER.sub("", piece).strip(" .;,"):
            if merged:
                merged[-1] = merged[-1] + " " + piece
            else:
                lead += " " + piece
        else:
            merged.append(f"{lead} {piece}".strip() if lead else piece)
            lead = ""
    out: list[ParsedSentence] = []
    seen: set[str] = set()
    for piece in merged:
        piece = re.sub(r"<<<|>>>|‹‹‹|›››", " ", piece)  # fence marks a model echoed back
        sources: list[int] = []

        def take(m: re.Match) -> str:
            if m.group(1):
                sources.extend(_expand(m.group(1)))
                return " "
            nums = _expand(m.group(2))
            if nums and all(1 <= n <= n_sources for n in nums):
                sources.extend(nums)
                return " "
            return m.group(0)  # "(2023)" is a year, not a marker

        clean = _MARKER.sub(take, piece)
        clean = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", clean)).strip()
        key = re.sub(r"\W+", " ", clean.lower()).strip()
        if key in seen:
            continue  # small models repeat themselves; a repeated sentence is said once
        if clean and not re.fullmatch(r"[\W_]*", clean):
            seen.add(key)
            out.append(ParsedSentence(clean, tuple(dict.fromkeys(sources))))
        elif sources and out:  # stray markers with no text: give them to the previous sentence
            prev = out[-1]
            out[-1] = ParsedSentence(prev.text, tuple(dict.fromkeys(prev.sources + tuple(sources))))
    return out


def claim_terms(text: str) -> list[str]:
    out = []
    for w in words(text):
        if w in STOPWORDS or len(w) < 2:
            continue
        out.append(w.replace(",", "") if w[0].isdigit() else stem(w))
    return list(dict.fromkeys(out))


_NEGATIONS = frozenset({"not", "no", "never", "neither", "nor", "without", "none", "nobody", "nothing", "cannot"})
# A sentence that stops on one of these was cut off ("...the first time in US history that a").
_DANGLING = frozenset({"a", "an", "the", "of", "to", "that", "and", "or", "with", "for", "in", "on", "by", "from",
                       "as", "at", "which", "who", "whose", "than", "but", "is", "are", "was", "were", "their", "its"})
# "doesn't" is the word "doesnt" once quotes are dropped: these are the stems before that "nt".
_NT_STEMS = frozenset({"do", "does", "did", "is", "are", "was", "were", "wo", "ca", "could", "should", "would",
                       "has", "have", "had", "must", "need", "might"})


def _negated(text: str) -> bool:
    """Whether a sentence says something is not so ("does not", "doesn't", "never", "no")."""
    return any(w in _NEGATIONS or (w.endswith("nt") and w[:-2] in _NT_STEMS) for w in words(text))


def _cut_off(text: str) -> bool:
    ws = words(text)
    return bool(ws) and ws[-1] in _DANGLING and not text.rstrip().endswith(("?", "!", "”", '"'))


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(normalize(text))}


@dataclass
class _PassageSentences:
    hit: Hit
    spans: list[tuple[int, int]]  # char spans within hit.text
    texts: list[str]
    terms: list[set[str]]
    all_terms: set[str]
    numbers: set[str]
    negated: list[bool]


def _passage_sentences(hit: Hit) -> _PassageSentences:
    # a sentence that addresses the model is not evidence for anything
    spans = [sp for sp in split_sentences(hit.text) if not is_instruction_like(hit.text[sp[0]:sp[1]])] or [(0, 0)]
    texts = [hit.text[s:e] for s, e in spans]
    ts = [set(claim_terms(t)) for t in texts]
    allt: set[str] = set().union(*ts) if ts else set()
    if hit.title:
        allt |= set(claim_terms(hit.title))
    return _PassageSentences(hit, spans, texts, ts, allt, _numbers(hit.text) | _numbers(hit.title or ""),
                             [_negated(t) for t in texts])


def verbatim_quotes(answer_text: str, sources: Sequence[str]) -> str:
    """Put quotations back into the words of the source they came from.

    Small models misquote ("called it an “empty promise”" for “empty promises”); a quotation is a
    claim about exact words, so one that nearly matches a passage is replaced by the passage's own
    words, snapped to whole words. A quotation close to nothing is left alone, to be judged.
    """
    from rapidfuzz import fuzz

    lowered = [(src, src.lower()) for src in sources if src]

    def repair(m: re.Match) -> str:
        quote = m.group(1) or m.group(2)
        inner = quote.strip(" ,.;:")
        verbatim = re.compile(r"(?<!\w)" + re.escape(inner) + r"(?!\w)")
        if len(inner.split()) < 2 or any(verbatim.search(src) for src, _ in lowered):
            return m.group(0)
        best = None
        for src, low in lowered:
            if len(low) != len(src):  # lower() changed the length: offsets would not line up
                continue
            al = fuzz.partial_ratio_alignment(inner.lower(), low)
            if al is not None and al.score >= QUOTE_REPAIR_MIN and (best is None or al.score > best[0]):
                best = (al.score, src, al.dest_start, al.dest_end)
        if best is None:
            return m.group(0)
        _, src, a, b = best
        while a > 0 and src[a - 1].isalnum():
            a -= 1
        while b < len(src) and src[b].isalnum():
            b += 1
        exact = src[a:b].strip()
        if not exact or "\n" in exact or any(ch in exact for ch in "“”\""):
            return m.group(0)
        return m.group(0).replace(inner, exact, 1)

    return _QUOTED_SPAN.sub(repair, answer_text)


class CitationChecker:
    """Verifies answer sentences against the passages they cite (lexical + MiniLM similarity)."""

    def __init__(self, embed=None):
        self.embed = embed  # callable texts -> normalised vectors, or None for lexical-only

    def check(self, answer_text: str, passages: Sequence[Hit], verbatim: bool = False) -> list[AnswerSentence]:
        """Each sentence of the answer with the citations that support it.

        `verbatim`: the sentences were copied from the passages (the extractive backend), so a
        headline without a full stop or a short sentence is a source's own words, not a fragment
        a model stopped in; it is still checked against the passages like any claim."""
        answer_text = verbatim_quotes(answer_text, [h.text for h in passages])
        parsed = parse_answer(answer_text, len(passages), verbatim=verbatim)
        if not parsed or not passages:
            return [AnswerSentence(p.text) for p in parsed]
        ps = [_passage_sentences(h) for h in passages]
        claims = [p.text for p in parsed]
        flat = [(i, j) for i, p in enumerate(ps) for j in range(len(p.texts))]
        sims = self._similarities(claims, [ps[i].texts[j] for i, j in flat])
        out: list[AnswerSentence] = []
        for ci, p in enumerate(parsed):
            cterms = claim_terms(p.text)
            nums = _numbers(p.text) | {f"name:{n}" for n in _names(p.text)}
            if not verbatim and (len(cterms) < MIN_CLAIM_TERMS or _cut_off(p.text)):
                # a fragment ("<<< Russia", "Yes.", a sentence the model stopped in the middle of)
                # states nothing that could be checked
                out.append(AnswerSentence(text=p.text))
                continue
            negated = _negated(p.text)
            valid = [n for n in p.sources if 1 <= n <= len(passages)]
            scored: list[tuple[float, int, int, bool]] = []  # (score, passage, sentence, ok)
            for n in range(1, len(passages) + 1):
                best = self._best(ci, n - 1, cterms, nums, ps, flat, sims, negated)
                scored.append((best[0], n, best[1], best[2]))
            cites: list[Citation] = []
            if valid:
                for n in valid:
                    score, _, sj, ok = scored[n - 1]
                    if ok:
                        cites.append(self._citation(n, ps[n - 1], sj, score))
            if not cites:
                # uncited, or cited wrongly: attach the best-supporting passage if clearly supported
                best = max(scored, key=lambda x: x[0])
                score, n, sj, ok = best
                if ok and self._clear(ci, n - 1, sj, cterms, ps, flat, sims):
                    cites.append(self._citation(n, ps[n - 1], sj, score))
            supported = bool(cites)
            out.append(
                AnswerSentence(
                    text=p.text,
                    citations=tuple(cites),
                    supported=supported,
                    support=round(max((c.score for c in cites), default=max(s[0] for s in scored)), 4),
                )
            )
        return out

    def _similarities(self, claims: list[str], sentences: list[str]) -> np.ndarray | None:
        if self.embed is None or not claims or not sentences:
            return None
        vecs = self.embed(claims + sentences)
        a, b = vecs[: len(claims)], vecs[len(claims) :]
        return a @ b.T

    def _best(self, ci, pi, cterms, nums, ps, flat, sims, negated=False) -> tuple[float, int, bool]:
        p = ps[pi]
        # every number and name the claim states must be in the passage: "Andrii Lind" for
        # "Andrii Sybiha", or 2,500 km for 1,350 km, is a wrong claim however similar the words
        numbers_ok = not nums or nums <= (p.numbers | {f"name:{t}" for t in p.all_terms})
        cover_all = _coverage(cterms, p.all_terms)
        best = (-1.0, 0, False)
        for sj, st in enumerate(p.terms):
            # a claim may combine a few neighbouring sentences: use the passage terms for coverage,
            # and the single best sentence for the quote and the semantic score
            own = _coverage(cterms, st)
            local = _coverage(cterms, st | _window_terms(p, sj))
            cover = max(local, cover_all * 0.9)
            sem = float(sims[ci, flat.index((pi, sj))]) if sims is not None else 0.0
            ok = numbers_ok and (cover >= LEXICAL_OK or (cover >= LEXICAL_MIN and sem >= SEMANTIC_OK))
            if negated and not (p.negated[sj] and own >= LEXICAL_MIN):
                # "decided not to station" is not supported by "decided to station": the sentence
                # that says it must itself be negated and share the claim's words
                ok = False
            # the sentence that says it best is the quote: its own words count beyond its neighbours'
            score = 0.45 * cover + 0.2 * own + 0.35 * max(sem, 0.0)
            if (ok, score) > (best[2], best[0]):
                best = (score, sj, ok)
        return best

    def _clear(self, ci, pi, sj, cterms, ps, flat, sims) -> bool:
        p = ps[pi]
        cover = _coverage(cterms, p.terms[sj] | _window_terms(p, sj))
        sem = float(sims[ci, flat.index((pi, sj))]) if sims is not None else 0.0
        return cover >= ATTACH_LEXICAL or (cover >= LEXICAL_OK and sem >= ATTACH_SEMANTIC)

    @staticmethod
    def _citation(n: int, p: _PassageSentences, sj: int, score: float) -> Citation:
        s, e = p.spans[sj]
        hit = p.hit
        line_start = hit.line_start + hit.text.count("\n", 0, s)
        line_end = hit.line_start + hit.text.count("\n", 0, max(s, e - 1))
        return Citation(source=n, file=hit.file, line_start=line_start, line_end=line_end,
                        quote=p.texts[sj], score=round(score, 4))


def _window_terms(p: _PassageSentences, j: int) -> set[str]:
    out: set[str] = set()
    for k in (j - 1, j + 1):
        if 0 <= k < len(p.terms):
            out |= p.terms[k]
    return out


def _coverage(claim: list[str], have: set[str]) -> float:
    if not claim:
        return 0.0
    return sum(1 for t in claim if t in have) / len(claim)


def strip_markers(text: str) -> str:
    """`text` without its bracketed citation markers ("[1]", "[1, 2]", "[Source 3]"); "(2023)" stays."""
    text = _MARKER.sub(lambda m: " " if m.group(1) else m.group(0), text)
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


def render(sentences: Sequence[AnswerSentence]) -> str:
    """The answer as shown: each sentence followed by its verified markers."""
    parts = []
    for s in sentences:
        marks = "".join(f"[{n}]" for n in dict.fromkeys(c.source for c in s.citations))
        parts.append(f"{s.text} {marks}".strip() if marks else s.text)
    return " ".join(parts)
