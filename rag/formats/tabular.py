"""Exports with one article per row: CSV, TSV and JSONL (a scraper's, a feed reader's, a dataset's).

Columns are recognised by their usual names (COLUMNS); a `.rag-columns.json` in the file's folder
overrides them, for every export there or per file name:

    {"text": "story", "date": "when"}                       every export in the folder
    {"export.csv": {"text": "story"}, "other.jsonl": {...}}  one file at a time

Each row becomes a document keyed `<file>#<id>`: the row's id column when it has one, else its
number (data rows counted from 1 for CSV and TSV, the line number for JSONL), so a citation reads
`export.csv#row 812, lines 3-4`. Each row has its own content hash: re-indexing an export whose
one row changed re-embeds that row alone. The file is read row by row (memory stays bounded
whatever its size); the size limit applies to each row, not to the export.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import logging
import re
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)

MAPPING_FILE = ".rag-columns.json"
FIELDS = ("text", "title", "date", "source", "url", "id", "author")
# Normalised header names (lower case, runs of non-letters as "_") for each field, best first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "article_text", "article_body", "full_text", "fulltext",
             "maintext", "story", "body_text", "content_text"),
    "title": ("title", "headline", "head", "heading", "article_title"),
    "date": ("date", "published", "published_at", "publishedat", "pubdate", "pub_date", "publish_date",
             "publication_date", "date_published", "datepublished", "datetime", "created_at", "timestamp", "time"),
    "source": ("source", "publisher", "site", "site_name", "sitename", "source_name", "outlet", "publication",
               "domain", "newspaper"),
    "url": ("url", "link", "article_url", "source_url", "permalink", "canonical_url", "href", "uri"),
    "id": ("id", "article_id", "doc_id", "docid", "guid", "uuid", "row_id", "_id", "key"),
    "author": ("author", "authors", "byline", "creator", "writer"),
}
PROGRESS_EVERY = 1000  # rows between progress reports
_ID_SAFE = re.compile(r"[^\w.\-]+")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def load_mapping(path: Path) -> dict[str, str]:
    """The column overrides for this export from `.rag-columns.json` beside it ({} without one)."""
    from ..errors import CorpusError

    mfile = path.parent / MAPPING_FILE
    if not mfile.is_file():
        return {}
    try:
        raw = json.loads(mfile.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorpusError(f"{mfile} is not valid JSON ({exc}).", 'Write it as {"text": "body_column", "date": "when"}.')
    if not isinstance(raw, dict):
        raise CorpusError(f"{mfile} must hold a JSON object.", 'Write it as {"text": "body_column", "date": "when"}.')
    mapping = raw.get(path.name, raw)
    if not isinstance(mapping, dict):
        raise CorpusError(f"{mfile}: the entry for {path.name} must be an object.", 'e.g. {"text": "body_column"}.')
    out = {}
    for field, column in mapping.items():
        if field in FIELDS and isinstance(column, str):
            out[field] = column
    unknown = [k for k, v in mapping.items() if k not in FIELDS and not isinstance(v, dict)]
    if unknown:
        raise CorpusError(f"{mfile} names fields corpus-rag does not know: {', '.join(unknown)}.",
                          f"Use some of: {', '.join(FIELDS)}.")
    return out


def choose_columns(header: list[str], mapping: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """field -> column of the header (mapping first, then the usual names); and the mapping's
    columns that the header lacks."""
    by_norm: dict[str, str] = {}
    for h in header:
        by_norm.setdefault(_norm(h), h)
    chosen: dict[str, str] = {}
    missing = []
    for field, column in mapping.items():
        if column in header:
            chosen[field] = column
        elif _norm(column) in by_norm:
            chosen[field] = by_norm[_norm(column)]
        else:
            missing.append(column)
    for field in FIELDS:
        if field in chosen:
            continue
        for name in COLUMNS[field]:
            if name in by_norm and by_norm[name] not in chosen.values():
                chosen[field] = by_norm[name]
                break
    return chosen, missing


def _text_of(value) -> str | None:
    """A cell as text: JSON's nested {"name": ...} (NewsAPI's source) and lists of authors too."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("name") or value.get("title") or value.get("id")
        return _text_of(value)
    if isinstance(value, list):
        parts = [_text_of(v) for v in value]
        return ", ".join(p for p in parts if p) or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    s = str(value)
    return s if s.strip() else None


def _encoding(path: Path) -> str:
    """UTF-8 unless the file is not valid UTF-8 (checked block by block, in bounded memory); then cp1252."""
    dec = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                dec.decode(block)
            dec.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1252"


