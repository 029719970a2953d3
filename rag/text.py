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
        # of a hyphenated word only the capitalised parts name something: "Clinton-era" names
        # Clinton, "Gulf-bound" the Gulf, "Ocasio-Cortez" both
        parts = " ".join(part for part in m.group(1).split("-") if part[:1].isupper())
        for w in words(parts):
            if w not in STOPWORDS and len(w) > 1:  # "(D-CA)" names no "d"
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


# -- sentences ----------------------------------------------------------------------------------
# One splitter for every stage (chunking, citation checks, extractive answers, excerpts). It
# returns exact character spans of the text it is given, so citations point at real characters.
# Written for news as it arrives: mixed case, all lower case (a full stop followed by "the"),
# newswire abbreviations, quotations that run over several sentences, and a headline run into
# the first sentence with no full stop. bench/sentence_split.py compares it with pysbd, syntok
# and blingfire on bench/data/sentences.jsonl.

# Titles before a name: a full stop after them never ends a sentence ("Mr. Smith", "Gov. Cuomo").
_TITLES = frozenset(
    """mr mrs ms messrs dr prof sen sens rep reps gov gen col lt sgt capt cmdr adm maj cpl pvt
    rev hon sh smt st mt ft pres supt insp det atty vs v e.g i.e cf approx esp viz govt dept
    ave blvd""".split()
)
# Before a number only: "No. 10", "Rs. 500", "Dec. 4", "Art. 370".
_BEFORE_NUMBER = frozenset(
    """no nos vol vols art arts fig figs sec secs para pp p ch nr rs jan feb mar apr jun jul aug
    sep sept oct nov dec""".split()
)
# Abbreviations and initialisms that can also end a sentence ("... in the U.S. The minister ...").
_CAN_END = frozenset("inc ltd co corp jr sr etc bros plc llc a.m p.m".split())
# Words that start a sentence after such an abbreviation; anything else continues it.
_STARTERS = frozenset(
    """the he she they we it i but this that these those there his her its their our a an in on
    at to however meanwhile also earlier later last after when while if as according""".split()
)
# All-lower-case text lacks the capital that would confirm a start, so fewer words qualify there.
_LOWER_STARTERS = frozenset("the he she they we but".split())
# Verbs that report what someone said (rag.speech reads statements by them). After a quoted
# question or exclamation, up to three words and one of them ending the sentence are the
# quotation's attribution, not a new sentence ("“Why now?” Klepper wondered."; _ATTRIBUTION_ENDING).
REPORTING_VERBS = tuple((
    "said says say told tells added adds noted notes warned warns claimed claims stressed stresses "
    "insisted insists argued argues stated emphasized emphasised emphasizes emphasises explained "
    "explains asserted asserts declared declares announced announces acknowledged acknowledges "
    "admitted admits suggested suggests denied denies underlined underlines underscored "
    "reiterated reiterates confirmed confirms maintained contended remarked observed commented "
    "wrote writes tweeted accused urged urges predicted predicts promised vowed cautioned "
    "complained conceded recalled replied continued concluded alleged mentioned highlighted "
    "estimated forecast threatened countered agreed responded quipped joked bemoaned lamented contended contends "
    "testified retorted boasted mused recounted hinted pledged assured reassured responds replies wondered "
    "projected projects disclosed discloses expects described describes portrayed portrays questioned "
    "assert argue insist "
    # the present tense of features and interviews: "“It was an amazing performance,” he recalls."
    "recalls recounts concedes quips muses "
    # a quotation's attribution in features and late-night recaps: "“... to Obama,” Colbert laughed."
    "laughed deadpanned chuckled scoffed"
).split())
_ATTRIBUTION = re.compile(r"[\w.’'-]+(?:\s+[\w.’'-]+){0,2}\s+(?:said|says|asked|added|wrote|told|tweeted|replied)\b")
# Any other verb of saying (or of asking, exclaiming) attributes the quotation only where the
# sentence ends with it or goes on with where or when ("“Why the midterms?” Klepper wondered.",
# "... Giuliani shouted at Kurtz"); "Trump noted the establishment media was ..." is a new sentence.
_ATTRIBUTION_ENDING = re.compile(r"[\w.’'-]+(?:\s+[\w.’'-]+){0,2}\s+(?:" + "|".join(sorted(
    REPORTING_VERBS + ("asks", "exclaimed", "shouted", "demanded", "cried", "yelled", "laughed"),
    key=len, reverse=True)) + r")(?=\s*(?:[.,;!?]|$)|\s+(?:in|on|at|during|after|before|with|from|as|when|while|later|earlier)\b)")
