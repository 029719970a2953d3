"""The `rag` command: a thin face over the Engine. Library errors become one sentence and a next step."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import offline_environment
from .errors import RagError, UserInputError

EXIT_USAGE = 2


class _SearchModes(Sequence):
    """rag.retrieval.MODES, imported only when argparse needs them (a --mode given, or its help shown):
    retrieval imports numpy, which `rag --help` should not wait for."""

    def __getitem__(self, i):
        from .retrieval import MODES

        return MODES[i]

    def __len__(self) -> int:
        from .retrieval import MODES

        return len(MODES)


SEARCH_MODES = _SearchModes()


def _settings(args):
    from .config import Settings

    overrides = {}
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = Path(args.corpus)
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    return Settings.from_env(**overrides)


def _engine(args):
    from .engine import Engine

    return Engine(_settings(args))


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


class _Progress:
    """A tqdm bar per stage on a terminal; silent otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            unit = {"embedding": "chunk", "writing": "step", "rows": "row"}.get(stage, "file")
            self.bar = tqdm(total=total, desc=f"{stage:>9}", unit=unit, file=sys.stderr, leave=True)
        if self.bar is not None:
            self.bar.total = total
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def cmd_index(args) -> int:
    engine = _engine(args)
    progress = _Progress(enabled=not args.json and sys.stderr.isatty())
    try:
        if getattr(args, "ray", None):
            from .ray_embed import RayEmbedder, ray_session

            if args.ray_workers < 0:
                raise UserInputError(f"--ray-workers {args.ray_workers} is negative.", "Pass 1 or more, or leave it out.")
            with ray_session(args.ray, num_cpus=args.ray_workers) as cpus:
                embedder = RayEmbedder(engine.settings, engine.embedder, workers=args.ray_workers or cpus)
                report = engine.index(rebuild=args.rebuild, progress=progress, embedder=embedder)
        else:
            report = engine.index(rebuild=args.rebuild, progress=progress)
    finally:
        progress.close()
    if args.json:
        _print_json(report.to_dict())
        return 0
    for item in report.skipped:
        print(f"skipped {item[0]}: {item[1]}", file=sys.stderr)
    for item in report.warnings:
        print(f"warning {item[0]}: {item[1]}", file=sys.stderr)
    print(
        f"Indexed {engine.settings.corpus_dir}: {report.files_added} added, {report.files_updated} updated, "
        f"{report.files_removed} removed, {report.files_unchanged} unchanged; {report.chunks} chunks "
        f"({report.chunks_embedded} embedded) in {report.seconds:.1f} s -> {engine.settings.index_dir}"
    )
    return 0


def _print_hits(hits, show_text: bool = True) -> None:
    for n, h in enumerate(hits, 1):
        print(f"[{n}] {h.location}  score={h.score:.4f}  {h.title}")
        if show_text:
            text = " ".join(h.text.split())
            print("    " + (text if len(text) <= 600 else text[:600] + "…"))


def _filter(args):
    """--since/--until/--source as a SearchFilter (None when none is given)."""
    from .filters import SearchFilter

    f = SearchFilter.of(args.since, args.until, args.source or ())
    return f or None


def _add_filters(s) -> None:
    s.add_argument("--since", metavar="DATE", help="only articles dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD)")
    s.add_argument("--until", metavar="DATE", help="only articles dated on or before DATE")
    s.add_argument("--source", metavar="NAME", action="append",
                   help="only articles from this publisher or site (repeat for several)")


def cmd_search(args) -> int:
    engine = _engine(args)
    hits = engine.search(args.query, k=args.k, mode=args.mode, filter=_filter(args))
    if args.json:
        _print_json([h.to_dict() for h in hits])
    elif not hits:
        print("No passages found.")
    else:
        _print_hits(hits)
    return 0


def cmd_lookup(args) -> int:
    from .lookup import MATCH_THRESHOLD

    engine = _engine(args)
    hits = engine.lookup(args.quote, k=args.k)
    if args.json:
        _print_json([h.to_dict() for h in hits])
        return 0
    if not hits:
        print("No passage resembles this quote.")
        return 0
    top = hits[0]
    if top.score >= MATCH_THRESHOLD:
        print(f"Found in {top.location} (similarity {top.score:.2f}): {top.title}")
    else:
        print(f"No exact match. Closest passage: {top.location} (similarity {top.score:.2f}): {top.title}")
    print("    " + " ".join(top.text.split()))
    if len(hits) > 1:
        print("Other candidates:")
        _print_hits(hits[1:], show_text=False)
    return 0


