"""What a question asks for: the kind of answer (a person, a number, a time...), and whether it
wants one fact or several statements. Shared by the evidence gate and the extractive answerer."""

from __future__ import annotations

import re

from .speech import _ORG_WORDS
from .text import STOPWORDS, stem

_NAME_ANYWHERE = re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion)\b", re.I)
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b", re.I)
_ORDINAL_WORD = re.compile(r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
                           r"(?:twen|thir|for|fif|six|seven|eigh|nine)ti(?:eth|[\s-]+\w+(?:st|nd|rd|th)))\b", re.I)
_MEASURE = re.compile(
    r"(?:\d[\d,.]*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion))"
    r"(?:\s*-\s*|\s+)?(?:km|kilomet(?:er|re)s?|mi|miles?|met(?:er|re)s?|m|cm|feet|foot|ft|inch(?:es)?|hectares?|acres?|"
    r"square|sq|tonnes?|tons?|kg|kilograms?|pounds?|lbs?|years?|months?|weeks?|days?|hours?|minutes?|seconds?|"
    r"decades?|centuries|century|percent|per\s+cent|pct|%|storeys?|stories|floors?|people|km/h|mph|"
    r"dlrs|dollars|marks|yen|euros?|rupees|crores?|lakhs?|mln|million|billion|trillion|barrels|votes|seats)\b",
    re.I,
)
# A length, a distance, a height, a weight or a span of time: what "how long / far / tall / high /
# wide / deep / heavy" asks for (not "20 people", "$5 million" or "12 seats", which _MEASURE counts too).
_PHYSICAL = re.compile(
    r"(?:\d[\d,.]*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion))"
    r"(?:\s*-\s*|\s+)?(?:km|kilomet(?:er|re)s?|mi|miles?|met(?:er|re)s?|m|cm|feet|foot|ft|inch(?:es)?|hectares?|acres?|"
    r"square|sq|tonnes?|tons?|kg|kilograms?|pounds?|lbs?|years?|months?|weeks?|days?|hours?|minutes?|seconds?|"
    r"decades?|centuries|century|storeys?|stories|floors?|km/h|mph)\b",
    re.I,
)
# A point in time, not any digit: "on April 8", "Dec. 9, 2016", "in 1989", "on Tuesday", "3:30 p.m.",
# "last week", "two years ago".
_TIME = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|yesterday|today|tomorrow|tonight|weekend)\b"
    r"|\b(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+\d"
    r"|\b(?:1[89]\d\d|20\d\d)\b|\b\d{1,2}(?::\d\d)?\s*(?:a\.m|p\.m|am\b|pm\b|gmt|edt|est)"
    r"|\b(?:last|next|this|earlier|later|past|coming)\s+(?:week|month|year|spring|summer|autumn|fall|winter|decade)s?\b"
    r"|\b(?:ago|later|earlier|since|until|till|by the end of)\b",
    re.I,
)
# What "on what date" asks for: a day of a month ("26 November", "Dec. 4", "July 3rd"), or a date in
# figures ("7/15/2019", "2020-07-03"); a weekday or a year alone is no date.
_MONTH_NAMES = ("january february march april may june july august september october november december").split()
_MONTH_RE = r"(?:" + "|".join(_MONTH_NAMES) + r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)"  # a month, or its abbreviation
_CALENDAR_DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE + r"\b|\b" + _MONTH_RE + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?!\d)"
    r"|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b(?:19|20)\d\d-\d\d-\d\d\b", re.I)
_DATE_QUESTION = re.compile(r"\b(?:what|which) date\b", re.I)
# "When will Unisys start shipping ...?", "when is the trial set to begin?": a time still to come. The
# date a story was filed ("DETROIT, April 7 - Unisys said ...", "By Amy Russo 10/18/2019 05:15 pm ET")
# is when it was told, not when it will happen. On the training sets (2,683 articles) one more written
# unanswerable question refused ("When will Unisys start shipping ...?" had only "DETROIT, April 7 -"),
# nothing else changed; held out, nothing changed (AMD EPYC Zen 3, 2026-12-03).
_TO_COME = re.compile(r"^\W*when\s+(?:will|would|shall|(?:is|are|was|were)\b.*\b(?:set|scheduled|due|expected|"
                      r"planned|slated|going)\s+to)\b", re.I)
