"""One reader per input kind: files -> raw articles with their metadata.

    text.py     .txt, .md      one file, one article (rag.documents' cleaning, as before)
    html.py     .html, .htm    a saved web page: its main text (trafilatura) and its metadata
    tabular.py  .csv .tsv .jsonl  an export: one article per row
    pdf.py      .pdf           one document per page (citations give the page and its lines)

A reader yields Documents and Skipped. A file that holds several articles (an export, a PDF)
gives each its own document key, `<file>#<row id>` or `<file>#p<page>`, with its own content hash,
so the index re-embeds one changed row alone. This module is imported by rag.types: it stays free
of heavy imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

READERS = {
    ".txt": "text", ".md": "text",
    ".html": "html", ".htm": "html",
    ".csv": "tabular", ".tsv": "tabular", ".jsonl": "tabular",
    ".pdf": "pdf",
}
SUFFIXES = tuple(READERS)
# Files read into several documents (one per row or page), keyed "<file>#<id>".
MULTI_SUFFIXES = (".csv", ".tsv", ".jsonl", ".pdf")
PAGE_SUFFIXES = (".pdf",)


def reader_kind(name: str) -> str | None:
    """'text', 'html', 'tabular', 'pdf', or None for a file no reader takes."""
    low = name.lower()
    for suffix, kind in READERS.items():
        if low.endswith(suffix):
            return kind
    return None


def is_multi(name: str) -> bool:
    return name.lower().endswith(MULTI_SUFFIXES)


def row_key(file: str, row_id: str) -> str:
    return f"{file}#{row_id}"


def page_key(file: str, page: int) -> str:
    return f"{file}#p{page}"


def split_key(key: str) -> tuple[str, str | None, int | None]:
    """(source file, row id, page number) of a document key; plain files give (key, None, None).

    Only a key whose part before the last '#' names an export or a PDF is split: a text file may
    itself be called "notes#1.txt"."""
    file, sep, rest = key.rpartition("#")
    if not sep or not file.lower().endswith(MULTI_SUFFIXES):
        return key, None, None
    if file.lower().endswith(PAGE_SUFFIXES) and rest[:1] == "p" and rest[1:].isdigit():
        return file, None, int(rest[1:])
    return file, rest, None


def source_file(key: str) -> str:
    """The corpus file a document key comes from."""
    return split_key(key)[0]


def location(key: str, line_start: int, line_end: int) -> str:
    """'a.txt:3-4'; 'export.csv#row 812, lines 3-4'; 'clip.pdf#page 2, line 5'."""
    file, row, page = split_key(key)
    if row is None and page is None:
        return f"{key}:{line_start}" if line_start == line_end else f"{key}:{line_start}-{line_end}"
    lines = f"line {line_start}" if line_start == line_end else f"lines {line_start}-{line_end}"
    where = f"row {row}" if row is not None else f"page {page}"
    return f"{file}#{where}, {lines}"


def read(path: Path, rel: str, max_bytes: int, known: dict[str, str] | None = None,
         progress=None) -> Iterator:
    """Documents and Skipped of one corpus file (rag.documents.Skipped for what is left out).

    `known` maps document keys to the content hash they were indexed with: a reader that can tell
    a row is unchanged before cleaning it yields an Unchanged(key) instead of its Document."""
    kind = reader_kind(rel)
    if kind == "text":
        from . import text as mod
    elif kind == "html":
        from . import html as mod  # type: ignore[no-redef]
    elif kind == "tabular":
        from . import tabular as mod  # type: ignore[no-redef]
    elif kind == "pdf":
        from . import pdf as mod  # type: ignore[no-redef]
    else:
        from ..documents import Skipped

        yield Skipped(rel, "not a kind of file corpus-rag reads")
        return
    yield from mod.read(path, rel, max_bytes=max_bytes, known=known or {}, progress=progress)


@dataclass(frozen=True)
class Unchanged:
    """A document of a multi-article file whose content hash is the one it was indexed with."""

    key: str
