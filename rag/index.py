"""Build, update, save and load the on-disk index: FAISS vectors + SQLite chunk table + BM25 + manifest.

Layout of the index directory:

    CURRENT            name of the live generation (replaced atomically with os.replace)
    LOCK               flock'd by a build so that two builds run one after the other
    gen-<stamp>/       one complete generation: manifest.json, chunks.sqlite, vectors.npy,
                       faiss.index, bm25/

A build writes a new generation next to the live one and only then points CURRENT at it, so a
reader (or a build killed at any moment) sees the old index or the new one, never a mix.

A process that loads a generation holds a shared flock on its directory for as long as the loaded
index lives (see hold_generation); cleaning removes an old generation only when it can take that
lock exclusively, so it never deletes one that a running reader (this process or another) holds.
The kernel drops the lock when its holder exits, however it exits, so a killed reader holds nothing.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import time
import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from . import speech
from .chunking import ChunkParams, chunk_document
from .config import Settings
from .documents import Skipped, content_hash, iter_corpus, load_document, resolve_inside
from .formats import Unchanged, is_multi, read as read_formats, reader_kind, source_file
from .embeddings import VectorJournal
from .errors import CorpusError, IndexBusyError, IndexDamagedError, IndexMissingError, RagError
from .types import Chunk, Document, IndexReport

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
DB = "chunks.sqlite"
VECTORS = "vectors.npy"
FAISS = "faiss.index"
BM25_DIR = "bm25"
REBUILD_HINT = "Run `rag index --rebuild` to build it again."


def embed_text(chunk: Chunk) -> str:
    """What the embedding model reads: the article title gives a passage its context."""
    if chunk.title and chunk.title not in chunk.text:
        return f"{chunk.title}\n{chunk.text}"
    return chunk.text


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_checksum(path: Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# The loaded index


@dataclass
class LoadedIndex:
    """Everything a searcher needs, in memory: chunks, vectors (FAISS), BM25, documents."""

    path: Path
    manifest: dict
    chunks: list[Chunk]
    faiss_index: object
    bm25: object | None
    documents: dict[str, dict]
    # The shared lock on `path` (a file descriptor), closed when this object is collected or
    # release() is called: while it is open, cleaning leaves the generation alone.
    hold: int | None = field(default=None, repr=False, compare=False)
    # Reported speech (rag.speech), read from the same SQLite file; empty for an index built
    # before statements were extracted (`rag index` adds them without embedding anything).
    statements: list = field(default_factory=list, repr=False, compare=False)
    # Dense and lexical search (rag.store): FAISS + bm25s above for the embedded store, else a server.
    store: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._release = weakref.finalize(self, os.close, self.hold) if self.hold is not None else None

    def release(self) -> None:
        """Let cleaning remove this generation once it is no longer live (the data stays in memory)."""
        if self._release is not None:
            self._release()

    @property
    def n_chunks(self) -> int:
        return len(self.chunks)


def _generation_dir(index_dir: Path) -> Path:
    cur = index_dir / CURRENT
    if not cur.exists():
        raise IndexMissingError(
            f"No index in {index_dir}.", "Run `rag index` to build it (it takes a few seconds for the seeds)."
        )
    name = cur.read_text().strip()
    gen = index_dir / name
    if not name or "/" in name or not gen.is_dir():
        raise IndexDamagedError(f"The index in {index_dir} is damaged (CURRENT points nowhere).", REBUILD_HINT)
    return gen


def live_generation(index_dir: Path) -> Path:
    """The directory CURRENT points at (IndexMissingError / IndexDamagedError otherwise)."""
    return _generation_dir(Path(index_dir))


def read_manifest(index_dir: Path) -> dict:
    return _read_manifest_at(_generation_dir(index_dir), index_dir)


def _read_manifest_at(gen: Path, index_dir: Path) -> dict:
    try:
        return json.loads((gen / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise IndexDamagedError(f"The index in {index_dir} is damaged (manifest unreadable: {exc}).", REBUILD_HINT)


def _same_inode(fd: int, path: Path) -> bool:
    try:
        st, held = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (held.st_dev, held.st_ino)


def hold_generation(index_dir: Path) -> tuple[Path, int]:
    """The live generation and a shared flock on its directory (a descriptor the caller closes).

    Between reading CURRENT and taking the lock a build may swap CURRENT and clean the old
    generation: cleaning renames a generation away while it holds the exclusive lock, so a lock
    that no longer belongs to the directory under that name means "read CURRENT again"."""
    for _ in range(100):  # each retry means a build committed meanwhile; 100 in a row is not real
        gen = _generation_dir(index_dir)
        try:
            fd = os.open(gen, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
        except OSError:
            os.close(fd)
            raise
        if _same_inode(fd, gen):
            return gen, fd
        os.close(fd)
    raise IndexBusyError(f"The index in {index_dir} keeps changing while it is being loaded.", "Try again.")


def _checksums(paths: Sequence[Path]) -> list[str]:
    """file_checksum of each path, two at a time: hashlib lets go of the GIL on large buffers."""
    if len(paths) < 2:
        return [file_checksum(p) for p in paths]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(file_checksum, paths))


def verify(gen: Path, manifest: dict, only: Sequence[str] | None = None) -> None:
    """Every file listed in the manifest (or those of them in `only`) exists with its recorded checksum."""
    listed = [(rel, c) for rel, c in manifest.get("checksums", {}).items() if only is None or rel in only]
    for rel, _ in listed:
        if not (gen / rel).is_file():
            raise IndexDamagedError(f"The index is damaged: {rel} is missing.", REBUILD_HINT)
    for (rel, expected), actual in zip(listed, _checksums([gen / rel for rel, _ in listed])):
        if actual != expected:
            raise IndexDamagedError(f"The index is damaged: {rel} fails its checksum.", REBUILD_HINT)


def load_index(index_dir: Path, check: bool = True, settings: Settings | None = None) -> LoadedIndex:
    """Load the live generation; raises IndexMissingError / IndexDamagedError with a next step.

    `settings` says how to reach a store server (QDRANT_URL); by default they are read from the environment."""
    index_dir = Path(index_dir)
    gen, hold = hold_generation(index_dir)
    try:
        return _load_held(index_dir, gen, hold, check, settings)
    except BaseException:
        os.close(hold)
        raise


def _load_held(index_dir: Path, gen: Path, hold: int, check: bool, settings: Settings | None = None) -> LoadedIndex:
    # The manifest of the generation that is held, not a second read of CURRENT (a build may
    # have swapped it since).
    manifest = _read_manifest_at(gen, index_dir)
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexDamagedError(
            f"The index in {index_dir} was built by another version of corpus-rag.", REBUILD_HINT
        )
    if check:
        verify(gen, manifest)
    try:
        chunks, documents = _read_db(gen / DB)
        from .store import open_store

        store = open_store(settings or Settings.from_env(index_dir=index_dir), gen, manifest, chunks, gen / DB)
        statements = speech.read(gen / DB, documents) if "speech" in manifest else []
    except RagError:
        raise
    except Exception as exc:  # sqlite/faiss/numpy each raise their own types on a bad file
        raise IndexDamagedError(f"The index in {index_dir} is damaged ({type(exc).__name__}: {exc}).", REBUILD_HINT) from exc
    if getattr(store, "n_vectors", len(chunks)) != len(chunks):
        raise IndexDamagedError("The index is damaged: vectors and chunks disagree.", REBUILD_HINT)
    return LoadedIndex(gen, manifest, chunks, getattr(store, "faiss_index", None), getattr(store, "bm25", None),
                       documents, hold=hold, statements=statements, store=store)


def _read_db(path: Path) -> tuple[list[Chunk], dict[str, dict]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT id, file, ordinal, line_start, line_end, char_start, char_end, text, title, n_tokens"
            " FROM chunks ORDER BY row"
        ).fetchall()
        chunks = [Chunk(*r) for r in rows]
        documents = {}
        # url and author came with the web, export and PDF readers: NULL in an older index
        extra = "url, author" if "url" in {r[1] for r in con.execute("PRAGMA table_info(documents)")} else "NULL, NULL"
        for file, digest, title, date, publisher, text, removed, url, author in con.execute(
            f"SELECT file, hash, title, date, publisher, text, removed_lines, {extra} FROM documents"
        ):
            documents[file] = {
                "file": file, "hash": digest, "title": title, "date": date, "publisher": publisher,
                "text": text, "removed_lines": json.loads(removed or "[]"), "url": url, "author": author,
            }
    finally:
        con.close()
    return chunks, documents


# ---------------------------------------------------------------------------------------------
# Building


@contextlib.contextmanager
def build_lock(index_dir: Path, wait: bool = True, timeout: float = 600.0) -> Iterator[None]:
    """Serialise builds: a second `rag index` waits for the first, then sees its result."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fh = open(index_dir / "LOCK", "a+")
    try:
        deadline = time.monotonic() + timeout
        announced = False
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait or time.monotonic() > deadline:
                    raise IndexBusyError(
                        f"Another `rag index` is building {index_dir}.", "Wait for it to finish, then try again."
                    ) from None
                if not announced:
                    log.warning("Another build holds %s; waiting for it to finish.", index_dir / "LOCK")
                    announced = True
                time.sleep(0.2)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


