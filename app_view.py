"""Pure rendering helpers of the Streamlit page (app.py): HTML and Markdown from the library's objects.

Nothing here calls Streamlit, so the tests import these functions and check their output directly.
Article text is data, never markup: everything shown with unsafe_allow_html goes through esc().
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Iterable, Mapping, Sequence

from rag.citations import REFUSAL, strip_markers
from rag.errors import RagError
from rag.lookup import MATCH_THRESHOLD, find_span, line_bounds
from rag.speech import Statement
from rag.types import Answer, AnswerSentence, Citation, Hit, IndexedDocument, IndexReport, date_key

UPLOAD_MAX_MB = 5  # keep in step with server.maxUploadSize in .streamlit/config.toml
# Share of the progress bar each indexing stage fills; embedding is where the time goes.
STAGES = {
    "reading": (0.0, 0.1, "Reading files"),
    "rows": (0.0, 0.1, "Reading export rows"),  # a CSV/JSONL export, row by row, while files are read
    "chunking": (0.1, 0.2, "Splitting into passages"),
    "embedding": (0.2, 0.9, "Embedding passages"),
    "writing": (0.9, 1.0, "Writing the index"),
}
GAP = '<span class="gap">…</span>'

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
.statements .stmt-count {font-weight: 600; margin-bottom: .3rem;}
.statements .stmt-note {margin-bottom: .3rem;}
.stmt-group {margin-top: .55rem;}
.stmt-head {font-size: .88em; opacity: .85;}
.stmt-head .date {font-weight: 600;}
.stmt-head code {font-size: .9em;}
ul.stmts {margin: .15rem 0 0 0; padding-left: 1.2rem;}
ul.stmts li.stmt {margin: .15rem 0;}
ul.stmts .loc {font-size: .78em; opacity: .65; white-space: nowrap;}
</style>
"""


def esc(text: object) -> str:
    """HTML-escape anything shown with unsafe_allow_html: article text is data, never markup."""
    return html.escape("" if text is None else str(text), quote=True)


def md_escape(text: str) -> str:
    """Backslash-escape Markdown (and $ math) so streamed text shows as typed."""
    return re.sub(r"([\\`*_{}\[\]<>#|$~])", r"\\\1", text)


def span_text(a: int, b: int) -> str:
    return f"line {a}" if a == b else f"lines {a}–{b}"


def error_text(exc: RagError) -> str:
    """One clear sentence and the next step; never a traceback for a problem the user can fix."""
    return exc.message + (f"  \n**Next step:** {exc.hint}" if exc.hint else "")


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


def display_numbers(answer: Answer) -> dict[int, int]:
    """Source number -> the number shown: cited passages renumbered 1, 2, 3 in cited_sources' order
    (by the article's date, undated last, ties by first citation)."""
    return {n: shown for shown, n in enumerate(answer.cited_sources, start=1)}