_TERMINAL_RUN = re.compile(r"(?:[.!?…]+|\.\.\.)[\"'”’»)\]]*(?=\s)")
_GLUED = re.compile(r"(?<=[a-z]{2})[.!?][\"”]?(?=[A-Z][a-z])")  # "said.The" from scraped pages
_PREV_TOKEN = re.compile(r"([^\s\"'“‘(\[«]*)$")
_NEXT_WORD = re.compile(r"[\"'“‘(\[«]*([^\s]*)")
_INITIALISM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]", re.UNICODE)  # u.s, f.b.i, j.k
# A quotation of at most this many characters (about 65 word pieces, well inside a chunk) is kept
# whole with its attribution: its sentences cut apart lose their speaker. Longer ones (a
# paragraph-long quote) are split as usual, so that no chunk has to cut a sentence.
QUOTE_MAX_CHARS = 300
_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ\u0391-\u03A9\u0400-\u042F]")
_LOWER_BEHIND, _LOWER_AHEAD = 60, 150


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Character spans of the sentences in text[start:end].

    A line break ends a sentence, except where the text is hard-wrapped (newswire at 70 columns):
    a long prose line that stops without end punctuation goes on in the next line."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    width = _wrap_width(text, start, end)
    pos = start
    seg = start
    while pos < end:
        nl = text.find("\n", pos, end)
        le = end if nl < 0 else nl
        if nl >= 0 and _wraps(text[pos:le], text, nl + 1, end, inside=pos > seg, width=width):
            pos = nl + 1
            continue
        if le > seg:
            _split_line(text, seg, le, spans)
        pos = seg = le + 1
    return spans


# A hard-wrapped line: at least this long, no end punctuation, and either the next line starts in
# lower case or this one ends on a word that cannot end a sentence. A headline over its body
# ("Russia 'taking measures' in response to Nato expansion, says Kremlin") is neither.
WRAP_MIN_CHARS = 45
# A text is hard-wrapped when it has at least WRAP_MIN_LINES lines, half of them within WRAP_BAND
# characters of the wrap column (its longest line, at most WRAP_MAX_COLUMN: Reuters wraps at about
# 70, e-mail at 72-80; prose written one paragraph per line has far longer, uneven lines). A line
# of it goes on in the next when the next line's first word would not have fitted on it.
WRAP_MIN_LINES = 4
WRAP_BAND = 12
WRAP_MAX_COLUMN = 100
_NO_END_WORDS = frozenset("""a an the of to in on at by for from with and or but nor as than that which who
    whose whom if because while its their his her our your my this these those into onto about over under
    between after before said says told""".split())
_WRAP_END = re.compile(r"[.!?…:;\"”’')\]]\s*$")


def _wrap_width(text: str, start: int, end: int) -> int | None:
    """The column a hard-wrapped text is wrapped at, or None when it is not hard-wrapped: most of its
    lines (a paragraph's last line is short) end within WRAP_BAND characters of one column."""
    lens = sorted(len(line.rstrip()) for line in text[start:end].split("\n") if line.strip())
    if len(lens) < WRAP_MIN_LINES:
        return None
    width = lens[-1]
    if not WRAP_MIN_CHARS <= width <= WRAP_MAX_COLUMN:
        return None
    near = sum(1 for n in lens if width - WRAP_BAND <= n <= width + WRAP_BAND)
    return width if near * 2 >= len(lens) else None


def _title_case(line: str) -> bool:
    """Most words capitalised: a headline (a list of them on a scraped page), not wrapped prose."""
    words = [w for w in line.split() if w[:1].isalpha()]
    return sum(1 for w in words if w[:1].isupper()) * 2 > len(words)


