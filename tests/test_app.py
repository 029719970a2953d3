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
    from tests.conftest_app import (APP, APP_TIMEOUT, NO_OLLAMA, PESKOV_FINLAND_FILES, SEEDS, build_index,
                                    seeded_corpus, start_app)
    from tests.ollama_server import FakeOllama
except ImportError:
    from conftest_app import (APP, APP_TIMEOUT, NO_OLLAMA, PESKOV_FINLAND_FILES, SEEDS, build_index,
                                    seeded_corpus, start_app)
    from ollama_server import FakeOllama

import app_view as app  # noqa: E402  (the repo root is on sys.path: pytest's pythonpath)

TIMEOUT = APP_TIMEOUT

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


start = start_app


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


BLINKEN = "Who handed Finland's signed NATO accession treaty to Antony Blinken?"
# Peskov on Finland, one line in each of the three articles (tests/test_speech.py has them all)
PESKOV_ON_FINLAND = {"000_98f58e9247f94cfe.txt": "an additional threat for the Russian Federation",
                     "002_049595089446fbd5.txt": "never intentionally damaged its relations",
                     "004_e280ef4099de1b9e.txt": "keep an eye on any Nato military deployments to Finland"}


def cards_of(node) -> dict[int, str]:
    """Source card badge number -> the card's HTML, asserting each number is on one card only."""
    cards: dict[int, str] = {}
    for m in node.markdown:
        for head in re.findall(r'<div class="src-head".*', m.value):
            n = int(re.search(r'<span class="badge">\[(\d+)\]</span>', head).group(1))
            assert n not in cards, f"two cards badged [{n}]"
            cards[n] = head
    return cards


def card_file(card: str) -> str:
    return re.search(r'data-file="([^"]+)"', card).group(1)


def cited_lines(card: str) -> set[int]:
    """The line numbers a card says it cites ("cited lines 2–5, line 7")."""
    where = re.search(r"cited ((?:lines? \d+(?:–\d+)?(?:, )?)+)", card).group(1)
    out: set[int] = set()
    for a, b in re.findall(r"(\d+)(?:–(\d+))?", where):
        out.update(range(int(a), int(b or a) + 1))
    return out


def check_markers_match_cards(answer_html: str, cards: dict[int, str]) -> list[tuple[str, str]]:
    """Every statement has one marker; its number is the card of the statement's article, and the
    lines it cites are lines that card cites. Returns (file, statement text) per statement."""
    out = []
    for group in re.findall(r'<div class="stmt-group" data-file="[^"]+">.*?</ul></div>', answer_html):
        file = card_file(group)
        for item in re.findall(r'<li class="stmt">(.*?)</li>', group):
            marks = re.findall(r'<sup class="cite" title="([^"]+)">\[(\d+)\]</sup>', item)
            assert len(marks) == 1, item  # one marker, never a repeated one
            (location, number), = marks
            assert int(number) in cards, (number, sorted(cards))
            assert card_file(cards[int(number)]) == file == location.split(":")[0], (item, file)
            span = [int(x) for x in location.split(":")[1].split("-")]
            assert set(range(span[0], span[-1] + 1)) <= cited_lines(cards[int(number)]), (location, cards[int(number)])
            out.append((file, html.unescape(re.sub(r"<[^>]+>", "", item.split("<sup")[0]))))
    return out


