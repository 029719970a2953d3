"""Quote -> file and lines: where does this quote (or most of it) come from?"""

from __future__ import annotations

import re

from .text import _QUOTES, terms
from .types import Chunk, Hit

# Similarities here are 0-1, as in Hit.score (rapidfuzz's 0-100 partial ratio / 100). On the seeds
# (30 random article sentences, 10 news-like sentences that are not in them): a verbatim sentence
# scores 1.0, the same with one word replaced and one dropped a median 0.92 (28 of 30 >= 0.75, 26
# >= 0.85), a sentence not in the corpus 0.47-0.57; the 2 verbatim misses were boilerplate, not indexed.
# Below this, the best place found for a quote is reported as the "closest passage", not a match.
MATCH_THRESHOLD = 0.75
# A quote is highlighted inside a passage shown to the reader when it aligns at least this well
# (a citation's quote is the passage's own sentence, 1.0; this matters for a pasted quote).
SPAN_THRESHOLD = 0.85
_QUOTED = re.compile(r"[\"“”„«»]([^\"“”„«»]{12,})[\"“”„«»]")
_WRAPPER = re.compile(
    r"^\s*(which|what|where|who|in which|from which)\b[^\"“”]*\b(says?|said|contains?|quotes?|is (this )?(quote )?from|comes? from|mentions?)\b\s*:?\s*",
    re.I,
)


_LABEL = re.compile(r"^\s*([^:\"“”]{1,40}):\s+(.+)$", re.S)


# A question asks where a quote comes from when it puts the quote in quotation marks or names a
# source ("which article says...", "where is ... from"). "What did Pelosi say talk of impeachment
# would be?" strips like a wrapper but is a question about what was said, not a lookup.
_ASKS_SOURCE = re.compile(
    r"[\"“”«»]|^\s*(?:which|what|in which|from which)\s+(?:article|story|report|passage|text|source|piece|file)\b"
    r"|^\s*where\b.*\b(?:from|come from|appear|appears|said)\b|^\s*who said\b",
    re.I,
)
# How close a lookup must come for the question to be answered as a lookup (Hit.score, 0-1): a
# short phrase only word for word; a quote the question marks as one nearly so; a pasted
# sentence (no quotation marks, no question) closer still, since it may be a plain question.
PHRASE_EXACT = 0.99
QUOTE_ROUTE_EXPLICIT = 0.8
QUOTE_ROUTE_PASTED = 0.9


def asks_source(question: str) -> bool:
    return bool(_ASKS_SOURCE.search(question))


def extract_quote(text: str) -> str:
    """The quoted part of `Which article says "..."?`; else the text itself, trimmed."""
    label = _LABEL.match(text)
    if label and len(label.group(2).split()) >= 4 and not _QUOTED.search(label.group(1) + ":"):
        text = label.group(2)  # "Find the passage: ..."
    quoted = [m.group(1).strip() for m in _QUOTED.finditer(text)]
    quoted = [q for q in quoted if len(q.split()) >= 3]
    if quoted:
        q = max(quoted, key=len)
        outside = text.replace(q, " ")
        # 'Which article says "..."?' wraps the quote; 'Speaking in X, Y said: "..."' is itself the quote
        if _WRAPPER.match(outside) or len(re.findall(r"\w+", outside)) <= 6:
            return q
    stripped = _WRAPPER.sub("", text).strip()
    if len(stripped.split()) >= 4:
        text = stripped
    return text.strip().strip("\"“”'‘’").strip()


# "What did Trump say the 'second phase' would include?": a question about what someone said, with
# a phrase in quotation marks, not one about where the phrase comes from.
_WHAT_SOMEONE_SAID = re.compile(r"^\s*(?:what|which|how)\b[^\"“”‘']*\b(?:did|does|do|has|have|had|will|would)\s+"
                                r"(?:[\w.’'-]+\s+){1,5}?(?:say|said|tell|told|describe|call)\b", re.I)
_SHORT_QUOTED = re.compile(r"[\"“”„«»]([^\"“”„«»]{3,80})[\"“”„«»]|(?<!\w)['‘]([^'‘’]{3,80})['’](?!\w)")


