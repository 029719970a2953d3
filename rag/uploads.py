"""Save an uploaded article into the corpus directory, safely: never outside it, never a duplicate."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import unicodedata
from pathlib import Path

from .documents import SUFFIXES, iter_corpus
from .errors import UserInputError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
KINDS = ", ".join(SUFFIXES)  # for messages: ".txt, .md, .html, ..."
MAX_NAME_CHARS = 120
# Letters, digits, space, dot, dash, underscore, parentheses; anything else becomes "_".
_UNSAFE = re.compile(r"[^\w .()\-]", re.UNICODE)
# Choosing a free name and moving the file there must not interleave between Streamlit sessions.
_SAVE_LOCK = threading.Lock()


def safe_name(name: str) -> str:
    """The base name of an uploaded file, reduced to safe characters; raises UserInputError if none is left."""
    if name is None or not str(name).strip():
        raise UserInputError("The uploaded file has no name.", f"Give the file a name ending in {KINDS}.")
    name = str(name)
    if "\x00" in name:
        raise UserInputError("The file name contains a NUL byte.", "Rename the file and upload it again.")
    # Browsers send base names, but a crafted request may not: keep only the last path part
    # (both separators, so a Windows path is reduced the same way on Linux).
    base = re.split(r"[\\/]", name.strip())[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch if ch.isprintable() else "_" for ch in base)
    base = _UNSAFE.sub("_", base).strip(" .")  # no leading dots: hidden files are not indexed
    if not base or base in (".", ".."):
        raise UserInputError(f"{name!r} is not a usable file name.", "Rename the file, e.g. article.txt.")
    stem, suffix = os.path.splitext(base)
    if suffix.lower() not in SUFFIXES:
        raise UserInputError(
            f"{base!r} is not a kind of file corpus-rag reads.", f"Articles can be added as {KINDS}."
        )
    if not stem.strip(" ._-"):
        raise UserInputError(f"{name!r} is not a usable file name.", "Rename the file, e.g. article.txt.")
    if len(base) > MAX_NAME_CHARS:
        base = stem[: MAX_NAME_CHARS - len(suffix)].rstrip(" .") + suffix
    return base


def check_content(name: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Raise UserInputError when the bytes are not a plain-text article we can index."""
    if len(data) > max_bytes:
        raise UserInputError(
            f"{name} is {len(data) / 1e6:.1f} MB; the upload limit is {max_bytes / (1024 * 1024):g} MB.",
            "Split the article into smaller files, or add it to the corpus folder and re-index.",
        )
    if not data.strip():
        raise UserInputError(f"{name} is empty.", "Upload a file that contains the article text.")
    if name.lower().endswith(".pdf"):
        # a PDF is binary by nature: it must at least be one (pypdf reads it at index time)
        if not data.lstrip()[:5] == b"%PDF-":
            raise UserInputError(f"{name} is not a PDF file (it does not start with %PDF-).", "Upload the PDF itself.")
        return
    if b"\x00" in data:
        raise UserInputError(f"{name} looks like a binary file, not text.",
                             "Save the article as text (.txt, .md, .html) or an export (.csv, .tsv, .jsonl).")


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def find_duplicate(corpus_dir: Path, data: bytes) -> str | None:
    """Relative name of a corpus file with exactly these bytes, or None."""
    digest = hashlib.sha256(data).hexdigest()
    size = len(data)
    for rel, path in iter_corpus(corpus_dir):
        try:
            # Only files of the same size can be identical: hash those alone.
            if path.stat().st_size == size and _sha256_file(path) == digest:
                return rel
        except OSError:
            continue
    return None


def _free_name(corpus_dir: Path, base: str) -> Path:
    stem, suffix = os.path.splitext(base)
    target = corpus_dir / base
    n = 1
    while target.exists() or target.is_symlink():
        target = corpus_dir / f"{stem}-{n}{suffix}"
        n += 1
    return target


def save_upload(corpus_dir: Path, name: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Write an uploaded article (any kind rag.formats reads) into corpus_dir atomically; return its path.

    Raises UserInputError for a bad name, suffix or content, and for content already in the corpus.
    A different file with the same name is kept: the upload gets a new name (name-1.txt).
    """
    base = safe_name(name)
    check_content(base, data, max_bytes)
    corpus_dir = Path(corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    root = corpus_dir.resolve()
    with _SAVE_LOCK:
        existing = find_duplicate(root, data)
        if existing is not None:
            raise UserInputError(
                f"{base} is already in the corpus as {existing}.", "Nothing to add; ask about it right away."
            )
        target = _free_name(root, base)
        # Belt and braces: whatever the name was, the file lands directly inside the corpus.
        if target.parent != root:
            raise UserInputError(f"{name!r} is not a usable file name.", "Rename the file, e.g. article.txt.")
        # The temp name starts with a dot, so an index build running meanwhile ignores it.
        fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=root)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    return target