def test_what_peskov_said_about_finland_is_listed_by_article_with_markers_matching_cards(monkeypatch, shared):
    at = start(monkeypatch, *shared)
    msg = ask(at, "What did Peskov say about Finland?")
    page = text_of(msg)
    assert 'data-refused="false"' in page and "not supported by the sources" not in page
    answer = next(m.value for m in msg.markdown if 'class="answer statements"' in m.value)
    # the count line on top, then one group per article, each headed by its title
    count = re.search(r'<div class="stmt-count">Found (\d+) statements by Dmitry Peskov [^<]*about Finland in 3 articles\.</div>',
                      answer)
    assert count and answer.index("stmt-count") < answer.index("stmt-group"), answer[:300]
    groups = re.findall(r'<div class="stmt-group" data-file="([^"]+)">', answer)
    assert sorted(groups) == sorted(PESKOV_FINLAND_FILES), groups
    assert 'class="title">Kremlin affirms Russia never sought to weaken relations' in answer
    assert "MENAFN" in answer  # the publisher, where the article names one
    # one card per article, numbered 1, 2, 3 in the order the answer lists them
    cards = cards_of(msg)
    assert sorted(cards) == [1, 2, 3] and [card_file(cards[n]) for n in (1, 2, 3)] == groups
    statements = check_markers_match_cards(answer, cards)
    assert len(statements) == int(count.group(1))
    for file, words in PESKOV_ON_FINLAND.items():
        assert any(f == file and words in text for f, text in statements), (file, words)
    assert all(text.startswith("Peskov") for _, text in statements)  # each with its speaker
    # the words marked on each card are on the lines that card cites
    for card in cards.values():
        file, lines = card_file(card), cited_lines(card)
        marked = [html.unescape(q).replace("<br>", "\n") for q in re.findall(r'<mark class="quote">(.*?)</mark>', card)]
        assert marked, card
        source = " ".join(seed_line(file, n) for n in sorted(lines))
        assert all(" ".join(q.split()) in " ".join(source.split()) for q in marked), (marked, file)
    # each card opens its whole article with the statements' lines highlighted
    assert sorted(e.label for e in msg.expander if e.label.startswith("Whole article")) == \
        sorted(f"Whole article · {f}" for f in PESKOV_FINLAND_FILES)
    article = next(m.value for m in msg.markdown if 'class="article" data-file="004_' in m.value)
    assert '<div class="ln hl"><span class="no">7</span>' in article
    # the chat keeps the turn, and the export lists the statements with their sources
    assert [m["role"] for m in at.session_state["messages"]] == ["user", "assistant"]
    assert not at.get("download_button")[0].proto.disabled
    md = app.conversation_markdown(at.session_state["messages"])
    assert "**[2] 002_049595089446fbd5.txt**" in md and "_(not supported" not in md
    assert "- [3] `004_e280ef4099de1b9e.txt:7` — “Russia would keep an eye" in md


def test_a_speaker_who_never_spoke_on_the_topic_is_shown_with_what_he_did_talk_about(monkeypatch, shared):
    at = start(monkeypatch, *shared)
    msg = ask(at, "What did Peskov say about Japan?")
    page = text_of(msg)
    assert REFUSAL in page and 'data-refused="true"' in page
    answer = next(m.value for m in msg.markdown if 'class="answer statements"' in m.value)
    assert "not reported saying anything about Japan" in answer
    assert re.search(r"Dmitry Peskov spoke about: [^<]*Ukraine \(\d+\)", answer), answer[:600]
    # the examples of what he did say are his statements, cited, not "closest passages"
    cards = cards_of(msg)
    statements = check_markers_match_cards(answer, cards)
    assert statements and all("Peskov" in text for _, text in statements)
    assert "Closest passages found" not in page


