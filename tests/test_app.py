"""The Streamlit page, driven headless with AppTest against a private copy of the seeds (extractive backend)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rag.citations import REFUSAL
from rag.lookup import find_span
from rag.types import Answer, AnswerSentence, Citation, Hit, IndexedDocument

try:  # tests/ as a package or as a plain directory on sys.path
    from tests.conftest_app import APP, NO_OLLAMA, PESKOV_FINLAND_FILES, SEEDS, build_index, seeded_corpus
    from tests.ollama_server import FakeOllama
except ImportError:
    from conftest_app import APP, NO_OLLAMA, PESKOV_FINLAND_FILES, SEEDS, build_index, seeded_corpus
    from ollama_server import FakeOllama

import app_view as app  # noqa: E402  (the repo root is on sys.path: pytest's pythonpath)

TIMEOUT = 240  # the first question loads the embedding model

FESTIVAL = (
    "Oulu lumber festival draws a record crowd\n"
    "The annual lumber festival in Oulu drew 48,000 visitors this weekend, the organisers said on Sunday.\n"
    "Mayor Liisa Kettunen said the lumber festival brought 3.2 million euros to local businesses.\n"
    '<script>alert("pwned")</script><img src=x onerror="alert(1)"> Organisers plan a four-day festival next year.\n'
).encode()


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> tuple[Path, Path]:
    """One indexed copy of the seeds for the tests that only read it."""
    base = tmp_path_factory.mktemp("shared")
    corpus = seeded_corpus(base / "corpus")
    index = base / "index"
    build_index(corpus, index)
    return corpus, index


def start(monkeypatch, corpus: Path, index: Path, backend: str = "extractive", ollama: str = NO_OLLAMA) -> AppTest:
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("RAG_INDEX_DIR", str(index))
    monkeypatch.setenv("RAG_BACKEND", backend)
    monkeypatch.setenv("OLLAMA_HOST", ollama)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text_of(node) -> str:
    """Everything a reader sees in a part of the page, as one string."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "code"):
        parts += [str(e.value) for e in getattr(node, kind)]
    parts += [e.label for e in node.expander]
    return "\n".join(parts)


def ask(at: AppTest, question: str):
    at.chat_input(key="question").set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    assistant = [m for m in at.chat_message if m.name == "assistant"]
    assert assistant, "no assistant message"
    return assistant[-1]


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; have {[b.label for b in at.button]}"
    return matches[0]


def seed_line(file: str, line: int, corpus: Path = SEEDS) -> str:
    return (corpus / file).read_text(encoding="utf-8").split("\n")[line - 1]


def test_answer_has_citation_cards_that_point_at_the_right_lines(monkeypatch, shared):
    at = start(monkeypatch, *shared)
    msg = ask(at, "What did Peskov say about Finland?")
    page = text_of(msg)
    assert 'class="answer-done"' in page or "answer-done" in page
    assert '<sup class="cite"' in page and ">[1]</sup>" in page
    heads = [m.value for m in msg.markdown if 'class="src-head"' in m.value]
    assert heads, page
    for head in heads:
        file = re.search(r'data-file="([^"]+)"', head).group(1)
        assert file in PESKOV_FINLAND_FILES
        span = re.search(r"cited lines? (\d+)(?:–(\d+))?", head)
        assert span, head
        first, last = int(span.group(1)), int(span.group(2) or span.group(1))
        cited = " ".join(seed_line(file, n) for n in range(first, last + 1))
        # The highlighted supporting sentence is really on the cited lines of that file.
        quotes = [html.unescape(q) for q in re.findall(r'<mark class="quote">(.*?)</mark>', head)]
        assert quotes, head
        assert all(q.replace("<br>", "\n") in cited for q in quotes), (quotes, cited)
    # Each card expands to the whole article, line-numbered, with the cited lines highlighted.
    labels = [e.label for e in msg.expander]
    assert any(lbl.startswith("Whole article · ") and lbl.split(" · ")[1] in PESKOV_FINLAND_FILES for lbl in labels)
    article = next(m.value for m in msg.markdown if 'class="article"' in m.value)
    assert re.search(r'<div class="ln hl"><span class="no">\d+</span>', article)
    # The chat keeps the turn, and the sidebar now offers the conversation as Markdown.
    assert [m["role"] for m in at.session_state["messages"]] == ["user", "assistant"]
    download = at.get("download_button")[0]
    assert not download.proto.disabled


