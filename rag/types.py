"""Frozen dataclasses for what flows between the pipeline stages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Block:
    """A run of kept text in a file: [char_start, char_end) of the decoded file text."""

    char_start: int
    char_end: int
    line_start: int  # 1-based, inclusive
    line_end: int


@dataclass(frozen=True)
class Document:
    """A cleaned article. `text` is the whole decoded file; `blocks` are the parts kept."""

    file: str  # path relative to the corpus directory, with forward slashes
    text: str
    blocks: tuple[Block, ...]
    title: str
    date: str | None = None  # ISO yyyy-mm-dd when the text gives one
    publisher: str | None = None
    content_hash: str = ""
    removed_lines: tuple[int, ...] = ()  # boilerplate and repeated lines, 1-based
    warnings: tuple[str, ...] = ()  # what a person should check (e.g. indexed whole although it looked like furniture)
    url: str | None = None  # canonical URL of a web page or an export's url column
    author: str | None = None

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return self.text.count("\n", 0, offset) + 1


@dataclass(frozen=True)
class IndexedDocument:
    """An article as the index keeps it: the whole decoded text, its metadata, the lines not indexed."""

    file: str
    text: str
    title: str = ""
    date: str | None = None
    publisher: str | None = None
    content_hash: str = ""
    removed_lines: tuple[int, ...] = ()  # boilerplate and repeated lines, 1-based
    url: str | None = None
    author: str | None = None

    @property
    def source_file(self) -> str:
        """The corpus file it was read from ("export.csv" for the key "export.csv#812")."""
        from .formats import source_file

        return source_file(self.file)


@dataclass(frozen=True)
class Chunk:
    id: str
    file: str
    ordinal: int
    line_start: int
    line_end: int
    char_start: int
    char_end: int
    text: str  # == document.text[char_start:char_end]
    title: str = ""
    n_tokens: int = 0


@dataclass(frozen=True)
class Hit:
    """A retrieved passage."""

    chunk_id: str
    file: str
    line_start: int
    line_end: int
    score: float
    text: str
    title: str = ""
    char_start: int = 0
    char_end: int = 0
    dense_score: float | None = None
    bm25_score: float | None = None
    # the article's metadata, None when unknown: ISO date, publisher, URL; the row id of an
    # export's row ("812" of "export.csv#812") and the page of a PDF's page
    date: str | None = None
    source: str | None = None
    url: str | None = None
    row: str | None = None
    page: int | None = None

    @property
    def location(self) -> str:
        from .formats import location

        return location(self.file, self.line_start, self.line_end)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["location"] = self.location
        return d


@dataclass(frozen=True)
class Citation:
    """A claim's source: passage number in the prompt, file, lines and the supporting span."""

    source: int  # 1-based number of the passage in the prompt
    file: str
    line_start: int
    line_end: int
    quote: str  # the sentence(s) of the passage that best support the claim
    score: float = 0.0

    @property
    def location(self) -> str:
        from .formats import location

        return location(self.file, self.line_start, self.line_end)


@dataclass(frozen=True)
class AnswerSentence:
    text: str  # without citation markers
    citations: tuple[Citation, ...] = ()
    supported: bool = False
    support: float = 0.0  # best support score among its citations


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # the answer as shown, with [n] markers of verified citations
    sentences: tuple[AnswerSentence, ...]
    passages: tuple[Hit, ...]
    refused: bool
    backend: str
    model: str
    query: str = ""  # the retrieval query (rewritten from the history for follow-ups)
    raw_text: str = ""  # what the generator produced, before the check
    complete: bool = True  # False when the generator stopped mid-answer
    refusal_reason: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    # "extractive" when the model's own answer failed the citation check and the verified source
    # sentences are shown instead (refusal_reason then says so)
    fallback: str = ""

    @property
    def cited_sources(self) -> dict[int, list[Citation]]:
        """Passage number -> its citations, from supported sentences only (unsupported ones cite
        nothing), by the date of the passage's article: an answer that spans articles lists them
        in the order they were published, undated ones last, ties in the order first cited.

        The one home of the sources' order: the CLI, `--json`, the page's cards and their
        numbers and the conversation download all read it."""
        out: dict[int, list[Citation]] = {}
        for s in self.sentences:
            if not s.supported:
                continue
            for c in s.citations:
                out.setdefault(c.source, []).append(c)
        return dict(sorted(out.items(), key=lambda item: date_key(self.passage_date(item[0]))))

    def passage_date(self, number: int) -> str | None:
        """The article date of passage `number` (1-based), None when unknown or out of range."""
        return self.passages[number - 1].date if 0 < number <= len(self.passages) else None

    @property
    def cited_files(self) -> list[str]:
        """The files of the cited passages, by date as cited_sources orders them."""
        return list(dict.fromkeys(cites[0].file for cites in self.cited_sources.values()))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["passages"] = [p.to_dict() for p in self.passages]
        d["cited_files"] = self.cited_files
        # the cited articles by date (cited_sources' order), each with its passage number
        d["sources"] = self.sources
        # a citation's "source" is its passage number: the article's publisher is "publisher" there
        meta = {p.file: p for p in self.passages}
        for s in d["sentences"]:
            for c in s["citations"]:
                p = meta.get(c["file"])
                c.update(date=p.date if p else None, publisher=p.source if p else None,
                         url=p.url if p else None, row=p.row if p else None, location=location_of(c))
        return d

    @property
    def sources(self) -> list[dict[str, Any]]:
        """The cited articles by date (cited_sources' order): passage number, file, title, date,
        publisher, URL, row, page and the cited locations."""
        return [self._source(n, cites) for n, cites in self.cited_sources.items()]

    def _source(self, number: int, cites: list[Citation]) -> dict[str, Any]:
        p = self.passages[number - 1] if 0 < number <= len(self.passages) else None
        return {"passage": number, "file": cites[0].file, "title": p.title if p else "",
                "date": p.date if p else None, "publisher": p.source if p else None,
                "url": p.url if p else None, "row": p.row if p else None, "page": p.page if p else None,
                "locations": list(dict.fromkeys(c.location for c in cites))}


def date_key(date: str | None) -> tuple[bool, str]:
    """Sort key listing articles by ISO date, undated last (sorted() keeps ties in their order)."""
    return (not date, date or "")


@dataclass(frozen=True)
class IndexReport:
    files_added: int
    files_updated: int
    files_removed: int
    files_unchanged: int
    chunks: int
    chunks_embedded: int
    seconds: float
    tokens_embedded: int = 0  # word pieces sent to the model ([CLS]/[SEP] included, padding not)
    skipped: tuple[tuple[str, str], ...] = ()  # (file, reason)
    warnings: tuple[tuple[str, str], ...] = ()  # (file, message): indexed, but worth a look

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["skipped"] = [{"file": f, "reason": r} for f, r in self.skipped]
        d["warnings"] = [{"file": f, "message": m} for f, m in self.warnings]
        return d


def location_of(c: dict) -> str:
    from .formats import location

    return location(c["file"], c["line_start"], c["line_end"])


# Events of Engine.ask_stream: retrieval results first, then answer tokens, then the checked Answer.
@dataclass(frozen=True)
class Retrieved:
    query: str  # the retrieval query (rewritten from the history for follow-ups)
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Done:
    answer: Answer