def test_the_speakers_panel_lists_speakers_and_filters_a_speakers_statements_by_topic(monkeypatch, shared):
    from rag.index import load_index
    from rag.quotes import directory

    peskov = directory(load_index(shared[1])).find("Peskov")
    at = start(monkeypatch, *shared)
    at.radio(key="mode").set_value("Speakers").run()
    assert not at.exception
    picker = at.selectbox(key="speaker")
    label = f"Dmitry Peskov (Kremlin spokesman) · {peskov.statements} statements in 4 articles"
    assert label in picker.options and picker.options[0].startswith("Everyone · ")
    assert picker.value == peskov.key  # the most quoted speaker first

    def listed() -> list[tuple[str, int, str]]:
        out = []
        for m in at.main.markdown:
            for group in re.findall(r'<div class="stmt-group" data-file="[^"]+">.*?</ul></div>', m.value):
                for a, b, item in re.findall(r'<li class="stmt" data-lines="(\d+)-(\d+)">(.*?)</li>', group):
                    text = html.unescape(re.sub(r"<[^>]+>", "", item.split('<span class="loc">')[0])).strip()
                    out.append((card_file(group), int(a), text))
        return out

    everything = listed()
    assert len(everything) == peskov.statements and len({f for f, _, _ in everything}) == 4
    assert f"{peskov.statements} statements in 4 articles" in at.caption[0].value
    dated = re.findall(r'<span class="date">([^<]+)</span>', "".join(m.value for m in at.main.markdown))
    assert dated[0] == "2024-12-03" and dated[-1] == "undated"  # by date, the undated last

    at.text_input(key="speaker_topic").input("Finland").run()
    assert not at.exception
    finland = listed()
    assert {f for f, _, _ in finland} == PESKOV_FINLAND_FILES and len(finland) < len(everything)
    for file, words in PESKOV_ON_FINLAND.items():
        assert any(f == file and words in text for f, _, text in finland), (file, words)
    for file, line, text in finland:  # each statement's words are on its line of its article
        start_words = " ".join(text.strip("“”").split()[:3])
        assert start_words in seed_line(file, line), (file, line, text)
    assert f"{len(finland)} of Dmitry Peskov's {peskov.statements} statements in 3 articles are about “Finland”" \
        in at.caption[0].value
    # each article's statements link to the article, their lines highlighted
    assert sorted(e.label for e in at.main.expander) == sorted(f"Whole article · {f}" for f in PESKOV_FINLAND_FILES)
    article = next(m.value for m in at.main.markdown if 'class="article" data-file="002_' in m.value)
    assert '<div class="ln hl"><span class="no">5</span>' in article

    at.text_input(key="speaker_topic").input("bananas").run()
    assert not listed() and "None of Dmitry Peskov's" in at.caption[0].value
    at.text_input(key="speaker_topic").input("").run()
    at.selectbox(key="speaker").set_value(app.EVERYONE).run()
    assert not at.exception
    assert any(text.startswith("Vladimir Putin") for _, _, text in listed())


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
        msg = ask(at, BLINKEN)  # not a question about what someone said: the model answers it
        chats = [body for method, path, body in fake.requests if path == "/api/chat"]
        assert chats and chats[-1]["model"] == "qwen2.5:0.5b"
        page = text_of(msg)
        assert "Answered by ollama · qwen2.5:0.5b" in page and ">[1]</sup>" in page
        assert "Incomplete answer" not in page

        # The server fails half-way through the next answer: what came is kept, labelled incomplete.
        fake.fault = "error_mid_stream"
        msg = ask(at, "Where was Finnish President Alexander Stubb speaking when he talked about renewing ties with Russia?")
        assert "Incomplete answer" in text_of(msg)
        assert not at.exception


def test_ollama_down_is_one_clear_sentence_and_a_next_step(monkeypatch, shared):
    at = start(monkeypatch, *shared, backend="ollama")
    assert "No Ollama server is reachable at http://127.0.0.1:9" in text_of(at.sidebar)
    msg = ask(at, BLINKEN)
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
    # an export's rows are counted within the reading stage, by rows
    frac, text = app.progress_step("rows", 812, 40194)
    assert 0.0 < frac < 0.1 and text == "Reading export rows… 812/40194"


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


