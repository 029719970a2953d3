"""Read, decode and clean articles: boilerplate out, repeated paragraphs out, title/date/publisher.

Nothing is rewritten: a Document keeps the decoded file text as it is and lists the blocks of
lines that survive cleaning, so every chunk and citation points at the real file lines.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .types import Block, Document

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md")
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
_TRANSLATION = re.compile(
    r"(translat\w*\b.{0,80}\b(automatic\w*|programmatic|machine|software)|"
    r"(automatic\w*|programmatic|machine)\b.{0,80}\btranslat\w*)",
    re.I,
)
_LABEL_LINE = re.compile(r"^\s*(legal\s+)?(disclaimer|note|editor'?s note|source|tags?|categories|category)\s*:?\s*$", re.I)
_PUBLISHER_PREFIX = re.compile(r"^\s*\(([A-Z][A-Za-z&.\- ]{1,30})\)\s")
_TERMINAL = re.compile(r"[.!?…:;\"”’')\]]\s*$")
_WORD = re.compile(r"\w+", re.UNICODE)


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
    if n <= 30 and _STRONG.search(s):
        return True
    if n <= 6 and _CTA.search(s) and not re.search(r"[.?\"”]\s*$", s):
        return True
    if n <= 3 and re.fullmatch(r"[\W\w]*[!]{2,}", s):
        return True  # "Sorry!!"
    if _LABEL_LINE.match(s):
        return True
    if len(_DISCLAIMER_PHRASES.findall(s)) >= 2:
        return True
    if _TRANSLATION.search(s) and re.search(r"\b(site|editor|news|content|article|page)\b", s, re.I):
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


def clean(file: str, text: str, content_digest: str = "") -> Document:
    """Decide which lines of `text` are article content and extract its metadata."""
    lines = text.split("\n")
    n = len(lines)
    keep = [False] * n
    removed: list[int] = []
    date: str | None = None
    publisher: str | None = None
    seen: set[str] = set()
    date_line_idx: int | None = None

    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if is_boilerplate(line):
            removed.append(i)
            continue
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
        keep[i] = True
        m = _PUBLISHER_PREFIX.match(line)
        if m and publisher is None:
            publisher = m.group(1).strip()

    kept_idx = [i for i in range(n) if keep[i]]

    # A short unpunctuated line beside the date line is the byline / publisher ("Anadolu Agency WORLD").
    if date_line_idx is not None:
        for j in (date_line_idx - 1, date_line_idx - 2, date_line_idx + 1):
            if 0 <= j < n and keep[j] and 1 <= len(_words(lines[j])) <= 5 and _is_heading(lines[j]):
                if j == (kept_idx[0] if kept_idx else -1):
                    continue  # that is the title, not a byline
                words = lines[j].strip().split()
                # drop a trailing all-caps section name ("WORLD") after a mixed-case name
                if len(words) > 1 and words[-1].isupper() and not all(w.isupper() for w in words):
                    words = words[:-1]
                publisher = publisher or " ".join(words)
                keep[j] = False
                removed.append(j)
                break

    # Trailing furniture: very short unpunctuated lines after the last real sentence ("Russia news").
    kept_idx = [i for i in range(n) if keep[i]]
    for i in reversed(kept_idx):
        s = lines[i].strip()
        if len(_words(s)) <= 4 and not _TERMINAL.search(s) and i != kept_idx[0]:
            keep[i] = False
            removed.append(i)
        else:
            break

    kept_idx = [i for i in range(n) if keep[i]]
    title = ""
    if kept_idx:
        first = lines[kept_idx[0]].strip()
        if _is_heading(first):
            title = first
        else:
            title = _first_sentence(first)

    blocks = _blocks(lines, keep)
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


def _first_sentence(line: str, limit: int = 90) -> str:
    m = re.search(r"[.!?](\s|$)", line)
    s = line[: m.start() + 1] if m else line
    if len(s) > limit:
        s = s[:limit].rsplit(" ", 1)[0] + "…"
    return s


def _blocks(lines: list[str], keep: list[bool]) -> list[Block]:
    """Maximal runs of kept lines; blank lines do not break a run, removed lines do."""
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    blocks: list[Block] = []
    start = end = None
    for i, line in enumerate(lines):
        if keep[i]:
            if start is None:
                start = i
            end = i
        elif line.strip():  # a removed line closes the block
            if start is not None:
                blocks.append(_block(lines, offsets, start, end))
            start = end = None
    if start is not None:
        blocks.append(_block(lines, offsets, start, end))
    return blocks


def _block(lines: list[str], offsets: list[int], start: int, end: int) -> Block:
    first, last = lines[start], lines[end]
    lead = len(first) - len(first.lstrip())
    trail = len(last.rstrip())
    return Block(
        char_start=offsets[start] + lead,
        char_end=offsets[end] + trail,
        line_start=start + 1,
        line_end=end + 1,
    )


def load_document(path: Path, rel: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document | Skipped:
    """Read one file; a Skipped says why it was not indexed."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Skipped(rel, f"larger than the {max_bytes // (1024 * 1024)} MB limit ({size / 1e6:.1f} MB); "
                                "raise RAG_MAX_FILE_MB to index it")
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
    if not doc.blocks:
        return Skipped(rel, "no article text left after removing boilerplate")
    return doc


def iter_corpus(corpus_dir: Path) -> Iterator[tuple[str, Path]]:
    """(relative name, path) of every .txt/.md file under corpus_dir, never leaving it.

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