def cmd_ask(args) -> int:
    from .types import Done, Token

    engine = _engine(args)
    stream_out = not args.json and sys.stdout.isatty()
    answer = None
    for event in engine.ask_stream(args.question, backend=args.backend, model=args.model, k=args.k, mode=args.mode,
                                   filter=_filter(args)):
        if isinstance(event, Token) and stream_out:
            print(event.text, end="", flush=True)
        elif isinstance(event, Done):
            answer = event.answer
    assert answer is not None
    if args.json:
        _print_json(answer.to_dict())
        return 0
    if stream_out:
        print("\n")
        print("Checked answer:")
    print(answer.text)
    if not answer.complete:
        print(f"\n[incomplete] {answer.refusal_reason}")
    if answer.refused:
        print(f"\n({answer.refusal_reason}) Closest passages:")
        _print_hits(answer.passages[:3])
        return 0
    print("\nCitations:")
    for s in answer.sentences:
        if not s.supported:
            print(f"  [unsupported] {s.text}")
            continue
        for c in s.citations:
            print(f"  [{c.source}] {c.location}  “{' '.join(c.quote.split())}”")
    print("\nSources, by date:")
    for src in answer.sources:
        meta = " · ".join(m for m in (src["date"] or "undated", src["publisher"], src["title"]) if m)
        print(f"  [{src['passage']}] {meta}  ({'; '.join(src['locations'])})" + (f"  {src['url']}" if src["url"] else ""))
    print(f"\n({answer.backend}: {answer.model}; {answer.timings.get('total_ms', 0):.0f} ms)")
    return 0


def cmd_eval(args) -> int:
    from .evaluation import evaluate, question_table, summary_line

    engine = _engine(args)
    report = evaluate(engine, Path(args.questions), backend=args.backend, k=args.k)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    if args.table:
        Path(args.table).write_text(question_table(report), encoding="utf-8")
    if not args.quiet:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    print(summary_line(report))
    return 0


def cmd_speakers(args) -> int:
    from .index import load_index
    from .quotes import directory

    index = load_index(Path(_settings(args).index_dir))
    ranked = directory(index).ranked()
    if args.json:
        _print_json([{"speaker": s.name, "key": s.key, "role": s.role, "kind": s.kind,
                      "statements": s.statements, "articles": s.articles} for s in ranked])
    elif not ranked:
        print("No statements in the index. Run `rag index` to extract them.")
    for s in [] if args.json else ranked:
        role = f" ({s.role})" if s.role else ""
        print(f"{s.statements:5d}  {s.name}{role}  in {s.articles} article{'s' * (s.articles != 1)}")
    return 0


def cmd_quotes(args) -> int:
    from .errors import UserInputError
    from .quotes import about, directory

    if args.about:
        engine = _engine(args)  # the topic is matched in meaning too: that needs the model
        retriever = engine.retriever
        index, embed, topic_terms = retriever.index, engine.embed, retriever.query_terms(args.about)
    else:
        from .index import load_index

        index, embed, topic_terms = load_index(Path(_settings(args).index_dir)), None, None
    d = directory(index)
    if args.speaker:
        speaker = d.find(args.speaker)
        if speaker is None:
            raise UserInputError(f"No statements by {args.speaker!r} in the index.", "See `rag speakers` for who is quoted.")
        found = d.statements_of(speaker.key)
    else:
        found = [s for group in d.by_key.values() for s in group]
    wanted = _filter(args)
    if wanted:
        from .filters import statement_allowed

        found = [s for s in found if statement_allowed(wanted, s, index.documents)]
    if args.about:
        found = about(found, args.about, index.documents, embed, topic_terms, passages=d.passages)
    found = sorted(found, key=lambda s: (s.date is None, s.date or "", s.file, s.char_start))
    if args.json:
        keys = ("speaker", "file", "line_start", "line_end", "text", "date", "role", "publisher", "kind")
        _print_json([{k: getattr(s, k) for k in keys} | {"speaker_key": d.canonical.get(s.speaker_key, s.speaker_key)}
                     for s in found])
        return 0
    if not found:
        print("No statements found.")
    for s in found:
        text = f"“{s.text}”" if s.kind == "direct" else s.text
        print(f"{s.date or 'undated':10}  {s.location}  {s.speaker}: {text}")
    return 0