def _statements_answer(refused: bool = False) -> Answer:
    text_a = "Title A\n“We <will> act,” Peskov said.\nHe added that talks go on.\nLine four.\nPeskov said later: “Not now.”\nEnd."
    c1 = Citation(1, "a.txt", 2, 2, "We <will> act", 1.0)
    c2 = Citation(2, "a.txt", 3, 3, "talks go on", 1.0)
    c3 = Citation(3, "a.txt", 5, 5, "Not now.", 1.0)
    c4 = Citation(4, "b.txt", 7, 7, "Later, maybe.", 1.0)
    passages = tuple(Hit(f"h{c.source}", c.file, c.line_start, c.line_end, 1.0,
                         text_a.split("\n")[c.line_start - 1] if c.file == "a.txt" else "Peskov: “Later, maybe.”", "T")
                     for c in (c1, c2, c3, c4))
    sentences = (
        AnswerSentence("Found 4 statements by Dmitry Peskov in 2 articles.", (), True, 1.0),
        AnswerSentence("Peskov spoke of acting and talks.", (c1, c4), True, 0.9),  # a summary citing both articles
        AnswerSentence("Peskov: “We <will> act”", (c1,), True, 1.0),
        AnswerSentence("Peskov added: talks go on", (c2,), True, 1.0),
        AnswerSentence("Peskov: “Not now.”", (c3,), True, 1.0),
        AnswerSentence("Peskov: “Later, maybe.”", (c4,), True, 1.0),
    )
    return Answer(question="What did Peskov say?", text="...", sentences=sentences, passages=passages, refused=refused,
                  backend="statements", model="statements", refusal_reason="Not on that." if refused else ""), text_a


def test_statements_answer_groups_by_article_and_numbers_markers_by_card():
    answer, text_a = _statements_answer()
    docs = {"a.txt": IndexedDocument("a.txt", text_a, title="Kremlin <speaks>", date="2024-01-02", publisher="Wire"),
            "b.txt": None}
    out = app.statements_answer_html(answer, docs)
    assert "\n" not in out and "<will>" not in out and "&lt;will&gt;" in out
    assert out.index('class="stmt-count">Found 4 statements') < out.index('class="stmt-group"')
    assert '<span class="date">2024-01-02</span> · Wire · <span class="title">Kremlin &lt;speaks&gt;</span>' in out
    assert '<span class="date">undated</span> · <span class="title">T</span> · <code>b.txt</code>' in out
    a, b = out.split('data-file="b.txt"')
    assert a.count('<li class="stmt">') == 3 and b.count('<li class="stmt">') == 1
    assert re.findall(r">\[(\d)\]</sup></li>", a) == ["1", "1", "1"] and ">[2]</sup></li>" in b
    # the summary cites both articles' cards, once each, above the list
    assert 'class="stmt-note claim">Peskov spoke of acting and talks.<sup class="cite" title="a.txt:2">[1]</sup>' \
           '<sup class="cite" title="b.txt:7">[2]</sup></div>' in out
    assert app.answer_meta_html(answer).count("Listed from the statements in the index") == 1
    refused = app.statements_answer_html(_statements_answer(refused=True)[0], docs)
    assert refused.startswith(f'<div class="refusal">{html.escape(REFUSAL)}<span class="why">Not on that.</span>')
    assert '<li class="stmt">' in refused  # what the speaker did talk about is kept


def test_statement_card_shows_the_cited_lines_joined_with_gaps_between():
    answer, text_a = _statements_answer()
    cites = app.statement_sources(answer)["a.txt"]
    doc = IndexedDocument("a.txt", text_a, title="Kremlin speaks")
    out = app.statement_card_html(1, "a.txt", doc, cites)
    assert '<span class="badge">[1]</span><span class="title">Kremlin speaks</span>' in out
    assert "cited lines 2–3, line 5" in out
    gap = '<span class="gap">…</span>'
    passage = out.split('<div class="passage">')[1]
    assert passage.startswith(gap) and passage.endswith(gap + "</div>") and passage.count(gap) == 3
    assert "Line four" not in passage and "Title A" not in passage
    assert '“<mark class="quote">We &lt;will&gt; act</mark>,” Peskov said.<br>He added that <mark class="quote">talks go on</mark>.' in passage
    # without the article, the card is made from the answer's passages
    assert '<mark class="quote">Later, maybe.</mark>' in app.statement_card_html(2, "b.txt", None, [cites[0].__class__(
        4, "b.txt", 7, 7, "Later, maybe.", 1.0)], answer.passages)
    assert app.merge_lines([(5, 5), (2, 2), (3, 4), (9, 12), (10, 11)]) == [(2, 5), (9, 12)]


