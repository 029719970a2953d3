"""Streamlit UI: chat with the news articles; every claim links to the file and lines it comes from.

The page: layout and actions. A thin face over rag.engine.Engine: one cached Engine per server, the
chat in st.session_state, answers streamed token by token, then re-drawn with their checked
citations. The HTML it shows is built by the pure helpers in app_view.py.
Run with `streamlit run app.py`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import streamlit as st

from app_view import (
    CSS, UPLOAD_MAX_MB, answer_html, answer_meta_html, article_html, built_at_text, card_lines,
    conversation_markdown, display_numbers, error_text, history_for_engine, lookup_card_html, lookup_summary,
    md_escape, progress_step, report_text, skipped_text, source_card_html,
)
from app_view import (
    EVERYONE, is_statements, speaker_count_text, speaker_group_html, speaker_label, statement_card_html, statement_lines,
    statement_sources, statements_answer_html, statements_by_article,
)
from app_view import timeline_rows
from rag.config import Settings, offline_environment
from rag.engine import MAX_QUESTION_CHARS, Engine
from rag.documents import SUFFIXES
from rag.errors import IndexMissingError, RagError, UserInputError
from rag.filters import SearchFilter
from rag.generators.base import available_backends
from rag.generators.choice import find_model
from rag.retrieval import MODES
from rag.types import Answer, Citation, Done, Hit, IndexedDocument, IndexReport, Retrieved, Token
from rag.uploads import save_upload

BACKENDS = available_backends()

# ---------------------------------------------------------------------------------------------
# Engine and cached look-ups


@st.cache_resource(show_spinner="Loading the search engine…", max_entries=4)
def get_engine(_settings: Settings, key: str) -> Engine:
    """One Engine per server (and per settings, which only tests vary); it is thread-safe.

    The Engine loads its models lazily, so this returns at once."""
    return Engine(_settings)


def flash(kind: str, text: str) -> None:
    """A message that survives the st.rerun() after an action."""
    st.session_state.setdefault("flash", []).append((kind, text))


def show_flashes() -> None:
    for kind, text in st.session_state.pop("flash", []):
        getattr(st, kind)(text)


def show_error(exc: RagError) -> None:
    st.error(error_text(exc))


# ---------------------------------------------------------------------------------------------
# Actions


def run_index(engine, rebuild: bool = False, where=None) -> IndexReport | None:
    """Build or update the index with a progress bar; report through flash messages."""
    where = where or st
    bar = where.progress(0.0, text="Reading files…")

    def progress(stage: str, done: int, total: int) -> None:
        frac, text = progress_step(stage, done, total)
        bar.progress(frac, text=text)

    try:
        report = engine.index(rebuild=rebuild, progress=progress)
    except RagError as exc:
        bar.empty()
        flash("error", error_text(exc))
        return None
    bar.progress(1.0, text="Done")
    flash("success", report_text(report))
    if report.skipped:
        flash("warning", skipped_text(report))
    return report


def add_uploads(engine, corpus_dir: Path, files: Sequence, where=None) -> list[Path]:
    """Save the uploaded files into the corpus, then update the index (only new files are embedded)."""
    saved: list[Path] = []
    for f in files:
        try:
            saved.append(save_upload(corpus_dir, f.name, f.getvalue(), max_bytes=UPLOAD_MAX_MB * 1024 * 1024))
        except UserInputError as exc:
            flash("error", error_text(exc))
    if saved:
        names = ", ".join(p.name for p in saved)
        flash("info", f"Added to the corpus: {names}.")
        run_index(engine, rebuild=False, where=where)
    return saved


def clear_chat() -> None:
    st.session_state["messages"] = []


# ---------------------------------------------------------------------------------------------
# Rendering


def source_card(engine, number: int | str, hit: Hit, citations: Sequence[Citation] = (), near: bool = False) -> None:
    """A source card, and an expander with the whole article (the cited lines highlighted)."""
    doc = _document(engine, hit.file)
    with st.container(border=True):
        st.markdown(source_card_html(number, hit, doc, citations, near), unsafe_allow_html=True)
        _article_expander(hit.file, doc, card_lines(hit, citations))


def _document(engine, file: str) -> IndexedDocument | None:
    try:
        return engine.document(file)
    except RagError:
        return None


def _article_expander(file: str, doc: IndexedDocument | None, spans: Iterable[tuple[int, int]]) -> None:
    with st.expander(f"Whole article · {file}"):
        if doc is None:
            st.caption("This article is no longer in the index; re-index to refresh the sources.")
            return
        st.markdown(article_html(file, doc.text, spans, doc.removed_lines), unsafe_allow_html=True)


def render_statements(engine, answer: Answer) -> None:
    """Statements listed by article, and one source card per article (its number is the marker)."""
    sources = statement_sources(answer)
    docs = {f: _document(engine, f) for f in sources}
    st.markdown(statements_answer_html(answer, docs), unsafe_allow_html=True)
    for n, (file, cites) in enumerate(sources.items(), start=1):
        with st.container(border=True):
            st.markdown(statement_card_html(n, file, docs[file], cites, answer.passages), unsafe_allow_html=True)
            _article_expander(file, docs[file], statement_lines(cites))


def render_answer(engine, answer: Answer) -> None:
    """The checked answer, its source cards, and how it was made."""
    if is_statements(answer) and statement_sources(answer):
        render_statements(engine, answer)
    else:
        _render_prose(engine, answer)
    st.markdown(answer_meta_html(answer), unsafe_allow_html=True)
    timeline(answer)
    label = "Search query used" + (" (rewritten for search)" if answer.query != answer.question else "")
    with st.expander(label):
        st.code(answer.query or answer.question, language=None, wrap_lines=True)


def timeline(answer: Answer) -> None:
    """The retrieved articles by date, the cited ones marked: a glance instead of reading dates."""
    rows = timeline_rows(answer)
    if rows:
        with st.expander("Articles by date", expanded=False):
            st.bar_chart(rows, x="date", y="articles", color="kind", height=180)


def _render_prose(engine, answer: Answer) -> None:
    st.markdown(answer_html(answer), unsafe_allow_html=True)
    if answer.refused:
        if answer.passages:
            st.caption("Closest passages found (they do not answer the question):")
            for i, hit in enumerate(answer.passages[:3], start=1):
                source_card(engine, f"~{i}", hit, near=True)
    else:
        shown = display_numbers(answer)
        for n, cites in answer.cited_sources.items():
            if 0 < n <= len(answer.passages):
                source_card(engine, shown[n], answer.passages[n - 1], cites)


def stream_tokens(events: Iterator, sink: dict, note=None) -> Iterator[str]:
    """Yield the Token texts for st.write_stream; keep Retrieved and Done in `sink`.

    `note` (an st.empty) says what is happening until the first token arrives."""
    waiting = True
    for event in events:
        if isinstance(event, Token):
            if waiting and note is not None:
                note.empty()
            waiting = False
            yield md_escape(event.text)
        elif isinstance(event, Retrieved):
            sink["retrieved"] = event
            if note is not None:
                note.caption(f"Found {len(event.hits)} passages; writing the answer…")
        elif isinstance(event, Done):
            sink["answer"] = event.answer


def answer_question(engine, question: str, history: list[dict], options: dict) -> dict:
    """Stream the answer into the current chat message, then draw it with its citations."""
    if isinstance(options.get("filter"), UserInputError):
        # a filter the user set but mistyped: answering without it would look filtered and not be
        exc = options["filter"]
        problem = UserInputError(f"The sidebar filter is not valid: {exc.message}",
                                 f"{exc.hint} Then ask again; or clear the Since and Until boxes.")
        show_error(problem)
        return {"role": "assistant", "content": error_text(problem), "answer": None}
    sink: dict = {}
    placeholder = st.empty()
    try:
        with placeholder.container():
            note = st.empty()
            note.caption("Searching the articles…")
            events = engine.ask_stream(question, history=history, **options)
            st.write_stream(stream_tokens(events, sink, note))
    except RagError as exc:
        placeholder.empty()
        show_error(exc)
        return {"role": "assistant", "content": error_text(exc), "answer": None}
    placeholder.empty()
    answer: Answer | None = sink.get("answer")
    if answer is None:  # the stream ended without Done: treat as a bug-free but empty result
        st.error("The answer stream ended early. Ask again.")
        return {"role": "assistant", "content": "The answer stream ended early.", "answer": None}
    if is_statements(answer) and answer.question != question:
        # the statements route answers the rewritten follow-up and names it the question: keep the
        # one asked, so "Search query used" says when the query was rewritten
        answer = replace(answer, question=question)
    render_answer(engine, answer)
    return {"role": "assistant", "content": answer.text, "answer": answer}


def render_lookup(engine, quote: str, hits: Sequence[Hit]) -> None:
    if not hits:
        st.info("No passage in the corpus resembles this quote. Check the wording, or add the article.")
        return
    found, summary = lookup_summary(hits[0])
    (st.success if found else st.warning)(summary)
    for i, hit in enumerate(hits, start=1):
        doc = _document(engine, hit.file)
        with st.container(border=True):
            st.markdown(lookup_card_html(i, hit, doc, quote), unsafe_allow_html=True)
            _article_expander(hit.file, doc, [(hit.line_start, hit.line_end)])


def speakers_panel(engine) -> None:
    """Who is quoted, how often; one speaker's statements by date, optionally on one topic."""
    from rag.quotes import about, directory

    try:
        retriever = engine.retriever
    except RagError as exc:
        show_error(exc)
        return
    speakers = directory(retriever.index)
    ranked = speakers.ranked()
    if not ranked:
        st.info("The articles quote nobody the statement rules recognise.")
        return
    everyone = list(retriever.index.statements)
    labels = {EVERYONE: f"Everyone · {len(everyone)} statements", **{s.key: speaker_label(s) for s in ranked}}
    key = st.selectbox(f"Speaker ({len(ranked)} quoted)", list(labels), index=1, format_func=labels.get, key="speaker")
    topic = st.text_input("About", key="speaker_topic", placeholder="Filter by topic, e.g. Finland").strip()
    theirs = everyone if key == EVERYONE else speakers.statements_of(key)
    total = len(theirs)
    if topic:  # the match the chat's "what did X say about Y" uses: names, words, then meaning
        theirs = about(theirs, topic, retriever.index.documents, engine.embed, retriever.query_terms(topic),
                       passages=speakers.passages)
    name = EVERYONE if key == EVERYONE else speakers.speakers[key].name
    st.caption(speaker_count_text(name, total, theirs, topic))
    for file, group in statements_by_article(theirs):
        doc = _document(engine, file)
        with st.container(border=True):
            st.markdown(speaker_group_html(file, group, doc, speakers=key == EVERYONE), unsafe_allow_html=True)
            _article_expander(file, doc, statement_lines(group))


