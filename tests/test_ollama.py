"""The Ollama backend, through the real `ollama` client, against a fake Ollama server."""

from __future__ import annotations

import subprocess
import sys
import time

import ollama
import pytest

from rag.config import Settings
from rag.errors import BackendError, BackendUnavailable, ContextTooLong, ModelNotFound
from rag.generators import Generator, Prompt, create_generator
from rag.generators.ollama import OllamaGenerator, context_length, list_models, model_available

try:  # tests/ as a package or as a plain directory on sys.path
    from tests.ollama_server import FakeModel, FakeOllama, first_passage_responder, unused_url
except ImportError:
    from ollama_server import FakeModel, FakeOllama, first_passage_responder, unused_url

SYSTEM = "Answer only from the numbered passages and cite them as [n]."
USER = (
    "Passages:\n"
    "[1] Harbor City Gazette (harbor.txt:3-5)\n"
    "The city council approved the new harbor budget on Monday. Work on the piers starts in May.\n"
    "\n"
    "[2] Valley News (valley.txt:1-2)\n"
    "Heavy rain closed two roads north of the river.\n"
    "\n"
    "Question: When was the harbor budget approved?"
)
ANSWER = "The city council approved the new harbor budget on Monday. [1]"


def make_prompt(user: str = USER, **kw) -> Prompt:
    messages = ({"role": "system", "content": SYSTEM}, {"role": "user", "content": user})
    return Prompt(messages=messages, question="When was the harbor budget approved?", **kw)


def make_generator(url: str, model: str = "llama3.2", timeout: float = 5.0) -> OllamaGenerator:
    settings = Settings(ollama_host=url, ollama_model=model, ollama_timeout=timeout)
    return OllamaGenerator.from_settings(settings, embedder=object())  # unknown deps are ignored


def collect(gen: OllamaGenerator, prompt: Prompt) -> tuple[list[str], BackendError | None]:
    """The pieces yielded before the stream ended, and the error it ended with (if any)."""
    pieces: list[str] = []
    try:
        for piece in gen.stream(prompt):
            pieces.append(piece)
    except BackendError as exc:
        return pieces, exc
    return pieces, None


@pytest.fixture
def server():
    models = [
        FakeModel("llama3.2:latest"),
        FakeModel("tiny:latest", context_length=131072, num_ctx=512, family="qwen2", parameter_size="0.5B"),
    ]
    with FakeOllama(models) as fake:
        yield fake


# --------------------------------------------------------------------------- happy path


def test_streamed_answer_arrives_in_pieces_and_equals_the_responders_text(server):
    gen = make_generator(server.url)
    pieces = list(gen.stream(make_prompt(max_tokens=64, temperature=0.2)))
    assert len(pieces) > 3
    assert "".join(pieces) == ANSWER
    (chat,) = server.chat_requests()
    assert chat["stream"] is True
    assert chat["messages"][1]["content"] == USER
    assert chat["options"] == {"temperature": 0.2, "num_predict": 64}  # no empty "stop"


def test_stop_sequences_and_answer_limit_reach_the_server(server):
    gen = make_generator(server.url)
    text = "".join(gen.stream(make_prompt(max_tokens=3, stop=("Question:",))))
    assert server.chat_requests()[0]["options"]["stop"] == ["Question:"]
    assert text == "The city council"  # num_predict=3 pieces; a done line still ends the stream


def test_default_responder_follows_the_prompt():
    other = "[1] Mill Report\nThe old mill reopened as a museum. It has a cafe.\n[2] Other\nNo."
    assert "".join(first_passage_responder([{"role": "user", "content": USER}])) == ANSWER
    assert "".join(first_passage_responder([{"role": "user", "content": other}])) == (
        "The old mill reopened as a museum. [1]"
    )


def test_custom_responder_pieces_are_passed_through_unchanged(server):
    server.responder = lambda messages: ["Zu", "rich ", "liegt ", "am ", "See [2]."]
    assert list(make_generator(server.url).stream(make_prompt())) == ["Zu", "rich ", "liegt ", "am ", "See [2]."]


def test_generator_comes_from_the_registry(server):
    gen = create_generator("ollama", Settings(ollama_host=server.url, ollama_model="tiny"), embedder=None)
    assert isinstance(gen, OllamaGenerator) and isinstance(gen, Generator)
    assert (gen.name, gen.model, gen.host) == ("ollama", "tiny", server.url)


def test_importing_the_backend_does_not_import_the_client():
    code = "import sys, rag.generators.ollama; print('ollama' in sys.modules, 'httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --------------------------------------------------------------------------- model helpers


def test_list_models_and_model_available(server):
    assert list_models(server.url) == ["llama3.2:latest", "tiny:latest"]
    assert model_available(server.url, "llama3.2")  # matches "llama3.2:latest"
    assert model_available(server.url, "llama3.2:latest")
    assert not model_available(server.url, "llama3.2:1b")
    assert not model_available(server.url, "mistral")