def test_speakers_panel_helpers_group_by_article_in_date_order():
    from rag.speech import Statement

    def st(file, ordinal, date, text, kind="direct"):
        return Statement(file, ordinal, "Dmitry Peskov", "dmitry peskov", "Kremlin spokesman", kind, text, 0, 1,
                         ordinal, ordinal, ((0, 1),), 0, 1, "said", "Peskov", date)

    later, undated, early, early2 = st("b.txt", 3, "2024-05-01", "B"), st("c.txt", 1, None, "C"), \
        st("a.txt", 2, "2023-01-01", "A1 <x>"), st("a.txt", 4, "2023-01-01", "A2", kind="indirect")
    groups = app.statements_by_article([later, undated, early2, early])
    assert [f for f, _ in groups] == ["a.txt", "b.txt", "c.txt"] and groups[0][1] == [early, early2]
    out = app.speaker_group_html("a.txt", groups[0][1], IndexedDocument("a.txt", "", title="T", date="2023-01-01"))
    assert '<li class="stmt" data-lines="2-2">“A1 &lt;x&gt;” <span class="loc">line 2</span></li>' in out
    assert '<li class="stmt" data-lines="4-4">A2 <span class="loc">line 4</span></li>' in out  # indirect: unquoted
    assert "<b>Dmitry Peskov (Kremlin spokesman)</b>: " in app.speaker_group_html("a.txt", [early], None, speakers=True)
    assert app.statement_lines([early2, early, later]) == [(2, 4)]
    assert app.speaker_count_text("Dmitry Peskov", 4, [early, early2], "Finland") == \
        "2 of Dmitry Peskov's 4 statements in 1 article are about “Finland”, by date."
    assert app.speaker_count_text(app.EVERYONE, 4, [], "bananas") == "None of the 4 statements is about “bananas”."


def test_a_verified_model_summary_sits_above_the_statements_not_among_them(seed_engine):
    from dataclasses import replace

    plain = seed_engine.ask("What did Peskov say about Finland?", backend="extractive")
    first = plain.sentences[1].citations[0]
    summary = AnswerSentence("Peskov called Finland's membership a threat.", (first,), True, 1.0)
    summed = replace(plain, sentences=(summary, *plain.sentences), backend="statements+ollama")
    assert app.is_statements(summed)
    page = app.statements_answer_html(summed, {})
    top = page.index("Peskov called Finland")
    assert top < page.index("stmt-count") < page.index("stmt-group")
    assert page.count("Peskov called Finland") == 1 and 'class="stmt-count"' in page
    plain_page = app.statements_answer_html(plain, {})
    assert plain_page.count('<li class="stmt">') == page.count('<li class="stmt">')


def _spanning_answer() -> Answer:
    """An answer citing four articles out of date order: 2019 (b), undated (u), 1987 (r), 2019 again (f)."""
    dated = {"b.html": ("2019-02-23", "Breitbart"), "u.txt": (None, None), "r.csv#7": ("1987-02-26", "Reuters"),
             "f.html": ("2019-02-23", "Fox News")}
    passages = tuple(Hit(f"h{n}", file, 1, 1, 0.9, f"Sentence {n} of {file}.", f"T{n}", date=d, source=s,
                         row="7" if "#" in file else None)
                     for n, (file, (d, s)) in enumerate(dated.items(), start=1))
    cites = [Citation(n, p.file, 1, 1, p.text, 0.9) for n, p in enumerate(passages, start=1)]
    sentences = (AnswerSentence("First claim.", (cites[0],), True, 0.9),
                 AnswerSentence("Second claim.", (cites[1], cites[2]), True, 0.9),
                 AnswerSentence("Third claim.", (cites[3], cites[0]), True, 0.9))
    return Answer(question="q", text="First claim. [1] Second claim. [2][3] Third claim. [4][1]", sentences=sentences,
                  passages=passages, refused=False, backend="extractive", model="extractive")


