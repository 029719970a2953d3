"""The app's sidebar and answers with an Ollama server: it shows what will answer, and answers with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

try:  # tests/ as a package or as a plain directory on sys.path
    from tests.conftest_app import build_index, seeded_corpus, start_app
    from tests.ollama_server import FakeOllama
except ImportError:
    from conftest_app import build_index, seeded_corpus, start_app
    from ollama_server import FakeOllama


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("app_ollama")
    corpus = seeded_corpus(base / "corpus")
    build_index(corpus, base / "index")
    return corpus, base / "index"


def start(monkeypatch, shared, backend: str, ollama: str) -> AppTest:
    corpus, index = shared
    return start_app(monkeypatch, corpus, index, backend, ollama)


def sidebar_text(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "warning") for e in getattr(at.sidebar, kind))


def ask(at: AppTest, question: str):
    at.chat_input(key="question").set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return [m for m in at.chat_message if m.name == "assistant"][-1]


def test_with_only_another_tag_pulled_auto_says_and_uses_the_embedded_model(monkeypatch, shared):
    from rag.generators.llamacpp import llama_available

    embedded = "llamacpp" if llama_available() else "extractive"
    # the configured "llama3.2" is "llama3.2:latest": a server with only llama3.2:1b lacks it
    with FakeOllama(["llama3.2:1b"]) as fake:
        at = start(monkeypatch, shared, "auto", fake.url)
        side = sidebar_text(at)
        assert f"Auto answers with: **{embedded}**" in side
        assert "Ollama has no `llama3.2`" in side
        assert not [s for s in at.selectbox if s.key == "model"]  # no Ollama model picker for auto
        msg = ask(at, "Who handed Finland's signed NATO accession treaty to Antony Blinken?")
        assert not msg.error, [e.value for e in msg.error]  # llama3.2:1b was not opened as a GGUF file
        assert fake.chat_requests() == []
        assert f"Answered by {embedded}" in "\n".join(str(m.value) for m in msg.markdown)


def test_the_ollama_backend_offers_the_pulled_tag_and_answers_with_it(monkeypatch, shared):
    with FakeOllama(["llama3.2:1b"]) as fake:
        at = start(monkeypatch, shared, "ollama", fake.url)
        picker = at.selectbox(key="model")
        assert picker.options == ["llama3.2:1b"] and picker.value == "llama3.2:1b"
        assert "The configured model `llama3.2` is not pulled" in sidebar_text(at)
        msg = ask(at, "Who handed Finland's signed NATO accession treaty to Antony Blinken?")
        assert not msg.error
        assert fake.chat_requests()[-1]["model"] == "llama3.2:1b"