def answer_html(answer: Answer) -> str:
    """The answer as HTML: cited sentences with [n] markers, unsupported ones flagged, flags for incomplete."""
    parts: list[str] = []
    if answer.refused:
        why = esc(answer.refusal_reason) if answer.refusal_reason else ""
        parts.append(
            f'<div class="refusal">{esc(REFUSAL)}'
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
    if answer.fallback:
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


def answer_meta_html(answer: Answer) -> str:
    """The line under an answer: who answered, how long it took; `answer-done` marks a finished answer."""
    seconds = answer.timings.get("total_ms", 0) / 1000
    model = "" if answer.model in ("", answer.backend) else f" · {answer.model}"
    who = "Listed from the statements in the index" if is_statements(answer) else f"Answered by {esc(answer.backend)}{esc(model)}"
    return (
        f'<div class="answer-meta answer-done" data-backend="{esc(answer.backend)}" data-refused="{str(answer.refused).lower()}">'
        f"{who}"
        + (f" in {seconds:.1f} s" if seconds else "")
        + "</div>"
    )


def source_label(file: str) -> str:
    """The original file, and the row of an export or the page of a PDF: 'export.csv, row 812'."""
    from rag.formats import split_key

    name, row, page = split_key(file)
    return f"{name}, row {row}" if row is not None else f"{name}, page {page}" if page is not None else file


def link_html(url: str | None) -> str:
    """A link to the article's original URL (http and https only: a page's metadata is not trusted)."""
    if not url or not re.match(r"https?://", url, re.I):
        return ""
    return f'<a class="orig" href="{esc(url)}" target="_blank" rel="noopener noreferrer nofollow">original ↗</a>'


def card_head_html(badge: str, title: str, file: str, meta: Sequence[str | None], near: bool = False,
                   url: str | None = None) -> str:
    bits = " · ".join([f"<code>{esc(source_label(file))}</code>", *(esc(m) for m in meta if m)]
                      + ([link_html(url)] if link_html(url) else []))
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


def card_lines(hit: Hit, citations: Sequence[Citation] = ()) -> list[tuple[int, int]]:
    """The line ranges a source card points at: the cited ones, else the whole passage."""
    if citations:
        return sorted({(c.line_start, c.line_end) for c in citations})
    return [(hit.line_start, hit.line_end)]


def _doc_title(hit: Hit, doc: IndexedDocument | None) -> str:
    return hit.title or (doc.title if doc else "") or hit.file


def source_card_html(number: int | str, hit: Hit, doc: IndexedDocument | None,
                     citations: Sequence[Citation] = (), near: bool = False) -> str:
    """A source card: title, file, publisher/date, lines, and the passage with the quotes highlighted."""
    spans = card_lines(hit, citations)
    where = ("cited " if citations else "") + ", ".join(span_text(a, b) for a, b in spans)
    meta = [doc.publisher if doc else None, doc.date if doc else None, where]
    text, before, after = excerpt(hit, spans if citations else [])
    marks = [sp for sp in (find_span(text, c.quote) for c in citations) if sp]
    if citations and not marks:  # the quote is not in the excerpt: show the whole passage instead
        text, before, after = hit.text, False, False
        marks = [sp for sp in (find_span(text, c.quote) for c in citations) if sp]
    badge = f"[{number}]" if isinstance(number, int) else number
    return (
        card_head_html(badge, _doc_title(hit, doc), hit.file, meta, near, url=(doc.url if doc else None) or hit.url)
        + f'<div class="passage">{GAP if before else ""}{mark_spans(text, marks)}{GAP if after else ""}</div>'
    )


def is_match(hit: Hit) -> bool:
    """Whether a quote lookup found the quote itself, not only the closest passage."""
    return hit.score >= MATCH_THRESHOLD


def lookup_summary(best: Hit) -> tuple[bool, str]:
    """(found, the sentence that says where) for the best place a quote lookup found."""
    where = f"**{best.file}**, {span_text(best.line_start, best.line_end)} (similarity {best.score:.0%})"
    if is_match(best):
        return True, f"Found in {where}."
    return False, f"No exact match. The closest passage is in {where}."


def lookup_card_html(number: int, hit: Hit, doc: IndexedDocument | None, quote: str) -> str:
    """A quote lookup result: the whole lines around the matched span, the span itself marked."""
    exact = is_match(hit)
    meta = [doc.publisher if doc else None, doc.date if doc else None, span_text(hit.line_start, hit.line_end),
            "Match" if exact else "Closest passage", f"similarity {hit.score:.0%}"]
    text = doc.text if doc else ""
    if text and hit.char_end > hit.char_start:
        first, last = line_bounds(text, hit.char_start, hit.char_end)
        passage = mark_spans(text[first:last], [(hit.char_start - first, hit.char_end - first)])
    else:
        passage = mark_spans(hit.text, [sp for sp in [find_span(hit.text, quote)] if sp])
    return (
        card_head_html(f"{number}", _doc_title(hit, doc), hit.file, meta, near=not exact,
                       url=(doc.url if doc else None) or hit.url)
        + f'<div class="passage">{passage}</div>'
    )


def history_for_engine(messages: Sequence[dict]) -> list[dict[str, str]]:
    """The chat as the engine wants it: user questions and answered turns, without [n] markers."""
    out = []
    for m in messages:
        if m["role"] == "user":
            out.append({"role": "user", "content": m["content"]})
        elif m.get("answer") is not None:
            out.append({"role": "assistant", "content": strip_markers(m["answer"].text)})
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
        if is_statements(answer) and any(x.citations for x in answer.sentences):
            body, src = statements_markdown_lines(answer)
            lines += ["**Answer:** " + body[0], *body[1:], ""]
            if src:
                lines += ["**Sources:**", "", *src, ""]
            continue
        if answer.refused:
            lines += [f"**Answer:** {REFUSAL}", ""]
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
        sources = answer.cited_sources
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


def skipped_text(report: IndexReport, limit: int = 10) -> str:
    """The files an index run did not take, and why (the first `limit` of them)."""
    skipped = "; ".join(f"{f} ({why})" for f, why in report.skipped[:limit])
    more = f" and {len(report.skipped) - limit} more" if len(report.skipped) > limit else ""
    return f"Not indexed: {skipped}{more}."


def built_at_text(value: str | None) -> str:
    if not value:
        return "unknown"
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M %Z").strip()
    except ValueError:
        return value


# ---------------------------------------------------------------------------------------------
# Statements: "what did X say about Y" answers and the speakers panel


def is_statements(answer: Answer) -> bool:
    """Whether the answer lists statements from the index (rag.quotes), not generated prose."""
    return answer.backend.split("+")[0] == "statements"  # "statements+ollama": with a model's summary


def merge_lines(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Line ranges sorted, with overlapping or adjacent ones joined: (2, 2), (3, 4) -> (2, 4)."""
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _own_file(s: AnswerSentence) -> str | None:
    """The one article a listed statement comes from (None for a sentence citing several)."""
    files = {c.file for c in s.citations}
    return files.pop() if s.supported and len(files) == 1 else None


def statement_sources(answer: Answer) -> dict[str, list[Citation]]:
    """Article -> the citations of its statements, articles by date (Answer.cited_sources' rule:
    undated last, ties in the order the answer lists them).

    One source card per article: card n is the n-th article, and every statement from it is
    marked [n] (statements of one article would otherwise make a card each, 29 for Peskov)."""
    out: dict[str, list[Citation]] = {}
    dates: dict[str, str | None] = {}
    for s in answer.sentences:
        if s.supported:
            for c in s.citations:
                out.setdefault(c.file, []).append(c)
                dates.setdefault(c.file, answer.passage_date(c.source))
    return dict(sorted(out.items(), key=lambda item: date_key(dates[item[0]])))


def _group_head_html(file: str, doc: IndexedDocument | None, title: str = "") -> str:
    date = (doc.date if doc else None) or "undated"
    bits = [f'<span class="date">{esc(date)}</span>']
    if doc and doc.publisher:
        bits.append(esc(doc.publisher))
    bits.append(f'<span class="title">{esc((doc.title if doc else "") or title or file)}</span>')
    bits.append(f"<code>{esc(file)}</code>")
    return f'<div class="stmt-head">{" · ".join(bits)}</div>'


def _marks(citations: Sequence[Citation], number: dict[str, int]) -> str:
    seen: dict[tuple, Citation] = {}
    for c in citations:
        seen.setdefault((c.file, c.line_start, c.line_end), c)
    return "".join(f'<sup class="cite" title="{esc(c.location)}">[{number[c.file]}]</sup>' for c in seen.values())


def statements_answer_html(answer: Answer, docs: Mapping[str, IndexedDocument | None]) -> str:
    """A statements answer: the count line on top, then the statements grouped by article (date,
    publisher, title), each with its speaker and the [n] of its article's source card. A refusal
    ("not reported saying anything about ...") keeps what the speaker did talk about."""
    number = {f: n for n, f in enumerate(statement_sources(answer), start=1)}
    parts: list[str] = []
    if answer.refused:
        why = f'<span class="why">{esc(answer.refusal_reason)}</span>' if answer.refusal_reason else ""
        parts.append(f'<div class="refusal">{esc(REFUSAL)}{why}</div>')
    groups: dict[str, list[AnswerSentence]] = {}
    notes: list[str] = []
    summarised = "+" in answer.backend  # the first sentence is a model's verified summary
    for i, s in enumerate(answer.sentences):
        file = _own_file(s)
        if i == 0 and summarised and s.supported:
            notes.append(f'<div class="stmt-note claim">{esc(s.text)}{_marks(s.citations, number)}</div>')
        elif file is not None:
            groups.setdefault(file, []).append(s)
        elif s.supported and s.citations:  # a summary citing several articles
            notes.append(f'<div class="stmt-note claim">{esc(s.text)}{_marks(s.citations, number)}</div>')
        elif not s.supported:
            notes.append(f'<div class="stmt-note"><span class="unsupported" title="Not supported by the sources">'
                         f'{esc(s.text)} <span class="note">(not supported by the sources)</span></span></div>')
        else:  # the count line, and what the speaker talked about: facts about the list itself
            notes.append(f'<div class="{"stmt-count" if i == int(summarised) else "stmt-note"}">{esc(s.text)}</div>')
    parts.append('<div class="answer statements">' + "".join(notes))
    # the groups in their cards' order (by date), so the n-th group is card [n]
    for file, sentences in sorted(groups.items(), key=lambda g: number.get(g[0], len(number) + 1)):
        items = "".join(f'<li class="stmt">{esc(s.text)}{_marks(s.citations, number)}</li>' for s in sentences)
        title = next((p.title for p in answer.passages if p.file == file and p.title), "")
        parts.append(f'<div class="stmt-group" data-file="{esc(file)}">{_group_head_html(file, docs.get(file), title)}'
                     f'<ul class="stmts">{items}</ul></div>')
    parts.append("</div>")
    if not answer.complete:
        parts.append('<div class="answer-flag incomplete">⚠ Incomplete answer: the backend stopped before it finished. '
                     "Ask again, or pick another backend in the sidebar.</div>")
    return "".join(p.replace("\n", " ") for p in parts)


def _lines_text(file: str, doc: IndexedDocument | None, passages: Sequence[Hit]) -> dict[int, str]:
    """Line number -> text, from the whole article, else from the answer's passages of that file."""
    if doc is not None and doc.text:
        return dict(enumerate(doc.text.split("\n"), start=1))
    out: dict[int, str] = {}
    for p in passages:
        if p.file == file:
            for no, line in enumerate(p.text.split("\n"), start=p.line_start):
                out.setdefault(no, line)
    return out


def statement_card_html(number: int, file: str, doc: IndexedDocument | None, citations: Sequence[Citation],
                        passages: Sequence[Hit] = ()) -> str:
    """The source card of one article's statements: its cited lines (joined where they touch, a
    gap between), each statement's words marked."""
    spans = merge_lines((c.line_start, c.line_end) for c in citations)
    where = "cited " + ", ".join(span_text(a, b) for a, b in spans)
    lines = _lines_text(file, doc, passages)
    last = max(lines, default=0)
    blocks = []
    for a, b in spans:
        text = "\n".join(lines.get(no, "") for no in range(a, b + 1))
        inside = [c for c in citations if a <= c.line_start and c.line_end <= b]
        blocks.append(mark_spans(text, [sp for sp in (find_span(text, c.quote) for c in inside) if sp]))
    body = (GAP if spans and spans[0][0] > 1 else "") + GAP.join(blocks) + (GAP if spans and spans[-1][1] < last else "")
    title = (doc.title if doc else "") or next((p.title for p in passages if p.file == file and p.title), "") or file
    meta = [doc.publisher if doc else None, doc.date if doc else None, where]
    return card_head_html(f"[{number}]", title, file, meta) + f'<div class="passage">{body}</div>'


def statements_markdown_lines(answer: Answer) -> tuple[list[str], list[str]]:
    """A statements answer for the Markdown export: (the answer lines, the source lines)."""
    sources = statement_sources(answer)
    number = {f: n for n, f in enumerate(sources, start=1)}
    body: list[str] = [REFUSAL, ""] if answer.refused else []
    current = None
    for s in answer.sentences:
        file = _own_file(s)
        if file is None:
            body.append(s.text + ("" if s.supported else " _(not supported by the sources)_"))
            continue
        if file != current:
            current = file
            body += ["", f"**[{number[file]}] {file}**"]
        body.append(f"- {s.text} [{number[file]}]")
    src = []
    for file, cites in sources.items():
        for c in cites:
            src.append(f"- [{number[file]}] `{c.location}` — “{' '.join(c.quote.split())}”")
    return body, src


def speaker_label(speaker) -> str:
    """How the speakers panel names a speaker: name, role, and how often and where they speak."""
    role = f" ({speaker.role})" if speaker.role else ""
    n, a = speaker.statements, speaker.articles
    return f"{speaker.name}{role} · {n} statement{'s' * (n != 1)} in {a} article{'s' * (a != 1)}"


def statements_by_article(statements: Sequence[Statement]) -> list[tuple[str, list[Statement]]]:
    """Statements grouped by article, the groups and each group's statements in date order."""
    groups: dict[str, list[Statement]] = {}
    for s in sorted(statements, key=lambda s: (s.date is None, s.date or "", s.file, s.char_start, s.ordinal)):
        groups.setdefault(s.file, []).append(s)
    return list(groups.items())


def statement_lines(statements: Sequence[Statement]) -> list[tuple[int, int]]:
    return merge_lines((s.line_start, s.line_end) for s in statements)


EVERYONE = ""  # the speakers panel's choice of all speakers at once


def speaker_count_text(name: str, total: int, shown: Sequence[Statement], topic: str = "") -> str:
    """The line above the panel's statements: how many in how many articles, and on the topic."""
    articles = len({s.file for s in shown})
    where = f"in {articles} article{'s' * (articles != 1)}"
    whose = "the" if name == EVERYONE else f"{name}'s"
    if not topic:
        return f"{len(shown)} statement{'s' * (len(shown) != 1)} {where}, by date."
    if not shown:
        return f"None of {whose} {total} statements is about “{topic}”."
    return f"{len(shown)} of {whose} {total} statements {where} are about “{topic}”, by date."


def speaker_group_html(file: str, statements: Sequence[Statement], doc: IndexedDocument | None,
                       speakers: bool = False) -> str:
    """One article's statements in the speakers panel: date, publisher and title, then each
    statement as quoted (direct speech in quotation marks) with its lines; with `speakers`, who."""
    items = []
    for s in statements:
        words = f"“{s.text}”" if s.kind == "direct" else s.text
        who = f"<b>{esc(s.speaker + (f' ({s.role})' if s.role else ''))}</b>: " if speakers else ""
        items.append(f'<li class="stmt" data-lines="{s.line_start}-{s.line_end}">{who}{esc(words)} '
                     f'<span class="loc">{span_text(s.line_start, s.line_end)}</span></li>')
    title = (doc.title if doc else "") or ""
    return (f'<div class="stmt-group" data-file="{esc(file)}">{_group_head_html(file, doc, title)}'
            f'<ul class="stmts">{"".join(items)}</ul></div>').replace("\n", " ")


def timeline_rows(answer) -> list[dict]:
    """Articles among the passages by date, cited or only retrieved: the rows of the answer's
    timeline chart ([] when fewer than two dated articles, where a chart says nothing)."""
    cited = set(answer.cited_files) if not answer.refused else set()
    seen: dict[str, str] = {}
    for h in answer.passages:
        if h.date and h.file not in seen:
            seen[h.file] = h.date[:10]
    if len(seen) < 2:
        return []
    counts: dict[tuple[str, str], int] = {}
    for file, day in seen.items():
        kind = "cited" if file in cited else "retrieved"
        counts[(day, kind)] = counts.get((day, kind), 0) + 1
    return [{"date": d, "articles": n, "kind": k} for (d, k), n in sorted(counts.items())]
