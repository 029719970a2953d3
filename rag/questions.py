"""What a question asks for: the kind of answer (a person, a number, a time...), and whether it
wants one fact or several statements. Shared by the evidence gate and the extractive answerer."""

from __future__ import annotations

import re

_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion)\b", re.I)
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b", re.I)
_MEASURE = re.compile(
    r"(?:\d[\d,.]*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion))"
    r"(?:\s*-\s*|\s+)?(?:km|kilomet(?:er|re)s?|mi|miles?|met(?:er|re)s?|m|cm|feet|foot|ft|inch(?:es)?|hectares?|acres?|"
    r"square|sq|tonnes?|tons?|kg|kilograms?|pounds?|lbs?|years?|months?|weeks?|days?|hours?|minutes?|seconds?|"
    r"decades?|centuries|century|percent|per\s+cent|%|storeys?|stories|floors?|people|km/h|mph)\b",
    re.I,
)
_TIME = re.compile(r"\d|\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|yesterday|today|week|month|year)\b", re.I)


def expected_type(question: str) -> str | None:
    """What kind of thing the question asks for: a name, a number or a time."""
    q = question.strip().lower()
    if re.match(r"(who|whom|whose)\b", q):
        return "person"
    if re.match(r"(where|in which|which|what) (city|country|town|place|person|minister|leader|official|company|organi[sz]ation)\b", q):
        return "name"
    if re.match(r"how (long|old|far|big|large|tall|high|wide|deep|heavy)\b", q):
        return "measure"
    if re.match(r"how (many|much)\b", q):
        return "number"
    if re.match(r"(when|what (year|date|day|time))\b", q):
        return "time"
    return None


def has_type(sentence: str, kind: str, question: str) -> bool:
    if kind == "number":
        return bool(_NUMBER.search(_ORDINAL.sub(" ", sentence)))
    if kind == "measure":  # "how long is the border": 1,350-kilometer, not "31st member"
        return bool(_MEASURE.search(sentence))
    if kind == "time":
        return bool(_TIME.search(sentence))
    asked = question.lower()
    names = [m.group(1) for m in _NAME.finditer(sentence)]
    if kind == "person":  # a person is named with at least two words: "Alexander Bogomaz", not "Interfax"
        names = [n for n in names if len(n.split()) >= 2]
    return any(n.split()[0].lower() not in asked for n in names)


def is_open_question(q: str) -> bool:
    """'What did X say about Y?' wants several statements; 'Who/which/where/how many' wants one."""
    ql = q.strip().lower()
    return ql.startswith(("what did", "what does", "what has", "what have", "what do", "how did", "how does", "summar", "tell me"))


# "Who won and how many votes did she get?": a second question word after "and" (or a comma, or
# "also") starts a second part, each wanting its own answer sentence.
_PART_BREAK = re.compile(
    r"\s*(?:,\s*and|,|\band\b|;|\balso\b)\s+(?=(?:who|whom|whose|what|when|where|which|why|how)\b)", re.I)


def split_parts(question: str) -> list[str]:
    """The parts of a multi-part question; a one-part question is returned whole."""
    q = question.strip()
    pieces = [p.strip(" ,;?") for p in _PART_BREAK.split(q)]
    pieces = [p for p in pieces if len(p.split()) >= 2]
    if len(pieces) < 2:
        return [q]
    # a later part often leaves its subject to the first ("when did X resign and why?"): give it the
    # first part's words that it lacks, so it is searched and scored with its topic
    head = pieces[0]
    out = [head]
    for p in pieces[1:]:
        out.append(p if len(p.split()) >= 4 else f"{p} {head}")
    return out


_MONTH_NAMES = ("january february march april may june july august september october november december").split()
_PERIOD = re.compile(
    r"\b(?:(?P<rel>last|this|past|previous)\s+(?P<unit>year|month))\b"
    r"|\b(?P<prep>in|during|since|from|of|throughout)\s+(?:(?:early|late|mid)[\s-]+)?"
    r"(?:(?P<month>" + "|".join(_MONTH_NAMES) + r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s*,?\s*)?"
    r"(?P<year>(?:19|20)\d\d)\b(?!\s*(?:%|percent|people|dlrs|dollars|votes|km|mln|billion|million))",
    re.I,
)


# A year in a question is mostly the time of the event asked about, not of the articles ("How many
# sailors were killed ... in 2017?" is answered by a 2019 article; 30 of 639 questions in
# eval/realnews name a year that way). A period filters the articles only when the question asks
# what was said or reported then: "What did the Kremlin say in December 2024?", "news from 1987".
_REPORTED = re.compile(
    r"\b(say|says|said|saying|tell|told|report|reports|reported|reporting|announce[ds]?|announcing|wr[io]te|"
    r"written|publish(?:ed)?|claim(?:s|ed)?|warn(?:s|ed)?|comment(?:s|ed)?|stated?|cover(?:s|ed)?|coverage|"
    r"news|articles?|stories|headlines|outlets|press|statements?|quotes?|quoted)\b", re.I)


def named_period(question: str, newest=None) -> tuple[str, str] | None:
    """The period of publication a question names, as inclusive ISO dates: "in December 2024" -> (2024-12-01,
    2024-12-31), "in 1987" -> the year, "last year" / "this month" relative to `newest` (the newest
    article's date, or a function that returns it, called only for a relative period; without it a
    relative period names nothing). None when it names no period."""
    import datetime as _dt

    m = _PERIOD.search(question)
    if not m or not _REPORTED.search(question) or re.match(r"\s*(when|(in )?what year)\b", question, re.I):
        return None
    if m.group("rel"):
        if callable(newest):
            newest = newest()
        if not newest:
            return None
        ref = _dt.date.fromisoformat(newest[:10])
        back = m.group("rel").lower() in ("last", "past", "previous")
        if m.group("unit").lower() == "year":
            y = ref.year - back
            return f"{y}-01-01", f"{y}-12-31"
        y, mo = (ref.year, ref.month - back) if ref.month - back >= 1 else (ref.year - 1, 12)
        return _month_span(y, mo)
    year = int(m.group("year"))
    if m.group("month"):
        word = m.group("month").lower()[:3]
        mo = next(i for i, name in enumerate(_MONTH_NAMES, 1) if name.startswith(word))
        span = _month_span(year, mo)
    else:
        span = (f"{year}-01-01", f"{year}-12-31")
    if m.group("prep").lower() in ("since", "from"):
        return span[0], "9999-12-31"  # "since March 2019": from then on
    return span


def _month_span(year: int, month: int) -> tuple[str, str]:
    import calendar

    return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
