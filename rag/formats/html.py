"""Saved web pages (.html, .htm): the article's main text and the page's metadata.

The main text comes from trafilatura (the usual tool for news pages: it scores the page's blocks
and drops menus, share bars, related links, comment boxes and footers), metadata from the page's
JSON-LD and meta tags (trafilatura reads both; canonical URL and site name included). Nothing is
fetched: extraction reads the saved bytes only. bench/formats_check.py compares it with the text
rules of rag/documents.py on the labelled pages in tests/data/formats (four saved from real news sites).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)

# A page whose main text has fewer words than this is a section front or an error page.
MIN_WORDS = 25


def extract(data: bytes | str, url: str | None = None) -> dict:
    """{'text', 'title', 'date', 'author', 'source', 'url'} of one page; text '' when it has none."""
    import trafilatura

    # trafilatura logs every page it finds no text in at WARNING: our own Skipped says it once
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    doc = trafilatura.bare_extraction(
        data, url=url, with_metadata=True, include_comments=False, include_tables=False,
        # deduplicate=False: trafilatura's de-duplication remembers text across calls (a process-wide
        # LRU cache), so a page read a second time, or a syndicated copy, would lose the paragraphs
        # seen before; documents.py drops an article's repeated paragraphs itself
        include_images=False, include_links=False, deduplicate=False, favor_precision=True,
        # htmldate's extensive search guesses from any date-like string in the page; the
        # metadata (JSON-LD, article:published_time, <time>) is what we trust
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None:
        return {"text": "", "title": None, "date": None, "author": None, "source": None, "url": None}
    get = (lambda k: getattr(doc, k, None)) if not isinstance(doc, dict) else doc.get
    return {
        "text": get("text") or "",
        "title": get("title"),
        "date": get("date"),
        "author": get("author"),
        "source": get("sitename") or get("hostname"),
        "url": get("url"),
    }


def read(path: Path, rel: str, max_bytes: int, known: dict[str, str] | None = None, progress=None) -> Iterator:
    """One Document for the page, or a Skipped naming why (too large, unreadable, no main text)."""
    from ..documents import Skipped, article_document, content_hash, too_large

    try:
        big = too_large(rel, path.stat().st_size, max_bytes)
        if big is not None:
            yield big
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Skipped(rel, f"cannot be read ({exc.strerror or exc})")
        return
    if not data.strip():
        yield Skipped(rel, "empty")
        return
    meta = extract(data)
    if len(meta["text"].split()) < MIN_WORDS:
        yield Skipped(rel, "a web page with no article text in it (a section front, an error page or a page of links)")
        return
    # one paragraph a line, a blank line between (as a .txt article is written): the cleaning rules
    # read a run of adjacent short lines after a "Read more:" link as more links, and trafilatura's
    # paragraphs are whole, so a section heading after one would go with it
    text = "\n\n".join(p for p in meta["text"].split("\n") if p.strip())
    yield article_document(rel, text, title=meta["title"], date=meta["date"], publisher=meta["source"],
                           author=meta["author"], url=meta["url"], content_digest=content_hash(data))
