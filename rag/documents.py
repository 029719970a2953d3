"""Read, decode and clean articles: boilerplate out, repeated paragraphs out, title/date/publisher.

Nothing is rewritten: a Document keeps the decoded file text as it is and lists the blocks of
lines that survive cleaning, so every chunk and citation points at the real file lines.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .text import split_sentences, strip_span
from .types import Block, Document

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
# Every kind a reader in rag/formats takes: web pages, exports (one article a row), PDFs.
SUFFIXES = TEXT_SUFFIXES + (".html", ".htm", ".csv", ".tsv", ".jsonl", ".pdf")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Legacy encoding tried only when UTF-8 fails; cp1252 is a superset of Latin-1's printable range.
# latin-1 decodes any byte string, so it is the last resort and the loop always stops.
FALLBACK_ENCODINGS = ("cp1252", "latin-1")

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
_MONTH_RE = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DATE_PATTERNS = [
    # December 03,2024 / Dec. 3, 2024
    re.compile(_MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(\d{4})", re.I),
    # 3 December 2024
    re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_RE + r",?\s+(\d{4})", re.I),
    # 2024-12-03
    re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
]
_DATE_LINE_PREFIX = re.compile(r"^\s*(published|updated|posted|last updated|date)\b[\s:]*", re.I)

# Calls to action, navigation and comment counters: short, unpunctuated lines made of these words.
_CTA = re.compile(
    r"\b(comments?|subscribe|subscription|sign ?up|sign in|log ?in|newsletter|contact us|about us|"
    r"back to top|top button|share (this|on)|follow us|read more|related (articles?|news|posts?|stories)|"
    r"advertisement|sponsored|click here|cookies?|all rights reserved|copyright|privacy policy|"
    r"terms of (use|service)|skip to (main )?content|print this|email this|you may also like|"
    r"recommended for you|most read|trending now|load more|show more|leave a reply)\b",
    re.I,
)
# Error pages and footers, whatever their length.
_STRONG = re.compile(
    r"(page you (were|are) looking for|page (cannot|can'?t|could not) be found|\b40[34] not found\b|"
    r"be (the )?first to comment|back to top button|subscribe to our newsletter|"
    r"javascript (is )?(disabled|required)|enable javascript)",
    re.I,
)
_DISCLAIMER_PHRASES = re.compile(
    r"(without warranty|responsibility or liability|liability for|copyright issues|"
    r"does not necessarily reflect|do not necessarily reflect|not responsible for|"
    r"views expressed|\"as is\"|“as is”|point of view of the site|for informational purposes only|"
    r"kindly contact the provider|all rights reserved)",
    re.I,
)
# Words without which _STRONG and _DISCLAIMER_PHRASES cannot match (looked for in the casefolded
# line first: the patterns cost ~30 us per 300 characters, a substring test well under one).
_STRONG_KEYS = ("looking for", "found", "comment", "back to top", "newsletter", "javascript")
_DISCLAIMER_KEYS = ("warranty", "liability", "copyright issues", "reflect", "not responsible for", "views expressed",
                    "as is", "point of view of the site", "informational purposes only", "kindly contact the provider",
                    "all rights reserved")


def _any_in(low: str, keys: tuple[str, ...]) -> bool:
    return any(k in low for k in keys)


_SITE_WORDS = re.compile(r"\b(site|website|article|content|information|provider|publisher|author|we|our|us)\b", re.I)
_TRANSLATION = re.compile(
    r"(translat\w*\b.{0,80}\b(automatic\w*|programmatic|machine|software)|"
    r"(automatic\w*|programmatic|machine)\b.{0,80}\btranslat\w*)",
    re.I,
)
_LABEL_LINE = re.compile(r"^\s*(legal\s+)?(disclaimer|note|editor'?s note|source|tags?|categories|category)\s*:?\s*$", re.I)
_PUBLISHER_PREFIX = re.compile(r"^\s*\(([A-Z][A-Za-z&.\- ]{1,30})\)\s")
_TERMINAL = re.compile(r"[.!?…:;\"”’')\]]\s*$")
_WORD = re.compile(r"\w+", re.UNICODE)

# Site furniture inside a long line (single-line scrapes and CSV exports hold a whole page on one
# line). Each marker opens a piece of furniture that runs to the end of its sentence, or to where
# prose resumes inside it (a quotation after a "READ MORE:" headline).
_MARKER = re.compile(
    r"(?:related(?:\s*:|\s+(?:articles?|stories|news|coverage|content|posts?|links?)\b)|(?-i:RELATED\b)|"
    r"read (?:more|also)\s*:|read more stories|(?-i:READ MORE\b)|also read\s*:|see also\s*:|"
    r"trending(?:\s+(?:now|in\s+\w+|stories|news))?\b|popular on\b|most (?:read|popular|viewed)\b|"
    r"recommended(?: for you)?\b|you may also like\b|more (?:from|on) [A-Z]\w+|top stories\b|latest news\b|"
    r"sign up (?:for|to|here)\b|subscribe to\b|get the latest\b|click here\b|"
    r"follow (?:us|him|her|them) on\b|share (?:this|on)\b|share tweet\b|"
    r"copyright\s*(?:©|\(c\)|\d{4})|©|all rights reserved\b|privacy policy\b|terms of (?:use|service)\b|"
    r"this material may not be\b|all market data delayed\b|close video\b)",
    re.I,
)
# Lists of headline links: article text may resume right after the last headline.
_LINK_MARKER = re.compile(
    r"(?:related(?:\s*:|\s+(?:articles?|stories|news|coverage|content|posts?|links?)\b)|(?-i:RELATED\b)|"
    r"read (?:more|also)\s*:|read more stories|(?-i:READ MORE\b)|also read\s*:|see also\s*:|"
    r"trending\b|popular on\b|most (?:read|popular|viewed)\b|recommended\b|you may also like\b|"
    r"more (?:from|on|in) [A-Z]\w+|top stories\b|latest news\b)",
    re.I,
)
_NAV_LINE = re.compile(r"^[\w.&'’ -]{2,30}(?:\s+[|>»]\s+[\w.&'’ -]{2,30})+$")
# A byline on its own line: "By Jane Doe", "Edited By: Priya Sharma", "Written by Ann Lee | Reuters".
_BYLINE = re.compile(r"^(?:(?:edited|written|reported|published|posted|compiled|updated)\s+)?by\s*:?\s+"
                     r"(?-i:[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|al|bin)){0,3})"  # the name
                     r"(?:\s*(?:[|,–—-]|\band\b)\s*[\w.'’& ]{2,40})*\s*$", re.I)  # "| Fox News", ", Reuters", "and Ann Lee"


def _byline_outlet(line: str) -> str | None:
    """The outlet a byline names after its writer ("By Justin Haskins | Fox News"), else None."""
    m = re.search(r"[|,–—]\s*([A-Z][\w.'’& ]{1,40}?)\s*$", line.strip())
    return m.group(1) if m else None


# Navigation before the headline: everything up to these words goes when it is short and unpunctuated.
_NAV_END = re.compile(r"\b(?:skip to (?:main )?content|menu search sign in)\b", re.I)
_NAV_PREFIX_WORDS = 25
# Share buttons: a run of three or more of these words ("Facebook Twitter Flipboard Comments Print Email").
_SHARE_WORDS = frozenset(
    "share on this this: facebook twitter flipboard comments comment print email e-mail copy link sms "
    "whatsapp linkedin reddit pinterest tweet messenger telegram".split()
)
# In-body links in capitals ("ELIZABETH WARREN DESCRIBED AS 'DIEHARD CONSERVATIVE' IN SC DEBATE").
_CAPS_RUN = re.compile(r"(?:\b[A-Z0-9][A-Z0-9'’‘\-,:&$%.]*(?:\s+|$)){5,}")
# A line with more words than this is cleaned sentence by sentence, never dropped whole.
LONG_LINE_WORDS = 40
# A file whose every line looks like furniture but has this many words is indexed whole, with a
# warning, rather than lost.
KEEP_WHOLE_WORDS = 80


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes: UTF-8 (a BOM is dropped) first, a legacy encoding only if that fails."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in FALLBACK_ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def looks_binary(data: bytes) -> bool:
    """NUL bytes or a high share of control characters mean this is not text."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(head) > 0.05