@dataclass
class _Previous:
    """What a build reuses of the live generation. FAISS and BM25 are rebuilt, so they are not read."""

    path: Path
    manifest: dict
    vectors: np.ndarray  # memory-mapped, one row per chunk
    embed_keys: list[str]
    ranges: dict[str, tuple[int, int]]  # file -> its rows [start, end): a file's chunks are consecutive
    term_counts: list[bytes]  # per row: BM25 term counts (bm25.term_counts), ids into `vocab`
    vocab: list[str]
    cached_terms: bool  # False: a generation from before the term cache; term_counts were recomputed


def _load_previous(index_dir: Path) -> _Previous | None:
    try:
        gen = _generation_dir(index_dir)
        manifest = read_manifest(index_dir)
        if manifest.get("format") != FORMAT_VERSION:
            raise IndexDamagedError(f"The index in {index_dir} was built by another version of corpus-rag.", REBUILD_HINT)
        # Only what this build copies from is checked (the chunk table and the vectors), not all files.
        verify(gen, manifest, only=(DB, VECTORS))
        vectors = np.load(gen / VECTORS, mmap_mode="r")
        con = sqlite3.connect(f"file:{gen / DB}?mode=ro", uri=True)
        try:
            cached = "terms" in {r[1] for r in con.execute("PRAGMA table_info(chunks)")}
            if cached:
                rows = con.execute("SELECT file, embed_hash, terms FROM chunks ORDER BY row").fetchall()
                vocab = [t for (t,) in con.execute("SELECT term FROM vocab ORDER BY id")]
            else:  # built before the term cache: count the terms once, here
                from .bm25 import term_counts

                ids: dict[str, int] = {}
                rows = [(f, k, term_counts(text, title, ids))
                        for f, k, text, title in con.execute("SELECT file, embed_hash, text, title FROM chunks ORDER BY row")]
                vocab = list(ids)
        finally:
            con.close()
        ranges: dict[str, tuple[int, int]] = {}
        last = None
        for row, (file, _k, _t) in enumerate(rows):
            if file != last:
                if file in ranges:
                    raise IndexDamagedError("The index is damaged: the chunks of one file are not consecutive.", REBUILD_HINT)
                ranges[file] = (row, row)
                last = file
            ranges[file] = (ranges[file][0], row + 1)
        if vectors.ndim != 2 or len(vectors) != len(rows):
            raise IndexDamagedError("The index is damaged: vectors and chunks disagree.", REBUILD_HINT)
        return _Previous(gen, manifest, vectors, [r[1] for r in rows], ranges, [r[2] for r in rows], vocab, cached)
    except IndexMissingError:
        return None
    except IndexDamagedError as exc:
        log.warning("Ignoring the damaged index and rebuilding from scratch: %s", exc.message)
        return None
    except (sqlite3.Error, OSError, ValueError) as exc:
        log.warning("Ignoring the damaged index and rebuilding from scratch: %s: %s", type(exc).__name__, exc)
        return None


