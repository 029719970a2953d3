"""Shared fixtures: real bundled model, real FAISS, real SQLite, on temporary copies of the seeds."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
# A developer's own settings must not leak into the tests.
for _k in list(os.environ):
    if _k.startswith("RAG_") or _k in ("OLLAMA_HOST", "QDRANT_URL", "QDRANT_API_KEY"):
        del os.environ[_k]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def copy_seeds(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for p in sorted(SEEDS.glob("*.txt")):
        shutil.copy(p, dest / p.name)
    return dest


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A private copy of the seeds that a test may change."""
    return copy_seeds(tmp_path / "corpus")


@pytest.fixture
def make_settings(tmp_path):
    from rag.config import Settings

    def make(corpus_dir: Path | None = None, **kw) -> Settings:
        return Settings(corpus_dir=corpus_dir or copy_seeds(tmp_path / "corpus"), index_dir=tmp_path / "index", **kw)

    return make


@pytest.fixture(scope="session")
def seed_engine(tmp_path_factory):
    """One engine over an index of the seeds, built once for the read-only tests."""
    from rag.config import Settings
    from rag.engine import Engine

    base = tmp_path_factory.mktemp("seeds")
    settings = Settings(corpus_dir=copy_seeds(base / "corpus"), index_dir=base / "index", backend="extractive")
    engine = Engine(settings)
    engine.index()
    return engine
