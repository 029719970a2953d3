"""Reported speech: who said what, where and when, extracted from each article at index time.

Rule-based: news attribution is formulaic. An attribution verb ("said", "told", "added",
"according to", ...) outside quotation marks is the anchor; the words before it (or after it,
"said Peskov") name the speaker; the statement is the quotation next to it, or the clause it
reports ("Peskov said that ...", "..., he added"). Speakers are then resolved within the article
(rag/speech_resolve.py): pronouns to the person in focus, "the spokesman" to the last person named
in that role, a surname to the full name used earlier. Capitals help to find names but are not
required: in an article lower-cased on one line the verbs still anchor, and the words next to them
are the speaker.

The statements of an index live in its SQLite file (table `statements`, written with the chunks,
copied for unchanged files, checked when the index is loaded).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any, Iterable, Sequence

from .errors import IndexDamagedError
from .text import REPORTING_VERBS, STOPWORDS, split_sentences, strip_span, terms as text_terms
from .types import Document

log = logging.getLogger(__name__)

# A statement's context reaches back over the statements its speaker made just before, at most
# this many sentences: "Peskov also said Helsinki's membership ..." is about Finland because the
# two sentences before it are.
CONTEXT_UNITS = 3
# Bump when the rules change: an index built with another version re-extracts every file
# (from the stored document text, without embedding anything again).
EXTRACTOR_VERSION = 93


@dataclass(frozen=True)
class Statement:
    """One statement an article attributes to someone."""

    file: str
    ordinal: int  # position in the article
    speaker: str  # as the article names the speaker, resolved: "Dmitry Peskov", "Kremlin"
    speaker_key: str  # canonical across articles: "dmitry peskov"
    role: str | None  # "Kremlin spokesman", when the article gives one
    kind: str  # "direct" (quoted words) or "indirect" (reported clause)
    text: str  # the statement's words; the parts of a quote split by its attribution joined by a space
    char_start: int  # span in Document.text (first part's start to last part's end)
    char_end: int
    line_start: int
    line_end: int
    spans: tuple[tuple[int, int], ...]  # the exact parts
    context_start: int  # the sentence(s) around it, for matching a topic
    context_end: int
    cue: str  # the attribution words: "said", "told", "according to"
    mention: str  # how the attribution names the speaker: "he", "Peskov", "the spokesman"
    date: str | None = None
    publisher: str | None = None
    # "person"; "org" (the Kremlin, the ministry), "group" (analysts, officials, a fund manager) and
    # "role" (a job no one in the article is named in): speakers, but not people to merge by surname
    speaker_kind: str = "person"
    # the terms of its context and its words, space-separated (context_terms), stored with the
    # index so that a topic is matched without reading the article again; "" until stored
    terms: str = field(default="", repr=False, compare=False)

    @property
    def location(self) -> str:
        if self.line_start == self.line_end:
            return f"{self.file}:{self.line_start}"
        return f"{self.file}:{self.line_start}-{self.line_end}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["spans"] = [list(s) for s in self.spans]
        d["location"] = self.location
        del d["terms"]
        return d


# ---------------------------------------------------------------------------------------------
# Vocabulary

_VERBS = list(REPORTING_VERBS)
# Base forms after a plural subject ("Robbins and Tuttle assert:"), not after "to", "would", "did" ...
_BASE_FORMS = frozenset("say tell assert argue insist".split())
# "Ms. Warren described President Trump as “corruption in the flesh”": a view, when "as" follows.
_DESCRIBE_VERBS = frozenset("described describes portrayed portrays".split())
# Verbs that report a view or a forecast: inside another statement ("Keefe said she expects ...")
# they are part of it, not a statement of their own.
_VIEW_VERBS = frozenset("projected projects expects".split())
# "pointed out" and "according to" are matched as phrases, and so is a report of someone's words:
# "Peskov was quoted as saying", "was quoted by Interfax as saying", "were cited as saying".
_QUOTED_AS = r"(?:was|were|is|has been) (?:quoted|cited|reported|heard) (?:by [\w’'.\- ]{1,40}? )?as saying"
_VERB_RE = r"(?:pointed out|points out|called for|went on to say|goes on to say|went on|goes on|continues|" + _QUOTED_AS + "|" + "|".join(
    sorted(_VERBS, key=len, reverse=True)) + r")"
# Verbs of going on, a quotation only: 'She went on: "..."', '"...," he continued' (not "the war continues").
_GOING_ON = frozenset("went on|goes on|continues|continued".split("|"))
# Third-person present forms that are also plural nouns ("the claims", "United States"): in text
# without capitals they are too ambiguous to anchor on.
# The present tense of features ("recalls first seeing him") is left to text with capitals too.
_AMBIGUOUS_LOWER = {"states", "claims", "notes", "denies", "forecast", "continued", "agreed", "observed",
                    "recalls", "recounts", "concedes", "quips", "muses"}
# A participle after a statement continues it with a new one by the same speaker:
# '..., noting: "This obliges us ..."', '..., adding that ...'.
_PARTICIPLES = (
    "noting|adding|saying|stressing|underlining|underscoring|warning|arguing|insisting|explaining|"
    "emphasizing|emphasising|pointing out|claiming|stating|asserting|acknowledging|suggesting|"
    "declaring|urging|accusing|predicting|reiterating|telling"
)
_PARTICIPLE_BREAK = re.compile(
    r"(?:,\s*[”\"’]?|[”\"’]\s*,?)\s*(?:and\s+)?(?:" + _PARTICIPLES + r")\b(?:\s+(?:that|how))?\s*[:,]?\s*", re.I)
# "..., and stressed that ..." / "but warned that": a second verb of the same subject.
_AND_VERB_BREAK = re.compile(r",?\s+(?:and|but)\s+(?:also\s+)?" + _VERB_RE + r"\s+that\s+", re.I)
# Words naming the speaker's job. Capitalised ones before a name are its title ("Foreign Minister").
_ROLE_NOUNS = frozenset(
    """spokesman spokeswoman spokesperson spokespeople spokesmen minister ministers secretary president
    chancellor governor senator representative mayor chairman chairwoman chair chairperson chief
    executive executives director commander ambassador king queen prince pope premier judge attorney
    officer head leader speaker adviser advisor envoy editor analyst analysts economist economists
    professor treasurer commissioner admiral colonel lieutenant captain sergeant official officials
    deputy prosecutor lawyer manager founder ceo cfo strategist trader traders dealer dealers banker
    bankers diplomat diplomats negotiator aide aides source sources lawmaker lawmakers legislator
    legislators expert experts congressman congresswoman candidate nominee mp general secretary-general
    director-general president-elect vice-president boss coach member members investigator
    investigators witness witnesses resident residents observers critics economist officer people broker
    brokers delegate delegates meteorologist analyst spokesmen owner surgeon doctor physician cardiologist
    councilman councilwoman teacher activist consultant researcher scientist historian pollster organizer
    voter voters supporter supporters inspector superintendent sheriff student students newspaper newspapers
    worker workers employee employees parent parents cm pm mla mlas mps convener convenor in-charge counsel
    detective constable barrister solicitor magistrate councillor lecturer headteacher nurse campaigner
    referee umpire producer designer priest bishop archbishop imam rabbi cardinal pastor vicar seer
    author co-author trainer comptroller""".split()
)
# Their plurals are jobs of a group: "two Republican senators said", "state governors", "congressmen".
def _plural(w: str) -> str:
    if w.endswith("man"):
        return w[:-3] + "men"
    if w.endswith("y") and w[-2:-1] not in "aeiou":
        return w[:-1] + "ies"
    return w + "es" if w.endswith(("s", "sh", "ch")) else w + "s"


_ROLE_PLURALS = frozenset(_plural(w) for w in _ROLE_NOUNS if not w.endswith(("s", "men", "people")) and "-" not in w
                          and len(w) > 3) - _ROLE_NOUNS
_ROLE_NOUNS = _ROLE_NOUNS | _ROLE_PLURALS
_TITLE_WORDS = _ROLE_NOUNS | frozenset(
    """vice prime foreign defence defense finance interior justice economy trade energy health state
    former first lady crown supreme acting interim senior mr mrs ms dr prof gen sen rep gov lt col sir
    lord dame president-elect treasury capt sgt adm det insp supt maj cpl pvt rev cmdr sec shri sri smt shrimati""".split()
)
_PLURAL_GROUP = frozenset(
    """analysts officials sources economists traders dealers experts lawmakers legislators diplomats
    residents witnesses investigators critics people executives bankers observers aides members
    spokespeople spokesmen brokers delegates newspapers students workers employees parents""".split()
) | _ROLE_PLURALS
_ORG_WORDS = frozenset(
    """kremlin ministry house department council agency commission bank reserve fund inc co corp plc
    ltd llc group party committee office union government govt police army court news organization
    organisation association institute university board authority federation statement report
    company firm administration campaign pentagon parliament senate congress cabinet embassy
    service services agency network corporation exchange statistics reuters interfax tass afp
    xinhua ria force forces navy staff command companies firms banks unions groups agencies parties
    centre center foundation alliance coalition society bureau academy hospital museum college""".split()
)
# Jobs in the media and in sport that a story also calls a named person by ("the late-night host
# said") and that stand before a name as a title ("CNN commentator Roland Martin").
_MEDIA_AND_SPORT_JOBS = frozenset("""host anchor broadcaster commentator columnist author writer journalist poet
    artist filmmaker footballer cricketer athlete all-rounder spinner paceman fly-half scrum-half flanker full-back
    centre-back""".split())
# Words a story calls a person it has named by ("Henry scored twice ... the striker said", "the
# Frenchman told reporters", "said the 19-year-old"): descriptions, no job to match another by.
_DESCRIPTIONS = frozenset(
    """frenchman frenchwoman englishman englishwoman scot scotsman scotswoman welshman welshwoman irishman irishwoman
    dutchman dutchwoman spaniard swede dane finn briton swiss german italian american brazilian argentine argentinian
    australian russian serb croat portuguese nigerian kenyan ghanaian cameroonian ivorian senegalese belgian austrian
    czech pole norwegian chilean colombian mexican canadian zimbabwean ethiopian moroccan egyptian turk greek ukrainian
    striker midfielder defender goalkeeper keeper winger playmaker skipper veteran youngster teenager champion star
    singer actor actress rapper comedian presenter novelist musician guitarist frontman batsman bowler sprinter runner
    cyclist golfer boxer swimmer jockey rider drummer bassist composer conductor dancer""".split()) | _MEDIA_AND_SPORT_JOBS
# The descriptions that are jobs come before a name as a title does: "striker Thierry Henry".
_JOB_DESCRIPTIONS = frozenset("""striker midfielder defender goalkeeper keeper winger playmaker skipper singer actor
    actress rapper comedian presenter novelist musician guitarist frontman batsman bowler sprinter cyclist golfer
    boxer swimmer jockey drummer bassist composer conductor dancer""".split()) | _MEDIA_AND_SPORT_JOBS
_AGE = re.compile(r"\d+-year-old")


def _is_description(role: str) -> bool:
    """'the 77-year-old independent', 'the Frenchman': words for a person, not a job."""
    low = role.lower().split()
    return bool(low) and (bool(_AGE.fullmatch(low[0])) or low[-1] in _DESCRIPTIONS)


_STATEMENT_NOUNS = frozenset("statement communique communiqué declaration report letter release".split())
_PARTICLES = frozenset("von van der den de del della di da dos du la le al el bin ibn ben".split())
_DETERMINERS = frozenset("the a an one two three four several some many other another".split())
_PRONOUNS = {"he": "m", "she": "f", "they": "p", "it": "o"}
_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
# Between a speaker and the verb: "Peskov also said", "The Kremlin on Wednesday said".
_ADVERBIAL_TAIL = re.compile(
    r"(?:\s+(?:also|further|later|earlier|again|previously|then|recently|repeatedly|separately|once|"
    r"himself|herself|reportedly|publicly|meanwhile|subsequently|however|though|too|now|still|already|always|"
    r"regularly|often|frequently|routinely|flatly|strongly|explicitly|"
    r"(?:has|have|had)\s+(?:long|always|often|consistently|frequently|already)|has|have|had|would|has also|had also|"
    r"indirectly|directly|initially|privately|personally|quickly|immediately|finally|formally|officially|openly|"
    r"first|(?:on\s+)?" + _DAYS + r"|yesterday|today|tonight|last\s+(?:week|month|year|night)|this\s+(?:week|month|morning|year)|"
    r"(?:in|at|during)\s+(?:a|an|the|his|her|its)\s+(?:(?!\b(?:what|who|whom|which|that|he|she|they|it|we|i|and|but|or)\b)[^,.;:\"“”]){1,40}?))+\s*$",
    re.I,
)
# What can follow a verb without being the reported clause: "said during a press briefing."
_MODIFIER_START = re.compile(
    r"^(?:during|at(?!\s+(?:least|most)\b)|in|on|after|before|while|when|as|from|with|to|by|for|via|through|ahead|following|"
    r"amid|referring|speaking|in response|according|last|this|earlier|later|today|yesterday|"
    r"tonight|recently|previously|repeatedly|again|also)\b",
    re.I,
)
_AUDIENCE = re.compile(
    r"^(?:the\s+|a\s+|an\s+)?(?:reporters|journalists|the press|media|lawmakers|parliament|legislators|"
    r"news (?:conference|agency)|press (?:conference|briefing)|briefing|clients|investors|analysts|"
    r"newspaper|state (?:television|tv|media)|television|tv|radio|agency|students|supporters|rally|"
    r"crowd|audience|congress|senate|delegates|colleagues|members|officials|him|her|them|us|me|mps|mlas|meps|peers|"
    r"the commons|the lok sabha|the rajya sabha|(?:the\s+)?bbc(?:[’'\s]+s)?(?:\s+(?:news|radio(?:\s+\w+)?|sport|world service|"
    r"today programme|breakfast|one|two))?)\b",
    re.I,
)
_THAT = re.compile(r"^(?:,?\s*(?:that)\b)\s*", re.I)
# Statements that point back ("This is certainly an event ...") take the sentence before as context;
# a sentence that points back at the statement ("His comments came in response to ...") is context too.
_ANAPHOR_START = re.compile(r"^\W*(?:\w+,?\s+){0,3}?(?:this|that|it|these|those|such)\b", re.I)
_BACKREF = re.compile(
    r"^\W*(?:his|her|their|the|these|those|such)\s+(?:\w+\s+)?(?:comments?|remarks?|statements?|words|"
    r"reaction|response|warning|claims?)\b",
    re.I,
)
# Fronted "Saying that ..., Peskov claimed ..." and intro phrases that are not statements.
_FRONTED_SPEECH = re.compile(r"^\W*(?:" + _PARTICIPLES + r")\b(?:\s+that)?\s*", re.I)
_TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}|[A-Z]\.(?=\s+[A-Z][a-z])|(?i:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Prof|St|Jr|Sr|Capt|Sgt|Adm|Cmdr|Maj|Cpl|Pvt|Rev|Supt|Insp|Det)\.|"
    r"\w+(?:[’'\-/&.]\w+)*|[^\w\s]",
    re.UNICODE,
)
_OPEN_QUOTES = "“„«"
_CLOSE_QUOTES = "”»"
_TERMINAL_LINE = re.compile(r"[.!?…:;\"”’'»)\]]\s*$")


_LETTER = re.compile(r"[^\W\d_]")
_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ\u0391-\u03A9\u0400-\u042F]")
_QUOTE_CHAR = re.compile(r"[\"“”„«»]")
# Quotation marks typed as two characters (``...'' as some Indian papers print them): read as “...”
_TEX_OPEN = re.compile(r"``")
_TEX_CLOSE = re.compile(r"’’|''")


@lru_cache(maxsize=65536)
def speaker_key(name: str) -> str:
    """Canonical form of a speaker's name: lower case, no accents or punctuation, no leading 'the'."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = s.replace("’", "'")
    s = re.sub(r"'s\b", "", s)
    toks = re.findall(r"[^\W_]+", s)
    while toks and toks[0] in _DETERMINERS:
        toks = toks[1:]
    return " ".join(toks)


def surname_key(key: str) -> str:
    """The family name of a canonical person key, with its particles: 'ursula von der leyen' -> 'von der leyen'."""
    toks = key.split()
    if not toks:
        return ""
    i = len(toks) - 1
    while i > 0 and toks[i - 1] in _PARTICLES:
        i -= 1
    return " ".join(toks[i:])


def spelt_alike(surname: str, other: str) -> bool:
    """Two one-word surname keys that are one name spelt otherwise ("zelensky", "zelenskyy",
    "zelenskiy"): the same first five letters, at most two letters more or less, close in spelling;
    not "trumpet" for trump, nor a plural ("the Clintons")."""
    from rapidfuzz import fuzz

    return (surname != other and len(surname) >= 5 and len(other) >= 5 and " " not in surname
            and " " not in other and surname[:5] == other[:5] and abs(len(surname) - len(other)) <= 2
            and fuzz.ratio(surname, other) >= 87 and surname.rstrip("s") != other.rstrip("s"))


# ---------------------------------------------------------------------------------------------
# Segments, quotations and units


def _is_caps_word(tok: str) -> bool:
    return tok[:1].isupper()


def _segments(doc: Document) -> list[tuple[int, int]]:
    """Paragraph spans of the kept text. A blank-line paragraph whose lines mostly run on without
    end punctuation is hard-wrapped text (newswire) and is one segment; otherwise each line is one."""
    text = doc.text
    out: list[tuple[int, int]] = []
    for block in doc.blocks:
        para: list[tuple[int, int]] = []

        def flush() -> None:
            if not para:
                return
            if len(para) >= 2 and doc.title and text[para[0][0]:para[0][1]] == doc.title and \
                    not _TERMINAL_LINE.search(doc.title) and not (_QUOTE_CHAR.search(doc.title) and _ANCHOR.search(doc.title)):
                # the headline on its own line, the article's lines after it (not a hard-wrapped
                # first line quoting someone: '"The market ... cut," said ... economist David')
                out.append(para.pop(0))
            open_lines = sum(1 for s, e in para[:-1] if not _TERMINAL_LINE.search(text[s:e]))
            if len(para) >= 2 and open_lines * 2 >= len(para) - 1:
                out.append((para[0][0], para[-1][1]))
            else:
                out.extend(para)
            para.clear()

        pos = block.char_start
        while pos <= block.char_end:
            nl = text.find("\n", pos, block.char_end)
            le = block.char_end if nl < 0 else nl
            s, e = strip_span(text, pos, le)
            if e > s:
                para.append((s, e))
            else:
                flush()  # a blank line ends the paragraph
            pos = le + 1
        flush()
    return out