def test_an_answer_spanning_articles_lists_them_by_date_undated_last():
    answer = _spanning_answer()
    # by date; the two of 2019-02-23 in the order first cited; the undated one last
    assert list(answer.cited_sources) == [3, 1, 4, 2]
    assert answer.cited_files == ["r.csv#7", "b.html", "f.html", "u.txt"]
    shown = app.display_numbers(answer)
    assert shown == {3: 1, 1: 2, 4: 3, 2: 4}
    html_out = app.answer_html(answer)
    assert "First claim.<sup" in html_out and '>[2]</sup></span> <span class="claim">Second claim.' in html_out
    assert re.findall(r"Second claim\.((?:<sup[^>]*>\[\d\]</sup>)+)", html_out)[0].count("[1]") == 1  # markers follow the cards
    src = answer.to_dict()["sources"]
    assert [(s["passage"], s["date"], s["publisher"]) for s in src] == [
        (3, "1987-02-26", "Reuters"), (1, "2019-02-23", "Breitbart"), (4, "2019-02-23", "Fox News"), (2, None, None)]
    assert src[0]["row"] == "7" and src[0]["locations"] == ["r.csv#row 7, line 1"]
    md = app.conversation_markdown([{"role": "user", "content": "q"}, {"role": "assistant", "content": "", "answer": answer}])
    cards = list(dict.fromkeys(re.findall(r"- \[(\d)\] `([^`]+)`", md)))  # b.html is cited twice
    assert cards == [("1", "r.csv#row 7, line 1"), ("2", "b.html:1"), ("3", "f.html:1"), ("4", "u.txt:1")]


def test_statements_cards_follow_the_articles_dates_even_when_a_summary_cites_a_later_one_first():
    from dataclasses import replace

    answer = _spanning_answer()
    summary = AnswerSentence("Summary.", (answer.sentences[2].citations[0],), True, 1.0)  # f.html, 2019
    listed = tuple(AnswerSentence(f"Said {c.source}.", (c,), True, 1.0)
                   for c in (answer.sentences[1].citations[1], answer.sentences[2].citations[0]))  # r (1987), f (2019)
    stmts = replace(answer, sentences=(summary, AnswerSentence("Found 2 statements.", (), True, 1.0), *listed),
                    backend="statements+ollama")
    assert list(app.statement_sources(stmts)) == ["r.csv#7", "f.html"]
    page = app.statements_answer_html(stmts, {})
    assert page.index('data-file="r.csv#7"') < page.index('data-file="f.html"')
    assert 'Summary.<sup class="cite" title="f.html:1">[2]</sup>' in page
    assert re.findall(r"Said (\d)\.<sup[^>]*>\[(\d)\]", page) == [("3", "1"), ("4", "2")]


def test_cli_ask_lists_the_sources_by_date(monkeypatch, capsys):
    import argparse

    from rag import cli
    from rag.types import Done

    answer = _spanning_answer()

    class Answered:  # the engine's one event the CLI prints from
        def ask_stream(self, *a, **kw):
            yield Done(answer)

    monkeypatch.setattr(cli, "_engine", lambda args: Answered())
    args = argparse.Namespace(question="q", backend="extractive", model=None, k=None, mode=None, json=False,
                              since=None, until=None, source=None)
    assert cli.cmd_ask(args) == 0
    out = capsys.readouterr().out.split("Sources, by date:\n", 1)[1]
    assert re.findall(r"^  \[(\d)\] (\S+)", out, re.M) == [("3", "1987-02-26"), ("1", "2019-02-23"),
                                                          ("4", "2019-02-23"), ("2", "undated")]
    assert "Reuters · T3  (r.csv#row 7, line 1)" in out


# -- the sidebar's filters ------------------------------------------------------------------------

