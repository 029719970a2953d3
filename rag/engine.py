"""The Engine ties the stages together; the CLI and the Streamlit app are thin faces over it."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import numpy as np

from .citations import REFUSAL, CitationChecker, is_refusal, render
from .config import Settings
from .conversation import rewrite_query
from .evidence import REASON_NAMES, EvidenceGate, Verdict, lacks_asked_kind
from .errors import BackendError, RagError, UserInputError
from .generators.base import Generator, Prompt, create_generator
from .generators.choice import BackendChooser, BackendStatus
from .lookup import (PHRASE_EXACT, QUOTE_ROUTE_EXPLICIT, QUOTE_ROUTE_PASTED, asks_source, extract_quote,
                     lookup as _lookup, short_quote)
from .filters import SearchFilter, combine
from .prompting import build_prompt
from .questions import named_period
from .retrieval import Retriever, check_mode
from .types import Answer, AnswerSentence, Citation, Done, Hit, IndexedDocument, IndexReport, Retrieved, Token

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
# A small embedded LLM reads the best few sentences, not whole passages, and answers briefly.
SMALL_LLM_SENTENCES = 3
SMALL_LLM_MAX_TOKENS = 128
# A statements answer gets a model's summary of at most this many statements, in one short sentence.
SUMMARY_MAX_STATEMENTS = 8
SUMMARY_MAX_TOKENS = 80
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_question(text: str, what: str = "question") -> str:
    """Strip control characters; refuse empty, symbol-only or overlong input with a clear message."""
    if text is None:
        text = ""
    text = _CONTROL.sub(" ", str(text)).strip()
    if not text:
        raise UserInputError(f"The {what} is empty.", f"Type a {what} with a few words in it.")
    if len(text) > MAX_QUESTION_CHARS:
        raise UserInputError(
            f"The {what} is {len(text):,} characters long; the limit is {MAX_QUESTION_CHARS:,}.",
            "Ask a shorter question, or paste a shorter part of the quote.",
        )
    if not re.search(r"\w", text):
        raise UserInputError(f"The {what} has no words in it, only punctuation or symbols.", "Ask with words.")
    return text


class _VectorCache:
    """Embeds each distinct text once (per process, bounded): sentences recur across questions."""

    def __init__(self, embedder, size: int = 20000):
        self.embedder = embedder
        self.size = size
        self._d: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        out: list[np.ndarray | None] = []
        missing: list[str] = []
        with self._lock:
            for t in texts:
                v = self._d.get(t)
                if v is not None:
                    self._d.move_to_end(t)
                else:
                    missing.append(t)
                out.append(v)
        if missing:
            uniq = list(dict.fromkeys(missing))
            vecs = self.embedder.embed(uniq)
            fresh = dict(zip(uniq, vecs))
            with self._lock:
                for t, v in fresh.items():
                    self._d[t] = v
                while len(self._d) > self.size:
                    self._d.popitem(last=False)
            out = [v if v is not None else fresh[t] for v, t in zip(out, texts)]
        if not out:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.vstack(out).astype(np.float32, copy=False)


class Engine:
    """One per process: loads models and the index once, answers from many threads."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self._lock = threading.RLock()
        # Builds take this one, not _lock: questions go on being answered from the loaded index.
        self._build_lock = threading.Lock()
        self._embedder = None
        self._tokenizer = None
        self._retriever: Retriever | None = None
        self._vectors: _VectorCache | None = None
        self._generators: dict[tuple[str, str], Generator] = {}
        self._backends = BackendChooser(self.settings)  # decides "auto"; re-probes at most every 30 s

    # -- loading ------------------------------------------------------------------------------

    @property
    def embedder(self):
        with self._lock:
            if self._embedder is None:
                from .embeddings import load_embedder

                self._embedder = load_embedder(self._embed_settings())
                self._vectors = _VectorCache(self._embedder)
            return self._embedder

    def _embed_settings(self) -> Settings:
        """Query with the runtime the index was built with, so vectors stay comparable."""

        from .index import read_manifest

        if self.settings.embed_runtime != "auto":
            return self.settings
        try:
            name = read_manifest(Path(self.settings.index_dir)).get("embed_model", "")
        except RagError:
            return self.settings
        if "#onnx" in name:  # the precision too ("...#onnx-int8-rr"), whatever this CPU would choose
            from .onnx_embedder import precision_of

            precision = precision_of(name) or "int8"
            return replace(self.settings, embed_runtime="onnx", embed_precision=precision)
        return replace(self.settings, embed_runtime="torch")

    @property
    def tokenizer(self):
        with self._lock:
            if self._tokenizer is None:
                from .embeddings import tokenizer_for

                self._tokenizer = tokenizer_for(self.settings)
            return self._tokenizer

    @property
    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                self._retriever = self._load_retriever()
            return self._retriever

    def _load_retriever(self) -> Retriever:
        from .index import load_index

        index = load_index(Path(self.settings.index_dir), settings=self.settings)
        embedder = self.embedder
        if index.manifest.get("embed_model") != embedder.name:
            raise RagError(
                f"The index was built with {index.manifest.get('embed_model')}, but the engine uses {embedder.name}.",
                "Run `rag index --rebuild` to rebuild it with the current model.",
            )
        from .quotes import prepare_directory

        prepare_directory(index)  # speakers ready before the first "what did X say?"
        return Retriever(index, embedder)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedder  # noqa: B018 - make sure the cache exists
        assert self._vectors is not None
        return self._vectors(texts)

    def reload(self) -> None:
        """Load the live index aside, then swap it in: questions meanwhile use the one loaded before."""
        try:
            fresh = self._load_retriever()
        except RagError:
            fresh = None  # the next question raises the error again, with its next step
        with self._lock:
            self._retriever = fresh
        # Questions still running on the previous index keep it (and its generation) alive; the
        # generation's reader lock goes with the last reference, and a later clean removes it.

    # -- index --------------------------------------------------------------------------------

    def index(self, rebuild: bool = False, progress=None, embedder=None) -> IndexReport:
        """Build or update the index; `embedder` embeds the new texts instead of the engine's own
        (rag.ray_embed.RayEmbedder: on Ray), with the same model."""
        from .index import build_index, clean_stale, live_generation

        # The new generation is built beside the live one without the engine lock, so questions are
        # answered from the previous index until the swap in reload().
        embedder, tokenizer = embedder or self.embedder, self.tokenizer
        index_dir = Path(self.settings.index_dir)
        with self._build_lock:
            report = build_index(self.settings, embedder, tokenizer, rebuild=rebuild, progress=progress)
            # Under _lock: a question loading the index right now finishes first, so its (old)
            # generation is seen here. Nothing loaded yet: the next question loads the new one.
            with self._lock:
                stale = self._retriever is not None and self._retriever.index.path != live_generation(index_dir)
            if stale:
                self.reload()
                # the build cleaned while this engine still held the previous generation: again
                clean_stale(index_dir)
        return report

    def status(self) -> dict:
        from .index import index_status

        return index_status(Path(self.settings.index_dir))

    def document(self, file: str) -> IndexedDocument:
        """The indexed article `file`: its whole text and metadata."""
        doc = self.retriever.index.documents.get(file)
        if doc is None:
            raise UserInputError(f"No article named {file!r} in the index.", "Check the file name, or re-index.")
        return IndexedDocument(
            file=doc["file"], text=doc["text"] or "", title=doc["title"] or "", date=doc["date"],
            publisher=doc["publisher"], content_hash=doc["hash"] or "", removed_lines=tuple(doc["removed_lines"]),
            url=doc.get("url"), author=doc.get("author"),
        )

    # -- search and lookup --------------------------------------------------------------------

    def search(self, query: str, k: int | None = None, mode: str | None = None,
               exclude_files: Sequence[str] = (), filter: SearchFilter | None = None) -> list[Hit]:
        query = clean_question(query, "query")
        mode = check_mode(mode or self.settings.search_mode)
        return self.retriever.search(query, k or self.settings.top_k, mode,
                                     filter=self.search_filter(query, filter, exclude_files))

    def search_filter(self, question: str, filter: SearchFilter | None = None,
                      exclude_files: Sequence[str] = ()) -> SearchFilter | None:
        """The filter a search runs with: the one given, plus the period the question names ("in
        December 2024", "last year" from the newest article) when the user gave no dates and the
        index has dated articles in that period; otherwise no date filter (never a refusal for
        want of dates)."""
        f = combine(filter, exclude_files)
        if f is not None and f.dated:
            return f
        columns = self.retriever.filter_columns
        period = named_period(question, columns.newest)
        if period is None or not columns.dated_in(*period):
            return f
        return replace(f or SearchFilter(), since=period[0], until=period[1], from_question=True)

    def lookup(self, quote: str, k: int = 5) -> list[Hit]:
        quote = clean_question(quote, "quote")
        return _lookup(quote, self.retriever, k)

    # -- evidence -----------------------------------------------------------------------------

    @property
    def gate(self) -> EvidenceGate:
        r = self.retriever
        return EvidenceGate(correct=r.correct, idf=r.idf, embed=self.embed,
                            score_sentences=self.generator("extractive").scores)

    def idf(self, term: str) -> float:
        return self.retriever.idf(term)

    def correct(self, term: str) -> str:
        return self.retriever.correct(term)

    # -- answering ----------------------------------------------------------------------------

    def resolve_backend(self, name: str | None = None, model: str | None = None) -> str:
        """The backend that answers `name` (default: the configured one); see generators/choice.py."""
        return self._backends.choose(name, model)

    def generator(self, backend: str | None = None, model: str | None = None) -> Generator:
        name = self.resolve_backend(backend, model)
        key = (name, model or "")
        with self._lock:
            if key not in self._generators:
                settings = self.settings
                if model and name == "ollama":
                    settings = replace(settings, ollama_model=model)
                elif model and name == "llamacpp":
                    settings = replace(settings, gguf_path=model)
                deps = {"embed": self.embed, "idf": self.idf, "correct": self.correct} if name == "extractive" else {}
                self._generators[key] = create_generator(name, settings, **deps)
            return self._generators[key]

    def backends_status(self) -> BackendStatus:
        """What can answer here (Ollama's models, the embedded model) and what "auto" picks."""
        return self._backends.status()

    def ask(self, question: str, history: Sequence[Mapping[str, str]] = (), **kw) -> Answer:
        answer = None
        for event in self.ask_stream(question, history, **kw):
            if isinstance(event, Done):
                answer = event.answer
        assert answer is not None
        return answer

    def ask_stream(
        self,
        question: str,
        history: Sequence[Mapping[str, str]] = (),
        backend: str | None = None,
        model: str | None = None,
        k: int | None = None,
        mode: str | None = None,
        exclude_files: Sequence[str] = (),
        filter: SearchFilter | None = None,
    ) -> Iterator[Retrieved | Token | Done]:
        """Yield Retrieved (passages), then Token pieces, then Done with the checked Answer.

        clean -> rewrite -> route -> search -> judge -> prompt -> generate -> verify."""
        clock = _Clock()
        question = clean_question(question)
        mode = check_mode(mode or self.settings.search_mode)
        k = k or self.settings.top_k
        query = rewrite_query(question, history, is_speaker=self._is_speaker)

        # one filter for the statements route and the search (the route is skipped with left-out files)
        search_filter = self.search_filter(question, filter, exclude_files)
        routed = None if exclude_files else self._route(question, query, search_filter)
        if routed is not None and not routed[0].refused:
            answer, hits = routed
            yield Retrieved(query, tuple(hits))
            name = self.resolve_backend(backend, model)
            if answer.backend == "statements" and name != "extractive":
                answer = yield from self._summarise(answer, self.generator(name, model), query)
            else:
                yield Token(answer.text)
            yield Done(answer)
            return

        hits = self.retriever.search(query, k, mode, filter=search_filter)
        clock.mark("retrieval_ms")
        yield Retrieved(query, tuple(hits))

        name = self.resolve_backend(backend, model)
        gen = self.generator(name, model)
        verdict = self.gate.judge(query, hits, lenient=getattr(gen, "refuses_by_itself", False))
        # a known speaker none of whose statements is on the topic, and no passage naming both:
        # say so, and what the speaker did talk about
        said_nothing = routed is not None and verdict.signals.names_together is False
        if not verdict.answerable or said_nothing:
            refusal = self._refusal(question, query, hits, name, model, verdict, clock)
            if routed is not None:  # the statements' numbers stay valid: the passages follow them
                said = routed[0]
                why = verdict.reason or REASON_NAMES
                refusal = replace(said, passages=said.passages + tuple(hits), timings=refusal.timings,
                                  refusal_reason=f"{why} {said.refusal_reason}")
            yield Token(refusal.text)
            yield Done(refusal)
            return

        prompt = self._prompt(gen, query, hits)
        run = _Run()
        yield from self._generate(gen, prompt, run, clock)
        yield Done(self._verify(question, query, hits, gen, prompt, run, verdict, clock))

    # -- the steps of ask_stream ----------------------------------------------------------------

    def _route(self, question: str, query: str, filter: SearchFilter | None = None) -> tuple[Answer, list[Hit]] | None:
        """Questions answered without the generator: what someone said (from the statements the
        index holds, within the search's filter), who said a quote, where a quote comes from.

        A refused Answer (the speaker never spoke on the topic) is returned for the caller to show
        only if the passages do not answer the question either: the statement rules can miss one."""
        from .quotes import answer_speech

        speech = answer_speech(query, self.retriever, self.embed, filter)
        if speech is not None:
            return speech, list(speech.passages)
        return self._as_lookup(question)

    def _is_speaker(self, name: str) -> bool:
        """A person the index quotes: a follow-up naming one asks what they said (rag.conversation)."""
        from .quotes import is_speaker

        return is_speaker(self.retriever.index, name)

    def _summarise(self, answer: Answer, gen: Generator, query: str) -> Iterator[Token]:
        """A model's one-sentence summary on top of the listed statements, shown only where the
        citation check verifies it against them; the statements stand either way."""
        passages = answer.passages[:SUMMARY_MAX_STATEMENTS]
        prompt = build_prompt(f"In one sentence, summarise: {query}", passages,
                              min(self.settings.max_answer_tokens, SUMMARY_MAX_TOKENS), self.settings.temperature)
        run = _Run()
        try:
            for piece in gen.stream(prompt):
                run.pieces.append(piece)
        except BackendError as exc:
            log.warning("No summary of the statements: %s", exc)
            yield Token(answer.text)
            return replace(answer, refusal_reason=f"The model could not summarise them: {exc}")
        raw = "".join(run.pieces)
        checked = [] if is_refusal(raw) else CitationChecker(self.embed).check(raw, passages)
        summary = [sent for sent in checked if sent.supported][:1]
        if not summary:
            yield Token(answer.text)
            return replace(answer, raw_text=raw)
        text = f"{render(summary)}\n\n{answer.text}"
        yield Token(text)
        return replace(answer, text=text, sentences=tuple(summary) + answer.sentences, raw_text=raw,
                       backend=f"statements+{gen.name}", model=gen.model)

    def _refusal(self, question: str, query: str, hits: Sequence[Hit], backend: str, model: str | None,
                 verdict: Verdict, clock: "_Clock") -> Answer:
        return Answer(
            question=question, text=REFUSAL, sentences=(), passages=tuple(hits), refused=True,
            backend=backend, model=self._model_name(backend, model), query=query,
            refusal_reason=verdict.reason, timings=clock.done(evidence=verdict.signals),
        )

    def _prompt(self, gen: Generator, query: str, hits: Sequence[Hit]) -> Prompt:
        if getattr(gen, "prompt_style", "passages") == "excerpts":
            # a 135M-parameter model follows a short prompt far better than five long passages:
            # give it the sentences the extractive selector ranks highest, under their passage numbers
            return build_prompt(query, hits, min(self.settings.max_answer_tokens, SMALL_LLM_MAX_TOKENS),
                                self.settings.temperature, excerpts=self._excerpts(query, hits))
        return build_prompt(query, hits, self.settings.max_answer_tokens, self.settings.temperature)

    def _generate(self, gen: Generator, prompt: Prompt, run: "_Run", clock: "_Clock") -> Iterator[Token]:
        """Stream the backend's pieces; a failure after the first piece marks the answer incomplete."""
        try:
            for piece in gen.stream(prompt):
                clock.first("ttft_ms")
                run.pieces.append(piece)
                yield Token(piece)
        except BackendError as exc:
            if not run.pieces:
                raise
            run.complete = False
            run.error = str(exc)
        clock.first("ttft_ms")
        clock.mark("generation_ms", since="retrieval_ms")

    def _verify(self, question: str, query: str, hits: Sequence[Hit], gen: Generator, prompt: Prompt,
                run: "_Run", verdict: Verdict, clock: "_Clock") -> Answer:
        """Check every sentence against its cited passages; fall back to source sentences if none holds."""
        raw = "".join(run.pieces)
        checker = CitationChecker(self.embed)
        sentences: tuple[AnswerSentence, ...] = ()
        refused = is_refusal(raw)
        reason = "The model found no answer in the passages." if refused else ""
        fallback = ""
        if not refused:
            sentences = tuple(checker.check(raw, hits, verbatim=gen.name == "extractive"))
            if not any(s.supported for s in sentences):
                refused = True
                reason = "No sentence of the generated answer is supported by the passages."
            elif gen.name == "extractive":
                # source sentences that only share the question's words: no answer to "how many"
                from .quotes import unvoiced_reaction

                supported = [s for s in sentences if s.supported]
                reason = lacks_asked_kind(query, [s.text for s in supported]) or unvoiced_reaction(
                    query, self.retriever.index, [s.citations for s in supported])
                refused = bool(reason)
        if refused and run.complete and gen.name != "extractive" and verdict.confident:
            # The passages do cover the question but the model's answer failed the check (small
            # models paraphrase names and numbers wrongly). Say what the sources say instead,
            # verbatim and cited, and keep the model's text in raw_text for inspection.
            extract = "".join(self.generator("extractive").stream(prompt))
            checked = tuple(checker.check(extract, hits, verbatim=True))
            if any(s.supported for s in checked):
                sentences, refused, fallback = checked, False, "extractive"
                reason = "The model's answer could not be verified against the sources; these are the source sentences that answer the question."
        # the answer as shown holds verified sentences only; unsupported ones stay in `sentences`,
        # flagged, for a UI that marks them
        text = REFUSAL if refused else render([s for s in sentences if s.supported])
        if not run.complete:
            reason = f"The answer is incomplete: {run.error}"
        return Answer(
            question=question, text=text, sentences=sentences, passages=tuple(hits), refused=refused,
            backend=gen.name, model=gen.model, query=query, raw_text=raw, complete=run.complete,
            refusal_reason=reason, timings=clock.done(evidence=verdict.signals), fallback=fallback,
        )

    def _excerpts(self, question: str, hits: Sequence[Hit]) -> dict[int, list[str]]:
        chosen = self.generator("extractive").select(question, hits, limit=SMALL_LLM_SENTENCES, keep_ratio=0.7)
        out: dict[int, list[str]] = {}
        for n, sentence, _score in chosen:
            out.setdefault(n, []).append(sentence)
        return out

    def _model_name(self, backend: str, model: str | None) -> str:
        if backend == "ollama":
            return model or self.settings.ollama_model
        if backend == "llamacpp":
            from .generators.llamacpp import DEFAULT_GGUF

            return Path(model or self.settings.gguf_path or DEFAULT_GGUF).name
        return backend

    def _as_lookup(self, question: str) -> tuple[Answer, list[Hit]] | None:
        """'Which article says "..."?' or a pasted quote: answer with where it comes from."""
        quote = extract_quote(question)
        explicit = quote != question.strip().strip("\"“”'‘’").strip() and asks_source(question)
        long_quote = len(quote.split()) >= 6 and (explicit or not question.rstrip().endswith("?"))
        phrase = None if long_quote else short_quote(question)
        if phrase is not None:
            # 'Where does "absolute contrast" come from?': a short phrase, found only word for word
            hits = _lookup(phrase, self.retriever, 5)
            if not hits or hits[0].score < PHRASE_EXACT:
                return None
        else:
            if not long_quote:
                return None
            hits = _lookup(question, self.retriever, 5)
            if not hits or hits[0].score < (QUOTE_ROUTE_EXPLICIT if explicit else QUOTE_ROUTE_PASTED):
                return None
        top = hits[0]
        where = f"line {top.line_start}" if top.line_start == top.line_end else f"lines {top.line_start}-{top.line_end}"
        title = f"“{top.title}”, " if top.title else ""
        sentence_text = f"The quote is from {title}{top.file}, {where}."
        cite = Citation(1, top.file, top.line_start, top.line_end, top.text.strip(), top.score)
        sent = AnswerSentence(sentence_text, (cite,), True, top.score)
        answer = Answer(
            question=question, text=f"{sentence_text} [1]", sentences=(sent,), passages=tuple(hits),
            refused=False, backend="lookup", model="lookup", query=quote, raw_text=sentence_text,
        )
        return answer, hits


class _Run:
    """What one generation produced, filled while it streams."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.complete = True
        self.error = ""


class _Clock:
    """Milliseconds since the question arrived, by step name, for Answer.timings."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.marks: dict[str, float] = {}
        self._at: dict[str, float] = {}

    def mark(self, name: str, since: str | None = None) -> None:
        now = time.perf_counter()
        self._at[name] = now
        start = self._at.get(since, self.t0) if since else self.t0
        self.marks[name] = round((now - start) * 1000, 2)

    def first(self, name: str) -> None:
        if name not in self.marks:
            self.mark(name)

    def done(self, evidence=None) -> dict[str, float]:
        self.mark("total_ms")
        out = dict(self.marks)
        if evidence is not None:
            out["evidence"] = round(evidence.coverage, 4)
            out["closeness"] = round(evidence.closeness, 4)
        return out