# A line that ends on a title's abbreviation was cut inside a name ("Moorhead Police Capt." /
# "Deric Swenson told ..."): the scraper took the period for a sentence end.
_TITLE_ABBREVIATION_END = re.compile(
    r"\b(?:Capt|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Adm|Dr|Mr|Mrs|Ms|Prof|Rev|Det|Insp|Supt|Cmdr|Maj|Cpl|Pvt)\.$")


def _opens_quote(text: str, s: int, e: int) -> bool:
    """The segment leaves a quotation open at its end."""
    opens = sum(text.count(c, s, e) for c in _OPEN_QUOTES)
    closes = sum(text.count(c, s, e) for c in _CLOSE_QUOTES)
    return opens > closes or (opens == closes and text.count('"', s, e) % 2 == 1)


def _closes_quote(text: str, s: int, e: int) -> bool:
    """The segment closes a quotation it did not open (its first mark closes, and is not at its start)."""
    m = _QUOTE_CHAR.search(text, s, e)
    if m is None or m.start() == s:
        return False  # no mark, or a quotation reopened at the paragraph's start (the usual way)
    if m.group(0) in _CLOSE_QUOTES:
        return True
    return m.group(0) == '"' and text.count('"', s, e) % 2 == 1


def _join_segments(text: str, segments: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Segments that are one: a line cut after a title's abbreviation, and a quotation that runs
    over paragraphs without being reopened ('"They got brought here ...' / 'Some were good
    students.' / '... what's going to happen." Advocates are ...'), closed within three paragraphs."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(segments):
        s, e = segments[i]
        j = i
        while j + 1 < len(segments):
            ns, ne = segments[j + 1]
            if _TITLE_ABBREVIATION_END.search(text, max(s, e - 6), e) and text[ns:ns + 1].isupper():
                j += 1
                e = ne
                continue
            if _opens_quote(text, s, e):
                k = j + 1
                while k < len(segments) and k <= j + 3 and not _QUOTE_CHAR.search(text, *segments[k]):
                    k += 1
                if k < len(segments) and k <= j + 3 and _closes_quote(text, *segments[k]):
                    j = k
                    e = segments[k][1]
                    continue
            break
        out.append((s, e))
        i = j + 1
    return out


def _quote_spans(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """(open, close) offsets of the quotations in one segment; close is exclusive of the mark.

    Curly quotes pair by direction; straight quotes alternate. A quotation left open runs to the
    end of the segment (a quote continued in the next paragraph is reopened there)."""
    out: list[tuple[int, int]] = []
    open_at: int | None = None
    open_kind = ""
    for m in _QUOTE_CHAR.finditer(text, s, e):
        i, ch = m.start(), m.group(0)
        if ch in _OPEN_QUOTES or (ch == '"' and open_at is None):
            if open_at is not None and open_kind == "curly":
                out.append((open_at, i))  # an unclosed quote before a new one: closed where the new opens
            open_at, open_kind = i, "curly" if ch != '"' else "straight"
        elif ch in _CLOSE_QUOTES or ch == '"':
            if open_at is not None:
                out.append((open_at, i))
                open_at = None
    if open_at is not None:
        out.append((open_at, e))
    return [(a, b) for a, b in out if b - a > 1]


@dataclass
class _Unit:
    start: int
    end: int
    seg: int
    quotes: list[tuple[int, int]]


def _units(text: str, flat: str, segments: list[tuple[int, int]]) -> list[_Unit]:
    """Sentences of each segment, merged so that no quotation is cut between two of them."""
    units: list[_Unit] = []
    for n, (s, e) in enumerate(segments):
        quotes = _quote_spans(text, s, e)
        sents = split_sentences(flat, s, e) or [(s, e)]
        merged: list[list[int]] = []
        for a, b in sents:
            if merged and any(qa < merged[-1][1] <= qb and qa < a for qa, qb in quotes if qb > merged[-1][1] - 1):
                merged[-1][1] = b
            elif merged and re.match(r"(?:said|says|told|added|noted)\s+(?:that\s+)?(?:he|she|they|it|we|i)\b", text[a:b]):
                # "mccain, r-ariz. | said he regretted ...": an abbreviation's period cut the sentence
                merged[-1][1] = b
            elif merged and text[a:a + 1].islower() and not re.search(r"[.!?…][\"”’')\]]*$", text[merged[-1][0]:merged[-1][1]]):
                # no sentence starts in lower case after one that did not end: the splitter's cut
                # ("... Minister Joe Clark | said there is ...") is not a sentence boundary
                merged[-1][1] = b
            else:
                merged.append([a, b])
        for a, b in merged:
            units.append(_Unit(a, b, n, [(qa, qb) for qa, qb in quotes if qa >= a and qa < b]))
    return units


def _unit_index(units: list[_Unit], where) -> int:
    """The index of the unit holding a position (or a unit's start); 0 when none does."""
    pos = where.start if isinstance(where, _Unit) else where
    for i, u in enumerate(units):
        if u.start <= pos < max(u.end, u.start + 1):
            return i
    return 0


# ---------------------------------------------------------------------------------------------
# Speakers


@dataclass
class _Speaker:
    """A speaker as one attribution names it, before resolution."""

    mention: str  # the words: "Kremlin spokesman Dmitry Peskov", "he", "the spokesman"
    name: str  # the person or organisation part: "Dmitry Peskov", "Kremlin", ""
    role: str  # "Kremlin spokesman"
    kind: str  # person | org | group | pronoun | role
    definite: bool = True


# The past participle opening an aside between commas, before its preposition ("nominated for").
_PARTICIPLE_ASIDE = re.compile(r"[a-z]{3,}ed|born|known|chosen|given|seen|shown|sworn|beaten|taken")
_ASIDE_PREPOSITIONS = frozenset("for by in as at to from with on of after over".split())


def _tokens(text: str, s: int, e: int) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text[:e], s)]


def _np_token_ok(tok: str, cased: bool) -> bool:
    low = tok.lower().rstrip(".")
    if low in _PRONOUNS:
        return True
    if cased:
        return (_is_caps_word(tok) and tok not in ("I",)) or low in _PARTICLES or low in _ROLE_NOUNS or low in _DESCRIPTIONS or low in (
            "of", "for", "the", "&", "and") or tok in ("’s", "'s") or low in _ORG_WORDS or low in _STATEMENT_NOUNS
    if not re.match(r"\w", tok) or low in _PREPOSITIONS_ING:
        return False
    return low not in STOPWORDS or low in ("of", "the", "for") or low in _PRONOUNS


_PREPOSITIONS_ING = frozenset("including excluding regarding concerning following".split())  # "abuses including alleged ..."
# Words after a verb of saying that say when or how, not who: "..., said early on Monday."
_WHEN_NOT_WHO = frozenset("early late later earlier yesterday today tonight recently previously again also "
                          "first last then once even still".split())


def _clean_np(toks: list[str]) -> list[str]:
    """Drop the leading article and trailing joiners of a speaker's words."""
    while toks and toks[-1].lower() in ("of", "for", "the", "and", "&"):
        toks = toks[:-1]
    while toks and (toks[0].lower() in ("of", "for", "and", "&") or toks[0] == "s"):
        toks = toks[1:]  # (an "s" left of a possessive whose apostrophe was stripped: "biden s son")
    # "But Blumenthal argued", "In March Trump complained": a sentence's opening words, not a name
    # (in lower case too: "though trump has said ...")
    stripped = False
    while len(toks) >= 2 and (toks[0] in _OPENERS or toks[0].lower() in _LOW_OPENERS and toks[0].islower()):
        toks, stripped = toks[1:], True
    if stripped and len(toks) >= 2 and toks[0].lower() in _CALENDAR_WORDS:
        toks = toks[1:]
    return toks


_OPENERS = frozenset("But And So Yet Then In On At After Before When While Since Also Meanwhile However Still Now "
                     "Later Earlier Last This Separately Asked Instead Indeed Today Yesterday Despite Although Though "
                     "Amid Following Even Unlike Like Most Many Some Several Few Both Once Hey Can Could Did Does "
                     "Should Would".split())
# Title words that name a department when nothing follows them: "the Treasury said", "the Pentagon".
_OFFICE_WORDS = frozenset("treasury".split())
_HONORIFICS = frozenset("mr mrs ms miss dr sir dame lord".split())
# Jobs that are surnames too: "Robert King", "Mr. King", "Andrew Judge".
_SURNAME_JOBS = frozenset("king judge prince".split())


def _last_title(low: list[str]) -> int:
    """Where the job words before a name end (-1: none): "Kremlin spokesman Dmitry Peskov" -> 1. A
    job word last after an honorific or a first name is the surname ("Mr. King", "Robert King",
    "Barbara Boxer")."""
    last = max((i for i, w in enumerate(low) if w in _TITLE_WORDS or w in _JOB_DESCRIPTIONS), default=-1)
    if last >= 1 and last == len(low) - 1 and (low[last] in _SURNAME_JOBS or low[last] in _JOB_DESCRIPTIONS) and (
            low[last - 1] in _HONORIFICS or low[last - 1] not in _TITLE_WORDS and low[last - 1] not in STOPWORDS):
        return max((i for i, w in enumerate(low[:last]) if w in _TITLE_WORDS), default=-1)
    return last
_LOW_OPENERS = frozenset("but and so yet then also meanwhile however still though although while whereas indeed "
                         "instead even".split())
_MONTHS = frozenset("january february march april may june july august september october november december".split())
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_CALENDAR_WORDS = _MONTHS | _WEEKDAYS
# days and months that are nobody's name (April, May, June and August may be someone)
_NO_SPEAKER_DAYS = _CALENDAR_WORDS - {"april", "may", "june", "august"}


def _name_after_office(words: list[str], low: list[str], last: int) -> int:
    """Where an office named with what it is of ends and the holder's name begins: "Leader of
    Opposition Rahul Gandhi", "Governor of New York Andrew Cuomo", "Minister of State for Home Affairs
    Nityanand Rai" (a name is the last two capitalised words, with its particles), when three
    capitalised words end the phrase, or two after a title ("... Staff General Upendra Dwivedi")."""
    k = len(words)
    while k > 0 and (_is_caps_word(words[k - 1]) or low[k - 1] in _PARTICLES) and low[k - 1] not in _TITLE_WORDS \
            and low[k - 1] not in _ORG_WORDS and low[k - 1].rstrip("s") not in _ORG_WORDS \
            and not words[k - 1].endswith(("’s", "'s")):
        k -= 1
    run = len(words) - k
    if not (run >= 3 or run >= 2 and k > 0 and low[k - 1] in _TITLE_WORDS):
        return last
    start = len(words) - 2
    while start > k and low[start - 1] in _PARTICLES:
        start -= 1
    if start > k and low[start] in _PARTICLES:
        start -= 1  # "Ursula von der Leyen"
    return start - 1


_DOCUMENT_NOUNS = frozenset("statement letter lawsuit complaint filing memo report tweet post".split())


def _document_owner(words: list[str]) -> list[str]:
    """The owner's words of "X's lawsuit" / "x s letter" (an apostrophe stripped), else []."""
    if len(words) < 2 or words[-1].lower() not in _DOCUMENT_NOUNS:
        return []
    before = words[:-1]
    if before[-1] in ("s", "’s", "'s") and len(before) >= 2:
        return before[:-1]
    if before[-1].endswith(("’s", "'s")) and len(before[-1]) > 2:
        return before[:-1] + [before[-1][:-2]]
    return []


def _low_full_name(words: list[str]) -> bool:
    """Two or three lower-cased words that may be a person's first name and surname ("robert
    kilroy-silk"), not a job, a relation or a group ("team", "mother", "democratic caucuses")."""
    low = [w.lower() for w in words]
    return 2 <= len(low) <= 3 and all(_low_name_word(w) for w in low) and not low[-1].endswith("s") and not any(
        w in _ROLE_NOUNS or w in _ORG_WORDS or w in _RELATIONS or w in _PLURAL_GROUP for w in low)


def _classify(words: list[str], cased: bool) -> _Speaker | None:
    """Split a speaker's words into role and name and say what kind of speaker it is."""
    words = _clean_np(words)
    if not words:
        return None
    owner = _document_owner(words)
    if owner:  # "Strzok's lawsuit said", "the cbi s report": the one whose document it is
        return _classify(owner, cased)
    mention = " ".join(words).replace(" ’s", "’s").replace(" 's", "'s")
    low = [w.lower().rstrip(".") for w in words]
    if all(w in _NO_SPEAKER_DAYS for w in low):
        return None  # "... broke his silence on Wednesday and said ...": a day says nothing
    if len(words) == 1 and low[0] in _PRONOUNS:
        return _Speaker(mention, "", "", "pronoun")
    definite = True
    the_np = low[0] == "the"
    if low[0] in _DETERMINERS:
        definite = low[0] == "the"
        words, low = words[1:], low[1:]
        if not words:
            return None
    if len(low) >= 3 and low[0] in _ROLE_NOUNS and low[1] in ("for", "to") and low[0] not in _PLURAL_GROUP:
        # "a spokeswoman for Mr Chirac", "an adviser to Tony Blair": someone in a job for a person
        # or a body, who is not that person
        return _Speaker(mention, "", " ".join(words).replace(" ’s", "’s").replace(" 's", "'s"), "role", definite)
    # "Rosario Ilaqua of L.F. Rothschild": the name, then the affiliation (part of the role)
    affiliation = ""
    if "of" in low or "for" in low:
        k = next(i for i, w in enumerate(low) if w in ("of", "for"))
        head = low[:k]
        # "Rosario Ilaqua of L.F. Rothschild", "chief arthur lawson of the gretna police department":
        # a name (after its title, if any) then where the person works; not "the governor of ..."
        named = head and head[-1] not in _TITLE_WORDS and head[-1] not in _ORG_WORDS and not any(w in _ORG_WORDS for w in head)
        if head and named and (not any(w in _TITLE_WORDS for w in head) or not cased and len(head) >= 2) and k > 0:
            affiliation = " ".join(words[k:])
            words, low = words[:k], low[:k]
    if "and" in low and not affiliation and len(low) <= 5 and all(w.endswith("s") or w == "and" for w in low) and \
            not any(_is_caps_word(w) for w in words[1:]):
        return _Speaker(mention, "", " ".join(words), "group", definite)  # "Employers and companies said"
    # "Putin and Lukashenko said": keep the one next to the verb; not in a company's name ("W.R.
    # Grace and Co said", "National Distillers and Chemical Corp said")
    if "and" in low and not affiliation and not (cased and low[-1].rstrip(".") in _COMPANY_ENDS and len(low) <= 7
                                                 and all(_is_caps_word(w) or w in ("and", "&") for w in words)):
        k = len(low) - 1 - low[::-1].index("and")
        words, low = words[k + 1:], low[k + 1:]
        if not words:
            return None
    last_title = _last_title(low)
    head = low[last_title] if last_title >= 0 else ""
    if 0 <= last_title < len(low) - 1 and low[last_title + 1] in ("of", "for", "at", "in", "with", "from") + tuple(_KNOWING):
        last_title = len(low) - 1  # "the governor of Russia's Bryansk region": all of it is the role
        if cased:
            last_title = _name_after_office(words, low, last_title)
    role_words = words[: last_title + 1]
    name_words = words[last_title + 1:]
    marks = ("’s", "'s") if cased else ("’s", "'s", "s")  # "ukip s robert kilroy-silk": an apostrophe stripped
    poss = [j for j, w in enumerate(name_words[:-1]) if w.endswith(("’s", "'s")) or name_words[j + 1] in marks]
    if poss and (cased or name_words[poss[-1] + 1] in marks and _low_full_name(name_words[poss[-1] + 2:])):
        # "FECSA's Zaforteza", "Russia's Vladimir Putin": the employer or country, then the name
        cut = poss[-1] + (2 if name_words[poss[-1] + 1] in marks else 1)
        if cut < len(name_words):
            role_words, name_words = role_words + name_words[:cut], name_words[cut:]
    # "The foreign ministry in Vilnius": an organisation's word, then where it is
    placed_org = cased and any(w.lower() in _ORG_WORDS - _STATEMENT_NOUNS - _ROLE_NOUNS and nxt.lower() in ("in", "at")
                               for w, nxt in zip(name_words, name_words[1:]))
    if cased:
        # a role word in lower case after the name ("Peskov, Kremlin spokesman") is not a name
        name_words = [w for w in name_words if _is_caps_word(w) or w.lower() in _PARTICLES or w in ("’s", "'s")]
    role = " ".join(role_words + ([affiliation] if affiliation else [])).strip()
    name = " ".join(name_words).replace(" ’s", "’s").replace(" 's", "'s").strip()
    nlow = [w.lower() for w in name_words]
    if not name:
        if not role:
            if the_np and low and _is_description(" ".join(low)) and len(low) <= 3:
                return _Speaker(mention, "", " ".join(words), "role", definite)  # "the singer said"
            if low and low[-1] in _ORG_WORDS and low[-1] not in _STATEMENT_NOUNS and (the_np or len(low) == 1):
                return _Speaker(mention, " ".join(words), "", "org", definite)  # "after police say ..."
            if the_np and low == ["report"]:  # "the report says": its author's words, when the story credits one
                return _Speaker(mention, " ".join(words), "", "org", definite)
            return None
        if definite and low[-1] in _OFFICE_WORDS:
            return _Speaker(mention, " ".join(words), "", "org", definite)  # "the Treasury said": the department
        if any(w in _ORG_WORDS or w in _STATEMENT_NOUNS for w in low) and low[-1] not in _ROLE_NOUNS and not (
                head in _ROLE_NOUNS and head != "official" and low.index(head) < len(low) - 1 and low[low.index(head) + 1] in ("of", "for", "at")):
            # (not "a spokesman for the ministry": someone in a job there)
            return _Speaker(mention, " ".join(words), "", "org", definite)
        # "a company official", "the U.S. Bank spokesman": someone in a job, not the organisation
        kind = "group" if low[-1] in _PLURAL_GROUP or head in _PLURAL_GROUP or not definite else "role"
        return _Speaker(mention, "", role, kind, definite)
    if placed_org:
        return _Speaker(mention, " ".join(words).replace(" ’s", "’s").replace(" 's", "'s"), "", "org", definite)
    if any(w in _ORG_WORDS or w in _STATEMENT_NOUNS for w in nlow) or (
            low[-1] in _ORG_WORDS and low[-1] not in _ROLE_NOUNS and low[-1] not in _STATEMENT_NOUNS and len(low) >= 2
            and not {"of", "for", "at", "with", "from"} & set(low)):
        # "the official Tanjug news agency": the last word says it is an organisation (named
        # from its first capitalised word when cased: "Tanjug news agency")
        if cased:
            k0 = next((i for i, w in enumerate(words) if _is_caps_word(w)), 0)
            words = words[k0:]
        # "the Ukrainian Foreign Ministry": an organisation is named by all its words
        return _Speaker(mention, " ".join(words).replace(" ’s", "’s").replace(" 's", "'s"), "", "org", definite)
    if not definite and not role:
        return _Speaker(mention, name, role, "group", definite)
    if the_np and (low[0] in _RELATIONS or _is_description(" ".join(low)) and len(low) <= 3):
        # "the widow of sen. john mccain", "the 77-year-old independent": someone the article has
        # named, described
        return _Speaker(mention, "", " ".join(words), "role", definite)
    if the_np and not role_words:
        # "the centers for disease control", "the post": no one's name follows "the"
        return _Speaker(mention, " ".join(words).replace(" ’s", "’s").replace(" 's", "'s"), "", "org", definite)
    if not cased and (nlow[-1] in _PLURAL_GROUP or nlow[-1] in _PLURAL_SOURCES or nlow[0] in _QUANTIFIERS):
        # "human rights groups and media reports say", "neither side said": no person's name (in
        # lower case nothing else tells), so no "he" later points back to them
        return _Speaker(mention, "", " ".join(words), "group", definite)
    return _Speaker(mention, name, role, "person", definite)