class _Counted(io.RawIOBase):
    """A binary file that counts the bytes read from it (for a progress estimate in rows)."""

    def __init__(self, raw):
        self.raw = raw
        self.pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self.raw.readinto(b)
        self.pos += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def _delimiter(first_line: str) -> str:
    """The header's most frequent of , ; tab | (csv.Sniffer misreads samples cut inside a long article)."""
    counts = {d: first_line.count(d) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _rows(path: Path, rel: str, enc: str, counter: list) -> Iterator[tuple[int, dict | None, str | None, list[str] | None]]:
    """(row number, {column: value} or None, why the row is unreadable, header) in file order.
    counter[0] is set to the byte counter of the open file."""
    low = rel.lower()
    raw = _Counted(open(path, "rb"))
    counter[:] = [raw]
    with io.TextIOWrapper(io.BufferedReader(raw), encoding=enc, errors="replace", newline="") as fh:
        if low.endswith(".jsonl"):
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as exc:
                    yield n, None, f"line {n} is not JSON ({exc.msg} at column {exc.colno})", None
                    continue
                if not isinstance(obj, dict):
                    yield n, None, f"line {n} is a JSON {type(obj).__name__}, not an object", None
                    continue
                yield n, obj, None, list(obj)
            return
        if low.endswith(".tsv"):
            delimiter = "\t"
        else:
            with open(path, encoding=enc, errors="replace", newline="") as head:
                delimiter = _delimiter(head.readline(1 << 16))
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield 0, None, f"the header cannot be read ({exc})", None
            return
        n = 0
        while True:
            n += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield n, None, f"row {n} (line {reader.line_num}) is malformed ({exc})", header
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield n, None, (f"row {n} (line {reader.line_num}) has {len(cells)} fields, the header has "
                                f"{len(header)} (a quote left open or a delimiter in an unquoted field?)"), header
                continue
            yield n, dict(zip(header, cells)), None, header


def read(path: Path, rel: str, max_bytes: int, known: dict[str, str] | None = None, progress=None) -> Iterator:
    """A Document (or Unchanged, or Skipped) for every non-empty row of the export."""
    from ..documents import Skipped, article_document
    from . import Unchanged, row_key

    known = known or {}
    try:
        mapping = load_mapping(path)
        size = path.stat().st_size
        enc = _encoding(path)
    except OSError as exc:
        yield Skipped(rel, f"cannot be read ({exc.strerror or exc})")
        return
    # one field may hold a whole article: let it be as large as a file may be
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes))
    columns_by_header: dict[tuple[str, ...], dict[str, str]] = {}
    jsonl = rel.lower().endswith(".jsonl")
    seen_ids: dict[str, int] = {}
    signature = json.dumps(mapping, sort_keys=True)
    rows = 0
    counter: list = []
    try:
        for n, row, bad, header in _rows(path, rel, enc, counter):
            rows += 1
            if progress and rows % PROGRESS_EVERY == 0:
                done = counter[0].pos if counter else 0
                # rows so far, and the rows the file holds at the same bytes per row
                progress("rows", rows, max(rows, round(rows * size / done)) if done else rows)
            if bad is not None:
                yield Skipped(rel if n == 0 else row_key(rel, str(n)), bad)
                continue
            assert row is not None and header is not None
            # a CSV has one header; JSONL objects may each have their own keys (cached by key set)
            hkey = tuple(header)
            cols = columns_by_header.get(hkey)
            if cols is None:
                cols, missing = choose_columns(header, mapping)
                if missing and not columns_by_header:
                    yield Skipped(rel, f"{MAPPING_FILE} names columns the file lacks: {', '.join(missing)}")
                    return
                if "text" not in cols and not jsonl:
                    yield Skipped(rel, "no text column (looked for " + ", ".join(COLUMNS["text"][:4])
                                  + f"); name it in {MAPPING_FILE}, e.g. {{\"text\": \"story\"}}")
                    return
                columns_by_header[hkey] = cols
            values = {f: _text_of(row.get(c)) for f, c in cols.items()}
            rid = _ID_SAFE.sub("_", values["id"].strip())[:80].strip("_") if values.get("id") else ""
            rid = rid or str(n)
            notes: tuple[str, ...] = ()
            if rid in seen_ids:
                seen_ids[rid] += 1
                notes = (f"the id {rid!r} repeats an earlier row; this one is {rid}~{seen_ids[rid]}",)
                rid = f"{rid}~{seen_ids[rid]}"
            else:
                seen_ids[rid] = 1
            key = row_key(rel, rid)
            text = values.get("text") or ""
            if not text.strip():
                what = f"column {cols['text']!r}" if "text" in cols else "a text field (" + ", ".join(COLUMNS["text"][:4]) + ")"
                yield Skipped(key, f"row {n} has no article text in {what}")
                continue
            if len(text.encode("utf-8", "replace")) > max_bytes:
                yield Skipped(key, f"row {n} is larger than the {max_bytes // (1024 * 1024)} MB limit")
                continue
            digest = hashlib.sha256(json.dumps([signature, values], sort_keys=True, ensure_ascii=False)
                                    .encode("utf-8", "replace")).hexdigest()
            if known.get(key) == digest:
                yield Unchanged(key)
                continue
            yield article_document(key, text, title=values.get("title"), date=values.get("date"),
                                   publisher=values.get("source"), author=values.get("author"),
                                   url=values.get("url"), content_digest=digest, warnings=notes)
    except OSError as exc:
        yield Skipped(rel, f"cannot be read to the end ({exc.strerror or exc}); rows before it were kept")
    if progress:
        progress("rows", rows, rows)
    if size and rows == 0:
        yield Skipped(rel, "no rows")