def test_question_the_corpus_does_not_answer_is_refused_with_closest_passages(monkeypatch, shared):
    at = start(monkeypatch, *shared)
    msg = ask(at, "What is the population of Finland?")
    page = text_of(msg)
    assert REFUSAL in page  # the refusal shown is the one the engine streamed
    assert 'data-refused="true"' in page
    assert '<sup class="cite"' not in page  # nothing is presented as cited fact
    assert "Closest passages found" in page
    assert re.search(r'class="src-head" data-file="\d{3}_[0-9a-f]+\.txt"', page)


def test_follow_up_uses_the_history_and_shows_the_rewritten_query(monkeypatch, shared):
    at = start(monkeypatch, *shared)
    ask(at, "What did Peskov say about Finland?")
    msg = ask(at, "and what did he say about Sweden?")
    assert len(at.session_state["messages"]) == 4
    label = [e for e in msg.expander if e.label.startswith("Search query used")]
    assert label and "rewritten" in label[0].label
    query = label[0].code[0].value
    assert "Peskov" in query and "Sweden" in query
    assert query != "and what did he say about Sweden?"
    # New chat clears the conversation.
    button(at, "New chat").click().run()
    assert at.session_state["messages"] == []
    assert not [m for m in at.chat_message]


def test_find_a_quote_gives_file_lines_and_similarity(monkeypatch, shared):
    at = start(monkeypatch, *shared)
    at.radio(key="mode").set_value("Find a quote").run()
    at.text_area(key="quote").input("does not contribute to strengthening stability, security and predictability")
    button(at, "Find the source").click().run()
    assert not at.exception
    assert "000_98f58e9247f94cfe.txt" in at.success[0].value and "line 2" in at.success[0].value
    card = next(m.value for m in at.markdown if 'class="src-head"' in m.value)
    marked = html.unescape(re.search(r'<mark class="quote">(.*?)</mark>', card).group(1))
    assert "does not contribute to strengthening stability" in marked
    assert re.search(r"similarity (\d+)%", card)

    at.text_area(key="quote").input("The harvest festival in the mountain village was cancelled because of snow")
    button(at, "Find the source").click().run()
    assert "closest passage" in at.warning[0].value.lower()
    assert "Closest passage" in text_of(at)


def test_build_the_missing_index_then_reindex_a_changed_file(monkeypatch, tmp_path):
    corpus = seeded_corpus(tmp_path / "corpus")
    at = start(monkeypatch, corpus, tmp_path / "index")
    assert "No index has been built yet" in at.warning[0].value
    assert not at.chat_input  # nothing to ask until there is an index
    button(at, "Build the index now").click().run()
    assert not at.exception
    assert "5 added" in at.success[0].value
    assert "**5** files" in text_of(at.sidebar)
    assert at.chat_input

    changed = corpus / "001_a4d76ca98f8e33ba.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA new closing paragraph about Lapland.\n", encoding="utf-8")
    button(at, "Re-index").click().run()
    assert not at.exception
    assert "1 updated" in at.success[0].value and "4 unchanged" in at.success[0].value


def test_uploaded_article_is_saved_indexed_and_cited_with_its_html_escaped(monkeypatch, tmp_path):
    corpus = seeded_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    build_index(corpus, index)
    at = start(monkeypatch, corpus, index)
    at.file_uploader(key="uploads").set_value([
        ("oulu_festival.txt", FESTIVAL, "text/plain"),
        ("empty.txt", b"\x00\x01\x02 not text", "text/plain"),
        ("again.txt", (SEEDS / "001_a4d76ca98f8e33ba.txt").read_bytes(), "text/plain"),
    ])
    button(at, "Add and index").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "binary" in errors
    assert "already in the corpus as 001_a4d76ca98f8e33ba.txt" in errors
    assert "Added to the corpus: oulu_festival.txt" in at.info[0].value
    assert "1 added" in at.success[0].value
    assert (corpus / "oulu_festival.txt").read_bytes() == FESTIVAL
    assert not (corpus / "empty.txt").exists() and not (corpus / "again.txt").exists()
    assert "**6** files" in text_of(at.sidebar)

    msg = ask(at, "How many visitors did the Oulu lumber festival draw?")
    page = text_of(msg)
    assert 'data-file="oulu_festival.txt"' in page
    assert "48,000" in page
    # Article text is data: the script tag is shown escaped, never as markup.
    article = next(m.value for m in msg.markdown if 'class="article" data-file="oulu_festival.txt"' in m.value)
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in article
    for m in at.markdown:
        assert "<script" not in m.value.lower() and "<img" not in m.value.lower()