def _words(line: str) -> list[str]:
    return _WORD.findall(line)


def _norm_para(line: str) -> str:
    s = unicodedata.normalize("NFKC", line).lower()
    s = s.translate(_QUOTES)
    return re.sub(r"\W+", " ", s).strip()


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "′": "'"})


def parse_date(line: str) -> str | None:
    """An ISO date from a line that states one with a year, else None."""
    for i, pat in enumerate(_DATE_PATTERNS):
        m = pat.search(line)
        if not m:
            continue
        try:
            if i == 0:
                month = _month_number(m.group(1))
                day, year = int(m.group(2)), int(m.group(3))
            elif i == 1:
                day, month, year = int(m.group(1)), _month_number(m.group(2)), int(m.group(3))
            else:
                year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        except (TypeError, ValueError):
            continue
        if month and 1 <= day <= 31 and 1 <= month <= 12 and 1900 <= year <= 2100:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def normalize_date(value: object) -> str | None:
    """An ISO yyyy-mm-dd from a metadata value: ISO 8601 with or without a time, RFC 2822
    ("Tue, 03 Dec 2024 10:00:00 GMT", RSS pubDate), "December 3, 2024", "3 Dec 2024",
    "26-FEB-1987" (Reuters), a Unix timestamp; None when it is none of these."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        import datetime as _dt

        if 0 < value < 1e11:  # seconds since 1970, up to the year 5138
            return _dt.datetime.fromtimestamp(value, _dt.timezone.utc).date().isoformat()
        return None
    s = str(value).strip()
    if not s:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])", s)
    if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
        return m.group(0)[:10]
    m = re.match(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})\b", s)  # 26-FEB-1987
    if m and _month_number(m.group(2)):
        return f"{int(m.group(3)):04d}-{_month_number(m.group(2)):02d}-{int(m.group(1)):02d}"
    if re.match(r"^\d{9,10}$", s):
        return normalize_date(int(s))
    if re.match(r"^[A-Za-z]{3},\s", s):
        from email.utils import parsedate_to_datetime

        try:
            return parsedate_to_datetime(s).date().isoformat()
        except (TypeError, ValueError):
            pass
    return parse_date(s)


def _month_number(token: str) -> int | None:
    token = token.lower().rstrip(".")
    for name, number in _MONTHS.items():
        if name.startswith(token[:3]):
            return number
    return None


def is_boilerplate(line: str) -> bool:
    """General rules for site furniture: error pages, calls to action, disclaimers, notices."""
    s = line.strip()
    if not s:
        return False
    words = _words(s)
    n = len(words)
    if n == 0:
        return True  # only punctuation or symbols
    if n <= 2 and all(w.isdigit() for w in words) and len(s) <= 6:
        return True  # a bare HTTP status or counter ("403", "12")
    low = s.casefold()  # the slow patterns below run only when a word of theirs is in the line
    if n <= 30 and _any_in(low, _STRONG_KEYS) and _STRONG.search(s):
        return True
    if n <= 6 and _CTA.search(s) and not re.search(r"[.?\"”]\s*$", s):
        return True
    if n <= 3 and re.fullmatch(r"[\W\w]*[!]{2,}", s):
        return True  # "Sorry!!"
    if _LABEL_LINE.match(s):
        return True
    if _any_in(low, _DISCLAIMER_KEYS) and len(_DISCLAIMER_PHRASES.findall(s)) >= 2 and _SITE_WORDS.search(s):
        return True  # a notice about the site itself, not an article sentence that uses the words
    if "translat" in low and _TRANSLATION.search(s) and re.search(r"\b(site|editor|news|content|article|page)\b", s, re.I):
        return True
    return False


def _is_date_line(line: str) -> str | None:
    s = line.strip()
    if not s or len(_words(s)) > 9:
        return None
    date = parse_date(s)
    if date and (_DATE_LINE_PREFIX.match(s) or len(_words(s)) <= 5):
        return date
    return None


def _is_heading(line: str) -> bool:
    s = line.strip()
    return 0 < len(_words(s)) <= 30 and not re.search(r"[.!?…]\s*$", s)


# Markers that open furniture even when what follows reads like a sentence ("Sign up for our
# newsletter: the top stories, delivered to your inbox."); the others ("Trending", "Most read")
# only when no sentence follows.
_STRONG_MARKER = re.compile(
    r"(?:related\s*:|(?-i:RELATED\b)|read more|also read|see also|sign up|subscribe to|get the latest|"
    r"trending (?:now|in\b|stories|news)|popular on\b|most (?:read|popular|viewed)\b|top stories\b|"
    r"latest news\b|you may also like|more (?:from|on|in) [A-Z]\w+|"
    r"click here|follow (?:us|him|her|them) on|share (?:this|on)|share tweet|_COPY|"
    r"privacy policy|terms of (?:use|service)|this material may not|all market data)".replace(
        "_COPY", r"copyright\s*(?:©|\(c\)|\d{4})|©|all rights reserved"),
    re.I,
)
_COPYRIGHT = re.compile(r"(?:copyright\s*(?:©|\(c\)|\d{4})|©|all rights reserved)", re.I)


def _is_prose(s: str) -> bool:
    """A sentence as articles write them: a dozen words or so, mostly lower case, a full stop."""
    words = s.split()
    if len(words) < 8 or not re.search(r"[.!?…][\"'”’)\]]*$", s):
        return False
    lower = sum(1 for w in words if w.lstrip("\"'“‘(")[:1].islower())
    return lower * 2 >= len(words)


def _plain_prose(s: str) -> bool:
    """Prose with no trace of a notice in it: one such sentence saves its line from the line rules."""
    return _is_prose(s) and not is_boilerplate(s) and not _DISCLAIMER_PHRASES.search(s) and not _MARKER.match(s)


def _furniture_piece(s: str) -> bool:
    """A sentence (or a short line) that opens with a marker of site furniture."""
    m = _MARKER.match(s)
    if not m:
        return False
    return bool(_STRONG_MARKER.match(s)) or not _is_prose(s)


def _prose_resumes(text: str, start: int, end: int) -> int | None:
    """Where article text resumes inside a piece of furniture ("READ MORE: Headline “I think ...”"):
    an opening quotation, else a capitalised word, followed by prose to the end of the piece."""
    for pat, share in ((r"[“\"](?=[A-Z])", 0.5), (r"(?<=\s)[A-Z]", 0.7)):
        for m in re.finditer(pat, text[start:end]):
            p = start + m.start()
            rest = text[p:end]
            words = rest.split()
            if len(words) < 6 or _MARKER.match(rest) or not re.search(r"[.!?…][\"'”’)\]]*$", rest):
                continue
            lower = sum(1 for w in words if w.lstrip("\"'“‘(")[:1].islower())
            if lower >= share * len(words):
                return p
    return None


def _furniture_spans(text: str, ls: int, le: int) -> list[tuple[int, int]]:
    """Character spans of site furniture inside one long line: navigation before the headline,
    share buttons, in-body links in capitals, and every sentence from a marker ("Related:",
    "Sign up for", "©") to its end, or to where prose resumes after a list of headline links.
    The article text around them stays."""
    out: list[tuple[int, int]] = []
    m = _NAV_END.search(text, ls, min(le, ls + 400))
    if m and len(_words(text[ls : m.start()])) <= _NAV_PREFIX_WORDS and len(split_sentences(text, ls, m.start())) <= 1:
        out.append((ls, m.end()))
        ls = m.end()
    after_copyright = False
    for a, b in split_sentences(text, ls, le):
        pos = a
        while pos < b:
            share = _share_run(text, pos, b)
            if share:
                out.append((pos, share))
                pos = _skip_space(text, share, b)
                continue
            piece = text[pos:b]
            if not (_furniture_piece(piece) or is_boilerplate(piece) or (after_copyright and not _is_prose(piece))):
                break
            if _COPYRIGHT.match(piece):
                after_copyright = True  # what follows a copyright line is more footer unless it is prose
            link = _LINK_MARKER.match(piece)
            end = (_prose_resumes(text, pos + link.end(), b) if link else None) or b
            caps = _CAPS_RUN.match(text, pos, end)
            if caps and piece[:12].isupper():
                end = strip_span(text, pos, caps.end())[1]  # "CLICK HERE TO GET THE FOX NEWS APP" and no further
            out.append((pos, end))
            pos = end
        if pos >= b:
            continue
        c = _COPYRIGHT.search(text, pos, b)
        if c and not any(_plain_prose(text[x:y]) for x, y in split_sentences(text, c.end(), le)):
            # a footer after a run of headline links, with no full stop between: the headlines
            # (mostly capitalised words) go with it, and so does the rest of the line
            words = text[pos : c.start()].split()
            caps = sum(1 for w in words if w.lstrip("\"'“‘(")[:1].isupper())
            out.append((pos if words and caps * 2 >= len(words) else c.start(), le))
            break
        out.extend(_runs(text, pos, b))
    return _merge(out)


def _skip_space(text: str, i: int, end: int) -> int:
    while i < end and text[i].isspace():
        i += 1
    return i


_TOKEN = re.compile(r"\S+")


def _share_run(text: str, a: int, b: int) -> int | None:
    """End of a run of share buttons starting at a ("Facebook Twitter Flipboard Comments Print Email")."""
    end = None
    count = 0
    social = False
    for w in _TOKEN.finditer(text, a, b):  # in place: a slice per call made long lines quadratic
        word = w.group().lower().strip(",|")
        if word not in _SHARE_WORDS:
            break
        count += 1
        social = social or word in ("facebook", "twitter", "tweet", "email")
        end = w.end()
    return end if count >= 3 and social else None


def _runs(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Share-button runs and in-body capitalised links inside a sentence of prose."""
    out = []
    seg = text[a:b].lower()
    # a run has a social word in it: without one there is none to look for word by word
    words = _TOKEN.finditer(text, a, b) if any(k in seg for k in ("facebook", "twitter", "tweet", "email")) else ()
    for w in words:
        if w.group().lower().strip(",|") not in _SHARE_WORDS:
            continue  # no run starts at a word that is not a share button
        end = _share_run(text, w.start(), b)
        if end and not (out and out[-1][1] >= end):
            out.append((w.start(), end))
    for m in _CAPS_RUN.finditer(text, a, b):
        s, e = strip_span(text, m.start(), m.end())
        if e - s < 0.9 * (b - a) and sum(c.isalpha() for c in text[s:e]) >= 20:
            out.append((s, e))
    return out


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _link_list_line(line: str) -> bool:
    """A headline in a list of links: short, capitalised, unpunctuated at its end. (The lines of a
    hard-wrapped paragraph look alike, but some of them start in lower case.)"""
    s = line.strip()
    n = len(_words(s))
    return 2 <= n <= 25 and not re.search(r"[.!?…\"”,;]\s*$", s) and bool(re.match(r"[\"'“‘(]?[A-Z0-9]", s))