# ---------------------------------------------------------------------------------------------
# The page


def sidebar(engine, settings: Settings, index_status: dict | None) -> dict:
    """Draw the sidebar; return the answering options for ask_stream."""
    sb = st.sidebar
    sb.title("Corpus Q&A")
    sb.radio("Mode", ["Ask", "Find a quote", "Speakers"], key="mode", horizontal=True)

    sb.subheader("Answering")
    default_backend = settings.backend if settings.backend in BACKENDS else "auto"
    backend = sb.selectbox(
        "Backend", BACKENDS, index=BACKENDS.index(default_backend), key="backend",
        help="auto: Ollama when it has the model, else the embedded model, else extractive answers.",
    )
    # the engine's status, re-probed at most every 30 s and shared by every session; `answers` is
    # the backend that will answer, decided where the engine decides it
    status = engine.backends_status()
    ollama, llama = status.ollama, status.llamacpp
    answers = status.auto if backend == "auto" else backend
    embedded = Path(llama.model_path).name if llama.model_path else ""
    model = None
    if answers == "ollama" and ollama.reachable and ollama.models:
        models = list(ollama.models)
        configured = find_model(models, ollama.model)
        model = sb.selectbox("Ollama model", models, index=models.index(configured) if configured else 0, key="model")
        if configured is None:
            sb.caption(f"The configured model `{ollama.model}` is not pulled; "
                       f"run `ollama pull {ollama.model}` or pick one above.")
    elif backend in ("auto", "ollama") and ollama.reachable:
        if ollama.models:  # auto skips Ollama because the configured model is missing
            sb.caption(f"Ollama has no `{ollama.model}`; choose the ollama backend to pick one of its "
                       f"{len(ollama.models)} models.")
        else:
            sb.warning(f"Ollama at {ollama.host} has no models. Run `ollama pull {ollama.model}`.")
    elif backend in ("auto", "ollama"):
        sb.info(f"No Ollama server is reachable at {ollama.host}. "
                "Start one with `ollama serve` to answer with your own models.")
    if answers == "llamacpp":
        if llama.available:
            sb.caption(f"Embedded model: `{embedded}`")
        else:
            sb.caption(f"Embedded model unavailable: {llama.detail}.")
    if backend == "auto":
        sb.caption(f"Auto answers with: **{status.auto}**")
    if answers == "extractive":
        sb.caption("Extractive answers quote sentences from the articles; no language model is used.")
    k = sb.slider("Passages to read", 1, 10, min(max(settings.top_k, 1), 10), key="k")
    default_mode = settings.search_mode if settings.search_mode in MODES else "hybrid"
    search_mode = sb.selectbox("Search mode", MODES, index=MODES.index(default_mode), key="search_mode")

    sb.subheader("Index")
    if index_status is not None:
        sb.caption(
            f"**{index_status['files']}** files · **{index_status['chunks']}** passages  \n"
            f"Last built {built_at_text(index_status.get('built_at'))}  \n"
            f"Embeddings: `{index_status.get('embed_model') or '?'}`"
        )
        if index_status.get("skipped"):
            sb.caption(f"{len(index_status['skipped'])} files were not indexed.")
    else:
        sb.caption("No index yet.")
    rebuild = sb.checkbox("Rebuild from scratch", key="rebuild", help="Otherwise only changed files are re-read.")
    if sb.button("Re-index", key="reindex", width="stretch"):
        run_index(engine, rebuild=rebuild, where=sb)
        st.rerun()

    sb.subheader("Add articles")
    with sb.form("upload", clear_on_submit=True, border=False):
        files = st.file_uploader(
            "Articles (.txt .md .html .csv .tsv .jsonl .pdf)", type=[x.lstrip(".") for x in SUFFIXES],
            accept_multiple_files=True, key="uploads", max_upload_size=UPLOAD_MAX_MB,
            help=f"Up to {UPLOAD_MAX_MB} MB each. They are saved into {settings.corpus_dir} and indexed.",
        )
        submitted = st.form_submit_button("Add and index", width="stretch")
    if submitted:
        if files:
            add_uploads(engine, Path(settings.corpus_dir), files, where=sb)
        else:
            flash("warning", "Choose one or more articles or exports first.")
        st.rerun()

    # the backend named, not "auto": a model picked from Ollama's list goes to Ollama, never to the
    # embedded backend as a GGUF path
    return {"backend": answers, "model": model, "k": k, "mode": search_mode, "filter": sidebar_filter(engine, sb)}


