"""Shared helpers for the UI tests (test_app.py, test_app_ollama.py, test_browser.py): a seeded corpus,
its index, and the page started headless."""

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
APP_TIMEOUT = 240  # the first question loads the embedding model (and maybe the embedded LLM)


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



def start_app(monkeypatch, corpus: Path, index: Path, backend: str = "extractive", ollama: str = NO_OLLAMA):
    """The page run once under Streamlit's AppTest with these settings; no exception on screen."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("RAG_INDEX_DIR", str(index))
    monkeypatch.setenv("RAG_BACKEND", backend)
    monkeypatch.setenv("OLLAMA_HOST", ollama)
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
