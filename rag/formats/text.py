"""Plain-text articles (.txt, .md): the whole file is the article (rag.documents cleans it)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator


def read(path: Path, rel: str, max_bytes: int, known: dict[str, str] | None = None, progress=None) -> Iterator:
    """One Document (or Skipped) for the file: the behaviour of rag.documents.load_document."""
    from ..documents import load_document

    yield load_document(path, rel, max_bytes=max_bytes)
