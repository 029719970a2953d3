"""The Ollama backend and backend choice, through the real `ollama` client, against a fake Ollama
server that counts real tokens, cuts long prompts and loads models the way a real server does."""

from __future__ import annotations

import subprocess
import sys

import ollama
import pytest

from rag.config import Settings, parse_ollama_host
from rag.errors import BackendError, BackendUnavailable, ContextTooLong, IncompleteAnswer, ModelNotFound
from rag.generators import Generator, Prompt, create_generator
from rag.generators.choice import (
    BackendChooser, BackendStatus, EmbeddedStatus, OllamaStatus, backends_status, choose_backend, find_model,
    has_model,
)
from rag.generators.ollama import OllamaGenerator, _ThinkFilter, context_length, list_models

try:  # tests/ as a package or as a plain directory on sys.path
    from tests.ollama_server import THOUGHT, FakeModel, FakeOllama, count_tokens, unused_url
except ImportError:
    from ollama_server import THOUGHT, FakeModel, FakeOllama, count_tokens, unused_url

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
FILLER = "The harbor board met again to discuss the piers, the ferry timetable and the new budget. "


def make_prompt(user: str = USER, **kw) -> Prompt:
    messages = ({"role": "system", "content": SYSTEM}, {"role": "user", "content": user})
    return Prompt(messages=messages, question="When was the harbor budget approved?", **kw)


def long_user(passages: int, sentences: int = 12, filler: str = FILLER) -> str:
    """Numbered passages; passage n opens with a sentence naming n, so the answer shows which one was read."""
    blocks = [f"[{n}] Archive {n} (archive{n}.txt:1-9)\nPassage {n} opens the file. " + filler * sentences
              for n in range(1, passages + 1)]
    return "Passages:\n" + "\n\n".join(blocks) + "\n\nQuestion: what opens the file?"


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


def test_streamed_answer_arrives_in_pieces_with_the_window_it_needs(server):
    gen = make_generator(server.url)
    prompt = make_prompt(max_tokens=64, temperature=0.2)
    pieces = list(gen.stream(prompt))
    assert len(pieces) > 3
    assert "".join(pieces) == ANSWER
    (chat,) = server.chat_requests()
    assert chat["stream"] is True
    assert chat["messages"][1]["content"] == USER
    # a short prompt gets the smallest window step; no empty "stop"
    assert chat["options"] == {"temperature": 0.2, "num_predict": 64, "num_ctx": 2048}


def test_custom_responder_pieces_are_passed_through_unchanged(server):
    server.responder = lambda messages: ["Zu", "rich ", "liegt ", "am ", "See [2]."]
    assert list(make_generator(server.url).stream(make_prompt())) == ["Zu", "rich ", "liegt ", "am ", "See [2]."]


def test_stop_sequences_reach_the_server(server):
    server.responder = lambda messages: ["The council ", "met. ", "Question: ", "why?"]
    text = "".join(make_generator(server.url).stream(make_prompt(stop=("Question:",))))
    assert server.chat_requests()[0]["options"]["stop"] == ["Question:"]
    assert text == "The council met. "


def test_generator_comes_from_the_registry_and_reads_whole_passages(server):
    gen = create_generator("ollama", Settings(ollama_host=server.url, ollama_model="tiny"), embedder=None)
    assert isinstance(gen, OllamaGenerator) and isinstance(gen, Generator)
    assert (gen.name, gen.model, gen.host, gen.prompt_style) == ("ollama", "tiny", server.url, "passages")


def test_importing_the_backend_does_not_import_the_client():
    code = "import sys, rag.generators.ollama, rag.generators.choice, rag.config; print('ollama' in sys.modules, 'httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --------------------------------------------------------------------------- the window


def test_a_long_prompt_is_read_whole_because_num_ctx_is_sent(server):
    # ~2,600 SmolLM2 tokens: beyond the server's 2,048-token default window
    prompt = make_prompt(long_user(10), max_tokens=64)
    assert count_tokens(prompt.messages) > server.default_num_ctx
    gen = make_generator(server.url)
    text = "".join(gen.stream(prompt))
    sent = server.chat_requests()[-1]["options"]["num_ctx"]
    assert sent == gen.plan(prompt).num_ctx and sent % 2048 == 0
    assert server.finals[-1]["prompt_eval_count"] == count_tokens(prompt.messages)  # nothing was cut
    assert text == "Passage 1 opens the file. [1]"  # the model saw the first passage
    # the server runs the model with the window we planned
    (running,) = ollama.Client(host=server.url).ps().models
    assert running.context_length == sent