def sidebar_filter(engine, sb) -> SearchFilter | UserInputError | None:
    """Dates and publishers to search within (as `rag ask --since --until --source`); the
    UserInputError of a date that is not one, for the question to be held until it is fixed."""
    sb.subheader("Filter")
    try:
        docs = engine.retriever.index.documents.values()
    except RagError:
        docs = []
    sources = sorted({d["publisher"] for d in docs if d.get("publisher")})
    since = sb.text_input("Since", key="since", placeholder="YYYY-MM-DD", help="Only articles dated on or after this day.")
    until = sb.text_input("Until", key="until", placeholder="YYYY-MM-DD", help="Only articles dated on or before this day.")
    picked = sb.multiselect("Sources", sources, key="sources", help="Only articles from these publishers.")
    try:
        f = SearchFilter.of(since or None, until or None, picked)
    except UserInputError as exc:
        sb.warning(f"{exc.message} {exc.hint or ''}")
        return exc
    if f.dated:
        sb.caption("Undated articles are left out while dates are set.")
    return f or None


def conversation_controls() -> None:
    """New chat and Download, drawn last so that they include the turn answered in this run."""
    sb = st.sidebar
    sb.subheader("Conversation")
    messages = st.session_state.get("messages", [])
    sb.button("New chat", key="new_chat", on_click=clear_chat, width="stretch", disabled=not messages)
    sb.download_button(
        "Download conversation (.md)", data=conversation_markdown(messages), file_name="conversation.md",
        mime="text/markdown", key="download", width="stretch", disabled=not messages, on_click="ignore",
    )


