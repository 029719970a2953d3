"""Text normalisation shared by BM25, quote lookup and the citation check."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

_QUOTES = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"',
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
        "–": "-", "—": "-", "‒": "-", "−": "-", "\u00a0": " ", "\u200b": "",
    }
)
_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W_]+(?:'[^\W_]+)?", re.UNICODE)

STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each few for from further had hadn't has hasn't have haven't having he he'd
    he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into
    is isn't it it's its itself let's me more most mustn't my myself no nor not of off on once only or
    other ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't so
    some such than that that's the their theirs them themselves then there there's these they they'd
    they'll they're they've this those through to too under until up very was wasn't we we'd we'll
    we're we've were weren't what what's when when's where where's which while who who's whom why
    why's with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
    s t also abt""".split()
)
# Question scaffolding and reporting verbs: they say what kind of answer is wanted, not what it is about.
QUESTION_WORDS = frozenset(
    """what which who whom whose when where why how many much kind sort type did does do say said says
    saying tell told tells mention mentioned mentions talk talked talks speak spoke according report
    reported reports article articles corpus text passage quote quoted state stated statement
    comment commented regarding concerning happen happened happens held hold holds take took taken
    make made get got go went come came give gave become became occur occurred place used use
    think thinks thought believe believes believed feel feels felt view views consider considers
    considered opinion position stance react reacted reaction reactions""".split()
)
# "which city", "what status", "how many": the word after the question word names the answer's type.
_ANSWER_TYPE = re.compile(r"\b(?:which|what|whose|how)\s+([a-z]+)", re.I)


def normalize(text: str) -> str:
    """NFKC, straight quotes and dashes, lower case."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()


def words(text: str) -> list[str]:
    """Lower-cased word tokens with quotes normalised; possessive 's dropped."""
    out = []
    for w in _TOKEN.findall(normalize(text)):
        if w.endswith("'s"):
            w = w[:-2]
        w = w.replace("'", "")
        if w:
            out.append(w)
    return out


_stemmer_local = threading.local()


def _stemmer():
    st = getattr(_stemmer_local, "stemmer", None)
    if st is None:
        import Stemmer  # PyStemmer: Snowball English

        st = _stemmer_local.stemmer = Stemmer.Stemmer("english")
    return st


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def terms(text: str, drop_stopwords: bool = True) -> list[str]:
    """BM25 terms: words, stopwords out, stemmed, numbers kept as written (1,350 -> 1350)."""
    out = []
    for w in words(text):
        if drop_stopwords and w in STOPWORDS:
            continue
        if w[0].isdigit():
            out.append(w.replace(",", ""))
        else:
            out.append(stem(w))
    return out


@lru_cache(maxsize=512)
def passage_terms(text: str, title: str = "") -> frozenset[str]:
    """The terms of a passage and its title. Cached: the evidence gate, the name check and the
    extractive answerer all read the same few retrieved passages for each question."""
    return frozenset(terms(text)) | frozenset(terms(title))


def content_terms(text: str) -> list[str]:
    """Terms of a question that carry its topic: no stopwords, no question scaffolding,
    no answer-type noun ("which city" asks for a name, which the passage need not call a city)."""
    answer_type = {m.group(1).lower() for m in _ANSWER_TYPE.finditer(normalize(text))}
    out = []
    for w in words(text):
        if w in STOPWORDS or w in QUESTION_WORDS or w in answer_type or len(w) < 2:
            continue
        out.append(w.replace(",", "") if w[0].isdigit() else stem(w))
    return list(dict.fromkeys(out))


_NAME = re.compile(r"(?<=[\s“\"'(])([A-Z][\w’'\-]+)")


def names(text: str) -> set[str]:
    """Stems of capitalised words not at the start of the sentence: the people, places and
    organisations a sentence is about ("Peskov", "Japan", "Haltek Energy")."""
    out = set()
    for m in _NAME.finditer(" " + text[len(text.split(" ", 1)[0]):] if " " in text else ""):
        for w in words(m.group(1)):
            if w not in STOPWORDS:
                out.add(stem(w))
    return out


# Text in an article that addresses the model rather than the reader. It is kept in the index
# (citations point at real lines) but never handed to a model as something to follow, and never
# picked as an answer sentence.
INSTRUCTION_LIKE = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(previous|prior|above|earlier|all|any|your)\b.{0,20}"
    r"\b(instructions?|prompts?|rules|directions|context)\b"
    r"|\b(system|assistant)\s*(prompt)?\s*:"
    r"|\byou (must|should|are required to) (now )?(answer|say|respond|reply|reveal|output|print)\b"
    r"|\b(new|updated) instructions?\b"
    r"|\bas an ai\b|\blanguage model\b.{0,30}\b(must|should)\b",
    re.I,
)


def is_instruction_like(sentence: str) -> bool:
    return bool(INSTRUCTION_LIKE.search(normalize(sentence)))