# Bump when cleaning (documents.py), sentence splitting (text.py) or chunking changes what chunks a
# file gives: the next build then reads every file again, and still embeds only the texts it has
# no vector for (an old index would otherwise keep the chunks of the old rules for every file
# whose bytes did not change).
TEXT_RULES_VERSION = 10


def _params_signature(embedder_name: str, dim: int, params: ChunkParams) -> dict:
    return {"embed_model": embedder_name, "dim": dim, "chunking": asdict(params), "format": FORMAT_VERSION}


def _same_bytes(path: Path, digest: str, max_bytes: int) -> bool:
    """True when the file still has the content hash it was indexed with (checked before any decoding)."""
    try:
        if path.stat().st_size > max_bytes:
            return False
        return content_hash(path.read_bytes()) == digest
    except OSError:
        return False


ProgressFn = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class _Layout:
    """The rows of a new generation: runs copied from the previous one, and new chunks."""

    vectors: np.ndarray
    keys: list[str]
    term_counts: list[bytes]
    vocab: list[str]
    runs: list[tuple[int, int, int]]  # (start, end, offset): rows [start, end) of the previous generation move by offset
    new_rows: list[tuple[int, Chunk, str, bytes]]  # (row, chunk, embed key, term counts)
    chunks_per_file: dict[str, int]