def test_ollama_models_are_listed_and_the_chosen_one_answers(monkeypatch, shared):
    with FakeOllama(["llama3.2:latest", "qwen2.5:0.5b"]) as fake:
        at = start(monkeypatch, *shared, backend="ollama", ollama=fake.url)
        picker = at.selectbox(key="model")
        assert picker.options == ["llama3.2:latest", "qwen2.5:0.5b"] and picker.value == "llama3.2:latest"
        picker.set_value("qwen2.5:0.5b").run()
        msg = ask(at, "What did Peskov say about Finland?")
        chats = [body for method, path, body in fake.requests if path == "/api/chat"]
        assert chats and chats[-1]["model"] == "qwen2.5:0.5b"
        page = text_of(msg)
        assert "Answered by ollama · qwen2.5:0.5b" in page and ">[1]</sup>" in page
        assert "Incomplete answer" not in page

        # The server fails half-way through the next answer: what came is kept, labelled incomplete.
        fake.fault = "error_mid_stream"
        msg = ask(at, "What did Peskov say about NATO?")
        assert "Incomplete answer" in text_of(msg)
        assert not at.exception


def test_ollama_down_is_one_clear_sentence_and_a_next_step(monkeypatch, shared):
    at = start(monkeypatch, *shared, backend="ollama")
    assert "No Ollama server is reachable at http://127.0.0.1:9" in text_of(at.sidebar)
    msg = ask(at, "What did Peskov say about Finland?")
    assert not at.exception  # no traceback
    assert len(msg.error) == 1 and "Next step:" in msg.error[0].value
    # The failed turn is kept in the chat but not given to the engine as history.
    assert at.session_state["messages"][-1]["answer"] is None


def test_a_mistyped_setting_is_shown_instead_of_a_traceback(monkeypatch, shared):
    monkeypatch.setenv("RAG_EMBED_BATCH_SIZE", "lots")
    monkeypatch.setenv("RAG_CORPUS_DIR", str(shared[0]))
    monkeypatch.setenv("RAG_INDEX_DIR", str(shared[1]))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert "RAG_EMBED_BATCH_SIZE='lots' is not a whole number" in at.error[0].value


# -- the pure helpers behind the page (app_view.py) -----------------------------------------------


def _answer(**kw) -> Answer:
    hit = Hit("c1", "a.txt", 3, 5, 0.9, "Line three.\nThe <b>council</b> met on Monday.\nLine five.", "A & B")
    cite = Citation(1, "a.txt", 4, 4, "The <b>council</b> met on Monday.", 0.9)
    fields = dict(
        question="When did the council meet?",
        text="The council met on Monday. [1] It cost $5 million.",
        sentences=(
            AnswerSentence("The <b>council</b> met on Monday.", (cite,), True, 0.9),
            AnswerSentence("It cost $5 million.", (cite,), False, 0.1),
        ),
        passages=(hit,), refused=False, backend="ollama", model="llama3.2", query="council meeting",
    )
    fields.update(kw)
    return Answer(**fields)


def test_unsupported_sentences_are_flagged_and_not_cited():
    out = app.answer_html(_answer())
    assert "&lt;b&gt;council&lt;/b&gt;" in out and "<b>" not in out
    supported, unsupported = out.split('<span class="unsupported"', 1)
    assert ">[1]</sup>" in supported
    assert "not supported by the sources" in unsupported and "<sup" not in unsupported
    assert "\n" not in out  # one line, so Markdown keeps it one raw-HTML block


def test_incomplete_and_refused_answers_are_labelled():
    assert "Incomplete answer" in app.answer_html(_answer(complete=False))
    assert "Incomplete answer" not in app.answer_html(_answer())
    refused = app.answer_html(_answer(refused=True, sentences=(), text=REFUSAL, refusal_reason="No passage says."))
    assert f'<div class="refusal">{html.escape(REFUSAL)}<span class="why">No passage says.</span>' in refused