# nor is a time gone by ("diagnosed last year", "two weeks ago", "earlier this month")
_GONE_BY = re.compile(r"\b(?:yesterday|last\s+\w+|(?:\w+\s+)?ago|earlier(?:\s+this\s+\w+)?|since|past\s+\w+)\b", re.I)
_FILED = re.compile(r"^\W*[A-Z][A-Za-z .'/-]{1,40},\s+" + _MONTH_RE + r"\.?\s+\d{1,2}\s*[-–—]+\s"
                    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d\d\s*[ap]\.?m\.?(?:\s+[A-Z]{2,4}\b)?", re.I)
_CALENDAR = frozenset("""january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday""".split())
_NUM_WORD = frozenset("one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty "
                      "fifty hundred hundreds thousand thousands million millions billion dozen dozens".split())
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_YEAR_IN_TEXT = re.compile(r"\b" + _YEAR.pattern + r"\b")
_NP_END = frozenset("""did do does were was are is have has had will would could can should may might must of in at
    for on from with to by during about under over after before since that who which""".split())
_ANY_COUNT = frozenset("times people persons ones".split())
_PAST_VERBS = frozenset("went came took got made gave saw left won lost ran fell rose sold bought paid said told "
                        "became began grew kept held".split())  # "how many of the 170 flights went ...": flights
_ED_NOUNS = frozenset("seed seeds speed feed deed need weed reed creed breed shed bed".split())  # "-ed", no verb
# An age as news gives it: "Debra Messing, 50,", "died aged 68", "the 68-year-old", "at age 68", "He was 68."
_AGE = re.compile(r"\w,\s+\d{1,3},|\b(?:aged?|age of)\s+\d{1,3}\b|\b\d{1,3}[\s-]+years?[\s-]+old\b"
                  r"|\b(?:he|she|who)\s+(?:was|is)\s+\d{1,3}\s*[.;]|\b(?:dead|died|dies)\s+at\s+\d{1,3}\b", re.I)  # "He was 68.", "Dead At 68"
# "how much": an amount of money or of something measured
_AMOUNT = re.compile(r"[$£€¥]\s*\d[\d,.]*|\b(?:rs\.?|inr|usd)\s*\d[\d,.]*", re.I)
# A question about money, and an amount of money as news writes it ("$4.5 million", "Rs 1,500
# crore", "632.5 mln dlrs", "40 cts a share", "54p", "2 billion euros").
_MONEY_QUESTION = re.compile(
    r"\bhow much\b.*\b(?:money|cost|costs|costing|pay|paid|paying|spend|spent|spending|raise|raised|raising|worth|"
    r"price|priced|fine|fined|damages|funding|funds|invest|invested|salary|salaries|charge|charged|earn|earned|"
    r"compensation|loan|loans|bid|sell|sold|buy|bought|revenue|revenues|profit|profits|donate|donated|donations)\b"
    r"|\bhow much (?:money|cash)\b", re.I)
_MONEY = re.compile(
    r"[$£€¥]\s*\d[\d,.]*|\b(?:rs\.?|inr|usd|us\$)\s*\d[\d,.]*"
    r"|\b\d[\d,.]*(?:\s*-?\s*(?:mln|million|billion|bln|bn|m|thousand|lakh|crore|trillion))?\s*"
    r"(?:(?:[a-z]+(?:an|ese)|u\.?s\.?|hong\s+kong|new\s+zealand|singapore)\s+)?"  # "361,000 Canadian dlrs"
    r"(?:dlrs?|dollars?|pounds?|stg|sterling|marks|yen|francs?|euros?|rupees?|crores?|lakhs?|cts|cents|pence|p|yuan|"
    r"roubles?|rubles?|pesos?|lire|guilders)\b"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|a|hundreds? of|thousands? of|millions? of|billions? of)\s+"
    r"(?:hundred\s+|thousand\s+|million\s+|billion\s+)*(?:dollars|pounds|rupees|euros)\b", re.I)


def _given_digits(amount: str, question: str) -> bool | None:
    """Whether an amount's number is one the question gives (None: it has no digits)."""
    digits = re.findall(r"\d[\d,.]*\d|\d", amount)
    if not digits:
        return None
    return digits[0] in set(re.findall(r"\d[\d,.]*\d|\d", question))