def build_index(
    settings: Settings,
    embedder,
    tokenizer,
    rebuild: bool = False,
    progress: ProgressFn | None = None,
) -> IndexReport:
    """Bring the index in settings.index_dir up to date with settings.corpus_dir."""
    t0 = time.perf_counter()
    corpus = Path(settings.corpus_dir)
    index_dir = Path(settings.index_dir)
    if not corpus.is_dir():
        raise CorpusError(f"The corpus folder {corpus} does not exist.", "Create it and put .txt or .md articles in it, or pass --corpus DIR.")
    params = ChunkParams(settings.chunk_tokens, settings.chunk_overlap_tokens).capped(embedder.max_tokens, reserve=24)
    signature = _params_signature(embedder.name, embedder.dim, params)
    max_bytes = int(settings.max_file_mb * 1024 * 1024)

    with build_lock(index_dir):
        _clean_stale(index_dir)
        prev = None if rebuild else _load_previous(index_dir)
        if prev is not None and any(prev.manifest.get(k) != v for k, v in signature.items()):
            log.info("Embedding model or chunking changed: rebuilding everything.")
            prev = None
        prev_files: dict[str, dict] = prev.manifest.get("files", {}) if prev else {}
        sources: dict[str, str] = {}  # export or PDF -> checksum of its bytes (its rows are in `files`)
        from .store import store_kind
        reread = prev is not None and prev.manifest.get("text_rules", 1) != TEXT_RULES_VERSION
        if reread:
            log.info("The text rules changed: reading every file again (vectors of unchanged texts are kept).")

        # 1. read the corpus; hash the bytes first so unchanged files are not even decoded again
        skipped: list[tuple[str, str]] = []
        docs: dict[str, Document] = {}
        unchanged: list[str] = []
        seen: list[str] = []
        entries = list(iter_corpus(corpus))
        for n, (rel, path) in enumerate(entries):
            if progress and (n % 256 == 0 or n == len(entries) - 1):  # a bar refresh costs more than a file
                progress("reading", n, len(entries))
            if path.is_symlink() and not resolve_inside(corpus, path):
                skipped.append((rel, "a link to a file outside the corpus (not followed)"))
                continue
            if not reread and rel in prev_files and _same_bytes(path, prev_files[rel]["hash"], max_bytes):
                seen.append(rel)
                unchanged.append(rel)
                continue
            if is_multi(rel):
                _read_multi(path, rel, max_bytes, {} if reread else prev_files, prev, progress,
                            sources, seen, unchanged, docs, skipped)
                continue
            result = load_document(path, rel, max_bytes=max_bytes) if reader_kind(rel) == "text" else \
                next(iter(read_formats(path, rel, max_bytes)))
            if isinstance(result, Skipped):
                skipped.append((result.file, result.reason))
                continue
            seen.append(rel)
            if not reread and rel in prev_files and prev_files[rel]["hash"] == result.content_hash:
                unchanged.append(rel)
            else:
                docs[rel] = result
        for f, why in skipped:
            log.warning("Skipped %s: %s", f, why)
        if not seen and not skipped:
            raise CorpusError(f"No articles (.txt, .md, .html, .csv, .tsv, .jsonl, .pdf) in {corpus}.",
                              "Add articles to it, or pass --corpus DIR.")

        added = [f for f in docs if f not in prev_files]
        updated = [f for f in docs if f in prev_files]
        seen_set = set(seen)
        removed = [f for f in prev_files if f not in seen_set]

        # 2. chunk what changed
        new_chunks: list[Chunk] = []
        for n, doc in enumerate(docs.values()):
            if progress:
                progress("chunking", n, len(docs))
            new_chunks.extend(chunk_document(doc, tokenizer, params))

        # 3. reuse vectors of unchanged files and of identical texts; embed the rest once each
        cache: dict[str, int] = {}
        if prev is not None:
            for row, key in enumerate(prev.embed_keys):
                cache.setdefault(key, row)
        new_keys = [_sha(embed_text(c).encode()) for c in new_chunks]
        to_embed: dict[str, str] = {}
        for c, key in zip(new_chunks, new_keys):
            if key not in cache and key not in to_embed:
                to_embed[key] = embed_text(c)
        fresh, embedded = _embed_fresh(embedder, index_dir, to_embed, settings.embed_batch_size, progress)
        tokens_embedded = _tokens_sent(tokenizer, embedded, embedder.max_tokens)
        fresh_rows = {key: i for i, key in enumerate(to_embed)}
        layout = _lay_out(prev, [f for f in unchanged if prev is not None and f in prev.ranges],
                          new_chunks, new_keys, fresh, fresh_rows, cache, embedder.dim)

        files_manifest = {}
        for rel in sorted(set(unchanged) | set(docs)):
            title = docs[rel].title if rel in docs else prev_files[rel]["title"]
            digest = docs[rel].content_hash if rel in docs else prev_files[rel]["hash"]
            files_manifest[rel] = {"hash": digest, "chunks": layout.chunks_per_file.get(rel, 0), "title": title}
            # kept in the manifest so that an incremental run reports them too
            notes = list(docs[rel].warnings) if rel in docs else prev_files[rel].get("warnings", [])
            if notes:
                files_manifest[rel]["warnings"] = notes
        warnings = [(rel, w) for rel, entry in files_manifest.items() for w in entry.get("warnings", [])]
        for f, w in warnings:
            log.warning("Indexed %s with a warning: %s", f, w)

        if progress:
            progress("writing", 0, 1)
        manifest = {
            **signature,
            "text_rules": TEXT_RULES_VERSION,
            "built_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "corpus_dir": str(corpus.resolve()),
            "files": files_manifest,
            "n_chunks": len(layout.keys),
            "skipped": [{"file": f, "reason": r} for f, r in skipped],
            "sources": sources,
            "speech": speech.EXTRACTOR_VERSION,
        }
        changed = (bool(docs or removed) or prev is None or not prev.cached_terms
                   or prev.manifest.get("speech") != speech.EXTRACTOR_VERSION
                   or store_kind(prev.manifest) != settings.store)
        if changed or _skips_changed(prev, skipped):
            _write_generation(settings, manifest, layout, prev, unchanged, docs)
        VectorJournal.discard(index_dir)  # its vectors are in the live generation now
        if progress:
            progress("writing", 1, 1)

    return IndexReport(
        files_added=len(added),
        files_updated=len(updated),
        files_removed=len(removed),
        files_unchanged=len(unchanged),
        chunks=len(layout.keys),
        chunks_embedded=len(embedded),
        tokens_embedded=tokens_embedded,
        seconds=round(time.perf_counter() - t0, 3),
        skipped=tuple(skipped),
        warnings=tuple(warnings),
    )