def test_conversation_markdown_lists_citations_with_file_lines_and_quotes():
    messages = [
        {"role": "user", "content": "When did the council meet?"},
        {"role": "assistant", "content": "", "answer": _answer()},
    ]
    md = app.conversation_markdown(messages)
    assert "## 1. When did the council meet?" in md
    assert "- [1] `a.txt:4` — “The <b>council</b> met on Monday.”" in md
    assert "_(not supported by the sources)_" in md
    # The history given to the engine has no citation markers.
    assert app.history_for_engine(messages)[1]["content"] == "The council met on Monday. It cost $5 million."


def test_highlighting_escapes_and_marks_the_quote():
    text = "First <i>line</i>.\nThe quote   spans\nlines & more."
    span = find_span(text, "The quote spans lines")
    assert span is not None
    out = app.mark_spans(text, [span])
    assert '<mark class="quote">The quote   spans<br>lines</mark>' in out
    assert "&lt;i&gt;" in out and "&amp;" in out


def test_index_progress_moves_forward_through_the_stages():
    calls = [("reading", 0, 5), ("reading", 5, 5), ("chunking", 5, 5), ("embedding", 0, 16),
             ("embedding", 8, 16), ("embedding", 16, 16), ("writing", 0, 1), ("writing", 1, 1)]
    steps = [app.progress_step(*c) for c in calls]
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert steps[4][1] == "Embedding passages… 8/16"
    assert app.progress_step("embedding", 0, 0)[0] == pytest.approx(0.9)  # an empty stage counts as done


def test_source_card_marks_the_cited_sentence_in_its_lines():
    text = "Line one.\nLine two.\nThe <b>council</b> met on Monday.\nLine four.\nLine five."
    hit = Hit("c1", "a.txt", 10, 14, 0.9, text, "")
    cite = Citation(1, "a.txt", 12, 12, "The <b>council</b> met on Monday.", 0.9)
    doc = IndexedDocument("a.txt", text, title="Council news", date="2024-05-06", publisher="The Courier")
    out = app.source_card_html(2, hit, doc, [cite])
    assert '<span class="badge">[2]</span><span class="title">Council news</span>' in out
    assert "The Courier · 2024-05-06 · cited line 12" in out
    # the cited line with one line of context each side; the cut is shown
    assert out.count('<span class="gap">…</span>') == 2 and "Line one." not in out and "Line four." in out
    assert '<mark class="quote">The &lt;b&gt;council&lt;/b&gt; met on Monday.</mark>' in out
    assert app.card_lines(hit, [cite]) == [(12, 12)] and app.card_lines(hit) == [(10, 14)]


def test_lookup_card_marks_the_match_within_its_whole_lines():
    text = "Title\nHe said the talks were over. Then he left.\nAnother line."
    start = text.index("the talks")
    hit = Hit("c1", "a.txt", 2, 2, 0.97, "", "T", char_start=start, char_end=start + len("the talks were over"))
    out = app.lookup_card_html(1, hit, IndexedDocument("a.txt", text), "the talks were over")
    assert 'He said <mark class="quote">the talks were over</mark>. Then he left.</div>' in out
    assert "Match · similarity 97%" in out and "Another line" not in out
    found, summary = app.lookup_summary(hit)
    assert found and summary == "Found in **a.txt**, line 2 (similarity 97%)."
    near = Hit("c1", "a.txt", 2, 2, 0.6, "He said the talks were over.", "T")
    assert not app.lookup_summary(near)[0]
    assert "Closest passage" in app.lookup_card_html(1, near, None, "the talks were over")


def test_display_numbers_follow_the_first_citation_of_each_passage():
    c3, c1 = Citation(3, "c.txt", 1, 1, "q"), Citation(1, "a.txt", 1, 1, "q")
    answer = _answer(sentences=(AnswerSentence("x y", (c3,), True), AnswerSentence("y z", (c1, c3), True),
                                AnswerSentence("no", (Citation(2, "b.txt", 1, 1, "q"),), False)))
    assert app.display_numbers(answer) == {3: 1, 1: 2}
    assert answer.cited_files == ["c.txt", "a.txt"]