_PLURAL_SOURCES = frozenset("reports studies surveys polls sides".split())
_QUANTIFIERS = frozenset("neither either both each all some many most few several".split())


_ROLE_PHRASE = re.compile(
    r"\b((?:[Tt]he|[Aa]n?)\s+(?:[A-Z][\w’'\-]*\s+|[a-z][a-z\-]+\s+){0,2}(?:" + "|".join(sorted(_ROLE_NOUNS, key=len, reverse=True))
    + r")\s+(?:of|for|at|in|from)\s+[^,;:\"“”]{1,50}?)\s*$"
)


# Why a source is not named, between the source and the verb: "a senior administration official
# speaking on the condition of anonymity to detail internal discussions said", "officials speaking on background said",
# ", who asked not to be named,"
_ANONYMITY_TAIL = re.compile(
    r"(?:,?\s+(?:who\s+(?:was\s+)?)?(?:speaking|spoke|talking|talked)\s+(?:on|under)\s+(?:(?:the\s+)?condition\s+(?:of\s+)?"
    r"(?:anonymity|not\s+being\s+(?:named|identified))|(?:deep\s+)?background)[^,.;:\"“”]{0,60}|,\s*who\s+(?:asked|declined|requested)\s+"
    r"not\s+to\s+be\s+(?:named|identified)[^,.;:\"“”]{0,40})\s*,?\s*$", re.I)
# Words set off by commas between a speaker and the verb that are no part of the speaker's name
# ("Peskov, however, said"); an aside right before the verb is cut off the speaker's words.
_ASIDE_WORDS = ("meanwhile", "however", "too", "though", "instead", "also", "in turn", "for his part", "for her part",
                "for its part", "for their part", "in response", "separately", "later", "earlier")
_ASIDES = frozenset(_ASIDE_WORDS) | {"in a statement"}
_ASIDE_TAIL = re.compile(r",\s*(?:" + "|".join(_ASIDE_WORDS) + r")\s*,\s*$", re.I)
# A party and state after a politician's name: "(R-Fla.)", "(I-VT)", ", R-Ga.,", "(D)".
_AFFILIATION_TAIL = re.compile(r"(?:\s*\((?:[RDI]|[A-Z][\w.]*\s*-\s*[A-Z][\w. ]{0,20})\)|,\s*[RDI]\s*-\s*[A-Z][\w.]{0,12},"
                               r"|,\s*[rdi]\s*-\s*[a-z][a-z.]{1,11},?)\s*$")  # lower case: "mccain, r-ariz., said", "murkowski, r-alaska,"


# Verbs whose speaker never follows them: "..., told Arab currency traders", "... told ms. king" name the
# audience after the verb, the speaker before it.
_NOT_INVERTED = frozenset("told tells tell".split())
def _ends_with_a_name(phrase: str) -> bool:
    """'in the Lok Sabha Rahul Gandhi': an office's place then its holder's name (two capitalised words
    that name no organisation or job), not 'at the White House'."""
    nm = re.search(r"([A-Z][\w’'\-]+)\s+([A-Z][\w’'\-]+)\s*$", phrase)
    return bool(nm) and bool(re.match(r"\s*(?:in|at|of)\s+the\s+\S+\s+\S+\s+\S+", phrase)) and not any(
        w.lower() in _ORG_WORDS or w.lower() in _TITLE_WORDS for w in nm.groups())


_AND_THEN = r"\s+(?:and|but)\s+(?:also\s+|then\s+|later\s+)?(?:(?:has|have|had)\s+(?:also\s+)?)?$"
_AND_THEN_VERB = re.compile(r"(?<=[\w.>])" + _AND_THEN)
# in lower-cased text a comma may stand for the stripped punctuation: "modest about his golf,  but said"
_AND_THEN_VERB_LOW = re.compile(r"(?<=[\w.>,])" + _AND_THEN)


# a name, its description and a relative clause about it, up to a dash aside before the verb
_NAME_THEN_RELATIVE = re.compile(r"\W*([^\W\d][\w’'.\-]*(?:[ \t]+[^\W\d][\w’'.\-]*){0,3}),\s+(?:the|a|an)\s+[^,;:.–—“”\"]{0,80}?\b(?:who|which)\b[^;:.–—“”\"]*$")


def _speaker_before(text: str, start: int, anchor: int, cased: bool) -> tuple[_Speaker | None, int]:
    """The speaker named right before the verb at `anchor`; (speaker, where its words start).

    A speaker introduced by a relative pronoun ("Stoltenberg, who said") starts at the verb, so
    that the words before it are not taken for a statement."""
    head = text[start:anchor]
    am = (_AND_THEN_VERB if cased else _AND_THEN_VERB_LOW).search(head)
    if am:
        # "Canadian Airlines, which has 81 aircraft, last week ordered six planes from British
        # Aerospace and said ...": the sentence's subject said it, not the name before "and"
        subject = _sentence_subject(text, start, start + am.start(), cased, relative_ok=True)
        if subject is not None and subject.kind != "pronoun":
            return subject, anchor
    m = _ADVERBIAL_TAIL.search(head)
    if m and cased and _ends_with_a_name(m.group(0)):
        m = None  # "Leader of Opposition in the Lok Sabha Rahul Gandhi said": the name ends it, no place
    end = start + (m.start() if m else len(head))
    for tail in (_ASIDE_TAIL, _ANONYMITY_TAIL, _AFFILIATION_TAIL):
        pm = tail.search(text, start, end)
        if pm:  # "Sen. Marco Rubio (R-Fla.) said", "Doug Collins, R-Ga., said": the party, not the speaker
            end = pm.start()
            m = _ADVERBIAL_TAIL.search(text[start:end])
            end = start + (m.start() if m else end - start)
    ap = _appositive(text, start, end, cased) or (_job_chain(text, start, end) if cased else None)
    if ap is not None:
        return ap
    rp = _ROLE_PHRASE.search(text, start, end)
    if rp:  # "the governor of Russia's Bryansk region has claimed"
        sp = _classify(rp.group(1).split(), cased=False)
        if sp is not None and cased and sp.kind == "person" and not any(_is_caps_word(w) for w in sp.name.split()):
            # "the head of the state grid operator": lower-case words after "state" are no name
            sp = _Speaker(sp.mention, "", " ".join(rp.group(1).split()[1:]), "role", sp.definite)
        if sp is not None:
            return _name_before_job(text, start, rp.start(1), rp.group(1).split(), cased) or (sp, rp.start(1))
    km = _KNOWING_GROUP.search(text, start, end)
    if km and km.group(2).lower() in _ROLE_NOUNS | _KNOWING_PEOPLE:
        # "People familiar with the talks said", "Two sources close to the minister told": the
        # group, with what it knows (its lower-case words are no name to scan back through)
        words = list(re.finditer(r"\S+", km.group(1)))
        noun = next(n for n, w in enumerate(words) if w.start() + km.start(1) == km.start(2))
        lead = max((n + 1 for n, w in enumerate(words[:noun])
                    if w.group(0).lower() in STOPWORDS and w.group(0).lower() not in _DETERMINERS), default=0)
        sp = _classify([w.group(0) for w in words[lead:]], cased=False)  # not "month when sources familiar with ..."
        if sp is not None:
            return sp, km.start(1) + words[lead].start()
    toks = _tokens(text, start, end)
    picked: list[tuple[str, int, int]] = []
    relative = False
    i = len(toks) - 1
    while i >= 0 and len(picked) < 9:
        tok = toks[i][0]
        if tok in (",",) and picked == [] and i >= 1:
            # "Stubb, speaking in London, acknowledged": skip a parenthetical between commas
            j = i - 1
            while j >= 0 and toks[j][0] not in (",", ".", ";", ":", "“", "”", '"', "(", ")"):
                j -= 1
            inner = [t[0].lower() for t in toks[j + 1:i]]
            if j >= 0 and toks[j][0] == "," and inner and (
                inner[0].endswith("ing") or inner[0] in ("who", "whose", "the", "a", "an") or inner[0] in _ROLE_NOUNS
                or (len(inner) == 1 and inner[0].isdigit())  # "Elizabeth Bennett, 54, said"
                # "Martin, of Phillips and Drew, said", "Rubio, meanwhile, said"
                or (inner[0] in ("of", "at", "from") and len(inner) <= 6 and j >= 1 and _is_caps_word(toks[j - 1][0]))
                or (len(inner) <= 3 and " ".join(inner) in _ASIDES)
                # "The chancellor, in his Budget speech, said", "Mr Brown, at a rally in Leeds, said"
                or (len(inner) >= 2 and inner[0] in ("while", "when") and inner[1].endswith("ing"))  # ", while speaking to the media,"
                # "The acting governor of Rostov region, on Ukraine's eastern border, said": where he is
                or (cased and 2 <= len(inner) <= 6 and inner[0] in ("on", "in", "near", "from") and j >= 1
                    and _is_caps_word(toks[j + 2][0]) and re.match(r"\w", toks[j - 1][0]))
                # "Imelda Staunton, nominated for Vera Drake, told", "The firm, based in Leeds, said"
                or (2 <= len(inner) <= 8 and _PARTICIPLE_ASIDE.fullmatch(inner[0]) and inner[1] in _ASIDE_PREPOSITIONS and j >= 1
                    and re.match(r"\w", toks[j - 1][0]))
                # "Kurt Viermetz, Worldwide Treasurer of Morgan Guaranty Trust Co, told": a job after a name
                or (cased and len(inner) <= 12 and any(w in _ROLE_NOUNS for w in inner[:3]) and j >= 1
                    and _is_caps_word(toks[j - 1][0]) and toks[j - 1][0].lower() not in _ROLE_NOUNS)
                # the same without capitals: "tony burton,  strategy director at the national trust,  said:",
                # a full name opening its clause
                or (not cased and len(inner) <= 12 and any(w in _ROLE_NOUNS for w in inner[:3]) and j >= 2
                    and _low_full_name([toks[j - 2][0], toks[j - 1][0]])
                    and (j == 2 or toks[j - 3][0] in (".", ";", ":", ",", "“", "”", '"')))
                or (cased and len(inner) <= 8 and inner[0] in ("in", "at", "during", "after") and len(inner) >= 2
                    and inner[1] in ("his", "her", "its", "their", "a", "an", "the") and j >= 1
                    and (_is_caps_word(toks[j - 1][0]) or toks[j - 1][0].lower() in _ROLE_NOUNS | _ORG_WORDS))
            ):
                i = j - 1
                k = i
                while k >= 0 and toks[k][0] not in (",", ".", ";", ":", "“", "”", '"', "(", ")"):
                    k -= 1
                if cased and k >= 1 and toks[k][0] == "," and i - k <= 7 and toks[k + 1][0].lower() in ("of", "at", "from") \
                        and _is_caps_word(toks[k - 1][0]):
                    i = k - 1  # "Alexander Otto, at the University of Oxford, lead author of the research, told": two asides
                continue
            names = [t[0] for t in toks[j + 1:i]]
            if cased and j >= 1 and toks[j][0] == ")" and i == len(toks) - 1 and 2 <= len(names) <= 4 and all(
                    _is_caps_word(w) for w in names):
                # "Niti Aayog member (health) Dr V K Paul, said": a stray comma after the name; the
                # job before it, with its bracket, is part of the speaker's words
                sp = _classify(names, cased)
                if sp is not None and sp.kind == "person":
                    k = j - 1
                    while k >= 0 and toks[k][0] not in (",", ".", ";", ":", "“", "”", '"') and j - k <= 10:
                        k -= 1
                    return sp, toks[k + 1][1]
            if j >= 0 and toks[j][0] == "," and i == len(toks) - 1 and 2 <= len(names) <= 3 and (
                    all(_is_caps_word(w) for w in names) if cased else all(_low_name_word(w) for w in names)):
                # "the restaurant's owner, Raja Majid, said": the name between commas is the speaker
                sp = _classify(names, cased)
                if sp is not None and sp.kind == "person":
                    k = j - 1
                    while k >= 0 and toks[k][0] not in (",", ".", ";", ":", "“", "”", '"', "(", ")"):
                        k -= 1
                    return sp, (toks[k + 1][1] if j - k <= 7 else toks[j][1])
            break
        if tok.lower() == "on" and picked and all(t[0].lower() in _CALENDAR_WORDS for t in picked) and i >= 1 and (
                toks[i - 1][0].lower() in _ORG_WORDS | _ROLE_NOUNS
                or _is_caps_word(toks[i - 1][0]) and not toks[i - 1][0].endswith(("ed", "ing"))):
            # "The Union Home Ministry on Saturday, while issuing guidelines, announced": when, not who
            picked = []
            i -= 1
            continue
        if tok.lower() in ("the", "with", "in", "at", "on", "from") and picked and i >= (2 if tok.lower() == "the" else 1):
            # "people familiar with the discussions", "experts in aging", "an office employee from
            # Bareilly": the group or the job, then what it knows or where it is
            k = i - 1 if tok.lower() == "the" else i
            before, where = toks[k - 1][0].lower(), toks[k][0].lower()
            if where in ("with", "in", "at", "of", "on", "from") and (before in _KNOWING | _ROLE_NOUNS or (
                    # "the ministry in Havana", "the Federal Banking Supervisory Office in West Berlin"
                    where in ("in", "at") and before in _ORG_WORDS - _STATEMENT_NOUNS)) \
                    and toks[k + 1][0].lower() not in _CALENDAR_WORDS:
                # (what knows it is the group before: "people familiar with the talks")
                known = k - 1 if toks[k - 1][0].lower() in _KNOWING and k >= 2 else k
                picked.extend(reversed(toks[known:i + 1]))
                i = known - 1
                continue
        if tok in ("–", "—") and picked == [] and i >= 2:
            # "zuckerberg – who, with a net worth of $67 billion, is listed by forbes as ... – said":
            # an aside between dashes; the speaker is before it
            j = next((j for j in range(i - 1, max(-1, i - 40), -1) if toks[j][0] in ("–", "—")), -1)
            if j >= 1 and re.match(r"\w", toks[j - 1][0]):
                rel = _NAME_THEN_RELATIVE.match(text, start, toks[j][1])
                if rel:
                    # "Joe Burgess, the Hull KR winger who will end ... as one of two changes – ... –
                    # said": the person the relative clause describes, not its last words
                    sp = _classify(rel.group(1).split(), cased)
                    if sp is not None and sp.kind == "person":
                        return sp, rel.start(1)
                i = j - 1
                continue
        if tok.lower() in ("who", "which") and picked == [] and i >= 2 and toks[i - 1][0] == ",":
            relative = True
            i -= 2  # "Jens Stoltenberg, who on Wednesday said ...": the name before the relative
            continue
        if not cased and tok.lower() in ("a", "an") and picked and not any(t[0].lower() in _PRONOUNS for t in picked):
            picked.append(toks[i])  # "a downing street spokesman said": someone, not the spokesman
            break
        if not cased and tok == "s" and picked and i >= 1 and re.match(r"[a-z]", toks[i - 1][0]):
            picked.append(toks[i])  # "strzok s lawsuit said": a possessive whose apostrophe was stripped
            i -= 1
            continue
        if cased and picked and re.fullmatch(r"[a-z][a-z\-]+", tok) and tok not in STOPWORDS and (
                picked[0][0].lower() in _DESCRIPTIONS or picked[0][0].lower() in _ROLE_NOUNS):
            # "the late-night host said", "the brilliant young striker said": a job's or a
            # description's lower-case modifiers, after "the"
            k = i
            while k >= 0 and i - k < 2 and re.fullmatch(r"[a-z][a-z\-]+", toks[k][0]) and toks[k][0] not in STOPWORDS:
                k -= 1
            if k >= 0 and toks[k][0].lower() in ("the", "a", "an"):
                picked.extend(reversed(toks[k:i + 1]))
                i = k - 1
                break
        if not _np_token_ok(tok, cased):
            break
        if tok.lower() == "the" and cased and i >= 3 and toks[i - 1][0].lower() in ("in", "of") and (
                toks[i - 2][0].lower() in _TITLE_WORDS or toks[i - 3][0].lower() in ("of", "for")) and \
                _is_caps_word(toks[i - 2][0]):
            # "Leader of Opposition in the Lok Sabha Rahul Gandhi": the office goes on before "in the"
            picked.extend([toks[i], toks[i - 1]])
            i -= 2
            continue
        if tok.lower() == "the":
            picked.append(toks[i])
            i -= 1  # taken: the job words before it are looked for from the word before
            if not cased and i >= 2 and toks[i][0].lower() in ("of", "for", "at") and len(picked) <= 5:
                # "chief arthur lawson of the gretna police department announced": the person
                # before the employer, up to a break
                k = i - 1
                while k >= 0 and i - k <= 4 and _low_name_word(toks[k][0]) or k >= 0 and toks[k][0].lower() in _TITLE_WORDS and i - k <= 5:
                    k -= 1
                if k < i - 2 and (k < 0 or not re.match(r"\w", toks[k][0]) or toks[k][0].lower() in STOPWORDS):
                    picked.extend(reversed(toks[k + 1:i + 1]))
                    i = k
            break
        if tok.lower() in _PRONOUNS and picked:
            break
        picked.append(toks[i])
        if tok.lower() in _PRONOUNS:
            break
        i -= 1
    if cased and picked and any(t[0].lower() in _ROLE_NOUNS or t[0].lower() in _ORG_WORDS for t in picked) and i >= 0:
        # the words of the job before it: "a senior analyst", '”, FECSA assistant general manager',
        # "the company official": lower-case words, then a name (the employer), then a determiner,
        # all of it only when a boundary comes before (a comma, a quotation mark, the sentence start)
        k = i
        while k >= 0 and i - k < 3 and re.fullmatch(r"[a-z][a-z\-]+", toks[k][0]) and toks[k][0] not in STOPWORDS:
            k -= 1
        caps = 0
        while k >= 0 and caps < 3 and _is_caps_word(toks[k][0]) and toks[k][0].lower() not in _DETERMINERS \
                and toks[k][0].lower() not in _PRONOUNS:
            k, caps = k - 1, caps + 1
        if k >= 0 and toks[k][0].lower() in _DETERMINERS:
            k -= 1
        boundary = k < 0 or toks[k][0] in (",", "”", '"', "’", "-", "–", "—") or toks[k][1] < start or (
            toks[k][0] in _OPENERS and (k == 0 or toks[k - 1][0] in (".", ";", ":", "!", "?", '"', "”")))
        if k < i and boundary:
            picked.extend(reversed(toks[k + 1:i + 1]))
    if not picked:
        dm = re.search(r"\b((?:the|a|an)\s+[^,.;:\"“”]{0,45}?)\s*$", text[start:end])
        if dm and 2 <= len(dm.group(1).split()) <= 7 and not _has_clause(dm.group(1)):
            # "a U.S. Agriculture Department (USDA) meteorologist said": a job named with its words
            sp = _classify(dm.group(1).replace("(", " ").replace(")", " ").split(), cased=False)
            if sp is not None:
                return sp, start + dm.start(1)
        return None, anchor
    picked.reverse()
    words = [t[0] for t in picked]
    run_start = picked[0][1]
    # the last four words, not counting the joiners ("people familiar with the talks")
    keep = next((n for n in range(1, len(words) + 1)
                 if sum(1 for w in words[-n:] if w.lower() not in ("of", "for", "the", "with", "in", "at", "on", "based")) > 4), 0) - 1
    if not cased and keep > 0:
        words = words[-keep:]
        picked = picked[-keep:]
        # "..., former vice president joe biden said": the speaker's words are the last four, but
        # the statement before them ends at the comma that starts the run
        if not text[start:run_start].rstrip().endswith((",", "”", '"', "—", "–")):
            run_start = picked[0][1]
    sp = _classify(words, cased)
    if sp is None:
        return None, anchor
    named = _name_before_job(text, start, run_start, words, cased)
    if named is not None:
        return named
    if sp.kind == "person":
        jm = _JOB_TO.search(text, max(start, run_start - 60), run_start)
        if jm and jm.end() == run_start:  # "An adviser to Tony Blair said": the adviser, not Blair
            phrase = text[jm.start(1):anchor if relative else end].strip(" ,")
            role = re.sub(r"^(?:an?|the)\s+", "", phrase, flags=re.I)
            return _Speaker(phrase, "", role, "role", jm.group(1)[:1].lower() == "t"), jm.start(1)
    # "Kremlin spokesperson, Dmitry Peskov, said": the role before an appositive name
    if sp.kind == "person" and not sp.role:
        k = picked[0][1]
        before = text[start:k].rstrip()
        if before.endswith(","):
            rm = re.search(r"([A-Z][\w’'\-]*(?:\s+[\w’'\-]+){0,3})\s*,$", before)
            if rm and any(w.lower() in _ROLE_NOUNS for w in rm.group(1).split()):
                sp.role = rm.group(1)
    return sp, (anchor if relative else run_start)