def test_model_available_is_false_when_the_server_is_down():
    started = time.monotonic()
    assert model_available(unused_url(), "llama3.2") is False
    assert time.monotonic() - started < 2.0


def test_list_models_on_a_down_server_raises_backend_unavailable():
    with pytest.raises(BackendUnavailable, match="Cannot reach"):
        list_models(unused_url())


def test_context_length_prefers_num_ctx_then_model_info(server):
    assert context_length(server.url, "llama3.2") == 131072
    assert context_length(server.url, "tiny") == 512
    with pytest.raises(ModelNotFound, match="ollama pull mistral"):
        context_length(server.url, "mistral")


# --------------------------------------------------------------------------- failures


def test_server_down_raises_backend_unavailable_with_a_hint():
    url = unused_url()
    with pytest.raises(BackendUnavailable) as info:
        list(make_generator(url).stream(make_prompt()))
    assert url in info.value.message
    assert "ollama serve" in info.value.hint and "OLLAMA_HOST" in info.value.hint


def test_server_stopped_between_questions_raises_backend_unavailable(server):
    gen = make_generator(server.url)
    assert "".join(gen.stream(make_prompt())) == ANSWER  # also caches the context length
    server.stop()
    pieces, error = collect(gen, make_prompt())
    assert pieces == []
    assert isinstance(error, BackendUnavailable) and "ollama serve" in str(error)


def test_missing_model_raises_model_not_found_with_the_pull_command(server):
    pieces, error = collect(make_generator(server.url, model="mistral"), make_prompt())
    assert pieces == []
    assert isinstance(error, ModelNotFound)
    assert "`ollama pull mistral`" in str(error)


def test_model_removed_after_the_first_answer_raises_model_not_found(server):
    gen = make_generator(server.url, model="tiny")
    assert "".join(gen.stream(make_prompt())) == ANSWER
    server.remove("tiny")
    pieces, error = collect(gen, make_prompt())  # the chat request itself gets the 404
    assert pieces == [] and isinstance(error, ModelNotFound)
    assert "`ollama pull tiny`" in error.hint


def test_fake_server_sends_what_ollama_sends_for_a_missing_model(server):
    with pytest.raises(ollama.ResponseError) as info:
        ollama.Client(host=server.url).chat(model="mistral", messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == 404
    assert info.value.error == 'model "mistral" not found, try pulling it first'


def test_http_500_raises_backend_error_with_the_servers_text(server):
    server.fault = "http500"
    server.error_text = "llama runner process has terminated: exit status 2"
    pieces, error = collect(make_generator(server.url), make_prompt())
    assert pieces == []
    assert type(error) is BackendError
    assert "llama runner process has terminated: exit status 2" in error.message
    assert "500" in error.message
    assert "incomplete" not in error.message  # nothing had been yielded


@pytest.mark.parametrize(
    "fault, expected",
    [
        ("cut", "was cut before the end; the answer is incomplete"),
        ("no_done", "without its final message; the answer is incomplete"),
        ("malformed", "malformed response line. The answer is incomplete"),
        ("error_mid_stream", "llama runner process has terminated: signal: killed. The answer is incomplete"),
    ],
)
def test_broken_streams_raise_backend_error_after_some_pieces(server, fault, expected):
    server.fault = fault
    pieces, error = collect(make_generator(server.url), make_prompt())
    assert type(error) is BackendError
    assert expected in error.message
    # what came before the break was yielded: all of it when only the final line is missing
    text = "".join(pieces)
    if fault == "no_done":
        assert text == ANSWER
    else:
        assert len(pieces) == server.fault_after and ANSWER.startswith(text)


def test_slow_server_raises_backend_error_naming_the_timeout(server):
    server.fault, server.delay = "slow", 10.0
    started = time.monotonic()
    pieces, error = collect(make_generator(server.url, timeout=1.0), make_prompt())
    assert time.monotonic() - started < 5.0
    assert pieces == []
    assert type(error) is BackendError
    assert "did not answer within 1 s" in error.message
    assert "RAG_OLLAMA_TIMEOUT" in error.hint


def test_server_hanging_mid_stream_raises_timeout_after_some_pieces(server):
    server.fault, server.delay = "hang_mid_stream", 10.0
    pieces, error = collect(make_generator(server.url, timeout=1.0), make_prompt())
    assert len(pieces) == server.fault_after
    assert type(error) is BackendError
    assert "did not answer within 1 s. The answer is incomplete" in error.message


def test_prompt_too_long_for_the_context_raises_before_chatting(server):
    gen = make_generator(server.url, model="tiny")  # num_ctx 512
    long_user = "[1] Archive\n" + "The harbor board met again to discuss the piers. " * 40 + "\nQuestion: why?"
    with pytest.raises(ContextTooLong) as info:
        list(gen.stream(make_prompt(long_user, max_tokens=256)))
    assert "512-token context of tiny" in info.value.message
    assert "-k" in info.value.hint
    assert server.chat_requests() == []
    # the same model still answers a prompt that fits
    assert "".join(gen.stream(make_prompt(max_tokens=256))) == ANSWER