def _wraps(line: str, text: str, nxt: int, end: int, inside: bool = False, width: int | None = None) -> bool:
    s = line.strip()
    if len(s) < WRAP_MIN_CHARS or _WRAP_END.search(s):
        return False
    if nxt >= end or text[nxt:nxt + 1] in ("\n", "") or not text[nxt:min(end, nxt + 200)].split("\n", 1)[0].strip():
        return False  # a blank line: a paragraph ends
    if (width is not None and len(line.rstrip()) + 1 + len(text[nxt:end].split(None, 1)[0]) > width
            and not _title_case(s)):
        return True  # the next word did not fit on this line: a hard wrap ("...on the New York Stock | Exchange")
    if (inside and not _title_case(s)) or text[nxt:end].lstrip(" \t")[:1].islower():
        # the next line goes on with the sentence, or this line already continues a wrapped one
        # (a wrapped paragraph's lines all go on: "...price of par, Credit | Suisse First Boston")
        return True
    # or this one stops on a word no sentence ends with ("...the sale of | Hilton International"),
    # unless it is a headline (a list of them: "..., Campaign Says | Joe Biden Defends ...")
    last = s.rsplit(None, 1)[-1].lower()
    return last in _NO_END_WORDS and not _title_case(s)


def _split_line(text: str, ls: int, le: int, spans: list[tuple[int, int]]) -> None:
    quotes = _quote_spans(text, ls, le) if _has_quote(text, ls, le) else ()
    cuts: list[int] = []
    head = _headline_end(text, ls, le)
    if head is not None:
        cuts.append(head)
    for m in _TERMINAL_RUN.finditer(text, ls, le):
        cut = m.end()
        nxt = _skip_space(text, cut, le)
        if nxt >= le:
            continue
        if quotes and any(a < cut < b and b - a <= QUOTE_MAX_CHARS for a, b in quotes):
            continue  # inside a short quotation: keep it whole with its speaker
        if _ends_sentence(text, ls, le, m.start(), cut, nxt):
            cuts.append(cut)
    for m in _GLUED.finditer(text, ls, le):
        cuts.append(m.end())
    seg = ls
    for cut in sorted(set(cuts)):
        if cut > seg:
            _add(spans, text, seg, cut)
            seg = cut
    _add(spans, text, seg, le)


def _skip_space(text: str, i: int, le: int) -> int:
    while i < le and text[i].isspace():
        i += 1
    return i


def _ends_sentence(text: str, ls: int, le: int, ps: int, cut: int, nxt: int) -> bool:
    """Does the terminal punctuation text[ps:cut] end a sentence, given the word at nxt?"""
    punct = text[ps:cut].rstrip("\"'”’»)]")
    closed = len(punct) < cut - ps  # a closing quote or bracket follows the punctuation
    if not closed and punct[-1] in "?!" and text.startswith("  ", cut) and _lower_context(text, ls, le, cut):
        closed = True  # lower-cased text whose quotation marks became spaces: "why the midterms?  klepper wondered."
    word = _NEXT_WORD.match(text, nxt, le).group(1)
    first = next((c for c in text[nxt : nxt + 3] if c.isalnum()), "")
    lower_next = first.islower()
    if "…" in punct or punct.startswith(".."):
        return not lower_next  # "for our safety ... and we are": the sentence goes on
    if punct[-1] in "?!":
        # "“Why not?” he asked", "“... pay for it?” Ocasio-Cortez said": the attribution
        # belongs to the quotation
        am = (_ATTRIBUTION.match(text, nxt, le) or _ATTRIBUTION_ENDING.match(text, nxt, le)) if closed else None
        if am and not text.startswith(":", _skip_space(text, am.end(), le)):
            return False  # (not "... sound?” Ocasio-Cortez later noted: “...”": that one introduces the next)
        return not (lower_next and (closed or not _lower_context(text, ls, le, cut)))
    tok = _PREV_TOKEN.search(text, max(ls, ps - 40), ps).group(1)
    low = tok.lower().rstrip(".")
    if low in _TITLES or low.rsplit("-", 1)[-1] in _TITLES:
        return False  # "Mr.", "Then-Sen."
    if ")" in text[ps:cut] and len(low) <= 12 and lower_next and _lower_context(text, ls, le, cut):
        return False  # "(d-n.y.) said" in lower-cased text: a bracketed abbreviation
    if low in _BEFORE_NUMBER and first.isdigit():
        return False
    nword = word.lower().strip("\"'“”‘’(),;:")
    if low in _CAN_END or _INITIALISM.fullmatch(low) or (len(low) == 1 and low.isalpha()):
        # "U.S. officials", "George W. Bush", "3 p.m. on Friday" go on; "in the U.S. The" ends
        if _lower_context(text, ls, le, cut):
            return nword in _LOWER_STARTERS
        return first.isupper() and nword in _STARTERS
    if not lower_next:
        return True
    # A lower-case word next: in lower-cased text that is how every sentence starts ("he said.
    # the minister added"); in mixed case the writer did not start a new sentence (a typo, a
    # fragment, an abbreviation we do not list), and joining costs less than a false cut.
    return _lower_context(text, ls, le, cut)