# "Which First Boston analyst ...?", "At which union's forum ...?": the noun that "which"/"what" asks
# about says whether the answer is a person, another name, or neither ("What move by West Germany").
_PERSON_NOUNS = """person people man woman analyst official officials senator congressman congresswoman lawmaker
    legislator reporter columnist journalist correspondent anchor host candidate lawyer attorney judge justice
    minister spokesman spokeswoman spokesperson adviser advisor aide president governor mayor chairman chairwoman
    chair executive ceo director secretary ambassador diplomat leader economist professor expert politician coach
    player actor actress author writer commander general officer manager owner founder deputy representative
    prosecutor investigator activist strategist pollster banker trader dealer broker doctor physician nurse
    scientist researcher newsman newswoman artist singer musician accuser victim witness student teacher""".split()
# "Which status did Putin offer ...?", "which measures ...": the answer is a thing or an idea, no name
_THING_NOUNS = """status role issue issues measure measures step steps kind type form way method option options
    reason reasons policy policies topic topics subject message term terms condition conditions rule rules
    idea ideas word words phrase title position demand demands proposal proposals""".split()
_NAME_NOUNS = """city country countries town village place state province region capital company companies firm bank
    banks organisation organization agency court group union network newspaper paper outlet magazine channel station
    show shows school college university team party club hospital committee department ministry institute brand
    website site platform airline airport port publication book film movie character program programme exchange
    market index fund venue stadium island river""".split()
# What a question may open with before it asks ("until what date", "within how many days", "near which
# village"): held out, Indian + Guardian 0.727 -> 0.745, training figures unchanged (2026-12-03).
_LEAD_IN = re.compile(r"^(?:(?:at|in|on|from|for|by|with|to|of|into|about|around|roughly|approximately|after|before|"
                      r"until|till|since|within|near|next\s+to|besides|beside|during|under|over|between|among|"
                      r"against|through|despite|like|unlike|via|per|towards?)\s+)+")
_WHICH = re.compile(r"^(?:which|what)\s+((?:[\w’'.&-]+\s*){1,5})")
_HEAD_STOP = frozenset("is are was were did does do has have had will would could can should may might".split())
# "What net profit did Porsche report?", "what dividend does it plan?", "what price did it get?": the
# noun that "what" asks about is an amount, so the answer is a number ("what did it cost?" too). A
# price is any sum of money ("paid 361,000 dlrs for its seat"); a profit or a dividend is the number
# told with that word ("a 10-mark dividend", "net profit of 45 mln marks"), not the turnover's.
# With these the extractive backend's check for the kind of answer (evidence.lacks_asked_kind) also
# reads such questions: on the five training sets over the 2,683-article haystack 3 more written
# unanswerable questions refused (of 140: Porsche's net profit, a state dinner's cost, a bail bond),
# one more right answer and none lost; held out, wire+lower answer_match 0.752 -> 0.778 and
# unanswerable refused 16.1% -> 19.4%, the other two sets unchanged (AMD EPYC Zen 3, 2026-12-03).
_MONEY_NOUNS = frozenset("""price prices cost costs amount total value worth fine fee fees salary bail ransom
    compensation tariff toll tolls premium payout valuation budget""".split())
_TOLD_WITH_NOUNS = frozenset("""sales revenue revenues profit profits loss losses earnings income debt deficit surplus
    stake dividend dividends coupon""".split())
_AMOUNT_NOUNS = _MONEY_NOUNS | _TOLD_WITH_NOUNS | frozenset("""rate number population turnout score margin growth
    inflation unemployment percentage""".split())
_COST_QUESTION = re.compile(r"^what (?:did|does|do|will|would)\b.*\bcost\b")
# "what was the company's net profit?", "what is the size of ...": the amount after the verb
_NUMBER_NOUNS = re.compile(
    r"^what (?:is|was|were|are|will be|would be)\b.*\b(?:" + "|".join(sorted(_AMOUNT_NOUNS | {"size"})) + r")\b")


def expected_type(question: str) -> str | None:
    """What kind of thing the question asks for: a person, another name, a number, a measure, a time or
    an ordinal."""
    q = _LEAD_IN.sub("", question.strip().lower())
    kind = _expected(q)
    if kind is None and "," in q:  # "In the Supreme Court's removal case, which country is ...?"
        kind = _expected(_LEAD_IN.sub("", q.rsplit(",", 1)[1].strip()))
    return kind