def _read_multi(path: Path, rel: str, max_bytes: int, prev_files: dict[str, dict], prev: _Previous | None,
                progress: ProgressFn | None, sources: dict[str, str], seen: list[str], unchanged: list[str],
                docs: dict[str, Document], skipped: list[tuple[str, str]]) -> None:
    """The rows (or pages) of an export or a PDF, each its own document. When the file's bytes are
    the ones indexed, its documents are taken as they were without reading it; otherwise it is
    read row by row and only the rows whose content hash changed are decoded into Documents."""
    digest = file_checksum(path)
    sources[rel] = digest
    known = {k: e["hash"] for k, e in prev_files.items() if source_file(k) == rel and k != rel}
    same = bool(prev_files) and prev is not None and prev.manifest.get("sources", {}).get(rel) == digest
    if same:
        seen.extend(known)
        unchanged.extend(known)
        # what was skipped in it then is skipped still (and reported again)
        skipped.extend((s["file"], s["reason"]) for s in prev.manifest.get("skipped", [])
                       if source_file(s["file"]) == rel)
        return
    for item in read_formats(path, rel, max_bytes, known=known, progress=progress):
        if isinstance(item, Skipped):
            skipped.append((item.file, item.reason))
        elif isinstance(item, Unchanged):
            seen.append(item.key)
            unchanged.append(item.key)
        else:
            seen.append(item.file)
            docs[item.file] = item


