"""Storage backends behind one protocol (base.py): `embedded` (FAISS + bm25s files, the default) and
`qdrant` (a collection on a Qdrant server, or the client's local mode). A name -> module registry:
another backend (e.g. Milvus) is one more file and one more line here."""

from __future__ import annotations

from pathlib import Path

from ..errors import UserInputError
from .base import Record, Store, StoreWriter, chunk_key

__all__ = ["Record", "Store", "StoreWriter", "STORES", "check_store", "chunk_key", "open_store"]

STORES = ("embedded", "qdrant")


def check_store(name: str) -> str:
    if name not in STORES:
        raise UserInputError(f"Unknown store {name!r}.", f"Set RAG_STORE to one of: {', '.join(STORES)}, or unset it.")
    return name


def store_kind(manifest: dict) -> str:
    """The store a generation was written to (indexes from before stores existed: embedded)."""
    return (manifest.get("store") or {}).get("kind", "embedded")


def open_store(settings, gen: Path, manifest: dict, chunks, db: Path) -> Store:
    """The reader of the generation `gen`, whichever store its manifest names."""
    kind = check_store(store_kind(manifest))
    if kind == "qdrant":
        from .qdrant import QdrantStore

        return QdrantStore.open(settings, gen, chunks, db, manifest["store"])
    from .embedded import EmbeddedStore

    return EmbeddedStore.open(gen, chunks)