def clean(file: str, text: str, content_digest: str = "") -> Document:
    """Decide which parts of `text` are article content and extract its metadata.

    Whole lines of furniture go; a long line (a page saved on one line) loses only its furniture
    sentences and runs, so the article text in it always stays."""
    lines = text.split("\n")
    n = len(lines)
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    keep = [False] * n
    cuts: dict[int, list[tuple[int, int]]] = {}  # furniture inside kept lines, absolute offsets
    removed: list[int] = []
    date: str | None = None
    publisher: str | None = None
    seen: set[str] = set()
    date_line_idx: int | None = None
    byline_idx: int | None = None
    after_marker = False  # inside a "Related"/"Trending" list of headline links

    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            after_marker = False  # a list of links has no blank lines in it
            continue
        long = len(_words(line)) > LONG_LINE_WORDS
        if not long and _furniture_piece(line) and _words_left(text, offsets[i], len(raw)) < 3:
            removed.append(i)  # "Sign up for ...", "READ MORE: headline", "© 2019 ...", "Trending Now"
            after_marker = not _COPYRIGHT.match(line)
            if _NAV_END.search(line) and i < 8:
                _drop_navigation(lines, keep, removed, i)
            continue
        if is_boilerplate(line) and not any(_plain_prose(line[a:b]) for a, b in split_sentences(line)):
            removed.append(i)  # furniture through and through (a disclaimer paragraph, "Subscribe")
            if _NAV_END.search(line) and i < 8:
                _drop_navigation(lines, keep, removed, i)
            continue
        if i < 8 and _NAV_LINE.match(line) and not any(keep):
            removed.append(i)  # "Home > Politics", "Fox News | Politics" above the headline
            continue
        if i < 40 and not any(keep) and _BYLINE.match(line):
            # "Edited By: Priya Sharma" above the headline is no title (one after the headline stays
            # in the headline's block unless beside the date line: a title alone is no passage)
            removed.append(i)
            byline_idx = i if byline_idx is None else byline_idx
            publisher = publisher or _byline_outlet(line)
            continue
        if after_marker and _link_list_line(line):
            removed.append(i)  # a headline under "Trending in Politics"
            continue
        after_marker = False
        d = _is_date_line(line) if i < 40 else None
        if d:
            date = date or d
            date_line_idx = i if date_line_idx is None else date_line_idx
            removed.append(i)
            continue
        key = _norm_para(line)
        if len(key) >= 20 and key in seen:
            removed.append(i)  # a paragraph repeated from earlier in the article
            continue
        seen.add(key)
        spans = _furniture_spans(text, offsets[i], offsets[i] + len(raw))
        if spans:
            if _words_left(text, offsets[i], len(raw), spans) <= 0:
                removed.append(i)
                continue
            cuts[i] = spans
        keep[i] = True
        m = _PUBLISHER_PREFIX.match(line)
        if m and publisher is None:
            publisher = m.group(1).strip()

    kept_idx = [i for i in range(n) if keep[i]]

    # A list of three or more headline links on adjacent lines after the article began, with no
    # marker before it (a table of figures has blank lines between its rows).
    body = next((i for i in kept_idx if _is_prose(lines[i].strip()) or i in cuts), None)
    run: list[int] = []
    for i in [j for j in kept_idx if body is not None and j > body] + [None]:
        if i is not None and _link_list_line(lines[i]) and (not run or run[-1] == i - 1):
            run.append(i)
            continue
        if len(run) >= 3:
            for j in run:
                keep[j] = False
                removed.append(j)
        run = [i] if i is not None and _link_list_line(lines[i]) else []
    kept_idx = [i for i in range(n) if keep[i]]

    # A short unpunctuated line beside the date line is the byline / publisher ("Anadolu Agency WORLD").
    if date_line_idx is not None and (byline_idx is None or abs(byline_idx - date_line_idx) > 2):
        for j in (date_line_idx - 1, date_line_idx - 2, date_line_idx + 1):
            if 0 <= j < n and keep[j] and 1 <= len(_words(lines[j])) <= 5 and _is_heading(lines[j]):
                if j == (kept_idx[0] if kept_idx else -1):
                    continue  # that is the title, not a byline
                words = lines[j].strip().split()
                # drop a trailing all-caps section name ("WORLD") after a mixed-case name
                if len(words) > 1 and words[-1].isupper() and not all(w.isupper() for w in words):
                    words = words[:-1]
                # a byline names its writer, and the outlet only after a bar ("By Ann Lee | Fox News")
                publisher = publisher or (_byline_outlet(lines[j]) if _BYLINE.match(lines[j].strip()) else " ".join(words))
                keep[j] = False
                removed.append(j)
                break

    # Trailing furniture: very short unpunctuated lines after the last real sentence ("Russia news").
    kept_idx = [i for i in range(n) if keep[i]]
    for i in reversed(kept_idx):
        s = lines[i].strip()
        if len(_words(s)) <= 4 and not _TERMINAL.search(s) and i != kept_idx[0] and i not in cuts:
            keep[i] = False
            removed.append(i)
        else:
            break

    blocks = _blocks(text, lines, offsets, keep, cuts)
    title = ""
    if blocks:
        first = text[blocks[0].char_start : blocks[0].char_end].split("\n", 1)[0].strip()
        title = first if _is_heading(first) else _first_sentence(first)

    return Document(
        file=file,
        text=text,
        blocks=tuple(blocks),
        title=title,
        date=date,
        publisher=publisher,
        content_hash=content_digest,
        removed_lines=tuple(sorted(i + 1 for i in set(removed))),
    )


