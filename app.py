"""Streamlit UI: chat with the news articles; every claim links to the file and lines it comes from.

A thin face over rag.engine.Engine: one cached Engine per server, the chat in st.session_state,
answers streamed token by token, then re-drawn with their checked citations.
Run with `streamlit run app.py`.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import streamlit as st

from rag.config import Settings
from rag.engine import MAX_QUESTION_CHARS, Engine
from rag.errors import IndexMissingError, RagError, UserInputError
from rag.types import Answer, Citation, Done, Hit, IndexReport, Retrieved, Token
from rag.uploads import save_upload

BACKENDS = ["auto", "ollama", "llamacpp", "extractive"]
SEARCH_MODES = ["hybrid", "dense", "bm25"]
# Below this similarity a quote lookup reports the "closest passage", not a match (same as rag.lookup).
MATCH_THRESHOLD = 0.75
UPLOAD_MAX_MB = 5  # keep in step with server.maxUploadSize in .streamlit/config.toml
REFUSAL_TEXT = "The articles in the corpus do not answer this question."
# Share of the progress bar each indexing stage fills; embedding is where the time goes.
STAGES = {
    "reading": (0.0, 0.1, "Reading files"),
    "chunking": (0.1, 0.2, "Splitting into passages"),
    "embedding": (0.2, 0.9, "Embedding passages"),
    "writing": (0.9, 1.0, "Writing the index"),
}
_MARKERS = re.compile(r"\s*\[\d+(?:\s*[,\-–]\s*\d+)*\]")

CSS = """
<style>
.answer {line-height: 1.65;}
.answer sup.cite {font-weight: 600; color: #1c64d9; margin: 0 1px; cursor: help;}
.answer .unsupported {background: rgba(255, 171, 0, .16); border-bottom: 2px dotted #c77c00;}
.answer .unsupported .note {font-size: .78em; color: #a15c00; font-style: italic; white-space: nowrap;}
.answer-flag {margin-top: .5rem; padding: .35rem .6rem; border-radius: .4rem; font-size: .88em;
  background: rgba(255, 171, 0, .14); border-left: 3px solid #c77c00;}
.refusal {padding: .5rem .7rem; border-radius: .4rem; background: rgba(120, 120, 140, .12);
  border-left: 3px solid #7a7a90; font-weight: 600;}
.refusal .why {display: block; font-weight: 400; font-size: .88em; opacity: .8; margin-top: .2rem;}
.src-head {font-size: .95em; line-height: 1.45;}
.src-head .badge {display: inline-block; min-width: 1.7em; padding: 0 .35em; margin-right: .4em;
  border-radius: .35em; background: #1c64d9; color: #fff; font-weight: 700; text-align: center;}
.src-head .badge.near {background: #7a7a90;}
.src-head .title {font-weight: 600;}
.src-meta {font-size: .8em; opacity: .75; margin-top: .15rem;}
.src-meta code {font-size: .95em;}
.passage {font-size: .9em; line-height: 1.55; margin-top: .45rem; padding-left: .65rem;
  border-left: 3px solid rgba(128, 128, 128, .35);}
.passage .gap {display: block; opacity: .5; line-height: 1.1;}
mark.quote {background: rgba(255, 200, 40, .55); color: inherit; padding: 0 .1em; border-radius: .2em;}
.article {font-size: .84em; line-height: 1.5; max-height: 26rem; overflow-y: auto;}
.article .ln {display: flex; gap: .7rem; padding: .05rem .3rem; border-radius: .2rem;}
.article .ln .no {flex: 0 0 2.4em; text-align: right; opacity: .5; user-select: none;
  font-family: ui-monospace, monospace;}
.article .ln .tx {flex: 1; white-space: pre-wrap; overflow-wrap: anywhere;}
.article .ln.hl {background: rgba(255, 200, 40, .38);}
.article .ln.removed {opacity: .4;}
.answer-meta {font-size: .78em; opacity: .65; margin-top: .3rem;}
</style>
"""


# ---------------------------------------------------------------------------------------------
# Small pure helpers (tested directly)


def esc(text: object) -> str:
    """HTML-escape anything shown with unsafe_allow_html: article text is data, never markup."""
    return html.escape("" if text is None else str(text), quote=True)


def md_escape(text: str) -> str:
    """Backslash-escape Markdown (and $ math) so streamed text shows as typed."""
    return re.sub(r"([\\`*_{}\[\]<>#|$~])", r"\\\1", text)


def span_text(a: int, b: int) -> str:
    return f"line {a}" if a == b else f"lines {a}–{b}"


def find_span(text: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` sits in `text`: exact, then ignoring whitespace, then fuzzy."""
    quote = (quote or "").strip()
    if not quote or not text:
        return None
    i = text.find(quote)
    if i >= 0:
        return i, i + len(quote)
    words = quote.split()
    m = re.search(r"\s+".join(re.escape(w) for w in words), text)
    if m:
        return m.span()
    from rapidfuzz import fuzz

    al = fuzz.partial_ratio_alignment(quote, text)
    if al is not None and al.score >= 85:
        return al.dest_start, al.dest_end
    return None


def mark_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Escaped text with the given character spans wrapped in <mark>; newlines become <br>."""
    merged: list[list[int]] = []
    for s, e in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        out.append(esc(text[pos:s]))
        out.append(f'<mark class="quote">{esc(text[s:e])}</mark>')
        pos = e
    out.append(esc(text[pos:]))
    # One physical line: a blank line would end the raw-HTML block in Markdown.
    return "".join(out).replace("\r", "").replace("\n", "<br>")


def cited_sources(answer: Answer) -> dict[int, list[Citation]]:
    """Source number -> its citations, for supported sentences only (unsupported ones cite nothing),
    in the order the answer first cites them."""
    out: dict[int, list[Citation]] = {}
    for s in answer.sentences:
        if not s.supported:
            continue
        for c in s.citations:
            out.setdefault(c.source, []).append(c)
    return out


def display_numbers(answer: Answer) -> dict[int, int]:
    """Source number -> the number shown: cited passages renumbered 1, 2, 3 in order of first citation."""
    out: dict[int, int] = {}
    for n in (c.source for s in answer.sentences if s.supported for c in s.citations):
        out.setdefault(n, len(out) + 1)
    return out


def answer_html(answer: Answer) -> str:
    """The answer as HTML: cited sentences with [n] markers, unsupported ones flagged, flags for incomplete."""
    parts: list[str] = []
    if answer.refused:
        why = esc(answer.refusal_reason) if answer.refusal_reason else ""
        parts.append(
            f'<div class="refusal">{esc(REFUSAL_TEXT)}'
            + (f'<span class="why">{why}</span>' if why else "")
            + "</div>"
        )
    elif answer.sentences:
        body = []
        shown = display_numbers(answer)
        for s in answer.sentences:
            if s.supported and s.citations:
                seen: dict[int, Citation] = {}
                for c in s.citations:
                    seen.setdefault(c.source, c)
                marks = "".join(
                    f'<sup class="cite" title="{esc(c.location)}">[{shown[n]}]</sup>'
                    for n, c in sorted(seen.items(), key=lambda item: shown[item[0]])
                )
                body.append(f'<span class="claim">{esc(s.text)}{marks}</span>')
            else:
                body.append(
                    f'<span class="unsupported" title="Not supported by the sources">{esc(s.text)} '
                    '<span class="note">(not supported by the sources)</span></span>'
                )
        parts.append('<div class="answer">' + " ".join(body) + "</div>")
    else:
        parts.append(f'<div class="answer">{esc(answer.text)}</div>')
    if not answer.complete:
        parts.append(
            '<div class="answer-flag incomplete">⚠ Incomplete answer: the backend stopped before it finished. '
            "Ask again, or pick another backend in the sidebar.</div>"
        )
    if getattr(answer, "fallback", ""):
        parts.append(
            f'<div class="answer-flag">The {esc(answer.backend)} model\'s own answer could not be verified against '
            "the sources, so these are the source sentences that answer the question, quoted as written.</div>"
        )
    n_unsupported = sum(1 for s in answer.sentences if not s.supported)
    if n_unsupported and not answer.refused:
        parts.append(
            f'<div class="answer-flag">{n_unsupported} sentence{"s" if n_unsupported > 1 else ""} of the answer '
            f'{"are" if n_unsupported > 1 else "is"} not supported by the sources and should not be trusted.</div>'
        )
    return "".join(p.replace("\n", " ") for p in parts)


def card_head_html(badge: str, title: str, file: str, meta: Sequence[str], near: bool = False) -> str:
    bits = " · ".join([f"<code>{esc(file)}</code>", *(esc(m) for m in meta if m)])
    return (
        f'<div class="src-head" data-file="{esc(file)}"><span class="badge{" near" if near else ""}">{esc(badge)}</span>'
        f'<span class="title">{esc(title or file)}</span><div class="src-meta">{bits}</div></div>'
    )


def article_html(file: str, text: str, highlight: Iterable[tuple[int, int]], removed: Iterable[int] = ()) -> str:
    """The whole article, one numbered row per line, with the highlighted line ranges marked."""
    marked: set[int] = set()
    for a, b in highlight:
        marked.update(range(a, b + 1))
    removed = set(removed)
    rows = []
    for no, line in enumerate(text.split("\n"), start=1):
        cls = "ln" + (" hl" if no in marked else "") + (" removed" if no in removed else "")
        tip = ' title="Not indexed (boilerplate or repeated)"' if no in removed else ""
        rows.append(f'<div class="{cls}"{tip}><span class="no">{no}</span><span class="tx">{esc(line) or "&nbsp;"}</span></div>')
    return f'<div class="article" data-file="{esc(file)}">' + "".join(rows) + "</div>"


def history_for_engine(messages: Sequence[dict]) -> list[dict[str, str]]:
    """The chat as the engine wants it: user questions and answered turns, without [n] markers."""
    out = []
    for m in messages:
        if m["role"] == "user":
            out.append({"role": "user", "content": m["content"]})
        elif m.get("answer") is not None:
            out.append({"role": "assistant", "content": _MARKERS.sub("", m["answer"].text).strip()})
    return out


def conversation_markdown(messages: Sequence[dict], now: datetime | None = None) -> str:
    """The conversation as Markdown, each answer followed by its citations (file:lines and quotes)."""
    now = now or datetime.now()
    lines = ["# Conversation with the news corpus", "", f"_Exported {now:%Y-%m-%d %H:%M}_", ""]
    turn = 0
    for m in messages:
        if m["role"] == "user":
            turn += 1
            lines += [f"## {turn}. {m['content']}", ""]
            continue
        answer: Answer | None = m.get("answer")
        if answer is None:
            lines += [f"**Error:** {m.get('content', '')}", ""]
            continue
        if answer.refused:
            lines += [f"**Answer:** {REFUSAL_TEXT}", ""]
            if answer.passages:
                lines += ["Closest passages:", ""]
                lines += [f"- `{h.location}` {h.title}" for h in answer.passages[:3]]
                lines.append("")
            continue
        text = []
        shown = display_numbers(answer)
        for s in answer.sentences:
            if s.supported and s.citations:
                marks = "".join(f"[{n}]" for n in sorted({shown[c.source] for c in s.citations}))
                text.append(f"{s.text} {marks}")
            else:
                text.append(f"{s.text} _(not supported by the sources)_")
        lines += ["**Answer:** " + (" ".join(text) if text else answer.text), ""]
        if not answer.complete:
            lines += ["_This answer is incomplete: the backend stopped before it finished._", ""]
        sources = cited_sources(answer)
        if sources:
            lines += ["**Sources:**", ""]
            for n, cites in sources.items():
                for c in cites:
                    quote = " ".join(c.quote.split())
                    lines.append(f"- [{shown[n]}] `{c.location}` — “{quote}”")
            lines.append("")
        lines += [f"_Backend: {answer.backend} ({answer.model}); search query: {answer.query}_", ""]
    return "\n".join(lines).rstrip() + "\n"


def progress_step(stage: str, done: int, total: int) -> tuple[float, str]:
    """Where the index progress bar stands (0-1) and what it says, for one progress callback."""
    lo, hi, label = STAGES.get(stage, (0.0, 1.0, stage.capitalize()))
    frac = lo + (hi - lo) * (min(done, total) / total if total > 0 else 1.0)
    return min(1.0, max(0.0, frac)), f"{label}… {done}/{total}"


def report_text(report: IndexReport) -> str:
    return (
        f"Index updated: {report.files_added} added, {report.files_updated} updated, "
        f"{report.files_removed} removed, {report.files_unchanged} unchanged; "
        f"{report.chunks} passages ({report.chunks_embedded} embedded) in {report.seconds:.1f} s."
    )


def built_at_text(value: str | None) -> str:
    if not value:
        return "unknown"
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M %Z").strip()
    except ValueError:
        return value


# ---------------------------------------------------------------------------------------------
# Engine and cached look-ups


@st.cache_resource(show_spinner="Loading the search engine…", max_entries=4)
def get_engine(_settings: Settings, key: str) -> Engine:
    """One Engine per server (and per settings, which only tests vary); it is thread-safe.

    The Engine loads its models lazily, so this returns at once."""
    return Engine(_settings)


@st.cache_data(ttl=30, show_spinner=False)
def get_backends_status(_engine, key: str) -> dict:
    """Probing Ollama costs a network round trip: once every 30 s is enough."""
    return _engine.backends_status()


def flash(kind: str, text: str) -> None:
    """A message that survives the st.rerun() after an action."""
    st.session_state.setdefault("flash", []).append((kind, text))


def show_flashes() -> None:
    for kind, text in st.session_state.pop("flash", []):
        getattr(st, kind)(text)


def error_text(exc: RagError) -> str:
    """One clear sentence and the next step; never a traceback for a problem the user can fix."""
    return exc.message + (f"  \n**Next step:** {exc.hint}" if exc.hint else "")


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
        skipped = "; ".join(f"{f} ({why})" for f, why in report.skipped[:10])
        more = f" and {len(report.skipped) - 10} more" if len(report.skipped) > 10 else ""
        flash("warning", f"Not indexed: {skipped}{more}.")
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
    """A source card: title, file, publisher/date, lines, the passage with the quote highlighted,
    and an expander with the whole article (cited lines highlighted)."""
    doc = _document(engine, hit.file)
    title = hit.title or (doc or {}).get("title") or hit.file
    if citations:
        spans = sorted({(c.line_start, c.line_end) for c in citations})
        where = "cited " + ", ".join(span_text(a, b) for a, b in spans)
    else:
        spans = [(hit.line_start, hit.line_end)]
        where = span_text(hit.line_start, hit.line_end)
    meta = [(doc or {}).get("publisher"), (doc or {}).get("date"), where]
    text, before, after = excerpt(hit, spans if citations else [])
    marks = [sp for sp in (find_span(text, c.quote) for c in citations) if sp]
    if citations and not marks:  # the quote is not in the excerpt: show the whole passage instead
        text, before, after = hit.text, False, False
        marks = [sp for sp in (find_span(text, c.quote) for c in citations) if sp]
    gap = '<span class="gap">…</span>'
    with st.container(border=True):
        st.markdown(
            card_head_html(f"[{number}]" if isinstance(number, int) else number, title, hit.file, meta, near)
            + f'<div class="passage">{gap if before else ""}{mark_spans(text, marks)}{gap if after else ""}</div>',
            unsafe_allow_html=True,
        )
        _article_expander(hit.file, doc, spans)


def excerpt(hit: Hit, spans: Sequence[tuple[int, int]], context: int = 1) -> tuple[str, bool, bool]:
    """The cited lines of a passage with `context` lines around them; flags say whether text was cut."""
    lines = hit.text.split("\n")
    if not spans:
        return hit.text, False, False
    first = max(0, min(a for a, _ in spans) - hit.line_start - context)
    last = min(len(lines) - 1, max(b for _, b in spans) - hit.line_start + context)
    if last < first:
        return hit.text, False, False
    return "\n".join(lines[first : last + 1]), first > 0, last < len(lines) - 1


def _document(engine, file: str) -> dict | None:
    try:
        return engine.document(file)
    except RagError:
        return None


def _article_expander(file: str, doc: dict | None, spans: Iterable[tuple[int, int]]) -> None:
    with st.expander(f"Whole article · {file}"):
        if doc is None:
            st.caption("This article is no longer in the index; re-index to refresh the sources.")
            return
        st.markdown(
            article_html(file, doc.get("text") or "", spans, doc.get("removed_lines") or ()),
            unsafe_allow_html=True,
        )


def render_answer(engine, answer: Answer) -> None:
    """The checked answer, its source cards, and how it was made."""
    st.markdown(answer_html(answer), unsafe_allow_html=True)
    if answer.refused:
        if answer.passages:
            st.caption("Closest passages found (they do not answer the question):")
            for i, hit in enumerate(answer.passages[:3], start=1):
                source_card(engine, f"~{i}", hit, near=True)
    else:
        shown = display_numbers(answer)
        for n, cites in cited_sources(answer).items():
            if 0 < n <= len(answer.passages):
                source_card(engine, shown[n], answer.passages[n - 1], cites)
    seconds = answer.timings.get("total_ms", 0) / 1000
    model = "" if answer.model in ("", answer.backend) else f" · {answer.model}"
    st.markdown(
        f'<div class="answer-meta answer-done" data-refused="{str(answer.refused).lower()}">'
        f"Answered by {esc(answer.backend)}{esc(model)}"
        + (f" in {seconds:.1f} s" if seconds else "")
        + "</div>",
        unsafe_allow_html=True,
    )
    label = "Search query used" + (" (rewritten for search)" if answer.query != answer.question else "")
    with st.expander(label):
        st.code(answer.query or answer.question, language=None, wrap_lines=True)


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
    render_answer(engine, answer)
    return {"role": "assistant", "content": answer.text, "answer": answer}


def render_lookup(engine, quote: str, hits: Sequence[Hit]) -> None:
    if not hits:
        st.info("No passage in the corpus resembles this quote. Check the wording, or add the article.")
        return
    best = hits[0]
    if best.score >= MATCH_THRESHOLD:
        st.success(f"Found in **{best.file}**, {span_text(best.line_start, best.line_end)} "
                   f"(similarity {best.score:.0%}).")
    else:
        st.warning(f"No exact match. The closest passage is in **{best.file}**, "
                   f"{span_text(best.line_start, best.line_end)} (similarity {best.score:.0%}).")
    for i, hit in enumerate(hits, start=1):
        doc = _document(engine, hit.file)
        exact = hit.score >= MATCH_THRESHOLD
        label = "Match" if exact else "Closest passage"
        title = hit.title or (doc or {}).get("title") or hit.file
        meta = [(doc or {}).get("publisher"), (doc or {}).get("date"),
                span_text(hit.line_start, hit.line_end), label, f"similarity {hit.score:.0%}"]
        text = (doc or {}).get("text") or ""
        if text and hit.char_end > hit.char_start:
            # Show the whole lines around the matched span, with the span itself marked.
            ls = text.rfind("\n", 0, hit.char_start) + 1
            le = text.find("\n", hit.char_end)
            le = len(text) if le == -1 else le
            passage = mark_spans(text[ls:le], [(hit.char_start - ls, hit.char_end - ls)])
        else:
            passage = mark_spans(hit.text, [sp for sp in [find_span(hit.text, quote)] if sp])
        with st.container(border=True):
            st.markdown(
                card_head_html(f"{i}", title, hit.file, meta, near=not exact)
                + f'<div class="passage">{passage}</div>',
                unsafe_allow_html=True,
            )
            _article_expander(hit.file, doc, [(hit.line_start, hit.line_end)])


# ---------------------------------------------------------------------------------------------
# The page


def sidebar(engine, settings: Settings, index_status: dict | None) -> dict:
    """Draw the sidebar; return the answering options for ask_stream."""
    sb = st.sidebar
    sb.title("Corpus Q&A")
    sb.radio("Mode", ["Ask", "Find a quote"], key="mode", horizontal=True)

    sb.subheader("Answering")
    default_backend = settings.backend if settings.backend in BACKENDS else "auto"
    backend = sb.selectbox(
        "Backend", BACKENDS, index=BACKENDS.index(default_backend), key="backend",
        help="auto: Ollama when it has the model, else the embedded model, else extractive answers.",
    )
    status = get_backends_status(engine, repr(settings))
    ollama, llama = status["ollama"], status["llamacpp"]
    embedded = Path(llama["model_path"]).name if llama.get("model_path") else ""
    model = None
    uses_ollama = backend == "ollama" or (backend == "auto" and status["auto"] == "ollama")
    if uses_ollama and ollama["reachable"] and ollama["models"]:
        models = ollama["models"]
        configured = next((m for m in models if m == ollama["model"] or m.split(":")[0] == ollama["model"]), None)
        model = sb.selectbox("Ollama model", models, index=models.index(configured) if configured else 0, key="model")
        if configured is None:
            sb.caption(f"The configured model `{ollama['model']}` is not pulled; "
                       f"run `ollama pull {ollama['model']}` or pick one above.")
    elif backend in ("auto", "ollama") and ollama["reachable"]:
        if ollama["models"]:  # auto skips Ollama because the configured model is missing
            sb.caption(f"Ollama has no `{ollama['model']}`; choose the ollama backend to pick one of its "
                       f"{len(ollama['models'])} models.")
        else:
            sb.warning(f"Ollama at {ollama['host']} has no models. Run `ollama pull {ollama['model']}`.")
    elif backend in ("auto", "ollama"):
        sb.info(f"No Ollama server is reachable at {ollama['host']}. "
                "Start one with `ollama serve` to answer with your own models.")
    if backend == "llamacpp" or (backend == "auto" and status["auto"] == "llamacpp"):
        if llama["available"]:
            sb.caption(f"Embedded model: `{embedded}`")
        else:
            sb.caption(f"Embedded model unavailable: {llama['detail']}.")
    if backend == "auto":
        sb.caption(f"Auto answers with: **{status['auto']}**")
    if backend == "extractive" or (backend == "auto" and status["auto"] == "extractive"):
        sb.caption("Extractive answers quote sentences from the articles; no language model is used.")
    k = sb.slider("Passages to read", 1, 10, min(max(settings.top_k, 1), 10), key="k")
    default_mode = settings.search_mode if settings.search_mode in SEARCH_MODES else "hybrid"
    search_mode = sb.selectbox("Search mode", SEARCH_MODES, index=SEARCH_MODES.index(default_mode), key="search_mode")

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
            "Articles (.txt or .md)", type=["txt", "md"], accept_multiple_files=True, key="uploads", max_upload_size=UPLOAD_MAX_MB,
            help=f"Up to {UPLOAD_MAX_MB} MB each. They are saved into {settings.corpus_dir} and indexed.",
        )
        submitted = st.form_submit_button("Add and index", width="stretch")
    if submitted:
        if files:
            add_uploads(engine, Path(settings.corpus_dir), files, where=sb)
        else:
            flash("warning", "Choose one or more .txt or .md files first.")
        st.rerun()

    return {"backend": backend, "model": model, "k": k, "mode": search_mode}


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
    st.title("Ask the news articles" if mode == "Ask" else "Find where a quote comes from")
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