# A job done for someone, right before that someone's name: "an adviser to", "a spokeswoman for".
_JOB_TO = re.compile(r"\b((?:[Aa]n?|[Tt]he)\s+(?:[\w’'\-]+\s+){0,2}?(?:" + "|".join(sorted(_ROLE_NOUNS - _PLURAL_GROUP, key=len, reverse=True))
                     + r")\s+(?:to|for)\s+)")
# Words between a group and what it knows: "people familiar with the matter", "officials close to".
_KNOWING = frozenset("familiar close knowledge briefed based".split())
_KNOWING_PEOPLE = frozenset("people person source sources".split())
_KNOWING_GROUP = re.compile(r"(?:^|(?<=[\s,“”\"]))((?:[\w\-]+\s+){0,2}?([A-Za-z]+)\s+(?:familiar\s+with|close\s+to|briefed\s+on|"
                            r"with\s+(?:direct\s+)?knowledge\s+of)\s+[^,.;:\"“”()]{2,50}?)\s*$")
_RELATIONS = frozenset("wife husband son daughter mother father brother sister widow spouse partner".split())
_APPOSITIVE = re.compile(r",\s+([^,;:\"“”()]{3,40}?)\s*,\s*$")


def _appositive(text: str, start: int, end: int, cased: bool) -> tuple[_Speaker, int] | None:
    """'His wife, Jane Sanders, said' / 'the acting defense secretary, patrick shanahan, had said':
    a name between commas after the job (or relation) that opens the sentence."""
    m = _APPOSITIVE.search(text, start, end)
    if m is None:
        return None
    pre = text[start:m.start()]
    piece = re.split(r"[.;:!?\"”]\s+|^\W*(?:and|but)\s+", pre)[-1].strip()
    words = piece.split()
    if len(words) > 5 and "," in piece:
        # "..., the president of the Federal Association of German Banks, Wolfgang Roeller, said":
        # the job set off by commas after the statement, named with its employer
        tail = piece.rsplit(",", 1)[1].strip()
        tw = tail.split()
        if 2 <= len(tw) <= 10 and tw[0].lower() in ("the", "a", "an", "his", "her", "its", "their") and any(
                w.lower() in _ROLE_NOUNS | _RELATIONS for w in tw[1:4]):
            piece, words = tail, tw
    if not words or not 1 <= len(words) <= 5 and not (len(words) <= 10 and words[0].lower() in ("the", "a", "an", "his", "her", "its", "their")
                                         and any(w.lower() in _ROLE_NOUNS | _RELATIONS for w in words[1:4])) \
            or not any(w.lower().strip("’'s") in _ROLE_NOUNS | _RELATIONS for w in words):
        return None
    name_words = m.group(1).split()
    described = re.fullmatch(r"(?:the|a|an)\s+(?:[a-z][\w\-]*\s+){1,4}((?:[A-Z][\w’'\-]*\s*){2,4})", m.group(1)) if cased else None
    if described:
        # "Trump's Ukraine envoy, the real estate developer Steve Witkoff, said": the name after what
        # he is (that description is no job: the role stays the one before the commas)
        name_words = described.group(1).split()
    while len(name_words) > 2 and name_words[0].lower().rstrip(".") in _NAME_TITLES:
        name_words = name_words[1:]  # "the director of conservation, Professor Jonathan Baillie,"
    if not 2 <= len(name_words) <= 4 or (cased and not all(_is_caps_word(w) or w.lower() in _PARTICLES for w in name_words)):
        return None
    if any(w.lower() in STOPWORDS or w.lower() in _ROLE_NOUNS for w in name_words):
        return None
    sp = _classify(name_words, cased)
    if sp is None or sp.kind != "person":
        return None
    sp.role = re.sub(r"^(?:the|a|an)\s+", "", piece, flags=re.I)
    sp.mention = f"{piece}, {m.group(1)}"
    return sp, start + pre.rfind(piece)


# Titles written before a name: no part of it.
_NAME_TITLES = _HONORIFICS | frozenset("professor prof".split())


_SOURCE_DOCUMENT = re.compile(
    r"\s*(?:a|an|the|his|her|its|their)\s+(?:[\w\-]+\s+){0,2}?(?:statement|release|report|filing|letter|post|tweet|"
    r"study|survey|poll|analysis|memo|complaint|lawsuit|email|transcript)s?\s+(?:\w+\s+){0,2}?(?:from|by|of)\s+", re.I)


# Lower-case words naming which organisation after a possessive: "Russia's defence ministry".
_ORG_QUALIFIERS = frozenset("defence defense foreign health home interior finance education justice external "
                            "economy trade state armed military national".split())


def _speaker_after(text: str, pos: int, end: int, cased: bool) -> tuple[_Speaker | None, int]:
    """The speaker of an inverted attribution: '..., said Kremlin spokesman Dmitry Peskov'."""
    src = _SOURCE_DOCUMENT.match(text, pos, end)
    if src:  # "according to a release from the Moorhead Police Department": the source, not the release
        pos = src.end()
    toks = _tokens(text, pos, end)
    picked: list[str] = []
    stop = pos
    ends: list[int] = []  # where the scan stood before each picked token
    for n, (tok, s, e) in enumerate(toks[:10]):
        low = tok.lower().rstrip(".")
        if not picked and low in _WHEN_NOT_WHO:
            return None, pos  # "..., said early on Monday": the speaker is the subject before the verb
        if not picked and low in _DETERMINERS:
            picked.append(tok)
            ends.append(stop)
            stop = e
            continue
        if picked and picked[0].lower() == "the" and len(picked) <= 2 and _is_description(tok) and not (
                n + 1 < len(toks) and toks[n + 1][0].lower() in _TITLE_WORDS):  # not "the ukrainian president"
            picked.append(tok)  # "said the 19-year-old", "said the Frenchman"
            return _classify(picked, cased=False), e
        if cased and len(picked) == 1 and picked[0].lower() in ("the", "a", "an") and re.fullmatch(r"[a-z][a-z\-]+(?:’s|'s)?", tok):
            # "said the political-science student", "said the bank's chief economist": a job's
            # lower-case words (and whose job it is) after the article
            k = n
            while k < min(len(toks), n + 3) and re.fullmatch(r"[a-z][a-z\-]+(?:’s|'s)?", toks[k][0]) and toks[k][0] not in _ROLE_NOUNS:
                k += 1
            if k < len(toks) and toks[k][0] in _ROLE_NOUNS:
                j = k + 3
                if [t[0] for t in toks[k + 1:k + 3]] == ["of", "the"]:
                    # "said the head of the regional military administration, while ...": what the
                    # job is of, in lower-case words up to a break
                    while j < min(len(toks), k + 7) and re.fullmatch(r"[a-z][a-z\-]+", toks[j][0]) and \
                            toks[j][0] not in STOPWORDS and not toks[j][0].endswith(("ing", "ed")):
                        j += 1
                    if j > k + 3 and (j == len(toks) or not re.match(r"\w", toks[j][0]) or toks[j][0] in STOPWORDS):
                        k = j - 1
                picked.extend(t[0] for t in toks[n:k + 1])
                sp = _classify(picked, cased=False)
                return _named_after_job(text, sp, toks[k][2], end, cased)
        if cased:
            ok = _is_caps_word(tok) or low in _ROLE_NOUNS or low in _PARTICLES or (picked and low in ("of", "for", "the"))
            if not ok and low in _ORG_WORDS and (not picked or picked == ["the"]):
                ok = True  # "according to police", "said the military"
            if not ok and picked and _is_caps_word(picked[-1]) or not ok and len(picked) >= 2 and picked[-1].islower() \
                    and any(_is_caps_word(p) for p in picked):
                # "according to the Delhi health department": an organisation's lower-case words after its place
                ok = re.fullmatch(r"[a-z][a-z\-]+", tok) is not None and tok not in STOPWORDS and any(
                    t[0].lower() in _ORG_WORDS for t in toks[n:n + 3]) and not any(t[0].lower() in _ORG_WORDS for t in toks[:n]) \
                    and not any(p.lower() in _CALENDAR_WORDS for p in picked)
            if not ok and picked and (picked[-1].endswith(("’s", "'s")) or picked[-1] in ("’s", "'s") or
                                      picked[-1].lower() in _ORG_QUALIFIERS and len(picked) >= 2):
                # "according to Russia's defence ministry": the organisation a possessive names
                ok = low in _ORG_WORDS or (low in _ORG_QUALIFIERS and n + 1 < len(toks) and toks[n + 1][0].lower() in _ORG_WORDS)
        else:
            ok = _np_token_ok(tok, cased) and low not in ("in", "on", "at", "during", "after", "while") or (
                tok == "s" and bool(picked) and n + 1 < len(toks) and bool(re.match(r"[a-z]", toks[n + 1][0])))
            # ("the cbi s chief economist": a possessive whose apostrophe was stripped; not "jonathan s. reiner")
            # (eight words, or eleven for a job of a body: "the director general of the international
            # atomic energy agency")
            ok = ok and (len(picked) < 8 or len(picked) < 11 and "of" in picked and any(p in _ROLE_NOUNS for p in picked))
            if ok and picked == [] and low in _PRONOUNS and n + 1 < len(toks) and re.match(r"\w", toks[n + 1][0]):
                return None, pos  # "says he won t serve ...": the clause's subject, not an inverted speaker
        if not ok:
            break
        picked.append(tok)
        ends.append(stop)
        stop = e
    while cased and len(picked) > 1 and picked[-1].lower() in ("of", "for"):
        # "said Unesco's chief of | bioethics, Dafna Feinholz": what the job is of is read after it
        picked.pop()
        stop = ends.pop()
    if cased and picked and stop < end:
        # "said Prescott, Ball and Turben analyst Bruce Lazier": a firm with commas, then the job
        ext = re.match(r"((?:,?\s+(?:and\s+|&\s+)?[A-Z][\w’'\-.]*)*)\s+((?:[a-z\-]+\s+)?(?:" + "|".join(_ROLE_NOUNS)
                       + r"))\s+((?:[A-Z][\w’'\-]*\.?\s*){1,3})", text[stop:end])
        if ext:
            name = ext.group(3).strip()
            sp = _Speaker(" ".join(picked) + ext.group(0), name, (" ".join(picked) + ext.group(1) + " " + ext.group(2)).strip(), "person")
            return sp, stop + ext.end()
    sp = _classify(picked, cased) if picked else None
    return _named_after_job(text, sp, stop, end, cased)


def _named_after_job(text: str, sp: _Speaker | None, stop: int, end: int, cased: bool) -> tuple[_Speaker | None, int]:
    """'said the chancellor, Rachel Reeves, at a G20 meeting': the name set off after the job (and
    what the job is of: 'said Unesco's chief of bioethics, Dafna Feinholz')."""
    if cased and sp is not None and (sp.kind == "role" or sp.kind == "group" and sp.mention.lower().startswith(("a ", "an "))):
        # the job's last lower-case words may come first: "said the bank's chief economist, John Smith"
        # ("said a spokesman for the company, Jane Doe": one named; "of the Agency (IAEA), Rafael Grossi")
        ap = re.match(r"((?:\s+(?!(?:and|or|but|who|which|that|as|in|on|at|to|after|before|when)\b)[a-z][a-z\-]+){0,3}"
                      r"(?:\s+(?:of|for)\s+[\w’'\-]+(?:\s+[\w’'\-]+){0,5}?)?)\s*,\s+((?:[A-Z][\w’'\-]*\.?\s+){1,3}[A-Z][\w’'\-]*)"
                      r"(?=\s*(?:[,.;]|$|\s+(?:at|in|on|during|who)\b))", text[stop:end])
        if ap:
            named = _classify(ap.group(2).split(), cased)
            if named is not None and named.kind == "person":
                mention = re.sub(r"\s+(?=,)|(?<=\s)\s+", "", sp.mention + ap.group(0))  # a blanked "(IAEA)" left spaces
                return (_Speaker(mention, named.name, sp.role + ap.group(1), "person", True),
                        stop + ap.end())
        of = re.match(r"\s+(?:of|for)\s+[\w’'\-]+(?:\s+[\w’'\-]+){0,5}?(?=\s*(?:[.;]|$))", text[stop:end])
        if of and sp.definite:  # "said the head of the regional military administration.": the job is of that
            return _Speaker(sp.mention + of.group(0), "", sp.role + of.group(0), "role", True), stop + of.end()
    if not cased and sp is not None and (sp.kind == "role" or sp.kind == "org" and any(
            w in _ROLE_NOUNS for w in sp.mention.split())):  # "the director general of the ... agency"
        # lower case: "said unesco s chief of bioethics  dafna feinholz." (its commas turned into spaces),
        # "said the chancellor  rachel reeves  at a g20 meeting" (a comma's two spaces, then where)
        ap = re.match(r"((?:\s+(?:of|for)\s+[a-z’'\-]+(?:\s+[a-z’'\-]+){0,5}?)?(?:\s*\([a-z]{2,8}\))?)\s*,?\s+([a-z][a-z’'\-]+\s+[a-z][a-z’'\-]+"
                      r"(?:\s+[a-z][a-z’'\-]+)?)(?=\s*(?:[.;]|$)|\s*,\s*|\s{2,}(?:at|in|on|during|who|after|before|while|when)\b)",
                      text[stop:end])
        words = ap.group(2).split() if ap else []
        if words and all(_low_name_word(w) and w not in _ROLE_NOUNS and w not in _ORG_WORDS for w in words):
            return (_Speaker(sp.mention + ap.group(0), ap.group(2), sp.role + ap.group(1), "person", True),
                    stop + ap.end())
    return sp, stop


