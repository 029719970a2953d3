"""`rag doctor`: check everything a user needs and say what to fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .errors import RagError


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


def run_checks(settings: Settings) -> list[Check]:
    out: list[Check] = []
    corpus = Path(settings.corpus_dir)
    n_files = len([p for p in corpus.rglob("*") if p.suffix.lower() in (".txt", ".md")]) if corpus.is_dir() else 0
    out.append(Check("corpus", n_files > 0, f"{n_files} articles in {corpus}", "Put .txt/.md articles in the folder or pass --corpus DIR."))

    from .index import load_index

    try:
        idx = load_index(Path(settings.index_dir))
        out.append(Check("index", True, f"{len(idx.manifest.get('files', {}))} files, {idx.n_chunks} chunks, built {idx.manifest.get('built_at')}, checksums ok"))
    except RagError as exc:
        out.append(Check("index", False, exc.message, exc.hint or "Run `rag index`."))

    try:
        from .embeddings import load_embedder

        e = load_embedder(settings)
        v = e.embed(["doctor check"])
        out.append(Check("embedding model", v.shape == (1, e.dim), f"{e.name} ({e.dim} dimensions)"))
    except RagError as exc:
        out.append(Check("embedding model", False, exc.message, exc.hint or ""))

    from .generators.llamacpp import LlamaCppGenerator, bundled_gguf, llama_available, model_path

    try:
        path = model_path(settings.gguf_path)
        ok = llama_available()
        out.append(Check("embedded model", ok, f"{path.name} ({path.stat().st_size / 1e6:.0f} MB)" + ("" if ok else "; llama-cpp-python missing"),
                         "Run `make setup`." if not ok else ""))
        if ok:
            from .prompting import build_prompt
            from .types import Hit

            gen = LlamaCppGenerator(path, settings.llm_context, settings.llm_threads)
            sample = Hit("x", "sample.txt", 1, 8, 0.0, "word " * 180, "Sample")
            prompt = build_prompt("What does the sample say?", [sample] * 3, settings.max_answer_tokens)
            need = sum(gen.count_tokens(m["content"]) for m in prompt.messages) + settings.max_answer_tokens
            out.append(Check("prompt fits the embedded model", need <= settings.llm_context,
                             f"a 3-passage prompt needs ~{need} of {settings.llm_context} tokens", "Raise RAG_LLM_CONTEXT."))
    except RagError as exc:
        out.append(Check("embedded model", False, exc.message, exc.hint or "", required=False))
    del bundled_gguf

    from .generators.ollama import context_length, list_models

    try:
        models = list_models(settings.ollama_host, timeout=2.0)
        out.append(Check("ollama server", True, f"reachable at {settings.ollama_host}, {len(models)} models", required=False))
        want = settings.ollama_model
        has = any(m == want or m == f"{want}:latest" or m.split(":")[0] == want for m in models)
        out.append(Check("ollama model", has, f"{want} {'is' if has else 'is not'} pulled", f"Run `ollama pull {want}`.", required=False))
        if has:
            ctx = context_length(settings.ollama_host, want)
            out.append(Check("prompt fits the ollama model", ctx is None or ctx >= 2048, f"context {ctx or 'unknown'} tokens", "Use a model with a larger context.", required=False))
    except RagError as exc:
        out.append(Check("ollama server", False, f"{exc.message} (the embedded model answers instead)", exc.hint or "", required=False))
    return out