def _lower_context(text: str, ls: int, le: int, cut: int) -> bool:
    """No capital letter around the cut: lower-cased text (a capitalised headline may precede it,
    so the window reaches further ahead than back)."""
    return _UPPER.search(text, max(ls, cut - _LOWER_BEHIND), min(le, cut + _LOWER_AHEAD)) is None


def _has_quote(text: str, ls: int, le: int) -> bool:
    line = text[ls:le]
    return "“" in line or '"' in line


def _quote_spans(text: str, ls: int, le: int) -> list[tuple[int, int]]:
    """(open, close) positions of quotations in a line: curly pairs, and straight quotes paired
    by position (an opening one follows a space or a bracket, a closing one precedes one)."""
    out: list[tuple[int, int]] = []
    i = ls
    while True:
        a = text.find("“", i, le)
        if a < 0:
            break
        b = text.find("”", a + 1, le)
        if b < 0:
            break
        nested = text.find("“", a + 1, b)
        if nested >= 0:  # an opening quote never closed ("“... “...”"): start from the later one
            i = nested
            continue
        out.append((a, b))
        i = b + 1
    opener = None
    for m in re.finditer('"', text[ls:le]):
        p = ls + m.start()
        before = text[p - 1] if p > ls else " "
        after = text[p + 1] if p + 1 < le else " "
        if opener is None and (before.isspace() or before in "([—–-:") and not after.isspace():
            opener = p
        elif opener is not None and not before.isspace():
            out.append((opener, p))
            opener = None
    return out


_HEAD_FUNCTION = frozenset("a an the of in on at to for and or but with by from as is are vs over after".split())
_HEAD_WORD = re.compile(r"\S+")


def _headline_end(text: str, ls: int, le: int) -> int | None:
    """Where a headline run into the first sentence ends, when the case shows it: a line that
    opens with a capitalised headline and goes on in lower case, with no punctuation between
    ("Ad Sales Boost Time Warner Profit quarterly profits at us media giant ..."). Without that
    contrast (all lower case, or ordinary prose that opens with a name) nothing is cut."""
    if le - ls < 80 or not text[ls].isupper() or "\n" in text[ls:min(le, ls + 300)]:
        return None  # (lines joined as hard-wrapped prose: a headline is a line of its own there)
    words = list(_HEAD_WORD.finditer(text, ls, min(le, ls + 300)))[:25]
    last_cap = None
    for i, w in enumerate(words):
        if re.search(r"[.!?:;]", w.group()):
            break  # a headline has no full stop; the body after it may
        if _UPPER.search(w.group()):
            last_cap = i
    if last_cap is None or last_cap < 2 or last_cap >= len(words) - 1:
        return None
    if words[last_cap].group().endswith(","):
        return None  # "The Aspen Institute for Humanistic Studies, a private group, ...": a subject, no headline
    if re.search(r"[.!?:;]", text[words[0].start() : words[last_cap + 1].start()]):
        return None
    cut = words[last_cap].end()
    if _UPPER.search(text, cut, min(le, cut + 150)) or le - cut < 60:
        return None  # the body must be lower case for a good stretch
    content = [w.group() for w in words[: last_cap + 1] if w.group().lower() not in _HEAD_FUNCTION]
    capitalised = sum(1 for w in content if _UPPER.match(w.lstrip("\"'“‘(")))
    if capitalised * 2 < len(content):
        return None
    return cut


def strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    """The span text[s:e] without the whitespace at its ends (empty when it is all whitespace)."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _add(spans: list[tuple[int, int]], text: str, s: int, e: int) -> None:
    s, e = strip_span(text, s, e)
    if e > s:
        spans.append((s, e))