# ---------------------------------------------------------------------------------------------
# Extraction


@dataclass
class _Raw:
    """A statement before its speaker is resolved."""

    unit: int
    spans: list[tuple[int, int]]
    kind: str
    cue: str
    speaker: _Speaker | None  # None: the same speaker as the statement before (a continued quote)
    context: tuple[int, int]


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """A statement span without surrounding spaces, quote marks and the comma before an attribution."""
    s, e = strip_span(text, s, e)
    lead = re.match(r"(?:that|:)\s+|[A-Z][A-Z .,'/\-]{2,40},\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s+-\s+", text[s:e])
    if lead:  # "that" left by a doubled conjunction; a newswire dateline ("NEW YORK, March 26 - ")
        s += lead.end()
    while e > s and text[e - 1] in ",;:—–- ":
        e -= 1
    while s < e and text[s] in ",;:—–- ":
        s += 1
    if e > s and text[e - 1] == "." and not re.search(r"\b[A-Z]\.$|\b(?:Mr|Dr|Mrs|Ms)\.$", text[s:e]):
        e -= 1
    return strip_span(text, s, e)


def _whole_quotes(text: str, u: _Unit) -> list[tuple[int, int]]:
    """The quotations of a unit that is nothing but quotation: one, or several run together where
    paragraphs were joined into one line, each reopened without being closed ('“These people pay
    their taxes. “I want as many ... as that.”'); [] when the unit has words of its own."""
    qs = u.quotes
    if not qs or qs[0][0] - u.start > 1 or qs[-1][1] < u.end - 2:
        return []
    if any(text[a[1]:b[0]].strip(" \t\n”\"") for a, b in zip(qs, qs[1:])):
        return []
    return qs


def _quote_inner(text: str, q: tuple[int, int]) -> tuple[int, int]:
    s, e = q[0] + 1, q[1]
    s, e = strip_span(text, s, e)
    while e > s and text[e - 1] in ",;:":
        e -= 1
    return s, e


def _in_quote(pos: int, quotes: Sequence[tuple[int, int]]) -> bool:
    return any(a <= pos <= b for a, b in quotes)


_ANCHOR = re.compile(r"(?<![\w’'])(?:according to|as per|" + _VERB_RE + r")(?![\w’'])", re.I)


# When and where a statement was made, between the verb and its clause without a "that":
# "said today it had licensed ...", "said in a radio interview it is unlikely ...".
_SPEECH_EVENTS = (r"interview|statement|speech|briefing|conference|letter|report|address|meeting|session|broadcast|"
                  r"post|tweet|message|hearing|debate|call|remarks|appearance|rally|filing|lawsuit|complaint|op-ed|email")
_CLAUSE_MODIFIERS = re.compile(
    r"(?:\s*,?\s*(?:today|yesterday|tonight|recently|previously|again|also|repeatedly|publicly|privately|"
    r"earlier|later|last\s+(?:week|month|year|night)|this\s+(?:week|month|year|morning|afternoon|evening)|"
    r"on\s+" + _DAYS + r"|(?:in|during|at|on)\s+(?:a|an|the|his|her|its|their)\s+(?:[\w\-]+\s+){0,3}?(?:"
    + _SPEECH_EVENTS + r")s?(?:\s+(?:with|to|on|in|for)\s+(?:the\s+)?[\w\-.’']+(?:\s+[A-Z][\w\-.’']*){0,3})?))+\s*,?\s+",
    re.I)
_CLAUSE_START = re.compile(r"(?:it|he|she|they|we|i|there|this|these|those|the|a|an|[A-Z][\w’'\-]*)\b")


def _clause_after_modifiers(text: str, i: int, end: int) -> int | None:
    """Where the reported clause starts after the modifiers of a verb, when one follows."""
    m = _CLAUSE_MODIFIERS.match(text, i, end)
    if m is None or m.end() >= end:
        return None
    j = m.end()
    if not _CLAUSE_START.match(text, j, end):
        return None
    words = text[j:end].split()[:12]
    if len(words) < 3 or not (_has_clause(" ".join(words)) or any(re.fullmatch(r"[a-z]+ed", w) for w in words[1:])):
        return None
    return j


# Verbs that also take a thing for object; then the words after them are no statement unless a
# clause follows within a few words ("announced the terminations" / "announced the plan would ...").
_OBJECT_VERBS = frozenset("announced announces confirmed confirms denied denies acknowledged acknowledges admitted admits "
                          "noted notes mentioned highlighted recalled wrote writes tweeted told tells agreed".split())
_NOUN_OBJECT = re.compile(
    r"(?:the|a|an|his|her|its|their|this|these|those|our|my)\s+(?:(?!(?:that|who|which|was|were|is|are|had|has|have|would|"
    r"will|could|should|can|may|might|must|did|does|do)\b)[\w\-’']+\s+){0,4}?(?:(?!(?:that|who|which|was|were|is|are|had|has|"
    r"have|would|will|could|should|can|may|might|must|did|does|do)\b)[\w\-’']+)\s*(?:(?-i:(?<![A-Z]))(?<!\.\w)[.;!?](?!\w)|,\s+(?:saying|adding|noting|"
    r"and|but|as|while|which|who|according)\b|\s+(?:of|for|to|at|on|in|with|from|during|after|before)\s+(?:the|a|an|his|her|"
    r"its|their|mr|ms|mrs)\b[^,.;:\"“”]{0,60}?(?:(?-i:(?<![A-Z]))(?<!\.\w)[.;!?](?!\w)|,\s+(?:saying|adding|noting|and|but|as|while|which|who)\b)|$)", re.I)


# "this" as the subject of the reported clause, its verb next ("said this is why ...").
_THIS_VERB = re.compile(r"this\s+(?:is|was|will|would|could|can|may|might|must|should|has|had|isn[’']t|wasn[’']t|"
                        r"won[’']t|wouldn[’']t|means|meant|shows|showed)\b", re.I)
# A prepositional phrase of a few words without a verb, set off by a comma, before the reported clause.
_PHRASE_THEN_CLAUSE = re.compile(r"(?:in|at|during|with|amid|despite|given|under|without|for|unlike|like)\s+"
                                 r"(?:[\w’'\-]+\s+){0,7}?[\w’'\-]+,\s+", re.I)
_SAYING_VERBS = frozenset("said says added noted stated explained argued stressed insisted claimed observed maintained "
                          "asserted".split())  # not "claims", "notes": nouns too
_NOT_CLAUSE_START = re.compile(r"(?:and|but|or|nor|adding|saying|noting|stressing|which|who|whom|where|when|as|while|"
                               r"according|in|on|at|to|from|with|by|for)\b|[^\w“\"‘]", re.I)


# A reported clause that opens with its own subordinate clause: "said while X may be ..., Y ...".
_SUBORDINATE_FIRST = re.compile(r"(?:while|although|though|if|because|unless|once)\s+([^,;:\"“”]{3,80}),\s+\w", re.I)


