"""Shared helpers for the UI tests (test_app.py, test_browser.py): a seeded corpus and its index."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
APP = ROOT / "app.py"
# The three seed articles in which Peskov talks about Finland.
PESKOV_FINLAND_FILES = {"000_98f58e9247f94cfe.txt", "002_049595089446fbd5.txt", "004_e280ef4099de1b9e.txt"}
# Nothing listens here (the discard port), so Ollama is reported unreachable at once.
NO_OLLAMA = "http://127.0.0.1:9"


def seeded_corpus(dst: Path) -> Path:
    """A private copy of the seed articles, so tests never touch the real corpus."""
    shutil.copytree(SEEDS, dst)
    return dst


def build_index(corpus: Path, index: Path) -> dict:
    """Index `corpus` into `index` in-process, the way `rag index` does; return the index status."""
    from rag.config import Settings
    from rag.engine import Engine

    engine = Engine(Settings.from_env(corpus_dir=corpus, index_dir=index))
    report = engine.index()
    assert report.files_added == len(list(corpus.glob("*.txt"))), report
    return engine.status()