FORMATS = Path(__file__).resolve().parent / "data" / "formats"


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, Path, dict[str, tuple[str | None, str | None]]]:
    """The seeds plus the dated fixtures (Reuters 1987 rows, 2011-2020 web pages and a feed export),
    indexed; and each document's (date, publisher) as the index holds them."""
    import shutil

    from rag.config import Settings
    from rag.engine import Engine

    base = tmp_path_factory.mktemp("archive")
    corpus = seeded_corpus(base / "corpus")
    for p in FORMATS.iterdir():
        if p.suffix in (".html", ".csv", ".jsonl"):
            shutil.copy(p, corpus / p.name)
    engine = Engine(Settings.from_env(corpus_dir=corpus, index_dir=base / "index"))
    engine.index()
    meta = {k: (d.get("date"), d.get("publisher")) for k, d in engine.retriever.index.documents.items()}
    return corpus, base / "index", meta


def card_files(node) -> list[str]:
    """The articles of the source cards in a part of the page (each card's data-file)."""
    return [html.unescape(f) for m in node.markdown for f in re.findall(r'class="src-head" data-file="([^"]+)"', str(m.value))]


def test_sidebar_dates_keep_the_answers_sources_in_the_period(monkeypatch, archive):
    corpus, index, meta = archive
    at = start(monkeypatch, corpus, index)
    peskov = "What did Peskov say about Finland's NATO membership?"
    assert set(card_files(ask(at, peskov))) & PESKOV_FINLAND_FILES  # unfiltered: the 2024 articles
    at.text_input(key="since").set_value("1987-02-01")
    at.text_input(key="until").set_value("1987-02-28").run()
    assert "Undated articles are left out while dates are set." in [c.value for c in at.sidebar.caption]
    reply = ask(at, "What did the banks say about Brazil's debt?")
    files = card_files(reply)
    assert files and all((meta[f][0] or "").startswith("1987-02") for f in files), [(f, meta[f]) for f in files]
    # a question about 2024's news finds nothing of it inside February 1987: no seed article is shown
    files = card_files(ask(at, peskov))
    assert all((meta[f][0] or "").startswith("1987-02") for f in files), [(f, meta[f]) for f in files]
    assert not any(f in PESKOV_FINLAND_FILES for f in files)


def test_sidebar_sources_keep_the_answers_sources_to_those_publishers(monkeypatch, archive):
    corpus, index, meta = archive
    at = start(monkeypatch, corpus, index)
    sources = at.multiselect(key="sources")
    assert {"Fox News", "HuffPost", "Reuters", "CNN"} <= set(sources.options)
    question = "Who filed a labor complaint against Elizabeth Warren's campaign?"
    sources.set_value(["Fox News"]).run()
    files = card_files(ask(at, question))
    assert files and {meta[f][1] for f in files} == {"Fox News"}, [(f, meta[f]) for f in files]
    # the same question within HuffPost: whatever is shown (an answer or the closest passages) is HuffPost's
    at.multiselect(key="sources").set_value(["HuffPost"]).run()
    files = card_files(ask(at, question))
    assert files and {meta[f][1] for f in files} == {"HuffPost"}, [(f, meta[f]) for f in files]


def test_a_mistyped_sidebar_date_is_a_clear_message_and_holds_the_question(monkeypatch, archive):
    corpus, index, _ = archive
    at = start(monkeypatch, corpus, index)
    at.text_input(key="since").set_value("last tuesday").run()
    assert not at.exception
    warning = " ".join(w.value for w in at.sidebar.warning)
    assert "'last tuesday' is not a date." in warning and "YYYY-MM-DD" in warning
    reply = ask(at, "What did the banks say about Brazil's debt?")
    said = " ".join(e.value for e in reply.error)
    assert "The sidebar filter is not valid: 'last tuesday' is not a date." in said and "Traceback" not in said
    assert card_files(reply) == []  # not answered as if the articles had been filtered
    at.text_input(key="until").set_value("1987").run()
    at.text_input(key="since").set_value("1988").run()
    assert "The since date 1988 is after the until date 1987." in " ".join(w.value for w in at.sidebar.warning)
    at.text_input(key="since").set_value("").run()
    at.text_input(key="until").set_value("").run()
    assert not at.sidebar.warning
    assert card_files(ask(at, "What did the banks say about Brazil's debt?"))  # fixed: answered