def _lay_out(prev: _Previous | None, kept: list[str], new_chunks: list[Chunk], new_keys: list[str],
             fresh: np.ndarray, fresh_rows: dict[str, int], cache: dict[str, int], dim: int) -> _Layout:
    """Order the rows by file name, then by position in the file, so the table reads naturally."""
    from .bm25 import term_counts

    vocab_index = {t: i for i, t in enumerate(prev.vocab)} if prev else {}
    new_by_file: dict[str, list[int]] = {}
    for i, c in enumerate(new_chunks):
        new_by_file.setdefault(c.file, []).append(i)
    n_rows = len(new_chunks) + (sum(prev.ranges[f][1] - prev.ranges[f][0] for f in kept) if prev else 0)
    keys: list = [None] * n_rows
    counts_rows: list = [None] * n_rows
    out = _Layout(np.empty((n_rows, dim), dtype=np.float32), keys, counts_rows, [], [], [], {})
    row = 0
    for file in sorted(set(kept) | set(new_by_file)):
        if file in new_by_file:
            for i in sorted(new_by_file[file], key=lambda i: new_chunks[i].ordinal):
                c, key = new_chunks[i], new_keys[i]
                out.vectors[row] = fresh[fresh_rows[key]] if key in fresh_rows else prev.vectors[cache[key]]  # type: ignore[union-attr]
                keys[row] = key
                counts_rows[row] = term_counts(c.text, c.title, vocab_index)
                out.new_rows.append((row, c, key, counts_rows[row]))
                row += 1
            out.chunks_per_file[file] = len(new_by_file[file])
        else:
            assert prev is not None
            start, end = prev.ranges[file]
            if out.runs and out.runs[-1][1] == start and out.runs[-1][2] == row - start:
                out.runs[-1] = (out.runs[-1][0], end, row - start)  # continues the run before it
            else:
                out.runs.append((start, end, row - start))
            out.chunks_per_file[file] = end - start
            row += end - start
    # unchanged files make a few long runs of rows: copy those, not file by file
    for start, end, offset in out.runs:
        assert prev is not None
        out.vectors[start + offset : end + offset] = prev.vectors[start:end]
        keys[start + offset : end + offset] = prev.embed_keys[start:end]
        counts_rows[start + offset : end + offset] = prev.term_counts[start:end]
    out.vocab = list(vocab_index)
    return out


def _skips_changed(prev: _Previous | None, skipped: list[tuple[str, str]]) -> bool:
    if prev is None:
        return True
    old = [(s["file"], s["reason"]) for s in prev.manifest.get("skipped", [])]
    return old != list(skipped)


def _tokens_sent(tokenizer, texts: list[str], max_tokens: int) -> int:
    """Word pieces the model reads for `texts`: each text's own plus [CLS]/[SEP], truncated as the model does."""
    return sum(min(n + 2, max_tokens) for n in tokenizer.count(texts))


def _embed_in_batches(embedder, texts: list[str], batch: int, progress: ProgressFn | None) -> np.ndarray:
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    # longest first: batches of similar length waste less padding, and the ETA settles early
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    out = np.empty((len(texts), embedder.dim), dtype=np.float32)
    step = max(batch * 4, 64)
    for start in range(0, len(order), step):
        if progress:
            progress("embedding", start, len(texts))
        ids = order[start : start + step]
        out[ids] = embedder.embed([texts[i] for i in ids])
    if progress:
        progress("embedding", len(texts), len(texts))
    return out


def _embed_fresh(embedder, index_dir: Path, to_embed: dict[str, str], batch: int,
                 progress: ProgressFn | None) -> tuple[np.ndarray, list[str]]:
    """Vectors for `to_embed` (text hash -> text), in its order, and the texts that went to the model.

    An embedder with `embed_keyed` (rag/ray_embed.py) writes each finished batch to the build's vector
    journal; a journal left by a killed build is read first, whichever embedder runs now."""
    keyed = getattr(embedder, "embed_keyed", None)
    if keyed is None and not VectorJournal.exists_in(index_dir):
        texts = list(to_embed.values())
        return _embed_in_batches(embedder, texts, batch, progress), texts
    keys = list(to_embed)
    out = np.empty((len(keys), embedder.dim), dtype=np.float32)
    row = {k: i for i, k in enumerate(keys)}
    journal = VectorJournal.in_index(index_dir, embedder.name, embedder.dim)
    try:
        have = journal.get(keys)
        for key, vec in have.items():
            out[row[key]] = vec
        missing = [k for k in keys if k not in have]
        if have:
            log.info("Reusing %d vectors a previous (unfinished) build embedded; embedding %d.", len(have), len(missing))
        texts = [to_embed[k] for k in missing]

        filled = set(have)

        def sink(batch_keys: Sequence[str], vectors: np.ndarray) -> None:
            journal.put(batch_keys, vectors)
            out[[row[k] for k in batch_keys]] = vectors
            filled.update(batch_keys)

        if keyed is not None:
            keyed(missing, texts, sink, progress)
        elif missing:
            sink(missing, _embed_in_batches(embedder, texts, batch, progress))
        if len(filled) != len(keys):
            raise RagError(f"The embedder returned {len(filled) - len(have)} of {len(missing)} vectors.",
                           "Run `rag index` again: it embeds only the texts still missing.")
    finally:
        journal.close()
    return out, texts