def test_the_window_is_capped_by_the_models_context_length():
    with FakeOllama([FakeModel("small:latest", context_length=3000)]) as fake:
        prompt = make_prompt(long_user(10), max_tokens=64)
        gen = make_generator(fake.url, model="small")
        assert "".join(gen.stream(prompt)) == "Passage 1 opens the file. [1]"
        assert fake.chat_requests()[-1]["options"]["num_ctx"] == 3000  # not the 4,096 step above the need


def test_a_modelfile_num_ctx_is_a_default_we_override_not_a_limit(server):
    # "tiny" has num_ctx 512 in its Modelfile: our num_ctx replaces it, so a long prompt still fits
    assert context_length(server.url, "tiny") == 131072
    prompt = make_prompt(long_user(4), max_tokens=64)
    assert count_tokens(prompt.messages) > 512
    text = "".join(make_generator(server.url, model="tiny").stream(prompt))
    assert text == "Passage 1 opens the file. [1]"
    assert server.finals[-1]["prompt_eval_count"] == count_tokens(prompt.messages)


def test_prompt_too_long_for_the_model_raises_before_chatting():
    with FakeOllama([FakeModel("small:latest", context_length=512)]) as fake:
        gen = make_generator(fake.url, model="small")
        with pytest.raises(ContextTooLong) as info:
            list(gen.stream(make_prompt(long_user(3), max_tokens=256)))
        assert "512-token context of small" in info.value.message
        assert "-k" in info.value.hint
        assert fake.chat_requests() == []
        # the same model still answers a prompt that fits
        assert "".join(gen.stream(make_prompt(max_tokens=256))) == ANSWER


def test_a_prompt_cut_by_the_server_marks_the_answer_incomplete_and_the_next_window_fits(server):
    # Digits pack ~1.2 bytes a SmolLM2 token, far below the estimate's 3: the first window is too
    # small, the server drops the prompt's start, and only its own count tells.
    prompt = make_prompt(long_user(2, sentences=40, filler="4721 9083 5546 1207 8839 "), max_tokens=64)
    gen = make_generator(server.url)
    pieces, error = collect(gen, prompt)
    first = server.chat_requests()[-1]["options"]["num_ctx"]
    assert server.finals[-1]["prompt_eval_count"] == first < count_tokens(prompt.messages)
    assert "".join(pieces) == "Passage 2 opens the file. [2]"  # what the model could still see
    assert isinstance(error, IncompleteAnswer) and "did not see the first passages" in error.message
    # the server's count sized the next window: the same prompt is now read whole
    assert "".join(gen.stream(prompt)) == "Passage 1 opens the file. [1]"
    assert server.chat_requests()[-1]["options"]["num_ctx"] > first
    assert server.finals[-1]["prompt_eval_count"] == count_tokens(prompt.messages)


def test_windows_are_rounded_so_similar_questions_do_not_reload_the_model():
    with FakeOllama(load_delay=0.2) as fake:
        gen = make_generator(fake.url)
        for passages in (1, 2, 3):  # three sizes, one window step: loaded once
            assert "".join(gen.stream(make_prompt(long_user(passages, sentences=3)))) == "Passage 1 opens the file. [1]"
        assert fake.loads == 1
        assert {r["options"]["num_ctx"] for r in fake.chat_requests()} == {2048}
        assert fake.finals[0]["load_duration"] > 0 and fake.finals[1]["load_duration"] == 0
        "".join(gen.stream(make_prompt(long_user(10))))  # a longer prompt needs the next step
        assert fake.loads == 2 and fake.loaded() == {"llama3.2:latest": 4096}


# --------------------------------------------------------------------------- incomplete answers


def test_the_answer_limit_marks_the_answer_incomplete(server):
    pieces, error = collect(make_generator(server.url), make_prompt(max_tokens=3))
    assert "".join(pieces) == "The city council"  # three SmolLM2 tokens, then the server stopped
    assert server.finals[-1]["done_reason"] == "length"
    assert isinstance(error, IncompleteAnswer)
    assert "3-token answer limit" in error.message and "RAG_MAX_ANSWER_TOKENS" in error.hint