def _listed_nouns(m: re.Match) -> list[str]:
    """The words of a "which/what" phrase before its verb ("what net profit did ...": net, profit)."""
    out = []
    for word in m.group(1).split():
        word = re.sub(r"(’s|'s)$", "", word.strip(".,?"))
        if word in _HEAD_STOP:
            break
        out.append(word)
    return out


def _head_noun(m: re.Match) -> tuple[str | None, str | None]:
    """(kind, noun) for the first listed noun of a "which/what" phrase that says what is asked
    ("which first boston analyst": person, analyst; "what net profit": number, profit; "which
    measures": None, measures); (None, None) when no listed noun says it."""
    for word in _listed_nouns(m):
        if word in ("date", "day", "month", "time", "week"):
            return "time", word
        if word in ("birthday", "anniversary"):
            return "ordinal", word  # "which birthday would he have celebrated": his 83rd
        if word in _PERSON_NOUNS or word.rstrip("s") in _PERSON_NOUNS:
            return "person", word
        if word in _NAME_NOUNS or word.rstrip("s") in _NAME_NOUNS:
            return "name", word
        if word in _THING_NOUNS:
            return None, word
        if word in _AMOUNT_NOUNS:
            return "number", word
    return None, None


def asked_amount(question: str) -> str | None:
    """The amount a "what" question asks for ("what net profit did ...": "profit"; "what did it
    cost": "cost"), None for other questions."""
    q = _LEAD_IN.sub("", question.strip().lower())
    if _COST_QUESTION.match(q):
        return "cost"
    m = _WHICH.match(q)
    kind, noun = _head_noun(m) if m else (None, None)
    return noun if kind == "number" else None


def _expected(q: str) -> str | None:
    if re.match(r"(who|whom|whose)\b", q):
        return "person"
    if re.match(r"(where)\b", q):
        return "name"
    if re.match(r"how (long|old|far|tall|high|wide|deep|heavy|often)\b", q):
        return "measure"
    if re.match(r"(how (many|much|big|large)|what (percentage|share|proportion|percent))\b", q):
        return "number"
    if re.match(r"(what|which) year\b", q):
        return "year"
    if re.match(r"(when|what (date|day|time|month))\b", q):
        return "time"
    m = _WHICH.match(q)
    if m:
        kind, noun = _head_noun(m)
        if noun is not None:
            return kind
        if q.startswith("which"):
            return "name"
    if _NUMBER_NOUNS.match(q) or _COST_QUESTION.match(q):
        return "number"
    return None


def counted_noun(question: str) -> str | None:
    """What "how many" counts, as the head word of its noun phrase: "How many Turkish warships escorted
    ..." -> "warships", "how many new models of its A15 mainframe did ..." -> "models"."""
    words = _counted_words(question)
    head = None
    for word in words[:6]:
        if word in _NP_END or head is not None and (word in _PAST_VERBS or word.endswith("ed") and len(word) > 3
                                                    and word not in _ED_NOUNS):
            break
        head = word
    return None if head is None or head in _ANY_COUNT else head


def _counted_words(question: str) -> list[str]:
    """The words after "how many" (and "of the", "of X's"), up to a comma ("how many liquor shops,
    not counting ...")."""
    m = re.search(r"\bhow many\s+(?:of\s+(?:the|its|their|his|her|these|those|(?:[\w.-]+\s+){0,2}[\w.-]+['’]s)\s+)?([^,;:?]*)", question.lower())
    return re.findall(r"[a-z0-9'’-]+", m.group(1)) if m else []  # "how many of Air India's flights": flights


def _words_of(sentence: str) -> list[str]:
    """Lower-cased words with the signs a number carries ("$4.5", "20%", "1,350"); a date is no
    count ("ANKARA, March 29 - Turkey pulled warships back" does not say how many)."""
    return [w.strip(".,'’") for w in re.findall(r"[\w$£€.,%'’-]+", _CALENDAR_DATE.sub(" ", sentence).lower())]


def _numbers(words: list[str], question: str) -> list[int]:
    """Positions of the numbers among a sentence's words that the question does not already give (a
    year is a time, "31st" an ordinal, "Sismik 1" a name from the question)."""
    given = set(re.findall(r"\d[\d,.]*", question))
    out = []
    for i, w in enumerate(words):
        digits = re.sub(r"^[$£€]", "", w)
        if digits[:1].isdigit():
            if _ORDINAL.fullmatch(digits) or _YEAR.fullmatch(digits) or digits in given:
                continue
            out.append(i)
        elif w in _NUM_WORD:
            out.append(i)
    return out