def main() -> None:
    offline_environment()
    st.set_page_config(page_title="Corpus Q&A", page_icon="📰", layout="centered")
    st.markdown(CSS, unsafe_allow_html=True)
    st.session_state.setdefault("messages", [])
    try:
        settings = Settings.from_env()
    except RagError as exc:  # a mistyped RAG_* variable: say which, instead of a traceback
        st.error(f"{exc.message}\n\n{exc.hint}")
        st.stop()
    engine = get_engine(settings, repr(settings))

    index_status, index_problem = None, None
    try:
        index_status = engine.status()
    except IndexMissingError:
        pass
    except RagError as exc:  # damaged index, unreadable manifest
        index_problem = exc

    options = sidebar(engine, settings, index_status)
    main_area(engine, settings, index_status, index_problem, options)
    conversation_controls()


def main_area(engine, settings: Settings, index_status: dict | None, index_problem: RagError | None,
              options: dict) -> None:
    mode = st.session_state.get("mode", "Ask")
    st.title({"Find a quote": "Find where a quote comes from", "Speakers": "Who said what"}.get(mode, "Ask the news articles"))
    show_flashes()

    if index_status is None:
        if index_problem is not None:
            show_error(index_problem)
            label = "Rebuild the index"
        else:
            st.warning(f"No index has been built yet for the articles in `{settings.corpus_dir}`.")
            label = "Build the index now"
        if st.button(label, type="primary", key="build_index"):
            if run_index(engine, rebuild=index_problem is not None) is not None:
                st.rerun()
            show_flashes()
        return

    if mode == "Speakers":
        speakers_panel(engine)
        return

    if mode == "Find a quote":
        with st.form("lookup_form"):
            quote = st.text_area("Quote", placeholder="Paste a sentence, or part of one, from an article…",
                                 key="quote")
            go = st.form_submit_button("Find the source", type="primary")
        if go:
            try:
                st.session_state["lookup"] = (quote, engine.lookup(quote, k=3))
            except RagError as exc:
                st.session_state.pop("lookup", None)
                show_error(exc)
        if "lookup" in st.session_state:
            render_lookup(engine, *st.session_state["lookup"])
        return

    messages = st.session_state["messages"]
    if not messages:
        st.caption("Ask a question about the articles. Every claim in the answer cites the file and lines it "
                   "comes from; open a source card to read the whole article.")
    for m in messages:
        with st.chat_message(m["role"]):
            if m["role"] == "user":
                st.markdown(md_escape(m["content"]))
            elif m.get("answer") is not None:
                render_answer(engine, m["answer"])
            else:
                st.error(m["content"])

    question = st.chat_input("Ask about the news articles…", key="question", max_chars=MAX_QUESTION_CHARS)
    if question:
        history = history_for_engine(messages)
        messages.append({"role": "user", "content": question})
        with st.chat_message("user"):
            st.markdown(md_escape(question))
        with st.chat_message("assistant"):
            messages.append(answer_question(engine, question, history, options))


if __name__ == "__main__":
    main()
