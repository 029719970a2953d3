"""The engine over the Ollama backend, through the official client and a server speaking Ollama's API."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from rag.engine import Engine
from rag.errors import BackendUnavailable, ModelNotFound

from conftest import ROOT
from ollama_server import FakeModel, FakeOllama, count_tokens, unused_url

TREATY = "Who handed Finland's signed NATO accession treaty to Antony Blinken?"


@pytest.fixture
def server():
    with FakeOllama(models=("llama3.2:latest", "qwen2.5:0.5b")) as s:
        yield s


def engine_for(seed_engine, host, model="llama3.2", backend="auto", **kw):
    return Engine(dataclasses.replace(seed_engine.settings, ollama_host=host, ollama_model=model, backend=backend,
                                      ollama_timeout=5.0, **kw))


def embedded_backend() -> str:
    from rag.generators.llamacpp import llama_available

    return "llamacpp" if llama_available() else "extractive"


def test_auto_prefers_a_reachable_ollama_with_the_model(seed_engine, server):
    engine = engine_for(seed_engine, server.url)
    assert engine.resolve_backend() == "ollama" == engine.backends_status().auto
    a = engine.ask(TREATY)
    assert a.backend == "ollama" and a.model == "llama3.2" and a.complete
    assert not a.refused and a.sentences[0].supported
    sent = server.chat_requests()[-1]
    assert sent["model"] == "llama3.2" and sent["stream"] is True
    assert "[1]" in sent["messages"][-1]["content"]  # numbered passages reached the server


def test_auto_falls_back_when_ollama_lacks_the_model_or_is_down(seed_engine, server):
    assert engine_for(seed_engine, server.url, model="mistral").resolve_backend() == embedded_backend()
    assert engine_for(seed_engine, unused_url()).resolve_backend() == embedded_backend()


def test_status_and_answer_agree_when_only_another_tag_is_pulled(seed_engine):
    # "llama3.2" is "llama3.2:latest": a server with only llama3.2:1b does not have it
    with FakeOllama(["llama3.2:1b"]) as fake:
        engine = engine_for(seed_engine, fake.url)
        status = engine.backends_status()
        assert status.ollama.reachable and status.ollama.models == ("llama3.2:1b",)
        assert not status.ollama.has_model
        assert status.auto == engine.resolve_backend() == embedded_backend()
        # a model named with "auto" is an Ollama model, never a GGUF path
        assert engine.generator("auto", "llama3.2:1b").name == "ollama"


def test_model_choice_is_sent_to_the_server(seed_engine, server):
    engine = engine_for(seed_engine, server.url, backend="ollama")
    a = engine.ask("Where did Russia decide to station tactical nuclear weapons?", model="qwen2.5:0.5b")
    assert a.model == "qwen2.5:0.5b"
    assert server.chat_requests()[-1]["model"] == "qwen2.5:0.5b"


def test_ten_passages_reach_the_model_whole(seed_engine, server):
    # ten seed passages are ~2,600 tokens: past the server's 2,048-token default, which would drop
    # the first passages without a word (the answer would then come from a later one)
    engine = engine_for(seed_engine, server.url, backend="ollama")
    a = engine.ask(TREATY, k=10)
    sent = server.chat_requests()[-1]
    read = server.finals[-1]["prompt_eval_count"]
    assert read == count_tokens(sent["messages"]) > server.default_num_ctx
    assert sent["options"]["num_ctx"] >= read + sent["options"]["num_predict"]
    assert a.complete and a.raw_text.endswith("[1]")  # the model answered from passage 1


def test_an_answer_cut_at_its_token_limit_is_marked_incomplete(seed_engine, server):
    a = engine_for(seed_engine, server.url, backend="ollama", max_answer_tokens=6).ask(TREATY)
    assert server.finals[-1]["done_reason"] == "length"
    assert a.complete is False
    assert "6-token answer limit" in a.refusal_reason
    assert a.raw_text and not a.fallback


@pytest.mark.parametrize("style", ["field", "tags"])
def test_a_thinking_models_thoughts_never_reach_the_answer(seed_engine, style):
    with FakeOllama([FakeModel("qwen3:latest", thinking=style)]) as fake:
        a = engine_for(seed_engine, fake.url, model="qwen3", backend="ollama").ask(TREATY)
        assert a.complete and not a.refused and a.sentences[0].supported
        assert "think>" not in a.raw_text and "Passage one seems" not in a.raw_text
        assert a.raw_text.endswith("[1]")


def test_stream_cut_mid_answer_is_marked_incomplete(seed_engine, server):
    server.fault = "cut"
    server.fault_after = 4
    a = engine_for(seed_engine, server.url, backend="ollama").ask(TREATY)
    assert a.complete is False
    assert "incomplete" in a.refusal_reason
    assert a.raw_text and not a.fallback


def test_server_down_and_model_missing_are_clear_errors(seed_engine, server):
    with pytest.raises(BackendUnavailable) as exc:
        engine_for(seed_engine, unused_url(), backend="ollama").ask(TREATY)
    assert "ollama serve" in str(exc.value)
    with pytest.raises(ModelNotFound) as exc:
        engine_for(seed_engine, server.url, model="mistral", backend="ollama").ask(TREATY)
    assert "ollama pull mistral" in str(exc.value)


def test_doctor_checks_the_window_the_server_will_run(seed_engine):
    from rag.doctor import run_checks

    # "tiny" runs with 512 tokens by its Modelfile, but the num_ctx we send overrides that: the
    # prompt fits. "small" cannot hold it in any window.
    models = [FakeModel("tiny:latest", num_ctx=512), FakeModel("small:latest", context_length=1024)]
    with FakeOllama(models) as fake:
        def fits(model: str):
            settings = dataclasses.replace(seed_engine.settings, ollama_host=fake.url, ollama_model=model, top_k=5)
            return next(c for c in run_checks(settings) if c.name == "prompt fits the ollama model")

        tiny = fits("tiny")
        assert tiny.ok and "num_ctx 4096" in tiny.detail and "131072" in tiny.detail
        small = fits("small")
        assert not small.ok and "num_ctx 1024" in small.detail


def test_cli_reports_backend_failures_with_exit_code_5(seed_engine):
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ask", TREATY, "--backend", "ollama",
         "--index", str(seed_engine.settings.index_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env={"OLLAMA_HOST": unused_url(), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 5
    assert "Cannot reach" in proc.stderr and "Traceback" not in proc.stderr
