"""PDF clippings: the text layer of each page (pypdf), one document per page.

A page is keyed `<file>#p<page>` and keeps the lines pypdf reads from it, so a citation gives
the page and the lines within it (`clip.pdf#page 2, lines 3-4`). Title, author and date come from
the PDF's information dictionary when it has them. An encrypted PDF (one that does not open with
an empty password) and a page without a text layer (a scan) are skipped with a message naming
the file and page; the other pages are kept.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)

MIN_PAGE_CHARS = 20  # less than this on a page is a page number or a stray mark, not text


def pdf_date(value) -> str | None:
    """'D:20241203101500+01'00'' (the PDF date format) -> '2024-12-03'."""
    if not value:
        return None
    m = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?", str(value))
    if not m:
        return None
    y, mo, d = m.group(1), m.group(2) or "01", m.group(3) or "01"
    return f"{y}-{mo}-{d}" if 1 <= int(mo) <= 12 and 1 <= int(d) <= 31 else None


def read(path: Path, rel: str, max_bytes: int, known: dict[str, str] | None = None, progress=None) -> Iterator:
    """A Document (or Unchanged, or Skipped) for every page of the PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from ..documents import Skipped, article_document, too_large
    from . import Unchanged, page_key

    known = known or {}
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns about every odd object
    try:
        big = too_large(rel, path.stat().st_size, max_bytes)
        if big is not None:
            yield big
            return
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # many PDFs are encrypted with an empty user password
            except Exception:  # pypdf raises NotImplementedError/DependencyError for some ciphers
                opened = 0
            if not opened:
                yield Skipped(rel, "an encrypted PDF (it needs a password); save an unprotected copy to index it")
                return
        pages = list(reader.pages)
        info = reader.metadata or {}
    except (OSError, PdfReadError, ValueError) as exc:
        yield Skipped(rel, f"not a readable PDF ({type(exc).__name__}: {exc})")
        return
    title = _clean(info.get("/Title")) if info else None
    author = _clean(info.get("/Author")) if info else None
    date = pdf_date(info.get("/CreationDate")) if info else None
    publisher = _clean(info.get("/Publisher") or info.get("/Company")) if info else None
    if not pages:
        yield Skipped(rel, "a PDF with no pages")
        return
    for number, page in enumerate(pages, 1):
        key = page_key(rel, number)
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # a damaged content stream on one page must not lose the others
            yield Skipped(key, f"page {number} cannot be read ({type(exc).__name__}: {exc})")
            continue
        text = "\n".join(line.rstrip() for line in text.replace("\r", "\n").split("\n"))
        if len(text.strip()) < MIN_PAGE_CHARS:
            yield Skipped(key, f"page {number} has no text layer (an image or a scan?); run OCR on it to index it")
            continue
        digest = hashlib.sha256(repr((title, author, date, publisher, text)).encode("utf-8", "replace")).hexdigest()
        if known.get(key) == digest:
            yield Unchanged(key)
            continue
        page_title = title or text.strip().split("\n", 1)[0][:120]
        yield article_document(key, text, title=page_title, date=date, publisher=publisher, author=author,
                               content_digest=digest, prepend_title=False)


def _clean(value) -> str | None:
    if value is None:
        return None
    s = " ".join(str(value).split())
    return s or None