def short_quote(text: str) -> str | None:
    """The phrase of 'Where does the phrase "absolute contrast" come from?' (two words or more, in
    any quotation marks), when the question asks where a quotation comes from; else None."""
    if not _WRAPPER.match(text) or _WHAT_SOMEONE_SAID.match(text):
        return None
    for m in _SHORT_QUOTED.finditer(text):
        phrase = (m.group(1) or m.group(2)).strip()
        if len(phrase.split()) >= 2:
            return phrase
    return None


def fold(s: str) -> str:
    """Same-length normalisation (quotes, dashes, case) so offsets map back to the original."""
    out = []
    for ch in s:
        t = ch.translate(_QUOTES).lower()
        out.append(t if len(t) == 1 else (ch if len(ch.lower()) != 1 else ch.lower()))
    return "".join(out)


def _squash(s: str) -> tuple[str, list[int]]:
    """Collapse runs of whitespace to one space; return the new string and the original offsets."""
    out: list[str] = []
    pos: list[int] = []
    prev_space = False
    for i, ch in enumerate(s):
        if ch.isspace():
            if prev_space:
                continue
            out.append(" ")
            pos.append(i)
            prev_space = True
        else:
            out.append(ch)
            pos.append(i)
            prev_space = False
    return "".join(out), pos


def align(quote: str, text: str) -> tuple[float, int, int]:
    """(similarity 0-1, start, end) of the best match of `quote` in `text`, ignoring case, quote
    styles and runs of whitespace; offsets are into `text`."""
    from rapidfuzz import fuzz

    q, _ = _squash(fold(quote).strip())
    folded, pos = _squash(fold(text))
    if not q or not folded:
        return 0.0, 0, 0
    al = fuzz.partial_ratio_alignment(q, folded)
    if al is None:
        return 0.0, 0, 0
    start = pos[min(al.dest_start, len(pos) - 1)]
    end = pos[max(al.dest_end - 1, 0)] + 1
    return al.score / 100.0, start, end


def locate(quote: str, chunk: Chunk) -> tuple[float, int, int]:
    """(similarity 0-1, char start, char end) of the best match of quote inside chunk, in file offsets."""
    score, start, end = align(quote, chunk.text)
    return score, chunk.char_start + start, chunk.char_start + end


def find_span(text: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` sits in `text` (offsets into `text`), if it aligns at least SPAN_THRESHOLD well."""
    score, start, end = align(quote or "", text or "")
    return (start, end) if score >= SPAN_THRESHOLD and end > start else None


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) offsets of the whole lines of `text` that the span [start, end) touches."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    return first, len(text) if last == -1 else last


def lookup(quote_input: str, retriever, k: int = 5) -> list[Hit]:
    """Ranked places where the quote appears; the first is the best. Scores are 0-1 similarities."""
    quote = extract_quote(quote_input)
    if not quote:
        return []
    chunks = retriever.chunks
    candidates: dict[int, None] = {}
    for row, _ in retriever.bm25(quote, 40):
        candidates[row] = None
    for row, _ in retriever.dense(quote, 10):
        candidates[row] = None
    qterms = set(terms(quote))
    scored: list[tuple[float, int, int, int]] = []
    for row in candidates:
        c = chunks[row]
        if qterms and not (qterms & set(terms(c.text))):
            continue
        score, s, e = locate(quote, c)
        scored.append((score, row, s, e))
    scored.sort(key=lambda x: (-x[0], x[1]))
    hits: list[Hit] = []
    seen: set[tuple[str, int]] = set()
    docs = retriever.index.documents
    for score, row, s, e in scored:
        c = chunks[row]
        text = docs.get(c.file, {}).get("text") or ""
        if text:
            line_start = text.count("\n", 0, s) + 1
            line_end = text.count("\n", 0, max(s, e - 1)) + 1
            ls, le = line_bounds(text, s, e)
            passage = text[ls:le]
        else:
            line_start = c.line_start + c.text.count("\n", 0, s - c.char_start)
            line_end = c.line_start + c.text.count("\n", 0, max(0, e - 1 - c.char_start))
            passage = c.text
        key = (c.file, line_start)
        if key in seen:
            continue
        seen.add(key)
        hits.append(
            Hit(
                chunk_id=c.id, file=c.file, line_start=line_start, line_end=line_end,
                score=round(score, 4), text=passage, title=c.title, char_start=s, char_end=e,
            )
        )
        if len(hits) >= k:
            break
    return hits