@pytest.mark.parametrize("style", ["field", "tags"])
def test_a_thinking_models_thoughts_are_kept_out_of_the_answer(style):
    with FakeOllama([FakeModel("qwen3:latest", thinking=style)]) as fake:
        pieces = list(make_generator(fake.url, model="qwen3").stream(make_prompt(max_tokens=128)))
        assert "".join(pieces) == ANSWER
        assert "think" not in "".join(pieces) and "Passage one" not in "".join(pieces)
        assert fake.finals[-1]["eval_count"] > 20  # the thoughts were generated, and counted


def test_a_model_that_thinks_past_the_limit_says_so():
    with FakeOllama([FakeModel("qwen3:latest", thinking="field")]) as fake:
        pieces, error = collect(make_generator(fake.url, model="qwen3"), make_prompt(max_tokens=5))
        assert pieces == []
        assert isinstance(error, IncompleteAnswer) and "while still thinking" in error.message


def _filtered(text: str, cuts: list[int]) -> str:
    f = _ThinkFilter()
    bounds = [0, *cuts, len(text)]
    return "".join(f.feed(text[a:b]) for a, b in zip(bounds, bounds[1:])) + f.flush()


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"<think>\n{THOUGHT}\n</think>\n\n{ANSWER}", ANSWER),
        (f"  <think></think>\n{ANSWER}", f"  {ANSWER}"),
        (f"{ANSWER} <think>second thoughts</think>", f"{ANSWER} "),
        ("Costs are < 5 and <b>bold</b>, not <thin> ice", "Costs are < 5 and <b>bold</b>, not <thin> ice"),
        ("The answer <thi", "The answer <thi"),  # a tag's start at the very end is text
        (f"{ANSWER}<think>never closed", ANSWER),
    ],
)
def test_think_tags_are_dropped_wherever_the_stream_splits_them(text, expected):
    assert _filtered(text, []) == expected
    for cut in range(1, len(text)):  # every split into two pieces
        assert _filtered(text, [cut]) == expected, cut
    assert _filtered(text, list(range(1, len(text)))) == expected  # one character a piece


# --------------------------------------------------------------------------- failures


def test_server_down_raises_backend_unavailable_with_a_hint():
    url = unused_url()
    with pytest.raises(BackendUnavailable) as info:
        list(make_generator(url).stream(make_prompt()))
    assert url in info.value.message
    assert "ollama serve" in info.value.hint and "OLLAMA_HOST" in info.value.hint


def test_list_models_on_a_down_server_raises_backend_unavailable():
    with pytest.raises(BackendUnavailable, match="Cannot reach"):
        list_models(unused_url())


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
    pieces, error = collect(gen, make_prompt())  # the chat request itself gets Ollama's 404
    assert pieces == [] and isinstance(error, ModelNotFound)
    assert "`ollama pull tiny`" in error.hint


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
    pieces, error = collect(make_generator(server.url, timeout=1.0), make_prompt())
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


# --------------------------------------------------------------------------- OLLAMA_HOST


@pytest.mark.parametrize(
    "value",
    [None, "", "gpu-box", "gpu-box:8080", ":56789", "1.2.3.4", "http://gpu-box", "https://gpu-box",
     "https://gpu-box:8443", "gpu-box/", "gpu-box:8080/ollama/", "https://x.example/api/ollama",
     "[::1]", "[::1]:8080", "http://[::1]", "https://[0001:002:003:0004::1]:56789/path"],
)
def test_ollama_host_is_parsed_exactly_as_the_official_client_parses_it(value):
    from ollama._client import _parse_host  # the reference: the client's own parser

    assert parse_ollama_host(value) == _parse_host(value)


def test_settings_read_ollama_host_like_the_client(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "gpu-box")
    assert Settings.from_env().ollama_host == "http://gpu-box:11434"  # not port 80
    monkeypatch.setenv("OLLAMA_HOST", "https://gpu-box")
    assert Settings.from_env().ollama_host == "https://gpu-box:443"
    monkeypatch.delenv("OLLAMA_HOST")
    monkeypatch.setenv("RAG_OLLAMA_HOST", "gpu-box:8080")
    assert Settings.from_env().ollama_host == "http://gpu-box:8080"


def test_an_ollama_host_without_scheme_or_host_reaches_the_server(monkeypatch, server):
    port = server.url.rsplit(":", 1)[1]
    monkeypatch.setenv("OLLAMA_HOST", f":{port}")
    settings = Settings.from_env(ollama_model="llama3.2")
    assert settings.ollama_host == server.url
    assert backends_status(settings).ollama.has_model


