"""Chunking: whole sentences, sized in the model's own tokens, spans that give back the text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from rag.chunking import ChunkParams, chunk_document
from rag.documents import clean, load_document
from rag.embeddings import bundled_model_path
from rag.chunking import HFTokenizer
from rag.text import split_sentences

from conftest import SEEDS


@pytest.fixture(scope="module")
def tok():
    return HFTokenizer(str(bundled_model_path() / "tokenizer.json"), max_tokens=256)


WORDS = st.sampled_from(
    "the minister said on Tuesday that talks in Brussels were “constructive” Zürich café 1,350 km "
    "NATO’s Kremlin Dec. Mr. U.S. 34 percent naïve Ελλάδα Москва 東京 re-election e-mail".split()
)
SENTENCE = st.builds(
    lambda ws, end: " ".join(ws).capitalize() + end,
    st.lists(WORDS, min_size=1, max_size=40),
    st.sampled_from([".", "!", "?", ".”", ""]),
)
LINE = st.lists(SENTENCE, min_size=1, max_size=6).map(" ".join)
DOC = st.lists(st.one_of(LINE, st.just(""), st.just("Subscribe")), min_size=1, max_size=25).map("\n".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=DOC, size=st.integers(24, 256), overlap=st.integers(0, 60))
def test_chunk_spans_recover_text_and_respect_limits(tok, text, size, overlap):
    doc = clean("random.txt", text)
    params = ChunkParams(size, overlap).capped(tok.max_tokens)
    chunks = chunk_document(doc, tok, params)
    sentences = [sp for b in doc.blocks for sp in split_sentences(doc.text, b.char_start, b.char_end)]
    starts, ends = {s for s, _ in sentences}, {e for _, e in sentences}

    def too_long_to_keep_whole(pos: int) -> bool:
        """Whether `pos` lies inside a sentence that alone has more word pieces than a chunk may."""
        return any(s < pos < e and tok.count([doc.text[s:e]])[0] > params.max_tokens for s, e in sentences)

    covered = set()
    for c in chunks:
        assert c.text == doc.text[c.char_start : c.char_end]
        assert c.line_start == doc.text.count("\n", 0, c.char_start) + 1
        assert c.line_end == doc.text.count("\n", 0, c.char_end - 1) + 1
        # never more word pieces than the model reads, nor than asked for
        assert tok.count([c.text])[0] <= tok.max_tokens - 2
        assert c.n_tokens <= params.max_tokens
        # a chunk starts and ends at sentence boundaries, except where it cuts a sentence that is
        # too long on its own: the only sentences that may be split
        assert c.char_start in starts or too_long_to_keep_whole(c.char_start), doc.text[c.char_start : c.char_start + 40]
        assert c.char_end in ends or too_long_to_keep_whole(c.char_end), doc.text[c.char_end - 40 : c.char_end]
        covered.update(range(c.char_start, c.char_end))
    # every kept sentence is in some chunk
    for b in doc.blocks:
        for s, e in split_sentences(doc.text, b.char_start, b.char_end):
            assert s in covered and e - 1 in covered


def test_chunks_never_split_a_sentence(tok):
    for path in sorted(SEEDS.glob("*.txt")):
        doc = load_document(path, path.name)
        chunks = chunk_document(doc, tok, ChunkParams(80, 20))
        sents = [sp for b in doc.blocks for sp in split_sentences(doc.text, b.char_start, b.char_end)]
        starts, ends = {s for s, _ in sents}, {e for _, e in sents}
        for c in chunks:
            assert c.char_start in starts, (path.name, c.text[:60])
            assert c.char_end in ends, (path.name, c.text[-60:])
            assert c.n_tokens <= 80 or c.char_start == c.char_end


def test_overlap_repeats_the_tail_of_the_previous_chunk(tok):
    path = next(SEEDS.glob("000_*.txt"))
    doc = load_document(path, path.name)
    chunks = chunk_document(doc, tok, ChunkParams(120, 60))
    assert len(chunks) >= 3
    for a, b in zip(chunks, chunks[1:]):
        assert b.char_start < a.char_end  # they share at least one sentence
        assert b.char_start > a.char_start


def test_one_very_long_sentence_is_cut_at_the_token_limit(tok):
    text = "Title of the piece\n" + " ".join(["word"] * 2000) + "."
    doc = clean("long.txt", text)
    chunks = chunk_document(doc, tok, ChunkParams(200, 0))
    assert len(chunks) >= 9
    assert all(tok.count([c.text])[0] <= 200 for c in chunks)
    # no overlap asked: every word lands in exactly one piece, none is lost
    assert sum(c.text.split().count("word") + c.text.split().count("word.") for c in chunks) == 2000


def test_stable_ids(tok):
    path = next(SEEDS.glob("001_*.txt"))
    doc = load_document(path, path.name)
    a = chunk_document(doc, tok, ChunkParams(200, 40))
    b = chunk_document(doc, tok, ChunkParams(200, 40))
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)


def test_a_single_line_article_is_chunked_inside_its_line(tok):
    # a page saved on one line: the chunks start and end inside line 1 and give back its text
    text = ("Home > News Skip to main content " + "The council voted on Tuesday to add four bus routes. " * 40
            + "Sign up for our newsletter: the top stories, delivered to your inbox. © 2024 The Courier. All rights reserved.")
    doc = clean("one.txt", text)
    chunks = chunk_document(doc, tok, ChunkParams(60, 10))
    assert len(chunks) > 3
    assert all(c.line_start == c.line_end == 1 and c.text == text[c.char_start : c.char_end] for c in chunks)
    assert chunks[0].text.startswith("The council voted") and chunks[-1].text.endswith("four bus routes.")
