"""`rag eval` over every answering backend on the seeds, for the table in the notes.

Ollama cannot run here, so its row goes through the official client to the test server in
tests/ollama_server.py, which speaks Ollama's HTTP API and serves real tokens from the
embedded SmolLM2 model (the same weights the llamacpp row uses, through another path).

    .venv/bin/python bench/eval_backends.py [--questions ../shared/eval/dev.jsonl] [--backends extractive,llamacpp,ollama]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from rag.config import Settings  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.evaluation import evaluate, summary_line  # noqa: E402

COLUMNS = ["hit_at_k", "mrr", "lookup_top1", "lookup_line", "answer_match", "citation_precision", "citation_recall",
           "refusal_accuracy", "false_refusal_rate", "fallback_rate"]


def llama_responder(settings: Settings):
    from rag.generators.base import Prompt
    from rag.generators.llamacpp import LlamaCppGenerator, model_path

    gen = LlamaCppGenerator(model_path(settings.gguf_path), settings.llm_context, settings.llm_threads)

    def respond(messages):
        yield from gen.stream(Prompt(messages=tuple(messages), question="", max_tokens=settings.max_answer_tokens))

    return respond


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", default=str(ROOT.parent / "shared" / "eval" / "dev.jsonl"))
    ap.add_argument("--corpus", default=str(ROOT / "seeds"))
    ap.add_argument("--backends", default="extractive,llamacpp,ollama")
    ap.add_argument("-k", type=int, default=5)
    ap.add_argument("--json", help="write all reports to this file")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rag-eval-"))
    settings = Settings.from_env(corpus_dir=Path(args.corpus), index_dir=tmp / "index")
    Engine(settings).index()
    reports = {}
    for backend in args.backends.split(","):
        if backend == "ollama":
            from ollama_server import FakeOllama

            with FakeOllama(models=("smollm2:135m",), responder=llama_responder(settings)) as server:
                engine = Engine(dataclasses.replace(settings, ollama_host=server.url, ollama_model="smollm2:135m"))
                reports[backend] = evaluate(engine, Path(args.questions), backend="ollama", k=args.k)
        else:
            reports[backend] = evaluate(Engine(settings), Path(args.questions), backend=backend, k=args.k)
        print(summary_line(reports[backend]), flush=True)
    print()
    print("| backend | " + " | ".join(COLUMNS) + " | answer_p50 ms | ttft_p50 ms |")
    print("|---" * (len(COLUMNS) + 3) + "|")
    for name, r in reports.items():
        cells = ["n/a" if r.get(c) is None else f"{r[c]:.3f}" for c in COLUMNS]
        lat = r["latency_ms"]
        print(f"| {name} | " + " | ".join(cells) + f" | {lat.get('answer_p50')} | {lat.get('ttft_p50')} |")
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