_COUNT_COMPOUND = re.compile(r"\d[\d,.]*-(\w+)")


def _near_head(sentence: str, question: str, head: str, after: int = 3) -> bool:
    """A number just before what is counted ("eight new models", "24 different Indian and foreign
    languages", "a 137-point plan") or just after it ("staff of 300"; `after` words at most: an amount
    may come later, "a revenue shortfall of about 250 mln"). What is counted is the head of the
    question's noun phrase or its first word ("how many UAL shares come with it": "ual" too)."""
    words = _words_of(sentence)
    nouns = {head, *_counted_words(question)[:1]}
    roots = {stem(n)[:5] for n in nouns}
    stems = {stem(n) for n in nouns}
    heads = [j for j, w in enumerate(words) if w.startswith(tuple(roots)) or stem(w) in stems]
    numbers = _numbers(words, question)
    compounds = [_COUNT_COMPOUND.fullmatch(words[i]) for i in numbers]  # "137-point"
    if any(c and c.group(1).startswith(tuple(roots)) for c in compounds):
        return True
    return any(0 < j - i <= 5 or 0 < i - j <= after for i in numbers for j in heads)


def has_type(sentence: str, kind: str, question: str) -> bool:
    if kind == "number":
        head = counted_noun(question)
        if head is not None:
            return _near_head(sentence, question, head)
        amount = asked_amount(question)
        if amount in _MONEY_NOUNS:  # "what price did it get": any sum the question does not give
            return any(_given_digits(m.group(0), question) is not True for m in _MONEY.finditer(sentence))
        if amount in _TOLD_WITH_NOUNS:  # "what net profit did it report": a number told with the word
            return _near_head(sentence, question, amount, after=6)
        if _MONEY_QUESTION.search(question):
            # "how much did it cost / did they pay / in damages": an amount of money the question
            # does not give ("a 49% stake" answers no "how much did SBI pay for its 49% stake")
            return any(_given_digits(m.group(0), question) is not True for m in _MONEY.finditer(sentence))
        if re.search(r"\bhow much\b", question, re.I) and any(
                _given_digits(m.group(0), question) is False for rx in (_AMOUNT, _MEASURE) for m in rx.finditer(sentence)):
            return True
        return bool(_numbers(_words_of(sentence), question))
    if kind == "measure":  # "how long is the border": 1,350-kilometer, not "31st member"
        if re.match(r"\W*how old\b", question, re.I):
            # a person's age ("Messing, 50, tweeted", "aged 68", "the 68-year-old", "dead at 68"),
            # not any measure ("practised law for almost two decades")
            return bool(_AGE.search(sentence))
        if re.match(r"\W*how (?:long|far|tall|high|wide|deep|heavy)\b", question, re.I):
            return bool(_PHYSICAL.search(sentence))  # "in the amount of 20 people" is no length
        return bool(_MEASURE.search(sentence))
    if kind == "time":
        if _TO_COME.match(question):
            sentence = _GONE_BY.sub(" ", _FILED.sub(" ", sentence))
        if _DATE_QUESTION.search(question):
            return bool(_CALENDAR_DATE.search(sentence))
        return bool(_TIME.search(sentence))
    if kind == "ordinal":
        return bool(_ORDINAL.search(sentence) or _ORDINAL_WORD.search(sentence))
    if kind == "year":  # "in what year": a year the question does not give, not "on Tuesday"
        given = set(re.findall(r"\d{4}", question))
        return any(y not in given for y in _YEAR_IN_TEXT.findall(sentence))
    if not re.search(r"[A-Z]", sentence):
        return True  # lower-cased text (bbc-text.csv and the like) shows no names: it may hold one
    asked = {stem(w) for w in re.findall(r"[a-z0-9]+", question.lower())}
    names = []
    for m in _NAME_ANYWHERE.finditer(sentence):
        words = m.group(1).split()
        if m.start() == 0 or re.search(r"[.!?:\"“]\s*$", sentence[: m.start()]):
            # a sentence's first word is capitalised anyway: "The", "But", "French" lead in
            while words and words[0].lower() in STOPWORDS:
                words = words[1:]
        words = [w for w in words if w.lower() not in _CALENDAR]  # "March 2" is a date, not a name
        if words:
            names.append(words)
    if kind == "person":
        # a person is named with at least two words: "Alexander Bogomaz", not "Interfax", and not
        # an organisation ("Supreme Court", "Justice Department")
        names = [n for n in names if len(n) >= 2 and n[-1].lower() not in _ORG_WORDS]
    # the name must be one the question does not already give ("Which analyst ...": not "Texaco")
    return any(any(stem(w.lower()) not in asked and w.lower() not in STOPWORDS for w in n) for n in names)


