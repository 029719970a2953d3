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

    idx = None
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

    out.append(device_check(settings))

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

    out += _ollama_checks(settings, idx.chunks if idx is not None else [])
    return out


def device_check(settings: Settings) -> Check:
    """CPU or GPU for the embedder: onnxruntime's CUDA provider (onnxruntime-gpu) or torch's CUDA."""
    from .embeddings import gpu_status

    try:
        status = gpu_status(settings)
    except RagError as exc:
        return Check("embedding device", False, exc.message, exc.hint or "", required=False)
    fix = "" if status.device == "cuda" else (
        "For a GPU: install onnxruntime-gpu (ONNX) or a CUDA build of torch (RAG_EMBED_RUNTIME=torch).")
    return Check("embedding device", True, status.detail, fix, required=False)


def _ollama_checks(settings: Settings, chunks: list) -> list[Check]:
    """The server, the model (matched as `has_model` matches it), and the window a question gets."""
    from .generators.choice import backends_status, find_model
    from .generators.ollama import OllamaGenerator
    from .prompting import build_prompt
    from .types import Hit

    status = backends_status(settings, timeout=2.0)
    ollama, want = status.ollama, settings.ollama_model
    if not ollama.reachable:
        return [
            Check("ollama server", False, f"{ollama.error} (the embedded model answers instead)", ollama.hint,
                  required=False),
            Check("answering backend", True, f"auto answers with {status.auto}", required=False),
        ]
    out = [Check("ollama server", True, f"reachable at {ollama.host}, {len(ollama.models)} models", required=False)]
    found = find_model(ollama.models, want)
    pulled = f"{want} is pulled as {found}" if found else (
        f"{want} is not pulled (the server has {', '.join(ollama.models) or 'no models'})")
    out.append(Check("ollama model", found is not None, pulled, f"Run `ollama pull {want}`.", required=False))
    if found:
        # What a question sends: top_k passages (the longest of the index, the worst case), with the
        # window the server will run them in: the num_ctx we send, capped by the model's length.
        longest = sorted(chunks, key=lambda c: len(c.text), reverse=True)[: settings.top_k]
        hits = [Hit(c.id, c.file, c.line_start, c.line_end, 0.0, c.text, c.title) for c in longest]
        if not hits:
            hits = [Hit("x", "sample.txt", 1, 8, 0.0, "word " * settings.chunk_tokens, "Sample")] * settings.top_k
        prompt = build_prompt("What does the sample say?", hits, settings.max_answer_tokens, settings.temperature)
        try:
            window = OllamaGenerator.from_settings(settings).plan(prompt)
        except RagError as exc:
            out.append(Check("prompt fits the ollama model", False, exc.message, exc.hint or "", required=False))
        else:
            longest_window = f"{window.context_length}" if window.context_length else "unknown"
            out.append(Check(
                "prompt fits the ollama model", window.fits,
                f"{len(hits)} passages need about {window.prompt_tokens} + {window.answer_tokens} tokens; sent with "
                f"num_ctx {window.num_ctx} (the model's longest window: {longest_window})",
                "Lower RAG_TOP_K or RAG_MAX_ANSWER_TOKENS, or use a model with a longer context.", required=False,
            ))
    out.append(Check("answering backend", True, f"auto answers with {status.auto}", required=False))
    return out
