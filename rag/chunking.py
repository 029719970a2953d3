"""Document -> Chunks: sentence-aware, sized in the embedding model's own tokens, with overlap."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence

from .text import split_sentences, strip_span
from .types import Chunk, Document

class Tokenizer(Protocol):
    max_tokens: int

    def count(self, texts: Sequence[str]) -> list[int]: ...

    def offsets(self, text: str) -> list[tuple[int, int]]: ...


@dataclass(frozen=True)
class ChunkParams:
    max_tokens: int = 200
    overlap_tokens: int = 40

    def capped(self, model_max: int, reserve: int = 0) -> "ChunkParams":
        """Never exceed what the model reads: its max sequence length less special tokens/title."""
        limit = max(16, model_max - 2 - reserve)
        size = min(self.max_tokens, limit)
        return ChunkParams(size, min(self.overlap_tokens, size // 2))


def chunk_id(file: str, char_start: int, char_end: int, text: str) -> str:
    """Stable id: the same text at the same place in the same file gets the same id."""
    h = hashlib.sha1(f"{file}\x00{char_start}\x00{char_end}\x00{text}".encode()).hexdigest()
    return h[:16]


def chunk_document(doc: Document, tokenizer: Tokenizer, params: ChunkParams) -> list[Chunk]:
    """Pack whole sentences into chunks of at most params.max_tokens tokens, with overlap."""
    chunks: list[Chunk] = []
    # every sentence of the document counted in one call, once; only the pieces of a sentence
    # cut for being too long are counted again
    per_block = [split_sentences(doc.text, b.char_start, b.char_end) for b in doc.blocks]
    counted = tokenizer.count([doc.text[s:e] for sents in per_block for s, e in sents])
    at = 0
    for found in per_block:
        sents, counts = _split_long(doc.text, found, counted[at : at + len(found)], tokenizer, params.max_tokens)
        at += len(found)
        for first, last in _pack(counts, params):
            s, e = sents[first][0], sents[last][1]
            text = doc.text[s:e]
            chunks.append(
                Chunk(
                    id=chunk_id(doc.file, s, e, text),
                    file=doc.file,
                    ordinal=len(chunks),
                    line_start=doc.line_of(s),
                    line_end=doc.line_of(e - 1),
                    char_start=s,
                    char_end=e,
                    text=text,
                    title=doc.title,
                    n_tokens=sum(counts[first : last + 1]),
                )
            )
    return chunks


def _split_long(
    text: str, sents: list[tuple[int, int]], counts: list[int], tokenizer: Tokenizer, limit: int
) -> tuple[list[tuple[int, int]], list[int]]:
    """Cut a sentence that alone exceeds the limit at token boundaries (the only allowed split);
    the spans and their token counts."""
    out: list[tuple[int, int]] = []
    out_counts: list[int | None] = []
    for (s, e), n in zip(sents, counts):
        if n <= limit:
            out.append((s, e))
            out_counts.append(n)
            continue
        offs = [(a + s, b + s) for a, b in tokenizer.offsets(text[s:e]) if b > a]
        # cut every `limit - 8` tokens, preferring to end at whitespace; leaves headroom for
        # the tokenizer merging differently at the new edges.
        step = max(8, limit - 8)
        i = 0
        while i < len(offs):
            j = min(len(offs), i + step)
            piece_start, piece_end = offs[i][0], offs[j - 1][1]
            if j < len(offs):
                # back off to a word boundary if one is near
                k = j - 1
                while k > i + step // 2 and not text[offs[k][1] : offs[k + 1][0]].isspace():
                    k -= 1
                if k > i + step // 2:
                    j = k + 1
                    piece_end = offs[k][1]
            piece_start, piece_end = strip_span(text, piece_start, piece_end)
            if piece_end > piece_start:
                out.append((piece_start, piece_end))
                out_counts.append(None)  # counted below: a piece is tokenised on its own
            i = j
    missing = [k for k, n in enumerate(out_counts) if n is None]
    for k, n in zip(missing, tokenizer.count([text[out[k][0] : out[k][1]] for k in missing])):
        out_counts[k] = n
    return out, out_counts  # type: ignore[return-value]


def _pack(counts: list[int], params: ChunkParams) -> Iterable[tuple[int, int]]:
    """Greedy packing of sentence token counts into windows; overlap repeats trailing sentences."""
    n = len(counts)
    i = 0
    while i < n:
        total = 0
        j = i
        while j < n and (j == i or total + counts[j] <= params.max_tokens):
            total += counts[j]
            j += 1
        yield i, j - 1
        if j >= n:
            break
        # step back over whole trailing sentences that fit in the overlap budget
        back = 0
        k = j
        while k - 1 > i and back + counts[k - 1] <= params.overlap_tokens:
            back += counts[k - 1]
            k -= 1
        # news sentences often exceed the overlap budget; still carry the last one over when it is
        # modest, so that a fact stated across a boundary is whole in one chunk
        if params.overlap_tokens > 0 and k == j and j - 1 > i and counts[j - 1] <= params.max_tokens // 3:
            k = j - 1
        i = k


@dataclass
class HFTokenizer:
    """The embedding model's own word-piece tokenizer (tokenizers library, no torch)."""

    path: str
    max_tokens: int = 256

    def __post_init__(self) -> None:
        from tokenizers import Tokenizer as _T

        self._tok = _T.from_file(self.path)
        self._tok.no_truncation()
        self._tok.no_padding()

    def count(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        # encode_batch_fast leaves out the character offsets, which a count does not need
        encode = getattr(self._tok, "encode_batch_fast", self._tok.encode_batch)
        return [len(e.ids) - 2 for e in encode(list(texts))]  # minus [CLS]/[SEP]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        enc = self._tok.encode(text)
        return [o for o, sid in zip(enc.offsets, enc.special_tokens_mask) if not sid]