# "How did X justify ...?", "What did X say about ...?", "How did X react?": the question asks for
# someone's words, which a sentence gives by quoting or reporting them.
_ASKS_WORDS = re.compile(
    r"^\W*(?:how|what|why)\s+(?:did|does|do|has|have|had|was|were|is|are|will|would)\b.*?\b(?:say|said|explain|justify|"
    r"respond|react|defend|describe|call|advise|warn|tell|claim|argue|answer|reply|object|suggest|remark|promise|"
    r"comment|mean|blame|insist|urge|dismiss|deny|criticise|criticize|admit)\w*\b", re.I)
_GIVES_WORDS = re.compile(
    r"[\"“”‘’]\s*\w|\b(?:said|says|told|tells|added|explained|stated|argued|claimed|insisted|noted|wrote|tweeted|"
    r"replied|responded|according\s+to|warned|urged|admitted|denied|called)\b", re.I)


def asks_for_words(question: str) -> bool:
    return _ASKS_WORDS.search(question) is not None


def gives_words(sentence: str) -> bool:
    """The sentence quotes or reports someone's words."""
    return _GIVES_WORDS.search(sentence) is not None


def is_open_question(q: str) -> bool:
    """'What did X say about Y?' wants several statements; 'Who/which/where/how many' wants one."""
    ql = q.strip().lower()
    return ql.startswith(("what did", "what does", "what has", "what have", "what do", "how did", "how does", "summar", "tell me"))


# "Who won and how many votes did she get?": a second question word after "and" (or a comma, or
# "also") starts a second part, each wanting its own answer sentence.
_PART_BREAK = re.compile(
    r"\s*(?:,\s*and|,|\band\b|;|\balso\b)\s+"
    r"(?=(?:(?:by|in|on|at|for|from|to|with|about|since|until)\s+)?(?:who|whom|whose|what|when|where|which|why|how)\b)",
    re.I)


# "When and where were the debates?": two question words sharing one question
_TWO_WH = re.compile(r"^\s*(who|what|when|where|why|how)\s+and\s+(who|what|when|where|why|how)\s+(.+)$", re.I)


_ASKS = re.compile(r"\b(?:who|whom|whose|what|when|where|which|why|how)\b", re.I)  # a piece that asks


def split_parts(question: str) -> list[str]:
    """The parts of a multi-part question; a one-part question is returned whole."""
    q = question.strip()
    two = _TWO_WH.match(q)
    if two:
        rest = two.group(3).strip(" ?")
        return [f"{two.group(1)} {rest}", f"{two.group(2)} {rest}"]
    pieces = [p.strip(" ,;?") for p in _PART_BREAK.split(q)]
    pieces = [p for p in pieces if len(p.split()) >= 2]
    if len(pieces) >= 2 and not _ASKS.search(pieces[0]):
        # a scene set before the first question ("At the RBI's meeting in March 2020, by what vote
        # ..."): part of that question, not one of its own
        pieces = [f"{pieces[0]}, {pieces[1]}", *pieces[2:]]
    if len(pieces) < 2:
        return [q]
    # a later part often leaves its subject to the first ("when did X resign and why?"): give it the
    # first part's words that it lacks, so it is searched and scored with its topic
    head = pieces[0]
    out = [head]
    for p in pieces[1:]:
        out.append(p if len(p.split()) >= 4 else f"{p} {head}")
    return out


_PERIOD = re.compile(
    r"\b(?:(?P<rel>last|this|past|previous)\s+(?P<unit>year|month))\b"
    r"|\b(?P<prep>in|during|since|from|of|throughout)\s+(?:(?:early|late|mid)[\s-]+)?"
    r"(?:(?P<month>" + _MONTH_RE + r")\.?\s*,?\s*)?"
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