def _write_generation(
    settings: Settings,
    manifest: dict,
    layout: _Layout,
    prev: _Previous | None,
    unchanged: Sequence[str],
    docs: dict[str, Document],
) -> None:
    index_dir = Path(settings.index_dir)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    tmp = index_dir / f".tmp-{stamp}"
    final = index_dir / f"gen-{stamp}"
    tmp.mkdir(parents=True)
    try:
        np.save(tmp / VECTORS, layout.vectors)
        _write_db(tmp / DB, layout, prev, unchanged, docs)
        entry = _write_store(settings, tmp, layout, prev, unchanged, docs)
        manifest = {**manifest, "index_kind": entry.pop("index_kind", entry["kind"]), "store": entry}
        files = [p for p in sorted(tmp.rglob("*")) if p.is_file()]
        manifest["checksums"] = {str(p.relative_to(tmp)): c for p, c in zip(files, _checksums(files))}
        _fsync_write(tmp / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode())
        for p in tmp.rglob("*"):
            if p.is_file():
                _fsync_file(p)
        os.replace(tmp, final)
        _fsync_write(index_dir / (CURRENT + ".tmp"), final.name.encode())
        os.replace(index_dir / (CURRENT + ".tmp"), index_dir / CURRENT)
        _fsync_dir(index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _clean_stale(index_dir)


def _store_writer(settings: Settings, tmp: Path, layout: _Layout, prev: _Previous | None):
    from .store import check_store

    if check_store(settings.store) == "qdrant":
        from .store.qdrant import QdrantWriter

        return QdrantWriter(settings, Path(settings.index_dir), prev.manifest.get("store") if prev else None,
                            layout.vectors.shape[1])
    from .store.embedded import EmbeddedWriter, previous_faiss

    return EmbeddedWriter(
        tmp, layout.vectors, layout.term_counts, layout.vocab, kind=settings.index_kind,
        previous_faiss=previous_faiss(prev.path, prev.manifest, verify) if prev is not None else None,
        exact_max=settings.exact_max_vectors, hnsw_min=settings.hnsw_min_vectors,
    )


def _write_store(settings: Settings, tmp: Path, layout: _Layout, prev: _Previous | None,
                 unchanged: Sequence[str], docs: dict[str, Document]) -> dict:
    """Give the store what changed (or every row, if it rewrites all or starts afresh); its manifest entry."""
    from . import bm25 as bm25_mod
    from .store import Record

    writer = _store_writer(settings, tmp, layout, prev)
    avg: list[float] = []  # the mean chunk length, computed once a record is asked for (not by embedded)

    def record(row: int, chunk: Chunk, date, source) -> Record:
        if not avg:
            avg.append(float(bm25_mod.lengths(layout.term_counts).mean()))
        ids, weights = bm25_mod.term_weights(layout.term_counts[row], avg[0])
        return Record(chunk, layout.vectors[row], ids, weights, date, source)

    # generators: a writer that does not read them (embedded) costs nothing
    if writer.rewrites_all:
        writer.upsert(record(row, Chunk(*c), date, source) for row, date, source, *c in _all_rows(tmp / DB))
    else:
        writer.upsert(record(row, c, getattr(docs.get(c.file), "date", None), getattr(docs.get(c.file), "publisher", None))
                      for row, c, _k, _t in layout.new_rows)
        kept = set(unchanged)
        writer.delete_files(sorted(f for f in (prev.ranges if prev else {}) if f not in kept),
                            keep=[chunk_key_of(c) for _r, c, _k, _t in layout.new_rows])
    return writer.commit()


def chunk_key_of(chunk: Chunk) -> int:
    from .store import chunk_key

    return chunk_key(chunk.id)


def _all_rows(db: Path) -> Iterator[tuple]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        yield from con.execute(
            "SELECT c.row, d.date, d.publisher, c.id, c.file, c.ordinal, c.line_start, c.line_end, c.char_start,"
            " c.char_end, c.text, c.title, c.n_tokens FROM chunks c LEFT JOIN documents d ON d.file = c.file ORDER BY c.row"
        )
    finally:
        con.close()


def _write_db(path: Path, layout: _Layout, prev: _Previous | None, unchanged: Sequence[str], docs: dict[str, Document]) -> None:
    """The chunk table, documents and BM25 vocabulary; rows of unchanged files are copied inside SQLite."""
    con = sqlite3.connect(path)
    try:
        con.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE chunks (row INTEGER PRIMARY KEY, id TEXT NOT NULL, file TEXT NOT NULL,
                ordinal INTEGER, line_start INTEGER, line_end INTEGER, char_start INTEGER,
                char_end INTEGER, text TEXT, title TEXT, n_tokens INTEGER, embed_hash TEXT, terms BLOB);
            CREATE TABLE documents (file TEXT PRIMARY KEY, hash TEXT, title TEXT, date TEXT,
                publisher TEXT, text TEXT, removed_lines TEXT, url TEXT, author TEXT);
            CREATE TABLE vocab (id INTEGER PRIMARY KEY, term TEXT NOT NULL);
            """
        )
        speech.create_table(con)
        if prev is not None and (layout.runs or unchanged):
            # Copying inside SQLite is about six times faster than a round trip through Python objects.
            con.execute("ATTACH DATABASE ? AS old", (str(prev.path / DB),))
            terms = "terms" if prev.cached_terms else "NULL"
            con.executemany(
                "INSERT INTO chunks SELECT row + ?, id, file, ordinal, line_start, line_end, char_start, char_end,"
                f" text, title, n_tokens, embed_hash, {terms} FROM old.chunks WHERE row >= ? AND row < ?",
                ((offset, start, end) for start, end, offset in layout.runs),
            )
            if not prev.cached_terms:
                new = {r for r, *_ in layout.new_rows}
                con.executemany("UPDATE chunks SET terms = ? WHERE row = ?",
                                ((t, r) for r, t in enumerate(layout.term_counts) if r not in new))
            con.execute("CREATE TEMP TABLE keep (file TEXT PRIMARY KEY)")
            con.executemany("INSERT INTO keep VALUES (?)", ((f,) for f in unchanged))
            con.execute(
                "INSERT INTO documents SELECT d.file, d.hash, d.title, d.date, d.publisher, d.text, d.removed_lines, "
                + ("d.url, d.author" if "url" in {r[1] for r in con.execute("PRAGMA old.table_info(documents)")} else "NULL, NULL")
                + 
                " FROM old.documents d JOIN keep k ON k.file = d.file"
            )
            speech.copy_unchanged(con, "old", "keep", prev.manifest.get("speech") == speech.EXTRACTOR_VERSION)
            con.commit()
            con.execute("DETACH DATABASE old")
        con.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                (r, c.id, c.file, c.ordinal, c.line_start, c.line_end, c.char_start, c.char_end, c.text, c.title, c.n_tokens, k, t)
                for r, c, k, t in layout.new_rows
            ),
        )
        con.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
            (
                (d.file, d.content_hash, d.title, d.date, d.publisher, d.text, json.dumps(list(d.removed_lines)),
                 d.url, d.author)
                for d in docs.values()
            ),
        )
        speech.insert(con, docs.values())
        con.executemany("INSERT INTO vocab VALUES (?,?)", enumerate(layout.vocab))
        con.execute("CREATE INDEX chunks_file ON chunks(file)")
        con.commit()
    finally:
        con.close()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _clean_stale(index_dir: Path) -> None:
    """Remove temp dirs of killed builds and old generations that no reader holds (under build_lock)."""
    if not index_dir.exists():
        return
    live = (index_dir / CURRENT).read_text().strip() if (index_dir / CURRENT).exists() else None
    for p in index_dir.iterdir():
        if not p.is_dir():
            continue
        if p.name.startswith((".tmp-", ".old-")):
            # a killed build's output, or a generation renamed away for deletion: nobody holds these
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith("gen-") and p.name != live:
            _remove_unheld(p)


def _remove_unheld(gen: Path) -> bool:
    """Delete a generation unless some process holds it; True when it was deleted."""
    try:
        fd = os.open(gen, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("Keeping %s: a running process still reads it.", gen.name)
            return False
        # Renamed first, while the lock is held: a reader that opened it just before now finds
        # no directory under that name and reads CURRENT again (hold_generation).
        doomed = gen.with_name(f".old-{gen.name}")
        os.rename(gen, doomed)
        shutil.rmtree(doomed, ignore_errors=True)
        return True
    finally:
        os.close(fd)


def clean_stale(index_dir: Path) -> None:
    """Remove old generations no reader holds any more, unless a build is running (it cleans after itself)."""
    try:
        with build_lock(Path(index_dir), wait=False):
            _clean_stale(Path(index_dir))
    except IndexBusyError:
        pass


def index_status(index_dir: Path) -> dict:
    """Files, chunks and build time of the live index, for `rag doctor` and the UI."""
    m = read_manifest(Path(index_dir))
    return {
        "files": len(m.get("files", {})),
        "chunks": m.get("n_chunks", 0),
        "built_at": m.get("built_at"),
        "embed_model": m.get("embed_model"),
        "index_kind": m.get("index_kind"),
        "skipped": m.get("skipped", []),
    }