def _words_left(text: str, start: int, length: int, spans: list[tuple[int, int]] | None = None) -> int:
    """Words of the line at text[start:start+length] outside its furniture spans."""
    if spans is None:
        spans = _furniture_spans(text, start, start + length)
    return len(_words(text[start : start + length])) - sum(len(_words(text[s:e])) for s, e in spans)


def _drop_navigation(lines: list[str], keep: list[bool], removed: list[int], i: int) -> None:
    """The short unpunctuated lines above "Skip to main content" are the site's menu."""
    for j in range(i):
        if keep[j] and _is_heading(lines[j]) and len(_words(lines[j])) <= 12:
            keep[j] = False
            removed.append(j)


def _first_sentence(line: str, limit: int = 90) -> str:
    spans = split_sentences(line)
    s = line[spans[0][0] : spans[0][1]] if spans else line
    if len(s) > limit:
        s = s[:limit].rsplit(" ", 1)[0] + "…"
    return s


def _blocks(text: str, lines: list[str], offsets: list[int], keep: list[bool],
            cuts: dict[int, list[tuple[int, int]]]) -> list[Block]:
    """Maximal runs of kept text. Blank lines do not break a run; removed lines and furniture
    removed inside a line do, so a block may start or end inside a line."""
    pieces: list[tuple[int, int] | None] = []  # kept spans in order; None where something was removed
    for i, line in enumerate(lines):
        ls, le = offsets[i], offsets[i] + len(line)
        if not keep[i]:
            if line.strip():
                pieces.append(None)
            continue
        pos = ls
        for s, e in cuts.get(i, ()):
            if s > pos:
                pieces.append((pos, s))
            pieces.append(None)
            pos = max(pos, e)
        if pos < le:
            pieces.append((pos, le))
    blocks: list[Block] = []
    start = end = None
    for p in pieces + [None]:
        if p is not None:
            s, e = strip_span(text, *p)
            if e <= s:
                continue
            start = s if start is None else start
            end = e
            continue
        if start is not None:
            blocks.append(Block(start, end, text.count("\n", 0, start) + 1, text.count("\n", 0, end - 1) + 1))
        start = end = None
    return blocks