# --------------------------------------------------------------------------- one decision: has_model, auto


@pytest.mark.parametrize(
    "wanted, names, found",
    [
        ("llama3.2", ["llama3.2:latest"], "llama3.2:latest"),
        ("llama3.2", ["llama3.2:1b"], None),
        ("llama3.2:1b", ["llama3.2:latest", "llama3.2:1b"], "llama3.2:1b"),
        ("llama3.2:latest", ["llama3.2:latest"], "llama3.2:latest"),
        ("llama3.2:3b", ["llama3.2:latest"], None),
        ("llama3", ["llama3.2:latest"], None),
        ("hf.co/bartowski/Qwen2.5-0.5B-GGUF", ["hf.co/bartowski/Qwen2.5-0.5B-GGUF:latest"],
         "hf.co/bartowski/Qwen2.5-0.5B-GGUF:latest"),
        ("myhost:5000/team/model", ["myhost:5000/team/model:latest"], "myhost:5000/team/model:latest"),
    ],
)
def test_has_model_matches_names_as_ollama_resolves_them(wanted, names, found):
    assert find_model(names, wanted) == found
    assert has_model(names, wanted) is (found is not None)


def test_backends_status_reads_the_server_through_has_model():
    with FakeOllama(["llama3.2:1b", "qwen2.5:0.5b"]) as fake:
        status = backends_status(Settings(ollama_host=fake.url, ollama_model="llama3.2"))
        assert status.ollama.reachable and status.ollama.models == ("llama3.2:1b", "qwen2.5:0.5b")
        assert not status.ollama.has_model and status.auto != "ollama"
        status = backends_status(Settings(ollama_host=fake.url, ollama_model="llama3.2:1b"))
        assert status.ollama.has_model and status.auto == "ollama"
    down = backends_status(Settings(ollama_host=unused_url()))
    assert not down.ollama.reachable and "Cannot reach" in down.ollama.error and "ollama serve" in down.ollama.hint


def _status(ollama_has: bool, embedded: bool) -> BackendStatus:
    models = ("llama3.2:latest",) if ollama_has else ("llama3.2:1b",)
    return BackendStatus(OllamaStatus("http://h:11434", "llama3.2", True, models),
                         EmbeddedStatus(embedded, "/m.gguf" if embedded else "", "ready" if embedded else "missing"))


@pytest.mark.parametrize(
    "ollama_has, embedded, auto",
    [(True, True, "ollama"), (True, False, "ollama"), (False, True, "llamacpp"), (False, False, "extractive")],
)
def test_auto_is_ollama_with_the_model_else_embedded_else_extractive(ollama_has, embedded, auto):
    status = _status(ollama_has, embedded)
    assert status.auto == auto == choose_backend(Settings(backend="auto"), status)
    assert choose_backend(Settings(backend="extractive"), status) == "extractive"
    assert choose_backend(Settings(backend="auto"), status, requested="llamacpp") == "llamacpp"


def test_a_model_given_with_auto_picks_its_own_backend(tmp_path):
    gguf = tmp_path / "big.gguf"
    gguf.write_bytes(b"GGUF")
    status = _status(ollama_has=False, embedded=True)
    auto = Settings(backend="auto")
    assert choose_backend(auto, status, model="llama3.2:1b") == "ollama"  # never opened as a GGUF path
    assert choose_backend(auto, status, model=str(gguf)) == "llamacpp"
    assert choose_backend(Settings(backend="llamacpp"), status, model="llama3.2:1b") == "llamacpp"  # as asked


def test_the_chooser_probes_at_most_once_per_interval_and_never_for_a_named_backend():
    now = [1000.0]
    probes: list[Settings] = []

    def probe(settings: Settings) -> BackendStatus:
        probes.append(settings)
        return _status(ollama_has=len(probes) > 1, embedded=True)  # the server gets the model later

    chooser = BackendChooser(Settings(backend="auto"), ttl=30.0, probe=probe, clock=lambda: now[0])
    assert chooser.choose("extractive") == "extractive" and probes == []
    assert chooser.choose() == "llamacpp" and len(probes) == 1
    now[0] += 29.0
    assert chooser.choose() == "llamacpp" and chooser.status().auto == "llamacpp" and len(probes) == 1
    now[0] += 2.0
    assert chooser.choose() == "ollama" and len(probes) == 2