def cmd_doctor(args) -> int:
    from .doctor import run_checks

    ok = True
    results = run_checks(_settings(args))
    if args.json:
        _print_json([r.__dict__ for r in results])
    for r in results:
        ok = ok and (r.ok or not r.required)
        if not args.json:
            mark = "ok " if r.ok else ("FAIL" if r.required else "warn")
            print(f"[{mark}] {r.name}: {r.detail}")
            if not r.ok and r.fix:
                print(f"       fix: {r.fix}")
    return 0 if ok else 1


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .generators.base import available_backends

    backends = available_backends()

    # SUPPRESS: an option given before the command is not reset by the subcommand's default
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", metavar="DIR", default=argparse.SUPPRESS,
                        help="folder of articles: .txt .md .html .csv .tsv .jsonl .pdf (env RAG_CORPUS_DIR; default seeds/)")
    common.add_argument("--index", metavar="DIR", default=argparse.SUPPRESS,
                        help="index folder (env RAG_INDEX_DIR; default index/)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log what happens")

    p = argparse.ArgumentParser(
        prog="rag", description="Ask questions about a corpus of news articles; every claim cites its file and lines.",
        parents=[common],
    )
    p.add_argument("--version", action="version", version=f"corpus-rag {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("index", parents=[common], help="build or update the index of the corpus")
    s.add_argument("--rebuild", action="store_true", help="re-embed everything")
    s.add_argument("--json", action="store_true", help="print one JSON object, no progress bar")
    s.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                   help="embed new passages on Ray (the scale extra): alone, a Ray on this machine's cores "
                        "(127.0.0.1 only); with ADDRESS, the cluster there (ray://HEAD:10001 or HEAD:6379)")
    s.add_argument("--ray-workers", type=int, default=0, metavar="N",
                   help="embedding actors on Ray (default: one per CPU of this machine or the cluster)")
    s.set_defaults(func=cmd_index)

    s = sub.add_parser("search", parents=[common], help="ranked passages for a query")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=5)
    s.add_argument("--mode", choices=SEARCH_MODES, metavar="MODE", default=None, help="%(choices)s")
    s.add_argument("--json", action="store_true")
    _add_filters(s)
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("lookup", parents=[common], help="where does this quote come from?")
    s.add_argument("quote")
    s.add_argument("-k", type=int, default=5)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_lookup)

    s = sub.add_parser("ask", parents=[common], help="answer a question with verified citations")
    s.add_argument("question")
    s.add_argument("--backend", choices=backends, default=None)
    s.add_argument("--model", default=None, help="Ollama model name, or a GGUF path for llamacpp")
    s.add_argument("-k", type=int, default=None, help="passages to retrieve")
    s.add_argument("--mode", choices=SEARCH_MODES, metavar="MODE", default=None, help="%(choices)s")
    s.add_argument("--json", action="store_true")
    _add_filters(s)
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("eval", parents=[common], help="measure retrieval (and answers) on a JSONL question file")
    s.add_argument("questions")
    s.add_argument("--backend", choices=backends, default=None)
    s.add_argument("-k", type=int, default=5)
    s.add_argument("--json", dest="json_out", metavar="OUT", help="also write the report to OUT")
    s.add_argument("--table", metavar="OUT.md", help="write a per-question table (question, gold, answer, refused, why)")
    s.add_argument("--quiet", action="store_true", help="print only the summary line")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("quotes", parents=[common], help="statements the articles attribute to someone, by date")
    s.add_argument("--speaker", metavar="NAME", help="only this speaker (surname, misspelt or role is fine)")
    s.add_argument("--about", metavar="TOPIC", help="only statements about this topic")
    s.add_argument("--json", action="store_true")
    _add_filters(s)
    s.set_defaults(func=cmd_quotes)

    s = sub.add_parser("speakers", parents=[common], help="who is quoted, with how many statements")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_speakers)

    s = sub.add_parser("doctor", parents=[common], help="check everything the app needs and say what to fix")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_doctor)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    offline_environment()
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s: %(message)s",
    )
    if not getattr(args, "verbose", False):
        for noisy in ("sentence_transformers", "faiss", "bm25s", "httpx", "transformers"):
            logging.getLogger(noisy).setLevel(logging.ERROR)
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        return args.func(args)
    except RagError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