def too_large(rel: str, size: int, max_bytes: int) -> Skipped | None:
    """The one size rule of every reader, with its way out."""
    if size <= max_bytes:
        return None
    return Skipped(rel, f"larger than the {max_bytes // (1024 * 1024)} MB limit ({size / 1e6:.1f} MB); "
                        "raise RAG_MAX_FILE_MB to index it")


def load_document(path: Path, rel: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document | Skipped:
    """Read one file; a Skipped says why it was not indexed."""
    try:
        big = too_large(rel, path.stat().st_size, max_bytes)
        if big is not None:
            return big
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(rel, f"cannot be read ({exc.strerror or exc})")
    if not data.strip():
        return Skipped(rel, "empty")
    if looks_binary(data):
        return Skipped(rel, "binary, not text")
    text, _encoding = decode(data)
    # Normalise line endings so that line numbers match what editors show.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = clean(rel, text, content_hash(data))
    if doc.blocks:
        return doc
    if len(_words(text)) < KEEP_WHOLE_WORDS:
        return Skipped(rel, "no article text left after removing boilerplate")
    return _indexed_whole(doc, text)


def _indexed_whole(doc: Document, text: str) -> Document:
    """A long text the rules would empty is more likely a page they misread than pure furniture:
    every line of it indexed, and a warning that says so, rather than an article lost."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines[:-1]:
        offsets.append(offsets[-1] + len(line) + 1)
    return dataclasses.replace(
        doc,
        blocks=tuple(_blocks(text, lines, offsets, [bool(x.strip()) for x in lines], {})),
        removed_lines=(),
        warnings=("every line looked like site furniture (menus, footers, notices); indexed whole",),
    )


def article_document(key: str, body: str, *, title: str | None = None, date: object = None,
                     publisher: str | None = None, author: str | None = None, url: str | None = None,
                     content_digest: str = "", warnings: tuple[str, ...] = (),
                     prepend_title: bool = True) -> Document | Skipped:
    """A Document from text a reader extracted (a web page's main text, an export's row, a PDF
    page) and the metadata it found. The text is cleaned like a .txt file's; metadata given here
    wins over what the cleaning guesses from the text. The title, when the text does not start
    with it, becomes its first line (unless prepend_title is False: a PDF page keeps its own lines), so
    a citation's line numbers count it as the UI shows it."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    title = " ".join((title or "").split())
    if prepend_title and title and not text.lstrip().lower().startswith(title.lower()[:60]):
        text = f"{title}\n\n{text}" if text.strip() else title
    if not text.strip():
        return Skipped(key, "no article text")
    doc = clean(key, text, content_digest)
    if not doc.blocks:
        if len(_words(text)) < KEEP_WHOLE_WORDS:
            return Skipped(key, "no article text left after removing boilerplate")
        doc = _indexed_whole(doc, text)
    return dataclasses.replace(
        doc, title=title or doc.title, date=normalize_date(date) or doc.date,
        publisher=(" ".join(publisher.split()) if publisher and publisher.strip() else None) or doc.publisher,
        author=" ".join(author.split()) if author and author.strip() else None,
        url=url.strip() if url and url.strip() else None, warnings=doc.warnings + tuple(warnings),
    )


def iter_corpus(corpus_dir: Path) -> Iterator[tuple[str, Path]]:
    """(relative name, path) of every file a reader takes (rag.formats) under corpus_dir, never leaving it.

    Symbolic links that resolve outside the corpus are not followed.
    """
    root = corpus_dir.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            yield rel, path


def resolve_inside(root: Path, path: Path) -> bool:
    """True when `path` (after following links) stays inside `root`."""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False
