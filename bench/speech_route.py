"""How long 'what did X say about Y' takes before generation at 10,000 articles.

The corpus: the articles of a real index (default /work/data/idx-haystack3: 1,702 real news
articles) and copies of them up to --articles, each copy under its own file name and with the
names of its speakers altered (letters rotated, same length, so that offsets stay right), except
that a share of the copies (--keep-names) keeps them: those speakers (Peskov among them) then
have several times their real statements, as a prolific speaker would in a larger archive. The
statements are extracted again from every text with the current rules (rag.speech), with the
terms the index stores for them; a copy's passages are its original's chunk vectors.

Timed: the Engine's steps before generation for such a question (clean, rewrite, search filter,
speech route: speaker directory lookup, topic match lexical and dense, the Answer with its
passages), with the bundled model embedding on this CPU. The FAISS/BM25 side stays the real
index's (the speech route does not search it). First question (directory built) reported apart.

    .venv/bin/python bench/speech_route.py [--index /work/data/idx-haystack3] [--articles 10000] [--repeat 20]
        [--cache /tmp/speech_route_10k.pkl] [--profile-first]

"first" is each question's first run in the process (its topic and candidate statements not yet
embedded); --profile-first prints where that run's time goes. The load average is printed before
and after: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "What did Peskov say about Finland?",
    "what did peskof say abt finnland",
    "How did Putin react to Finland joining NATO?",
    "What did Trump say about impeachment?",
    "What did Baker say about the dollar?",
    "What did Sanders say about his heart attack?",
    "What did analysts say about interest rates?",
    "What has Stubb said?",
]


def _rotate(word: str, r: int) -> str:
    """The same word with its letters shifted by r (case kept): 'Peskov' -> 'Qftlpw'."""
    out = []
    for ch in word:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - 97 + r) % 26 + 97))
        elif "A" <= ch <= "Z":
            out.append(chr((ord(ch) - 65 + r) % 26 + 65))
        else:
            out.append(ch)
    return "".join(out)


def build_corpus(index, n_articles: int, keep_names: float):
    """(documents, statements) for n_articles: the real ones and renamed copies."""
    import re

    from rag.documents import clean
    from dataclasses import replace

    from rag.speech import context_terms, extract_statements, speaker_key

    real = dict(index.documents)
    statements = []
    docs = {}
    t0 = time.perf_counter()
    for f, d in real.items():
        docs[f] = d
        statements.extend(extract_statements(clean(f, d["text"] or "", d.get("hash") or "")))
    names = {w for s in statements if s.speaker_kind == "person" for w in speaker_key(s.speaker).split() if len(w) >= 4}
    name_rx = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b", re.I)
    files = list(real)
    copy = 0
    while len(docs) < n_articles:
        copy += 1
        keep = (copy - 1) % max(1, round(1 / keep_names)) == 0 if keep_names > 0 else False
        for f in files:
            if len(docs) >= n_articles:
                break
            d = real[f]
            text = d["text"] or ""
            if not keep:
                text = name_rx.sub(lambda m: _rotate(m.group(0), copy), text)
            nf = f"copy{copy:02d}_{f}"
            docs[nf] = {**d, "file": nf, "text": text}
            statements.extend(extract_statements(clean(nf, text, "")))
    statements = [replace(s, terms=context_terms(s, docs[s.file]["text"] or "")) for s in statements]
    return docs, statements, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, default=Path("/work/data/idx-haystack3"))
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--keep-names", type=float, default=0.34, help="share of the copies that keep the real names")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--cache", type=Path, help="keep the built corpus in this pickle (outside the repo) for the next run")
    ap.add_argument("--profile", action="store_true", help="cProfile the slowest question")
    ap.add_argument("--profile-first", action="store_true", help="cProfile each question's first (uncached) run")
    ap.add_argument("--first", type=int, default=5, metavar="N",
                    help="time each question N more times as a first question: embeddings and per-speaker caches forgotten")
    args = ap.parse_args(argv)

    from rag.config import Settings
    from rag.conversation import rewrite_query
    from rag.engine import Engine, clean_question
    from rag.quotes import directory

    engine = Engine(Settings.from_env(index_dir=args.index))
    index = engine.retriever.index
    real_files = set(index.documents)
    import pickle

    from rag.speech import EXTRACTOR_VERSION

    key = (str(args.index), args.articles, args.keep_names, EXTRACTOR_VERSION)
    cached = pickle.loads(args.cache.read_bytes()) if args.cache and args.cache.exists() else None
    if cached is not None and cached[0] == key:
        docs, statements, t_extract = cached[1:]
    else:
        docs, statements, t_extract = build_corpus(index, args.articles, args.keep_names)
        if args.cache:
            args.cache.write_bytes(pickle.dumps((key, docs, statements, t_extract)))
    if statements and not statements[0].terms:  # a cache from before stored terms
        from dataclasses import replace

        from rag.speech import context_terms

        statements = [replace(s, terms=context_terms(s, docs[s.file]["text"] or "")) for s in statements]
        if args.cache:
            args.cache.write_bytes(pickle.dumps((key, docs, statements, t_extract)))
    index.documents.clear()
    index.documents.update(docs)
    object.__setattr__(index, "statements", statements)
    print(f"corpus: {len(docs)} articles, {len(statements)} statements (extracted in {t_extract:.1f} s)")
    print("load average before timing: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))

    def before_generation(question: str):
        q = clean_question(question)
        query = rewrite_query(q, (), is_speaker=engine._is_speaker)
        return engine._route(q, query, engine.search_filter(q, None))

    engine.embed(["warm up the model"])
    t0 = time.perf_counter()
    directory(index)
    print(f"speaker directory: {len(directory(index).speakers)} speakers, built in {1000 * (time.perf_counter() - t0):.0f} ms (once per loaded index)")
    t0 = time.perf_counter()
    engine.retriever.query_terms("spellingwarmup")  # a misspelt word: the spelling buckets get built
    print(f"spelling buckets: built in {1000 * (time.perf_counter() - t0):.0f} ms (once per loaded index, for any misspelt query)")
    passages = directory(index).passages
    if passages is not None:  # a copy stands in its original's passages (same offsets)
        for f in docs:
            if f not in real_files:
                passages.spans[f] = passages.spans.get(f.split("_", 1)[1], [])
    rows = []
    for question in QUESTIONS:
        times = []
        answer = None
        for n in range(args.repeat):
            if n == 0 and args.profile_first:
                import cProfile
                import pstats

                prof = cProfile.Profile()
                t0 = time.perf_counter()
                prof.enable()
                routed = before_generation(question)
                prof.disable()
                times.append(1000 * (time.perf_counter() - t0))
                print(f"--- first run of {question!r}: {times[-1]:.1f} ms (profiled)")
                pstats.Stats(prof).sort_stats("tottime").print_stats(8)
                answer = routed[0] if routed else None
                continue
            t0 = time.perf_counter()
            routed = before_generation(question)
            times.append(1000 * (time.perf_counter() - t0))
            answer = routed[0] if routed else None
        head = answer.text.splitlines()[0][:90] if answer else "(not routed)"
        if answer is not None and answer.refused:
            head = next((ln for ln in answer.text.splitlines()[1:] if ln.strip()), "")[:90]
        rows.append((question, statistics.median(times), sorted(times)[int(0.95 * (len(times) - 1))], times[0], head))
    def forget() -> None:
        """As if no question had been asked: the engine's embeddings, the directory's per-statement caches."""
        vectors = getattr(engine, "_vectors", None)
        if vectors is not None:
            vectors._d.clear()
        d = directory(index)
        for cache in (getattr(d, "_terms", None), getattr(d.passages, "_rows", None)):
            if cache is not None:
                cache.clear()

    firsts = {}
    for question in QUESTIONS:
        ts = []
        for _ in range(args.first):
            forget()
            t0 = time.perf_counter()
            before_generation(question)
            ts.append(1000 * (time.perf_counter() - t0))
        firsts[question] = ts
    print(f"{'question':48} {'median':>8} {'p95':>8} {'first':>8} {'first med':>9} {'first max':>9}  answer")
    for q, med, p95, first, head in rows:
        fm = statistics.median(firsts[q]) if firsts[q] else float("nan")
        fx = max(firsts[q]) if firsts[q] else float("nan")
        print(f"{q[:48]:48} {med:8.1f} {p95:8.1f} {first:8.1f} {fm:9.1f} {fx:9.1f}  {head}")
    if args.profile:
        import cProfile
        import pstats

        worst = max(rows, key=lambda r: r[1])[0]
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(5):
            before_generation(worst)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(18)
    worst_first = max((statistics.median(v) for v in firsts.values() if v), default=float("nan"))
    print(f"all questions: median {statistics.median(r[1] for r in rows):.1f} ms, worst median {max(r[1] for r in rows):.1f} ms, "
          f"worst first {max(r[3] for r in rows):.1f} ms, worst median of {args.first} first runs {worst_first:.1f} ms")
    print("load average after timing: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
