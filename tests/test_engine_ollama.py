"""The engine over the Ollama backend, through the official client and a server speaking Ollama's API."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from rag.engine import Engine
from rag.errors import BackendUnavailable, ModelNotFound

from conftest import ROOT
from ollama_server import FakeOllama, unused_url


@pytest.fixture
def server():
    with FakeOllama(models=("llama3.2:latest", "qwen2.5:0.5b")) as s:
        yield s


def engine_for(seed_engine, host, model="llama3.2", backend="auto"):
    return Engine(dataclasses.replace(seed_engine.settings, ollama_host=host, ollama_model=model, backend=backend,
                                      ollama_timeout=5.0))


def test_auto_prefers_a_reachable_ollama_with_the_model(seed_engine, server):
    engine = engine_for(seed_engine, server.url)
    assert engine.resolve_backend() == "ollama"
    a = engine.ask("Who handed Finland's signed NATO accession treaty to Antony Blinken?")
    assert a.backend == "ollama" and a.model == "llama3.2" and a.complete
    assert not a.refused and a.cited_files and a.sentences[0].supported
    sent = server.chat_requests()[-1]
    assert sent["model"] == "llama3.2" and sent["stream"] is True
    assert "[1]" in sent["messages"][-1]["content"]  # numbered passages reached the server


def test_auto_falls_back_when_ollama_lacks_the_model_or_is_down(seed_engine, server):
    from rag.generators.llamacpp import llama_available

    embedded = "llamacpp" if llama_available() else "extractive"
    assert engine_for(seed_engine, server.url, model="mistral").resolve_backend() == embedded
    assert engine_for(seed_engine, unused_url()).resolve_backend() == embedded
    status = engine_for(seed_engine, server.url).backends_status()
    assert status["ollama"]["reachable"] and "qwen2.5:0.5b" in status["ollama"]["models"]
    assert status["auto"] == "ollama"


def test_model_choice_is_sent_to_the_server(seed_engine, server):
    engine = engine_for(seed_engine, server.url, backend="ollama")
    a = engine.ask("Where did Russia decide to station tactical nuclear weapons?", model="qwen2.5:0.5b")
    assert a.model == "qwen2.5:0.5b"
    assert server.chat_requests()[-1]["model"] == "qwen2.5:0.5b"


def test_stream_cut_mid_answer_is_marked_incomplete(seed_engine, server):
    server.fault = "cut"
    server.fault_after = 4
    a = engine_for(seed_engine, server.url, backend="ollama").ask("Who handed Finland's signed NATO accession treaty to Antony Blinken?")
    assert a.complete is False
    assert "incomplete" in a.refusal_reason
    assert a.raw_text and not a.fallback


def test_server_down_and_model_missing_are_clear_errors(seed_engine, server):
    with pytest.raises(BackendUnavailable) as exc:
        engine_for(seed_engine, unused_url(), backend="ollama").ask("What did Peskov say about Finland?")
    assert "ollama serve" in str(exc.value)
    with pytest.raises(ModelNotFound) as exc:
        engine_for(seed_engine, server.url, model="mistral", backend="ollama").ask("What did Peskov say about Finland?")
    assert "ollama pull mistral" in str(exc.value)


def test_cli_reports_backend_failures_with_exit_code_5(seed_engine):
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ask", "What did Peskov say about Finland?", "--backend", "ollama",
         "--index", str(seed_engine.settings.index_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env={"OLLAMA_HOST": unused_url(), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 5
    assert "Cannot reach" in proc.stderr and "Traceback" not in proc.stderr