def _post_clause(text: str, pos: int, end: int, verb: str) -> int | None:
    """Where the reported clause after the verb starts, or None when only modifiers follow."""
    rest = text[pos:end]
    m = re.match(r"\s*", rest)
    i = pos + (m.end() if m else 0)
    if i >= end:
        return None
    if verb.lower() in ("accused", "urged"):
        return i  # "accused the US administration of pursuing ...": the accusation is the statement
    obj = _NOUN_OBJECT.match(text, i, end) if verb.lower() in _OBJECT_VERBS else None
    if obj is not None:
        # "announced the terminations", "noted the death of ...", "told the graduates.": a thing, not a
        # clause; "denied the report, saying it was false": the participle's clause
        pm = _PARTICIPLE_BREAK.search(text, obj.start(), end) if re.search(r",\s+(?:saying|adding|noting)\b", obj.group(0)) else None
        return pm.end() if pm else None
    if verb.lower().startswith(("told", "tell")) or verb.lower() == "warned":
        am = _AUDIENCE.match(text[i:end])
        if am:
            i += am.end()
        elif verb.lower().startswith(("told", "tell")):
            # "told Reuters", "accused the current US administration": an object of a few words
            om = re.match(r"(?:the\s+|a\s+)?(?:[A-Z][\w’'\-.]*\s*){1,4}", text[i:end])
            if om and om.end() > 0:
                i += om.end()
        # "... in Moscow on Tuesday that": skip modifiers up to a "that"
        tm = re.match(r"[^,.;:\"“”]{0,80}?\bthat\b\s*", text[i:end])
        if tm:
            return i + tm.end()
        rest2 = text[i:end].lstrip()
        mods = _clause_after_modifiers(text, i, end)
        if mods is not None:
            return mods
        if not rest2 or rest2[0] in ".;" or _MODIFIER_START.match(rest2):
            return None
        return i + (len(text[i:end]) - len(rest2))
    head = text[i:end]
    if head[:1] in ":,":
        i += 1
        while i < end and text[i].isspace():
            i += 1
        return i if i < end else None
    tm = _THAT.match(head)
    if tm:
        return i + tm.end()
    # "said in a statement that ...", "said on Monday that ...", "said in a Thursday meeting with X that"
    tm = re.match(r"(?:in|on|at|to|during|after|before|late|early|last|this|earlier|later|today|yesterday|tonight)\b"
                  r"[^,.;:\"“”]{0,80}?\bthat\b\s*", head, re.I) or re.match(
        r"(?:here|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:\s+(?:morning|afternoon|evening|night))?)"
        r"\s+that\b\s*", head, re.I)  # "said Monday that ...", "said here that ..." (not "said friday it would ... that")
    if tm:
        return i + tm.end()
    dm = re.match(r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday)\s+(?=[a-z“\"])", head, re.I)
    if dm and _has_clause(" ".join(head[dm.end():].split()[:10])) and not _has_clause(head[dm.end():].split()[0]):
        # "said Monday the plasma bank will come up", "said Tuesday on Twitter that ..." (not "said
        # Monday was a good day": the day is the subject)
        return _post_clause(text, i + dm.end(), end, verb) or i + dm.end()
    cm = re.match(r"(?:on|in|at|to|during|after|before|late|early|last|this)\b[^:;.\"“”]{0,60}?:\s*(?=\S)", head, re.I)
    if cm:
        return i + cm.end()  # 'wrote on X: "The youth deserve jobs"', 'said on Monday: ...'
    mods = _clause_after_modifiers(text, i, end)
    if mods is not None:
        return mods
    sub = _SUBORDINATE_FIRST.match(head)
    if sub and _has_clause(sub.group(1)):
        return i  # "said while Japanese cut backs may be a small factor, their effect should be ..."
    if _THIS_VERB.match(head):
        return i  # "said this isn't the last pandemic" ("this" the clause's subject, not "said this week")
    pm = _PHRASE_THEN_CLAUSE.match(head) if verb.lower() in _SAYING_VERBS else None
    if pm and not _NOT_CLAUSE_START.match(head, pm.end()) and _has_clause(" ".join(head[pm.end():].split()[:10])):
        # "said in an era of globalisation, any virus will spread": a phrase, then the clause (not
        # "concluded with voluntary agreements, so ...": a verb that takes a phrase of its own); a
        # speech event is no part of it ('said in a statement, "This is ..."', "in an interview, that")
        if head[pm.end():pm.end() + 1] in _OPEN_QUOTES + '"':
            return i + pm.end()  # 'said in a disappointed tone, “I am a medical worker ...”'
        em = _CLAUSE_MODIFIERS.match(text, i, end)
        if em and em.end() >= i + pm.end() - 1:
            tm = re.match(r"that\b\s*", text[em.end():end])
            return em.end() + (tm.end() if tm else 0)
        return i
    if head[0] in ".;!?)" or _MODIFIER_START.match(head):
        return None
    if head[0] in _OPEN_QUOTES + '"':
        return i
    if re.match(r"[\w“\"‘'(]", head):
        return i
    return None


def _split_tail(text: str, s: int, e: int) -> list[tuple[int, int, str]]:
    """A reported clause cut where a participle or a second verb starts a new statement."""
    out = []
    pos = s
    while True:
        best = None
        for rx in (_PARTICIPLE_BREAK, _AND_VERB_BREAK):
            for m in rx.finditer(text, pos, e):
                before = text[max(s, m.start() - 1): m.start() + 1]
                if m.start() == pos:
                    continue
                word_at = m.start() + len(re.match(r"[,\s”\"’]*", m.group(0)).group(0))
                if _in_any_quote(text, s, word_at):
                    continue
                if best is None or m.start() < best.start():
                    best = m
                break
        if best is None:
            out.append((pos, e, ""))
            return out
        # a closing quotation mark before the participle belongs to the piece before it
        close = re.match(r",?\s*[”\"’]", best.group(0))
        out.append((pos, best.start() + (close.end() if close else 0), ""))
        pos = best.end()


def _in_any_quote(text: str, s: int, pos: int) -> bool:
    """Inside an open quotation at pos, counting from s (so that a break inside quoted words is ignored)."""
    seg = text[s:pos]
    opens = sum(seg.count(c) for c in _OPEN_QUOTES)
    closes = sum(seg.count(c) for c in _CLOSE_QUOTES)
    return opens > closes or seg.count('"') % 2 == 1


# Text whose commas, apostrophes and quotation marks were turned into spaces (bbc-text.csv and
# its kind: "the prognosis is very good   said dr. steven nissen  chief academic officer"): a run
# of spaces inside a line stands for the punctuation that was there.
_STRIPPED_PUNCT = re.compile(r"[ \t]{2,}(?=\S)")
_ABBREVIATION_END = re.compile(r"(?:\b\w\.\w\.|\bjr\.|\bsr\.|\binc\.)$")


def _punctuated(text: str) -> str:
    """Lower-cased text without its commas and quotation marks read with a comma at each run of
    spaces (same length: every offset holds), when such runs outnumber the commas it kept."""
    def stands_for_punctuation(m: re.Match) -> bool:
        # after a word, or after an abbreviation's period ("manchester  n.h.  biden said")
        before = text[m.start() - 1:m.start()]
        return bool(before) and (before not in ".!?:;," or before == "." and bool(_ABBREVIATION_END.search(text, max(0, m.start() - 5), m.start())))

    runs = sum(1 for m in _STRIPPED_PUNCT.finditer(text, 0, 20000) if stands_for_punctuation(m))
    if runs < 3 or runs <= text.count(", ", 0, 20000):
        return text
    return _STRIPPED_PUNCT.sub(lambda m: "," + m.group(0)[1:] if stands_for_punctuation(m) else m.group(0), text)


_BRACKETED_SHORT_NAME = re.compile(r"\((?:[A-Z][A-Za-z.&]{1,9}|[A-Z][a-z]+)\)")
# the same in text without capitals: "an adviser to the department for education (dfe) on behaviour
# policy  said:", "the head of the independent society of musicians (ism)  deborah annetts  said"
_BRACKETED_SHORT_LOWER = re.compile(r"\([a-z][a-z.&]{1,9}\)")
# Joiners at which the speaker rules cut a name ("The Food and Drug Administration said": "Drug
# Administration", "The Committee on Climate Change said": "Climate Change"); "of", "for" and "de"
# they read through ("The Ministry of Defence said", "Banco de Portugal").
_NAME_JOINERS = frozenset("and & on".split())
# How a company's name ends ("Emery Air Freight Corp"), unlike "the Biden campaign" or "McCain's office".
_COMPANY_ENDS = frozenset("corp corporation inc co cos company plc ltd llc group holdings ag sa nv bank industries".split())


def _blank_bracket(text: str, m: re.Match) -> bool:
    """Read past a short name in brackets inside a speaker's words ("Shiv Sena (UBT) leader"), and
    before the verb after a plain name ("The Election Commission (EC) said", "The Ministry of
    Defence (MoD) said"), but not after a name joined by 'and' or 'on' ("Organisation for Economic
    Cooperation and Development (OECD) said"), whose words the speaker rules would cut at the joiner."""
    if not re.search(r"[A-Za-z.]\s?$", text[max(0, m.start() - 2):m.start()]):
        return False  # '"(South) Korea's gaining market share": an editor's word in a quotation
    if not _ANCHOR.search(text, m.end(), m.end() + 30):  # ("... (MITI) has urged ...", "(EC) on Monday said")
        return True
    before = re.findall(r"[\w&]+", re.split(r"[.;:,!?\"“”]\s", text[max(0, m.start() - 80):m.start()])[-1])[-6:]
    return not any(w.lower() in _NAME_JOINERS for w in before)


def extract_statements(doc: Document) -> list[Statement]:
    """Every statement the article attributes to someone, in article order, speakers resolved."""
    text = doc.text
    if not doc.blocks:
        return []
    sample = text[:4000]
    n_letters = len(_LETTER.findall(sample))
    cased_doc = n_letters > 0 and len(_UPPER.findall(sample)) / n_letters > 0.01
    if not cased_doc:
        text = _punctuated(text)  # the rules read the punctuation back; statements keep the article's words
    text = _TEX_OPEN.sub("“ ", _TEX_CLOSE.sub("” ", text))  # ``Times of India style'' quotes, same offsets
    flat = text.replace("\n", " ")  # same offsets; hard-wrapped lines read as one paragraph
    segments = _join_segments(text, _segments(doc))
    units = _units(text, flat, segments)
    raws: list[_Raw] = []
    title_line_end = -1
    if doc.title and doc.blocks:
        title_line_end = text.find("\n", doc.blocks[0].char_start)
        title_line_end = len(text) if title_line_end < 0 else title_line_end
    # the rules find speakers in a copy without short names in brackets ("The Election Commission (EC)
    # said", "Shiv Sena (UBT) leader Sanjay Raut said"), same offsets; statements keep the article's words
    scan = (_BRACKETED_SHORT_NAME if cased_doc else _BRACKETED_SHORT_LOWER).sub(
        lambda m: " " * len(m.group(0)) if _blank_bracket(text, m) else m.group(0), text)
    scan_flat = scan.replace("\n", " ")
    for n, u in enumerate(units):
        line_text = text[u.start:u.end]
        cased = cased_doc and not (line_text.isupper() and len(line_text) > 12)
        found = _unit_statements(scan, scan_flat, n, u, cased)
        if n == 0 and u.start < title_line_end:
            said = _colon_headline(text, n, u, cased, title_line_end)  # "Bernie Sanders: billionaires shouldn't exist."
            found = said + [r for r in found if r.spans[0][0] >= said[0].spans[-1][1]] if said else found
        if not found and u.start < title_line_end and n == 0:
            found = _headline(text, n, u, cased)
        prev = raws[-1] if raws else None
        if not found and prev is not None and (prev.kind == "direct" and prev.unit >= n - 1
                                               or prev.kind == "indirect" and prev.unit == n - 1):
            # a quotation standing alone right after a quoted statement continues it; right after
            # a reported one ("Peskov said Russia would ... . "Otherwise ..."") it is the same speaker's
            qs = _whole_quotes(text, u)
            if qs:
                if prev.kind == "direct" and prev.unit == n - 1 and units[prev.unit].seg == u.seg:
                    # '"Q1," Smith said. "Q2."': one quote split by its attribution
                    prev.spans.extend(_quote_inner(text, q) for q in qs)
                    prev.context = (prev.context[0], u.end)
                    continue
                found = [_Raw(n, [_quote_inner(text, q) for q in qs], "direct", prev.cue, None, (u.start, u.end))]
        if not found and raws and raws[-1].unit == n - 1 and raws[-1].spans[-1][1] >= units[n - 1].end - 1 and text[units[n - 1].start:units[n - 1].end].rstrip().endswith(":"):
            found = []
        raws.extend(found)
    if not cased_doc and not _QUOTE_MARK.search(text):
        _first_person_runs(text, units, raws)
        _stripped_quote_openings(text, units, raws)
    # "Peskov said:" ending its segment: the statement is the next segment
    raws = _colon_statements(text, units, segments, raws, cased_doc)
    raws.sort(key=lambda r: (r.spans[0][0], r.spans[0][1]))
    from .speech_resolve import resolve  # the second stage, which reads this module's vocabulary

    return resolve(doc, text, units, raws, cased_doc)


_QUOTE_MARK = re.compile(r"[\"“”]")
# not "the us" (the US), not "u.s." or "i.e."
_FIRST_PERSON = re.compile(r"(?<![\w’'.])(?:i|we|my|our|me|(?<!the )us)(?![\w’']|\.\w)")
_RUN_UNITS = 3  # at most this many sentences join a statement on either side


def _first_person_runs(text: str, units: list[_Unit], raws: list[_Raw]) -> None:
    """Text whose quotation marks were stripped (as bbc-text.csv arrives): the first-person
    sentences next to a first-person statement, with no attribution of their own, are the rest of
    that quotation ("we played well. we deserved to win  said wenger. ..."). Narrative news is not
    written in the first person. Extends the statements' spans in place."""
    by_unit: dict[int, list[_Raw]] = {}
    for r in raws:
        by_unit.setdefault(r.unit, []).append(r)
    claimed = set(by_unit)

    def speaks_first_person(r: _Raw) -> bool:
        return any(_FIRST_PERSON.search(text, a, b) for a, b in r.spans)

    def free(k: int, seg: int) -> bool:
        u = units[k]
        return k not in claimed and u.seg == seg and bool(_FIRST_PERSON.search(text, u.start, u.end)) and \
            not _ANCHOR.search(text, u.start, u.end)

    for n in sorted(by_unit):
        first, last = by_unit[n][0], by_unit[n][-1]
        seg = units[n].seg
        if speaks_first_person(last):
            k = n + 1
            while k < len(units) and k - n <= _RUN_UNITS and free(k, seg):
                s, e = _trim(text, units[k].start, units[k].end)
                if e > s:
                    last.spans.append((s, e))
                    last.context = (last.context[0], max(last.context[1], units[k].end))
                claimed.add(k)
                k += 1
        if speaks_first_person(first) and first.spans[0][0] <= units[n].start + 2:
            # the statement opens its sentence, its attribution after it: the quotation may begin earlier
            k = n - 1
            while k >= 1 and n - k <= _RUN_UNITS and free(k, seg):
                s, e = _trim(text, units[k].start, units[k].end)
                if e > s:
                    first.spans.insert(0, (s, e))
                    first.context = (min(first.context[0], units[k].start), first.context[1])
                claimed.add(k)
                k -= 1


def _gap(text: str, pos: int) -> int:
    """How many spaces stand before the first character at or after pos (a sentence's start)."""
    while pos < len(text) and text[pos] == " ":
        pos += 1
    k = pos
    while k > 0 and text[k - 1] == " ":
        k -= 1
    return pos - k


# a comma next to a stripped quotation mark (three spaces, the first read back as the comma): a
# sentence with one ('... this is ending,  another official clarified.') closes a quotation of its own
_QUOTE_COMMA = re.compile(r",[ \t]{2,}(?=\S)")


def _stripped_quote_openings(text: str, units: list[_Unit], raws: list[_Raw]) -> None:
    """Text whose quotation marks were stripped (bbc-text.csv): a quotation of several sentences
    ('the city.  civilian infrastructure was damaged. a building is on fire  and rescuers were
    pulling people out  he said.') begins where a sentence's end is followed by two spaces, the
    space it had and the one its quotation mark became; sentences inside it are one space apart.
    A statement that opens its sentence one space after the last, its attribution after it, began
    at the nearest such opening up to _RUN_UNITS sentences back, over sentences that attribute
    nothing and close no quotation. Extends the statements' spans in place."""
    claimed = {_unit_index(units, p) for r in raws for a, b in r.spans for p in (a, max(a, b - 1))}
    for r in raws:
        n = _unit_index(units, r.spans[0][0])  # (the first-person rule may have begun it sentences earlier)
        if n < 1 or r.spans[0][0] > units[n].start + 2 or _gap(text, units[n].start) != 1:
            continue
        tail = text[r.spans[-1][1]:units[r.unit].end]
        if not _ANCHOR.search(tail):
            continue  # the attribution is not after the statement ("  he said.", "  said the mayor.")
        seg = units[n].seg
        k, opening = n - 1, None
        while k >= 0 and n - k <= _RUN_UNITS and k not in claimed and units[k].seg == seg \
                and not _ANCHOR.search(text, units[k].start, units[k].end) \
                and not _QUOTE_COMMA.search(text, units[k].start, units[k].end):
            gap = _gap(text, units[k].start)
            if gap >= 2 and re.search(r"[.!?]$", text[:units[k].start].rstrip(" ")):
                opening = k
                break
            if gap != 1:
                break
            k -= 1
        if opening is None:
            continue
        for j in range(n - 1, opening - 1, -1):
            s, e = _trim(text, units[j].start, units[j].end)
            if e > s:
                r.spans.insert(0, (s, e))
            claimed.add(j)
        r.context = (min(r.context[0], units[opening].start), r.context[1])


# What a headline's colon follows that is nobody: "Update: ...", "Opinion: ...", "Watch: ...".
_EDITORIAL_LABELS = frozenset("""update updated breaking watch opinion analysis exclusive editorial live video explainer
    photos photo review interview correction factbox timeline q&a poll report reports news politics sport sports
    business world us uk read more related trending op-ed column commentary podcast listen check fact-check
    gaffe book debate follow by""".split())
_COLON_TITLE = re.compile(r"\W*((?:[\w.’'\-]+\s+){0,4}[\w.’'\-]+):\s+(?=\S)")


def _quoted_later(text: str, name: str, pos: int) -> bool:
    """The name is followed by an attribution verb within a few words somewhere after pos."""
    at = text.find(name, pos)
    while at >= 0:
        after = at + len(name)
        if (at == 0 or not text[at - 1].isalnum()) and _ANCHOR.search(text, after, after + 40):
            return True
        at = text.find(name, after)
    return False


_SAYS_AT_END = re.compile(r",\s+(?:[\w.’'-]+\s+){1,4}(?:says|said|claims|warns|tells)\b(?:\s+[\w.’'-]+){0,3}\s*(?:$|[.\n])")


def _colon_headline(text: str, n: int, u: _Unit, cased: bool, title_end: int) -> list[_Raw]:
    """'Education Sec Betsy DeVos: “There Isn't Really Any Common Core Anymore”', 'bernie sanders:
    billionaires shouldn't exist.': a title that gives its speaker before a colon."""
    m = _COLON_TITLE.match(text, u.start, u.end)
    if m is None:
        return []
    words = m.group(1).split()
    if cased:
        ok = len(words) <= 4 and all(_is_caps_word(w) or w.lower() in _PARTICLES for w in words)
    else:
        ok = 2 <= len(words) <= 4 and all(_low_name_word(w) or w.rstrip(".") in _TITLE_WORDS for w in words)
    if not ok or _ANCHOR.search(m.group(1)) or words[0].lower() in _EDITORIAL_LABELS or re.search(r"\d", m.group(1)):
        return []  # ("Covid-19: Lockdown prevented 37,000 deaths, govt says": a topic, no one speaking)
    if _SAYS_AT_END.search(text[m.end():min(u.end, title_end, m.end() + 120)]):
        return []  # the title names its speaker after the colon ("..., govt says")
    last = re.escape(re.sub(r"(?:[’']s)?\.?$", "", words[-1]))
    if len(re.findall(r"(?<![\w’'])" + last + r"(?![\w])", text[m.end():], re.I)) < 2:
        return []  # the story goes on about its speaker: "Revenge: ...", "democratic debate preview: ..." are titles
    sp = _classify(words, cased=cased and not text[u.start:u.end].isupper())
    if sp is None or sp.kind not in ("person", "org"):
        return []
    if not cased and not _quoted_later(text, " ".join(words), m.end()):
        return []  # without capitals only someone the article quotes by that name ("loans: ..." is a title)
    s, e = _trim(text, m.end(), min(u.end, title_end))
    if cased and title_end > u.end:
        # a title run into its article on one line: where it ends is not known, unless it is a quotation
        close = {"“": "”", '"': '"', "‘": "’"}.get(text[s:s + 1])
        end = text.find(close, s + 1, s + 200) if close else -1
        if end < 0:
            return []
        e = end + 1
    if e <= s or len(text[s:e].split()) < 3:
        return []
    kind = "direct" if _is_whole_quote(text, s, e) else "indirect"
    if kind == "direct":
        s, e = _quote_inner(text, (s, e - 1 if text[e - 1] in _CLOSE_QUOTES + '"' else e))
    return [_Raw(n, [(s, e)], kind, "headline", sp, (u.start, u.end))]


# "..., and Paul said it took ...": a speaker after "and" starts a clause of its own; the words
# before the comma are not what was said.
_JOINED_CLAUSE = re.compile(r"(?:and|but)\s", re.I)
_HEADLINE_NOT_SPEAKER = frozenset("and but or why how what when where who which the a an in on at for to with from".split())


def _headline(text: str, n: int, u: _Unit, cased: bool) -> list[_Raw]:
    """'Finland ... may trigger a response – Putin': a headline attributed after a dash."""
    line = text[u.start:u.end]
    m = re.search(r"\s[–—-]\s+([A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){0,3})\s*$", line)
    if not m or m.group(1).split()[0].lower() in _HEADLINE_NOT_SPEAKER:
        return []  # "How Warren Got An Endorsement — And Why It Matters": the headline goes on
    sp = _classify(m.group(1).split(), cased=not line.isupper())
    if sp is None:
        return []
    s, e = _trim(text, u.start, u.start + m.start())
    return [_Raw(n, [(s, e)], "indirect", "headline", sp, (u.start, u.end))] if e > s else []


def _unit_statements(text: str, flat: str, n: int, u: _Unit, cased: bool) -> list[_Raw]:
    out: list[_Raw] = []
    claimed_to = u.start  # text before this is already part of a statement
    for m in _ANCHOR.finditer(text, u.start, u.end):
        a, b = m.start(), m.end()
        verb = m.group(0)
        if _in_quote(a, u.quotes) or a < claimed_to:
            continue
        low = verb.lower()
        if not cased and low in _AMBIGUOUS_LOWER:
            continue
        if cased and verb[0].isupper() and low != "according to" and a != u.start:
            continue  # "States", "Notes": a name, not a verb
        before_word = re.search(r"(\w+)[^\w,;:\"“”’]*$", text[u.start:a])  # adjacent: not "... worth it,\" said"
        if low in _BASE_FORMS and not before_word:
            aside = _ASIDE_TAIL.search(text, u.start, a)
            if aside and not re.search(r"\b(?:who|which|that)\b", text[u.start:aside.start()], re.I):
                # "Sceptics, however, say ...": the word before the aside (not "scholars who have
                # studied the law, however, assert": the law asserts nothing)
                before_word = re.search(r"(\w+)\W*$", text[u.start:aside.start()])
            else:
                continue
        if low in _BASE_FORMS and before_word and before_word.group(1).lower() in _NOT_A_SUBJECT:
            continue  # "the license to go out and say whatever they want", "would say", "did not tell"
        if low != "according to" and re.search(r"(?:^|\s)(?:a|an|the)\s+$", text[max(u.start, a - 5):a], re.I):
            continue  # an adjective or a noun: "an alleged exodus", "the stated aim", "a forecast of 3%"
        if before_word and before_word.group(1).lower() in ("what", "as", "was", "were", "is", "be", "been", "being", "not", "never", "to", "it", "who's"):
            # "what he said", "was said to be", "did not say"; "It said ..." only opening a sentence
            # or a clause after a comma or "and" (an organisation named before), not "which it said"
            if not (before_word.group(1).lower() == "it" and re.search(r"(?:^|[.;:!?]\s+|,\s+|\b(?:and|but)\s+)It?\s*$",
                                                                         text[u.start:a], re.I)):
                continue
        if low in ("according to", "as per"):
            sp, stop = _speaker_after(text, b, u.end, cased)
            if sp is None or sp.kind == "pronoun":
                continue
            if low == "as per" and not (sp.kind in ("person", "group", "role") or speaker_key(sp.name).split()[-1:][0] in _ORG_WORDS):
                continue  # "as per the agreement": no one's words
            if low == "as per" and _ANCHOR.search(text, stop, u.end):
                continue  # "... as per government of India guidelines, said Ravi": the one who said it
            pre = text[claimed_to:a]
            if pre.strip(" ,") and pre.rstrip().endswith(","):
                s, e = _trim(text, claimed_to, a)
                if e > s:
                    out.append(_Raw(n, [(s, e)], "indirect", low, sp, (u.start, u.end)))
                    claimed_to = u.end
                    continue
            rest = text[stop:u.end]
            cm = re.match(r"\s*,\s*", rest)
            if cm:
                s, e = _trim(text, stop + cm.end(), u.end)
                if e > s:
                    out.append(_Raw(n, [(s, e)], "indirect", low, sp, (u.start, u.end)))
                    claimed_to = u.end
            continue
        if low in _VIEW_VERBS and any(p.end() >= a - 25 for p in _ANCHOR.finditer(text, max(u.start, a - 60), a)):
            continue
        if low in _GOING_ON and not (re.match(r"\s*:|\s*,?\s*[“\"]|\s+to\s+(?:say|stress|insist|argue|claim|maintain|deny|defend|warn)\b",
                                              text[b:b + 20]) or re.search(r"[”\"],?\s*(?:\w+\s+){0,3}$", text[max(u.start, a - 40):a])):
            continue  # only words go on: 'She went on: "..."', '"...," he continued', 'continued to stress that
        if low == "questioned" and not re.match(r"\s+(?:why|whether|how|if|what)\b", text[b:b + 12], re.I):
            continue  # "questioned why Warren has been hesitant ...", not "questioned her stamina"
        if low in _DESCRIBE_VERBS and not re.match(r"(?:\s+[^\s.;:!?]+){1,8}?\s+as\s", text[b:min(u.end, b + 100)]):
            continue  # "the events described in the report"
        if low == "accused" and re.match(r"\s+of\b", text[b:b + 4]):
            continue  # "Joe Biden, who he has accused of enriching ...": the accused is not named after it
        sp, sp_start = None, a
        after_stop = b
        inverted = False
        invertible = low not in _NOT_INVERTED
        if invertible and cased and text[claimed_to:a].rstrip().endswith(",") and not _whole_speaker(text, claimed_to, a, cased):
            # "..., boasting rapid growth, said Cornelissen, whose company ...": a name right after
            # the verb, closed by punctuation, is the speaker (the words before are the statement)
            sp_after, stop_after = _speaker_after(text, b, u.end, cased)
            if sp_after is not None and sp_after.kind in ("person", "org") and _is_caps_word(text[b:u.end].lstrip()[:1] or "x") \
                    and re.match(r"\s*(?:[,.;]|$)", text[stop_after:stop_after + 2]):
                sp, after_stop, inverted, sp_start = sp_after, stop_after, True, a
        elif invertible and not cased and text[claimed_to:a].rstrip().endswith(",") and _LOW_HONORIFIC_AFTER.match(text, b, u.end):
            # "... fossil fuel infrastructure, said ms. fonda, who added ...": in lower case an
            # honorific or a title after the verb says the speaker follows
            sp_after, stop_after = _speaker_after(text, b, u.end, cased)
            if sp_after is not None and sp_after.kind == "person":
                sp, after_stop, inverted, sp_start = sp_after, stop_after, True, a
        if sp is None and out and out[-1].speaker is not None and re.search(
                r"\b(?:and|but)\s+(?:also\s+|then\s+|later\s+)?$", text[max(u.start, a - 16):a], re.I):
            # "hunter biden repeatedly admitted he made a mistake ... but denied doing anything improper":
            # the subject of the verb before
            sp, sp_start = out[-1].speaker, a
        if sp is None:
            sp, sp_start = _speaker_before(text, claimed_to, a, cased)
            if sp is not None and sp.kind != "pronoun" and speaker_key(sp.mention).split()[-1:] == ["who"]:
                sp = None  # "the officer who wrote the facebook post": a relative clause, not a speaker
        if sp is None and out and re.fullmatch(r"\s*,?\s*who\s+(?:also\s+|had\s+|has\s+)?", text[claimed_to:a]):
            sp, sp_start = out[-1].speaker, a  # '"...," added Mr. Horner, who said he had not ...'
        if sp is None:
            # "“...,” said Peskov" / "..., says Kremlin": the speaker after the verb
            prev = text[claimed_to:a].rstrip()
            if (prev.endswith((",", "”", '"', "’")) or not prev) and invertible:
                sp, after_stop = _speaker_after(text, b, u.end, cased)
                nxt = re.match(r"\s+([a-z][\w’'-]*)(?:\s+([a-z][\w’'-]*))?", text[after_stop:u.end]) if sp is not None and cased else None
                if nxt and nxt.group(1) not in _AFTER_INVERTED and any(
                        w and (_has_clause(w) or re.fullmatch(r"[a-z]{3,}ed", w)) for w in nxt.groups()):
                    sp = None  # "..., said Ukrainian drones triggered fires": the clause's subject and verb
                inverted = sp is not None
            if sp is None or sp.kind == "pronoun" and not inverted:
                continue
            sp_start = a
        if low in _DESCRIBE_VERBS and (sp.kind not in ("person", "pronoun", "role") or inverted):
            continue  # only someone describes: "the plan described as ..." is not a statement
        parts: list[_Raw] = []
        pre_s, pre_e = claimed_to, sp_start
        pre = text[pre_s:pre_e]
        quote_before = [q for q in u.quotes if q[1] <= sp_start and q[0] >= claimed_to and not text[q[1] + 1:sp_start].strip(" \n,.;:—–-\"”’")]
        # words before the quotation make it a reported clause with a quoted phrase, not a quote
        if quote_before and text[claimed_to:quote_before[0][0] if len(quote_before) == 1 else quote_before[-1][0]].strip(" ,.;:—–-\"“”’"):
            if text[claimed_to:quote_before[-1][0]].strip(" ,.;:—–-\"“”’"):
                quote_before = []
        if quote_before:
            q = quote_before[-1]
            spans = [_quote_inner(text, q)]
            # an earlier quotation in the same sentence, joined by nothing but punctuation, is the same quote
            parts.append(_Raw(n, spans, "direct", verb.lower(), sp, (u.start, u.end)))
        elif pre.strip(" ,.;:") and not _JOINED_CLAUSE.match(text, sp_start, sp_start + 5) and (
                pre.rstrip().endswith((",", "”", '"', "’", "—", "–")) or (
            # quotation marks and commas stripped ("... student debt  mr. trump said."): the verb ends the sentence
            not cased and not text[b:u.end].strip(" .;!?") and len(pre.split()) >= 4
        )) and not inverted or (inverted and pre.strip(" ,.;:")):
            fm = _FRONTED_SPEECH.match(pre)
            first = pre.strip()
            intro = re.match(r"^\W*(?:speaking|asked|on|in|at|during|after|before|while|when|responding|"
                             r"commenting|referring|addressing|writing|meeting|earlier|later|separately|"
                             r"however|but|and|also|meanwhile|separately)\b", first, re.I)
            # "Asked about ..., Sanders acknowledged ...", "With ..., Marshall said "...": the words
            # before the speaker set the scene when they are a question put to the speaker or when
            # the speaker's own words follow the verb in quotation marks
            framing = _FRAMING.match(first) or _sets_the_scene(first) and _post_clause(text, b, u.end, verb) is not None or _DATELINE.fullmatch(first) or (not inverted and not first.endswith(("”", '"'))
                                                 and re.match(r"\s*[,:]?\s*(?:[“\"]|that\b)", text[b:u.end])) or (
                # "one year after her husband's death, cindy mccain said the nation is not well": a
                # few words without a verb, then the speaker's clause after the verb
                # (words like "concerns" may look like verbs; the clause after the verb decides)
                not inverted and len(first.split()) <= 12 and not _has_clause(first)
                and re.match(r"\W*(?:in|on|at|after|before|during|since|with|for|last|this|earlier|later|one|two|three|"
                             r"amid|amidst|despite|following|ahead|given|over|against|"
                             r"a\s+(?:day|week|month|year)|\d+)\b", first, re.I)
                and not any(c in first for c in _OPEN_QUOTES + _CLOSE_QUOTES + '"')
                and (_post_clause(text, b, u.end, verb) or u.end) < u.end - 12) or (
                # "There was one exception – Farage said he would reverse ...": a clause after the verb
                # is what was said; the words before, not in quotation marks, set the scene
                not inverted and cased and not first.endswith(("”", '"', "’")) and _clause_follows(text, b, u.end, verb))
            if framing and not fm:
                pass
            elif fm:
                s, e = _trim(text, pre_s + fm.end(), pre_e)
                if e > s:
                    parts.append(_Raw(n, [(s, e)], "indirect", verb.lower(), sp, (u.start, u.end)))
            elif not intro or len(first.split()) > 12 and _has_clause(first):
                s, e = _trim(text, pre_s, pre_e)
                colon = text.rfind(": ", s, e)
                if not cased and colon > s and len(text[colon:e].split()) >= 4:
                    s = colon + 2  # quotation marks stripped: "...was blocked: we don't know ..., he said"
                lead = re.match(r"(?:(?:but|and|so|however|still|yet)\b,?\s*)", text[s:e], re.I)
                if lead:
                    s += lead.end()
                if e > s and len(text[s:e].split()) >= 3:
                    parts.append(_Raw(n, [(s, e)], "indirect", verb.lower(), sp, (u.start, u.end)))
        # after the verb (and an inverted speaker): a split quote, a clause, or a participle
        pos = after_stop if inverted else b
        tail_start = _post_clause(text, pos, u.end, verb) if not inverted else None
        if parts and parts[-1].kind == "direct":
            # '"Q1," he said, "Q2."' or '"Q1," he said. "Q2."' within the unit: one quote in two parts
            later = [q for q in u.quotes if q[0] >= pos]
            if later and not text[pos:later[0][0]].strip(" ,.;:—–-") or (
                later and re.fullmatch(r"\s*(?:,|\.)?\s*(?:during|in|at|on)?[^\"“”]{0,0}", text[pos:later[0][0]])
            ):
                parts[-1].spans.append(_quote_inner(text, later[0]))
                pos = later[0][1] + 1
                tail_start = None
            else:
                pm = _PARTICIPLE_BREAK.match(text, _skip_mods(text, pos, u.end))
                tail_start = pm.end() if pm else None
        elif inverted:
            pm = _PARTICIPLE_BREAK.match(text, _skip_mods(text, pos, u.end))
            tail_start = pm.end() if pm else None
        elif parts and parts[-1].kind == "indirect" and _SPLIT_CLAUSE.match(text, pos, u.end) and \
                not _ANCHOR.search(text, pos, u.end):
            # 'That "corrupt cabal" ..., Collins said, stemmed from ...': the clause split by its attribution
            cs, ce = _trim(text, _SPLIT_CLAUSE.match(text, pos, u.end).start(1), u.end)
            if ce > cs:
                parts[-1].spans.append((cs, ce))
                pos, claimed_to = ce, u.end
            tail_start = None
        elif parts and tail_start is not None and not cased and n == 0 and not inverted and \
                parts[-1].spans[0][0] <= u.start + 2 and len(text[tail_start:u.end].split()) >= 4 and \
                not _ANCHOR.search(text, tail_start, u.end):  # (not "..., d.n.c. says washington — the committee said")
            # "arsenal boss wenger defends team  arsene wenger insists his side can still win": a
            # headline run into the first sentence of a lower-cased article is no statement
            parts = []
        elif parts and tail_start is not None:
            # "..., Peskov said, noting that ...": only a participle continues after a statement before
            pm = _PARTICIPLE_BREAK.match(text, _skip_mods(text, pos, u.end))
            tail_start = pm.end() if pm else tail_start if text[pos:pos + 6].strip().startswith(("that", ":")) else None
        elif tail_start is None:
            pm = _PARTICIPLE_BREAK.match(text, _skip_mods(text, pos, u.end))
            tail_start = pm.end() if pm else None
        if tail_start is not None and tail_start < u.end:
            # the clause runs to the end of the sentence, cut where a new attribution starts
            nxt = _ANCHOR.search(text, tail_start, u.end)
            stop = u.end
            while nxt is not None:
                if not _in_quote(nxt.start(), u.quotes) and not _in_any_quote(text, tail_start, nxt.start()):
                    cut = _next_anchor_cut(text, tail_start, nxt.start(), cased)
                    before_verb = text[tail_start:nxt.start()]
                    if cut is None and _QUOTE_THEN_VERB.search(before_verb) and \
                            _speaker_after(text, nxt.end(), u.end, cased)[0] is not None:
                        cut = nxt.start()  # '... D.C. “It’s so brazen,” said Sen. Richard Blumenthal'
                    if cut is not None:
                        # the quotation right before that attribution is its statement, not this one's
                        close = _QUOTE_THEN_VERB.search(text[tail_start:cut])
                        if close and not re.match(r"(?:and|but|or)\b", text[cut:cut + 4], re.I):
                            cpos = tail_start + close.start()
                            q = next((q for q in u.quotes if q[1] == cpos and q[0] > tail_start), None)
                            cut = q[0] if q else cut
                        stop = cut
                        break
                nxt = _ANCHOR.search(text, nxt.end(), u.end)
            pieces = _split_tail(text, tail_start, stop)
            for ps, pe, _ in pieces:
                s, e = _trim(text, ps, pe)
                if e > s and len(text[s:e].split()) >= 2:
                    kind = "direct" if _is_whole_quote(text, s, e) else "indirect"
                    if kind == "direct":
                        s, e = _quote_inner(text, (s, e - 1 if text[e - 1] in _CLOSE_QUOTES + '"' else e))
                    parts.append(_Raw(n, [(s, e)], kind, verb.lower(), sp, (u.start, u.end)))
            claimed_to = stop
        else:
            claimed_to = max(claimed_to, after_stop if inverted else b)
        if low in _DESCRIBE_VERBS:  # what is described follows the verb, not what comes before the describer
            parts = [p for p in parts if p.spans[0][0] >= b]
        out.extend(parts)
    if not out:
        out = _saying_after_action(text, n, u, cased)
    return out


# "Congress leader Rahul Gandhi on Monday slammed the government, saying it had failed the poor":
# a sentence whose verb reports no speech, then a participle that does.
_SAYING = re.compile(r",\s*(?:saying|adding|noting|arguing|insisting|claiming|warning|asserting|stating|declaring|"
                     r"telling\s+(?:reporters|journalists|the press|supporters|the crowd|an audience|the audience|"
                     r"(?:the\s+)?[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3}))\b"
                     r"(?:\s+that\b)?\s*[:,]?\s*", re.I)  # "..., telling reporters she didn't think ..."


# What may follow a sentence's subject: an auxiliary or adverb, a time or place, or a past tense.
_SUBJECT_THEN = frozenset("has have had was were is are will would also again on in at during after before last this "
                          "then later earlier yesterday today repeatedly publicly sharply".split())
_PAST_FORMS = frozenset("brought took made gave went came spoke wrote sent met led left threw struck hit held ran "
                        "fought sought drew shot set put cut lost won began stood took broke".split())


# The dash after a lower-cased dateline: "washington -- vermont sen. bernie sanders", "washington – democrats".
_DATELINE_DASH = re.compile(r"\s(?:--|[—–])\s")
# Where and when a story was filed, before its first sentence: "PARIS, June 29 - ", "NEW DELHI: ",
# "New Delhi, March 3: ", "Patna, March 3 (PTI) ".
# A place in title case is one word or starts with a word that begins place names ("New Delhi",
# "San Diego"): "Donald Trump: Democrats attacked ..." is a headline's speaker, not a dateline.
_DATELINE_LEAD = re.compile(
    r"(?:[A-Z][A-Z .'/\-]{2,40}|(?:(?:New|San|Santa|Los|Las|Hong|Abu|Tel|Kuala|Rio|Sao|São|St\.?|Port|Cape|Navi|Greater|"
    r"Old|North|South|East|West)\s+)?[A-Z][a-z]+)(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"(?:\s*[-–—:]\s+|\s*\((?:[A-Z]{2,5}|Reuters)\)\s*[-–—:]?\s+)")


_COMPARING_OPENERS = frozenset("like unlike besides".split())


def _sentence_subject(text: str, start: int, end: int, cased: bool, relative_ok: bool = False) -> _Speaker | None:
    """The named subject a sentence opens with (after a dateline and its opening words), when the
    words after it read as its verb; `relative_ok`: or as a relative clause ("Canadian Airlines,
    which has 81 aircraft, ordered ...")."""
    dl = _DATELINE_LEAD.match(text[start:end])
    if dl:  # a newswire dateline ("PARIS, June 29 - ", "New Delhi: ", "Patna, March 3 (PTI) ")
        start += dl.end()
    toks = _tokens(text, start, end)
    comma = next((i for i, t in enumerate(toks[:7]) if t[0] == ","), None)
    if toks and comma and toks[0][0].lower() in _COMPARING_OPENERS:
        toks = toks[comma + 1:]  # "Like Kejriwal, Deputy Chief Minister Manish Sisodia took to Twitter and urged ..."
    while toks and toks[0][0] in _OPENERS | {",", "—", "–", "-"}:
        toks = toks[1:]
    words: list[str] = []
    k = 0
    for k, (tok, _, _) in enumerate(toks[:8]):
        low = tok.lower().rstrip(".")
        if not words and low in _PRONOUNS and low != "it":
            words = [tok]
            break
        if cased and (_is_caps_word(tok) and tok.lower() not in _CALENDAR_WORDS or low in _ROLE_NOUNS or low in _PARTICLES
                      or (words and tok in ("’s", "'s")) or _modifies_role(toks, k)):
            words.append(tok)
            continue
        if not cased and sum(w.lower().rstrip(".") not in _TITLE_WORDS for w in words) < 3 and len(words) < 6 and (
                _low_name_word(low) and low not in _CALENDAR_WORDS and not (
                len(low) > 4 and low.endswith(("ed", "ing"))) or low in _TITLE_WORDS):
            words.append(tok)  # "mulvaney tried to head off criticism ..., saying ..."
            continue
        break
    else:
        k = len(toks[:8])
    if not words or len(words) > 6 or words[-1].endswith(("’s", "'s")) or words[-1] in ("’s", "'s"):
        return None  # "President Jose Sarney's government ...": the subject is what the name owns
    j = k + (1 if words[0].lower() in _PRONOUNS and len(words) == 1 else 0)
    if j + 2 < len(toks) and toks[j][0] == "," and toks[j + 1][0].lower() in _ASIDES and toks[j + 2][0] == ",":
        j += 3  # "NCP chief Sharad Pawar, however, struck a cautious note and said ..."
    elif j + 2 < len(toks) and toks[j][0] == "," and toks[j + 1][0].lower() in ("a", "an", "the"):
        # "Sanjay Raut, a senior Shiv Sena leader, defended ...": the subject's job between commas
        close = next((i for i in range(j + 2, min(len(toks), j + 10)) if toks[i][0] in ",;:()“”\""), None)
        if close is not None and toks[close][0] == "," and any(t[0].lower() in _ROLE_NOUNS for t in toks[j + 2:close]):
            j = close + 1
    if j + 1 < len(toks) and toks[j][0].lower() in _WEEKDAYS:
        j += 1  # "Manish Sisodia Monday took to Twitter"
    nxt = toks[j][0].lower() if j < len(toks) else ""
    relative = relative_ok and nxt == "," and j + 1 < len(toks) and toks[j + 1][0].lower() in ("which", "who")
    if not (nxt in _SUBJECT_THEN or nxt.endswith("ed") or nxt in _PAST_FORMS or relative):
        return None  # "Potash producers from New Mexico, claiming ...": the name is not the subject
    sp = _classify(words, cased)
    if sp is None or sp.kind not in ("person", "pronoun", "org", "role", "group"):
        return None
    return sp


def _modifies_role(toks: list[tuple[str, int, int]], k: int) -> bool:
    """toks[k] is a lower-case word before a job within two more words: "A senior government officer"."""
    for tok, _, _ in toks[k:k + 3]:
        low = tok.lower()
        if low in _ROLE_NOUNS:
            return True
        if not tok.isalpha() or not tok.islower() or low in STOPWORDS:
            return False
    return False


def _saying_after_action(text: str, n: int, u: _Unit, cased: bool) -> list[_Raw]:
    """The statement after ', saying' in a sentence with no attribution verb, by its subject."""
    m = next((m for m in _SAYING.finditer(text, u.start, u.end) if not _in_quote(m.start(), u.quotes)
              and not _in_any_quote(text, u.start, m.start())), None)
    if m is None or m.end() >= u.end:
        return []
    sp = _sentence_subject(text, u.start, m.start(), cased)
    if sp is None and not cased and n == 0:
        # "blair defends iraq record, prime minister tony blair has defended ..., saying": a lower-cased
        # headline run into the first sentence; its subject comes after the headline
        head = text[u.start:min(m.start(), u.start + 200)]
        dash = max((d.end() for d in _DATELINE_DASH.finditer(head)), default=0)
        comma = head.find(",")
        after = dash or (comma + 1 if 0 < comma < 100 else 0)  # after a dateline, else after the headline
        sp = _sentence_subject(text, u.start + after, m.start(), cased) if after else None
    if sp is None:
        return []
    s, e = _trim(text, m.end(), u.end)
    if e <= s or len(text[s:e].split()) < 3:
        return []
    kind = "direct" if _is_whole_quote(text, s, e) else "indirect"
    if kind == "direct":
        s, e = _quote_inner(text, (s, e - 1 if text[e - 1] in _CLOSE_QUOTES + '"' else e))
    return [_Raw(n, [(s, e)], kind, m.group(0).strip(" ,:").split()[0].lower(), sp, (u.start, u.end))]


# "BERLIN, New Hampshire —", "WASHINGTON -": where the story was filed, not a statement
_DATELINE = re.compile(r"[A-Z][A-Z .'\-]{2,30},?(?:\s+[A-Z][\w.]*){0,3}\s*[—–-]+")
_FRAMING = re.compile(r"^\W*(?:asked|pressed|questioned|quizzed|citing|echoing|reacting|appearing|testifying|"
                     r"speaking|responding|referring|commenting|addressing)\b", re.I)
# Any fronted participle sets the scene too ("Replying to the debate, Mr Chouhan said ...", "Talking
# to ANI, ..."), unless it is a noun ("Nothing has changed, he said") or starts a clause of its own.
_SCENE_PARTICIPLE = re.compile(r"^\W*([A-Za-z][a-z]{2,}ing)\b")
_ING_NOUNS = frozenset("""nothing something anything everything morning evening king thing things during spring string
    bring sing ring wing sterling ceiling building""".split())


def _opens_with_participle(text: str) -> bool:
    """'Replying to the debate', 'Describing the strategy': a participle first, not a noun ('Nothing')."""
    m = _SCENE_PARTICIPLE.match(text)
    return bool(m) and m.group(1).lower() not in _ING_NOUNS


def _sets_the_scene(first: str) -> bool:
    """`first`, the words before the speaker, may set the scene for a clause after the verb (the
    caller checks that there is one: "Rising prices hurt the poor most, the economist said" has a
    gerund for its subject and nothing after the verb)."""
    return _opens_with_participle(first) and len(first.split()) <= 14 and not _has_clause(first) \
        and not any(c in first for c in _OPEN_QUOTES + _CLOSE_QUOTES + '"')


# After a statement and its verb, the rest of the statement's own clause: ", stemmed from ..." (a
# verb in lower case, not a conjunction, a relative or a modifier).
_SPLIT_CLAUSE = re.compile(
    r"\s*,\s+(?=[a-z])(?!(?:and|but|or|so|yet|who|which|whose|that|adding|noting|saying|according|in|at|on|during|after|"
    r"before|while|when|as|because|since|although|though|referring|speaking|citing|with|without|from|to|for|by|"
    r"if|unless|than|then|the|a|an|his|her|its|their|this|these|those|it|he|she|they|we|i)\b)([a-z]+(?:ed|s|es)\b)")
# Words before a base form ("say", "tell") that make it no attribution.
_NOT_A_SUBJECT = frozenset("and or to would will can could should might must may did does do didn don doesn won t "
                           "not never let lets please".split())
_LOW_HONORIFIC_AFTER = re.compile(r"\s+(?:mr|mrs|ms|dr|sen|rep|gov|gen|prof)\.?\s+[a-z]|\s+(?:senator|president|governor|"
                                  r"representative|mayor|chief|judge|professor|secretary|minister)\s+[a-z]+\s*[,.;]")
# A word that may be a clause's verb when no auxiliary is there: "growth slowed", "prices rise".
_VERB_LIKE = re.compile(r"\b(?:[a-z]{3,}(?:ed|es|s)|rise|fall|grow|remain|stay|need|want|go|come|know|think|see|hold)\b")
_QUOTE_THEN_VERB = re.compile(r"[”\"]\s*,?\s*$")


def _skip_mods(text: str, pos: int, end: int) -> int:
    """Past the modifiers after a verb: ', in response to a question on the possibility of talks'."""
    m = re.match(r"(?:\s*,?\s*(?:during|at|in|on|to|after|before|while|from|with)\b[^,.;:\"“”]{0,80})*", text[pos:end])
    return pos + (m.end() if m else 0)


def _next_anchor_cut(text: str, s: int, anchor: int, cased: bool) -> int | None:
    """A second attribution inside a clause ('... Moscow will continue, he added') ends it there."""
    sp, sp_start = _speaker_before(text, s, anchor, cased)
    if sp is None:
        return None
    before = text[s:sp_start].rstrip()
    if before.endswith((",", ".", ";", "”", '"')) or sp.kind != "pronoun" and before.endswith(" and"):
        return sp_start
    return None


def _name_before_job(text: str, start: int, job_start: int, words: list[str], cased: bool) -> tuple[_Speaker, int] | None:
    """"James Farquharson, a former Conservative councillor, who has two daughters at the school,
    complained", "Anjee, an office employee from Bareilly, said", "Acharya Satyendra Das, the chief
    priest of Ram Janmabhoomi Temple said": the name that opens the clause, before the job `words`."""
    if not (cased and words and words[0].lower() in ("a", "an", "the") and any(w.lower() in _ROLE_NOUNS for w in words[1:5])):
        return None
    lo = max(start, job_start - 60)
    nm = re.search(r"((?:[A-Z][\w’'\-]*\.?\s+){0,3}[A-Z][\w’'\-]*),\s*$", text[lo:job_start])
    if nm is None or text[start:lo + nm.start(1)].strip() or (
            " " not in nm.group(1) and (nm.group(1) in _OPENERS or nm.group(1).endswith(("ly", "s")))):
        return None
    named = _classify(nm.group(1).split(), cased)
    if named is None or named.kind != "person":
        return None
    return _Speaker(f"{nm.group(1)}, {' '.join(words)}", named.name, " ".join(words[1:]), "person", True), lo + nm.start(1)


_CHAIN_NAME = r"(?:(?:Dr|Mr|Mrs|Ms|Prof|Shri|Smt)\.?\s+)?(?:[A-Z][\w’'\-]*\.?\s+){0,3}[A-Z][\w’'\-]+"
_JOB_CHAIN = re.compile(r"(?:^|,\s+)(" + _CHAIN_NAME + r"),\s+((?:[^,;:\"“”]{2,90},\s+){0,2}[^,;:\"“”]{2,90}?),?\s*$")


def _job_chain(text: str, start: int, end: int) -> tuple[_Speaker, int] | None:
    """'D S Chawla, president of United Cycles Parts and Manufacturers Association, said', 'Ram
    Prasad Yadav, former chairman, Parwasi Board, said', 'Dr Sulfi Nuhu, secretary of IMA, Kerala,
    said': a name, then a job and where it is held, set off by commas."""
    m = _JOB_CHAIN.search(text[start:end])
    if m is None:
        return None
    parts = [p.strip() for p in m.group(2).split(",")]
    first = parts[0].split()
    if not any(w.lower().strip(".") in _ROLE_NOUNS for w in first[:4]) or any(
            not all(_is_caps_word(w.strip("()")) or w.lower() in ("of", "and", "the", "&") for w in p.split()) for p in parts[1:]):
        return None  # the job first, then only names of places and bodies
    if m.start() > 0 and text[start:start + m.start()].strip() and not _opens_with_participle(text[start:start + m.start()]):
        return None  # the name opens its clause, or follows a scene ("Speaking to The Print, ...")
    words = m.group(1).split()
    if len(words) < 2 or m.group(1).isupper() or words[0] in _OPENERS:
        return None  # a name of two words or more: not "Furthermore,", "Athens,", a dateline "WASHINGTON,"
    named = _classify(words, True)
    if named is None or named.kind != "person":
        return None
    role = re.sub(r"^(?:an?|the)\s+", "", ", ".join(" ".join(p.split()) for p in parts), flags=re.I)
    return _Speaker(m.group(0).strip(" ,"), named.name, role, "person", True), start + m.start(1)


def _whole_speaker(text: str, start: int, end: int, cased: bool) -> bool:
    """The words before the verb are all the speaker's ("The prime minister, Yulia Svyrydenko,"):
    no statement before it, so the name after the verb is what was said about, not who said it."""
    sp, at = _speaker_before(text, start, end, cased)
    return sp is not None and sp.kind in ("person", "role") and not text[start:at].strip(" ,")


def _clause_follows(text: str, pos: int, end: int, verb: str) -> bool:
    """A reported clause of its own follows the verb ("said he would reverse the changes"), not
    modifiers, a participle ("adding that ...") or a name."""
    pc = _post_clause(text, pos, end, verb)
    if pc is None or _PARTICIPLE_BREAK.match(text, pc - 2 if pc >= 2 else pc, end):
        return False
    words = text[pc:end].split()[:12]
    return len(words) >= 4 and words[0][:1].islower() and words[0].lower() not in _CLAUSE_NOT_FIRST and \
        not (words[0].endswith("ing") and not _has_clause(" ".join(words))) and (  # "calling the attack ...", a participle
        _has_clause(" ".join(words)) or any(_VERB_LIKE.fullmatch(w.strip(",.;:")) for w in words[1:]))


# Words a reported clause does not open with: a participle or a preposition continues the attribution.
# Lower-case words that may follow an inverted speaker ("said Peskov on Monday", "said Smith, who").
_AFTER_INVERTED = frozenset("on in at during after before yesterday today tonight last this earlier later who which whose "
                            "of from and adding noting citing told according when while as to with for".split())
_CLAUSE_NOT_FIRST = frozenset("adding saying noting citing according in on at during after before while when as from "
                              "with to by for of who which whose and but".split())


def _has_clause(s: str) -> bool:
    return bool(re.search(r"\b(?:is|are|was|were|will|would|has|have|had|can|could|should|must|may|might|does|do|did)\b", s, re.I))


def _is_whole_quote(text: str, s: int, e: int) -> bool:
    if s >= e or text[s] not in _OPEN_QUOTES + '"':
        return False
    inner = text[s + 1:e - 1]
    return not any(c in inner for c in _OPEN_QUOTES + _CLOSE_QUOTES + '"')


def _colon_statements(text: str, units: list[_Unit], segments: list[tuple[int, int]], raws: list[_Raw], cased: bool) -> list[_Raw]:
    """'Peskov said:' (or 'He said:', 'Bogomaz posting on his Telegram channel:') ending a
    segment: the next segment is the statement, quoted or not."""
    out = list(raws)
    have = {r.unit for r in raws}
    for n, u in enumerate(units):
        seg_end = segments[u.seg][1]
        line = text[u.start:u.end].rstrip()
        if u.end < seg_end - 1 or not line.endswith(":") or u.seg + 1 >= len(segments):
            continue
        m = None
        for m in re.finditer(r"(?<![\w’'])(?:" + _VERB_RE + r"|posting|writing|tweeting|posted)(?![\w’'])", text[u.start:u.end], re.I):
            pass
        if m is None or text[u.start + m.end():u.end].strip(" :") and not re.fullmatch(r"\s*(?:on|in|to)\b[^:]*:\s*", text[u.start + m.end():u.end]):
            continue
        sp, _ = _speaker_before(text, u.start, u.start + m.start(), cased)
        if sp is None:
            continue
        nxt = [k for k, v in enumerate(units) if v.seg == u.seg + 1]
        if not nxt or any(k in have for k in nxt):
            continue
        s, e = units[nxt[0]].start, units[nxt[-1]].end
        s, e = strip_span(text, s, e)
        kind = "direct" if _is_whole_quote(text, s, e) else "indirect"
        if kind == "direct":
            s, e = _quote_inner(text, (s, e - 1))
        else:
            kind = "direct"  # set off after a colon, as a block quote: the speaker's words
        out = [r for r in out if r.unit != n or r.spans[0][0] < u.start]
        out.append(_Raw(nxt[0], [(s, e)], kind, m.group(0).lower(), sp, (u.start, units[nxt[-1]].end)))
    return out


# ---------------------------------------------------------------------------------------------
# Names and jobs shared with the resolution (rag/speech_resolve.py) and the speaker directory


def _low_name_word(w: str) -> bool:
    w = w.rstrip(".")
    return len(w) > 1 and w not in STOPWORDS and w not in _TITLE_WORDS and w not in _DETERMINERS and w not in _VERBS \
        and w not in _PARTICIPLES.split("|") and not w.isdigit() and w not in _LOW_OPENERS


_TITLE_ABBREVIATIONS = {"sen": "senator", "rep": "representative", "gov": "governor", "gen": "general", "adm": "admiral",
                        "capt": "captain", "lt": "lieutenant", "col": "colonel", "sgt": "sergeant", "prof": "professor",
                        "atty": "attorney", "amb": "ambassador", "supt": "superintendent", "insp": "inspector",
                        "cm": "chief minister", "pm": "prime minister", "cmdr": "commander"}


_TITLE_ABBREVIATION = re.compile(r"\b(" + "|".join(_TITLE_ABBREVIATIONS) + r")\b\.?")


def spell_titles(text: str) -> str:
    """Title abbreviations of lower-case text spelt out: "sen. sanders" -> "senator sanders", "pm" -> "prime minister"."""
    return _TITLE_ABBREVIATION.sub(lambda m: _TITLE_ABBREVIATIONS[m.group(1)], text)


# Words for one job: "the Chelsea boss" after "Chelsea manager Jose Mourinho".
_SAME_JOB = {"boss": "manager", "coach": "manager", "chairwoman": "chairman", "chairperson": "chairman", "chair": "chairman", "head": "chief"}


_OTHER_JOB = frozenset("vice deputy shadow assistant".split())


def _role_match(want: str, have: str) -> bool:
    def nouns(r: str) -> set[str]:
        # "vice president", "deputy minister", "shadow chancellor": another job than the president's,
        # the minister's or the chancellor's ("the official" may be "a former official")
        r = re.sub(r"\b(" + "|".join(_OTHER_JOB) + r")[\s\-]+", r"\1-", r.lower())
        # "Sen. Bernie Sanders", later "the senator"
        r = spell_titles(r)
        return {_SAME_JOB.get(w, "spokes" if w.startswith("spokes") else w) for w in re.findall(r"[a-z\-]+", r)
                if w in _ROLE_NOUNS or w.startswith("spokes") or w.split("-")[0] in _OTHER_JOB}

    a, b = nouns(want), nouns(have)
    return bool(a) and a <= b


# ---------------------------------------------------------------------------------------------
# Storage: one table in the index's SQLite file


def doc_field(doc, name: str):
    """A field of an indexed document, whether the index hands out dicts or dataclasses."""
    return doc.get(name) if isinstance(doc, dict) else getattr(doc, name, None)


SCHEMA = """
CREATE TABLE statements (file TEXT NOT NULL, ordinal INTEGER NOT NULL, speaker TEXT NOT NULL,
    speaker_key TEXT NOT NULL, role TEXT, kind TEXT NOT NULL, text TEXT NOT NULL,
    char_start INTEGER NOT NULL, char_end INTEGER NOT NULL, line_start INTEGER NOT NULL,
    line_end INTEGER NOT NULL, spans TEXT NOT NULL, context_start INTEGER NOT NULL,
    context_end INTEGER NOT NULL, cue TEXT, mention TEXT, date TEXT, publisher TEXT,
    speaker_kind TEXT NOT NULL DEFAULT 'person', terms TEXT, PRIMARY KEY (file, ordinal));
CREATE INDEX statements_speaker ON statements(speaker_key);
"""
_COLUMNS = ("file, ordinal, speaker, speaker_key, role, kind, text, char_start, char_end, line_start, line_end,"
            " spans, context_start, context_end, cue, mention, date, publisher, speaker_kind, terms")


def context_terms(s: Statement, text: str) -> str:
    """The terms a topic is matched against: the statement's context (the sentences around it) and
    its own words, each once, space-separated."""
    context = text[s.context_start:s.context_end] if text else s.text
    return " ".join(sorted(set(text_terms(context + " " + s.text))))


def _row(s: Statement, text: str) -> tuple:
    return (s.file, s.ordinal, s.speaker, s.speaker_key, s.role, s.kind, s.text, s.char_start, s.char_end,
            s.line_start, s.line_end, json.dumps([list(p) for p in s.spans]), s.context_start, s.context_end,
            s.cue, s.mention, s.date, s.publisher, s.speaker_kind, s.terms or context_terms(s, text))


def create_table(con: sqlite3.Connection) -> None:
    con.executescript(SCHEMA)


def insert(con: sqlite3.Connection, docs: Iterable[Document]) -> int:
    """Extract and store the statements of these documents; returns how many."""
    n = 0
    for doc in docs:
        try:
            found = extract_statements(doc)
        except Exception as exc:  # a rule's bug costs this article its statements, not the whole build
            log.warning("Reported speech not extracted from %s (%s: %s); its text is indexed.",
                        doc.file, type(exc).__name__, exc)
            continue
        rows = [_row(s, doc.text) for s in found]
        con.executemany(f"INSERT INTO statements ({_COLUMNS}) VALUES ({','.join('?' * 20)})", rows)
        n += len(rows)
    return n


def copy_unchanged(con: sqlite3.Connection, old: str, keep_table: str, same_version: bool) -> None:
    """The statements of unchanged files, from the attached previous generation `old`.

    When the previous generation was built by other rules (or before statements existed), they
    are extracted again from its stored document text: no file is read or embedded again."""
    has = con.execute(f"SELECT 1 FROM {old}.sqlite_master WHERE type='table' AND name='statements'").fetchone()
    # a table from before kinds or stored terms is extracted again too
    if same_version and has and _has_column(con, f"{old}.statements", "terms"):
        cols = ", ".join("s." + c.strip() for c in _COLUMNS.split(","))
        con.execute(f"INSERT INTO statements ({_COLUMNS}) SELECT {cols} FROM {old}.statements s"
                    f" JOIN {keep_table} k ON k.file = s.file")
        return
    from .documents import clean

    rows = con.execute(f"SELECT d.file, d.text, d.hash FROM {old}.documents d JOIN {keep_table} k ON k.file = d.file")
    insert(con, (clean(file, text, digest) for file, text, digest in rows.fetchall()))


def read(path, documents: dict[str, dict]) -> list[Statement]:
    """The statements of an index file, checked against its documents (IndexDamagedError if not)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            # an index built before speakers had kinds reads them as "person" until `rag index` re-extracts;
            # one built before stored terms gets them here
            cols = _COLUMNS if _has_column(con, "statements", "speaker_kind") else _COLUMNS.replace(", speaker_kind", ", 'person'")
            if not _has_column(con, "statements", "terms"):
                cols = cols.replace(", terms", ", NULL")
            rows = con.execute(f"SELECT {cols} FROM statements ORDER BY file, ordinal").fetchall()
        except sqlite3.OperationalError as exc:
            raise IndexDamagedError(f"The index has no statements table ({exc}).",
                                    "Run `rag index --rebuild` to build it again.") from None
    finally:
        con.close()
    out = []
    for r in rows:
        doc = documents.get(r[0])
        if doc is None or not (0 <= r[7] < r[8] <= len(doc_field(doc, "text") or "")):
            raise IndexDamagedError(f"The index is damaged: a statement of {r[0]} points outside its article.",
                                    "Run `rag index --rebuild` to build it again.")
        out.append(Statement(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
                             tuple(tuple(p) for p in json.loads(r[11])), r[12], r[13], r[14] or "", r[15] or "",
                             r[16], r[17], r[18], r[19] or ""))
        if not r[19]:
            out[-1] = replace(out[-1], terms=context_terms(out[-1], doc_field(doc, "text") or ""))
    return out


def _has_column(con: sqlite3.Connection, table: str, column: str) -> bool:
    schema, _, name = table.rpartition(".")
    rows = con.execute(f"PRAGMA {schema + '.' if schema else ''}table_info({name})").fetchall()
    return any(r[1] == column for r in rows)
