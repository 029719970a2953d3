"""The Ollama backend: streams a chat answer from an Ollama server through the official client.

`ollama` and `httpx` are imported inside the functions that use them, so importing this
module (and `rag --help`) stays cheap.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from ..errors import BackendError, BackendUnavailable, ContextTooLong, IncompleteAnswer, ModelNotFound

if TYPE_CHECKING:
    from ..config import Settings
    from .base import Prompt

log = logging.getLogger(__name__)

_UNREACHABLE_HINT = "Start it with `ollama serve`, or set OLLAMA_HOST to the address of a running server."
_TIMEOUT_HINT = "Raise RAG_OLLAMA_TIMEOUT, or use a smaller model."
_RETRY_HINT = "Check that the Ollama server is still running (its log is in the `ollama serve` output) and ask again."


# --------------------------------------------------------------------------- helpers


def _client(host: str, timeout: float):
    import ollama

    return ollama.Client(host=host, timeout=timeout)


def _client_errors() -> tuple[type[BaseException], ...]:
    """What the client can raise for a failed request (ValueError covers bad JSON and bad shapes)."""
    import httpx
    import ollama

    return (ollama.ResponseError, ollama.RequestError, httpx.HTTPError, ConnectionError, ValueError)


def _backend_error(
    exc: BaseException,
    *,
    host: str,
    timeout: float,
    model: str | None = None,
    partial: bool = False,
) -> BackendError:
    """Turn whatever the ollama client raised into one of our errors with a next step.

    `partial`: some of the answer had already been yielded, so the caller holds a fragment.
    """
    import httpx
    import ollama

    incomplete = " The answer is incomplete." if partial else ""
    if isinstance(exc, ollama.ResponseError):
        text = str(exc.error).strip().rstrip(".")
        if model is not None and exc.status_code == 404 and "model" in text.lower():
            return ModelNotFound(
                f"The Ollama server at {host} has no model {model!r}.",
                f"Download it with `ollama pull {model}`, or choose another model with RAG_OLLAMA_MODEL.",
            )
        status = f" (HTTP {exc.status_code})" if exc.status_code > 0 else ""
        return BackendError(f"The Ollama server at {host} returned an error{status}: {text}.{incomplete}", _RETRY_HINT)
    # The client wraps a refused connection in ConnectionError only outside streams;
    # inside a stream httpx.ConnectError arrives as is.
    if isinstance(exc, (httpx.ConnectError, ConnectionError)):
        return BackendUnavailable(f"Cannot reach the Ollama server at {host}.", _UNREACHABLE_HINT)
    if isinstance(exc, httpx.ConnectTimeout):
        return BackendUnavailable(
            f"The Ollama server at {host} did not accept a connection within {timeout:g} s.", _UNREACHABLE_HINT
        )
    if isinstance(exc, httpx.TimeoutException):
        return BackendError(f"The Ollama server at {host} did not answer within {timeout:g} s.{incomplete}", _TIMEOUT_HINT)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return BackendError(
            f"The connection to the Ollama server at {host} was cut before the end; the answer is incomplete.",
            _RETRY_HINT,
        )
    if isinstance(exc, ValueError):  # json.JSONDecodeError, pydantic.ValidationError
        return BackendError(
            f"The Ollama server at {host} sent a malformed response line.{incomplete}",
            "Check that OLLAMA_HOST points to an Ollama server, and update Ollama if it is old.",
        )
    return BackendError(f"The request to the Ollama server at {host} failed: {exc}.{incomplete}", _RETRY_HINT)


def list_models(host: str, timeout: float = 5.0) -> list[str]:
    """Names of the models the server has (from /api/tags); raises BackendError when it cannot tell.

    Whether one of them is the model asked for is `choice.has_model`'s decision, nobody else's."""
    try:
        with _client(host, timeout) as client:
            response = client.list()
    except _client_errors() as exc:
        raise _backend_error(exc, host=host, timeout=timeout) from exc
    return [m.model for m in response.models if m.model]


def context_length(host: str, model: str, timeout: float = 5.0) -> int | None:
    """The longest window the model can run with (model_info's `<arch>.context_length`), or None.

    A `num_ctx` in the model's Modelfile parameters is only a default that the `num_ctx` we send
    overrides, so it is not a limit; the trained length is (Ollama caps a larger request to it).
    Raises ModelNotFound / BackendUnavailable / BackendError when the server cannot be asked.
    """
    try:
        with _client(host, timeout) as client:
            info = client.show(model)
    except ValueError as exc:  # an answer we cannot parse says nothing about the size
        log.debug("cannot read /api/show for %s: %s", model, exc)
        return None
    except _client_errors() as exc:
        raise _backend_error(exc, host=host, timeout=timeout, model=model) from exc
    modelinfo = dict(info.modelinfo or {})
    arch = modelinfo.get("general.architecture")
    keys = [f"{arch}.context_length"] if arch else []
    keys += [k for k in modelinfo if k.endswith(".context_length")]
    for key in keys:
        value = modelinfo.get(key)
        if isinstance(value, int) and value > 0:
            return value
    return None


# --------------------------------------------------------------------------- the window

# No released Ollama lets a client count tokens: /api/tokenize was proposed (ollama/ollama#8106,
# #12030) but never shipped, and /api/embed fails for chat models on the new engine. So the prompt
# is measured in UTF-8 bytes before sending, and the server's own count (`prompt_eval_count`)
# checks it afterwards. English news packs 4.6-5.1 bytes a token with SmolLM2's 49k vocabulary
# (seeds/), more with larger vocabularies such as Llama 3's 128k; 3 overestimates them by half.
# Text that packs fewer (digits 1.2, Cyrillic 2.1, Chinese 1.9 bytes a token with SmolLM2) is
# learnt from the server's count after the first answer (OllamaGenerator._learn).
BYTES_PER_TOKEN = 3.0
# More bytes a token than tokenizers reach on running text (SmolLM2 5.1 at best on the seeds): a
# prompt that does not fit even at this ratio is refused before sending. Between the two estimates
# it is sent in the longest window and the server's count decides.
BYTES_PER_TOKEN_AT_MOST = 6.0
TEMPLATE_TOKENS = 8  # role header and end marker a chat template adds to each message (Llama 3: 5)
# Ollama reloads a model whenever a request asks for another num_ctx, so windows are rounded up
# to a multiple of this: questions of similar size share one loaded runner instead of reloading it.
WINDOW_STEP = 2048
# After an answer, the bytes-a-token the server counted, divided by this, becomes the estimate if
# it is lower: prompts of one corpus vary around the ratio measured on one of them.
LEARN_MARGIN = 1.2


def estimate_tokens(messages: Any, bytes_per_token: float = BYTES_PER_TOKEN) -> int:
    """A deliberately high token count for chat messages: UTF-8 bytes / bytes_per_token, plus templates."""
    size = sum(len(str(m.get("content") or "").encode("utf-8")) for m in messages)
    return math.ceil(size / bytes_per_token) + TEMPLATE_TOKENS * (len(messages) + 1)  # +1: the answer's header


@dataclass(frozen=True)
class Window:
    """The context window one request asks the server for, and what it must hold."""

    prompt_tokens: int  # our (high) estimate of the prompt, templates included
    answer_tokens: int  # num_predict
    num_ctx: int  # what we send: the window the server will run the model with
    context_length: int | None  # the model's longest window, which caps num_ctx; None: unknown
    least_prompt_tokens: int = 0  # the prompt's size if its text packs as densely as text can

    @property
    def fits(self) -> bool:
        """The prompt and the answer fit even by the high estimate."""
        return self.prompt_tokens + self.answer_tokens <= self.num_ctx

    @property
    def may_fit(self) -> bool:
        """They fit by the low estimate: worth sending, the server's count will tell."""
        return min(self.least_prompt_tokens, self.prompt_tokens) + self.answer_tokens <= self.num_ctx


def plan_window(prompt_tokens: int, answer_tokens: int, context_length: int | None,
                least_prompt_tokens: int = 0) -> Window:
    """num_ctx for a prompt and its answer: rounded up to WINDOW_STEP, capped by the model's length."""
    num_ctx = -(-(prompt_tokens + answer_tokens) // WINDOW_STEP) * WINDOW_STEP
    if context_length:
        num_ctx = min(num_ctx, context_length)
    return Window(prompt_tokens, answer_tokens, num_ctx, context_length, least_prompt_tokens)


class _ThinkFilter:
    """Drops <think>...</think> spans from streamed text, also when a tag is split across pieces.

    Servers before Ollama 0.12.5 (and any server for a model whose template does not separate
    thinking) send a reasoning model's thoughts inside the content this way."""

    OPEN, CLOSE = "<think>", "</think>"

    def __init__(self) -> None:
        self._held = ""  # text that may be the start of a tag, or is inside a thought
        self._inside = False
        self._after_thought = False  # drop the blank lines that follow a thought
        self.thought = False  # some thinking was seen (here or in the `thinking` field)

    def feed(self, text: str) -> str:
        self._held += text
        out: list[str] = []
        while True:
            tag = self.CLOSE if self._inside else self.OPEN
            i = self._held.find(tag)
            if i >= 0:
                if not self._inside:
                    out.append(self._visible(self._held[:i]))
                self._held = self._held[i + len(tag):]
                self._inside = not self._inside
                self.thought = True
                self._after_thought = self._after_thought or not self._inside
                continue
            keep = _partial_tag(self._held, tag)
            if not self._inside:
                out.append(self._visible(self._held[: len(self._held) - keep]))
            self._held = self._held[len(self._held) - keep:]
            return "".join(out)

    def flush(self) -> str:
        """What is left at the end of the stream: a held tag prefix is text, an unclosed thought is not."""
        rest, self._held = ("" if self._inside else self._held), ""
        return self._visible(rest)

    def _visible(self, text: str) -> str:
        if self._after_thought and text:
            text = text.lstrip()
            self._after_thought = not text
        return text


def _partial_tag(text: str, tag: str) -> int:
    """Length of the longest end of `text` that is a proper start of `tag` ("<th" of "<think>")."""
    for k in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:k]):
            return k
    return 0


# --------------------------------------------------------------------------- backend


class OllamaGenerator:
    """Answers with a model served by Ollama (`ollama serve`)."""

    name = "ollama"
    prompt_style = "passages"  # models served by Ollama read whole numbered passages
    refuses_by_itself = True

    def __init__(self, host: str, model: str, timeout: float = 120.0):
        self.host = host
        self.model = model
        self.timeout = float(timeout)
        # The model's window never changes while it is installed; ask the server once.
        self._context_length: int | None = None
        self._context_known = False
        self._bytes_per_token = BYTES_PER_TOKEN  # lowered by what the server counts (_learn)
        self._lock = threading.Lock()  # one generator serves every thread of the app

    @classmethod
    def from_settings(cls, settings: "Settings", **deps: Any) -> "OllamaGenerator":
        """Build from Settings; other backends' dependencies (embedder, ...) are ignored."""
        return cls(settings.ollama_host, settings.ollama_model, settings.ollama_timeout)

    def __repr__(self) -> str:
        return f"OllamaGenerator(host={self.host!r}, model={self.model!r})"

    def context_length(self) -> int | None:
        if not self._context_known:
            self._context_length = context_length(self.host, self.model, timeout=self.timeout)
            self._context_known = True
        return self._context_length

    def plan(self, prompt: "Prompt") -> Window:
        """The window a request for `prompt` will ask for (`rag doctor` shows it)."""
        needed = estimate_tokens(prompt.messages, self._bytes_per_token)
        least = estimate_tokens(prompt.messages, BYTES_PER_TOKEN_AT_MOST)
        return plan_window(needed, prompt.max_tokens, self.context_length(), least)

    def check_fits(self, prompt: "Prompt") -> Window:
        """The window for `prompt`; raise ContextTooLong when even the model's longest window is too small."""
        window = self.plan(prompt)
        if not window.may_fit:
            raise ContextTooLong(
                f"The prompt (about {window.prompt_tokens} tokens) plus {prompt.max_tokens} answer tokens "
                f"does not fit in the {window.context_length}-token context of {self.model}.",
                "Ask with fewer passages (`-k`), or use a model with a larger context.",
            )
        return window

    def stream(self, prompt: "Prompt") -> Iterator[str]:
        """Yield the answer's pieces as the server sends them; raise BackendError on any failure.

        Raises IncompleteAnswer after the pieces when the answer hit its token limit or the model
        did not read the whole prompt."""
        window = self.check_fits(prompt)
        # Without num_ctx the server runs its default window (2,048 or 4,096 tokens in many
        # releases) and silently drops the start of a longer prompt: the first passages.
        options: dict[str, Any] = {
            "temperature": prompt.temperature,
            "num_predict": prompt.max_tokens,
            "num_ctx": window.num_ctx,
        }
        if prompt.stop:
            options["stop"] = list(prompt.stop)
        errors = _client_errors()
        answer = _ThinkFilter()
        final = None
        yielded = False
        try:
            with _client(self.host, self.timeout) as client:
                # `think` is not sent: the model's default applies, and `think: false` makes some
                # templates let the model reason inside the content, unmarked
                for chunk in client.chat(
                    model=self.model, messages=list(prompt.messages), stream=True, options=options
                ):
                    if chunk.done:
                        final = chunk
                    message = chunk.message
                    if message is None:
                        continue
                    if message.thinking:  # a reasoning model's thoughts: never part of the answer
                        answer.thought = True
                    piece = answer.feed(message.content or "")
                    if piece:
                        yield piece
                        yielded = True
        except errors as exc:
            raise _backend_error(exc, host=self.host, timeout=self.timeout, model=self.model, partial=yielded) from exc
        tail = answer.flush()
        if tail:
            yield tail
            yielded = True
        if final is None:
            raise BackendError(
                f"The Ollama server at {self.host} ended the stream without its final message; "
                "the answer is incomplete.",
                _RETRY_HINT,
            )
        self._check_final(final, prompt, window, thought_only=answer.thought and not yielded)

    def _check_final(self, final: Any, prompt: "Prompt", window: Window, thought_only: bool) -> None:
        """Read the final line's counts: did the model read the whole prompt, and finish its answer?"""
        read, wrote = final.prompt_eval_count, final.eval_count or 0
        log.debug(
            "ollama %s: %s of ~%d prompt tokens read in a %d window, %s answer tokens, %.2f s",
            self.model, read, window.prompt_tokens, window.num_ctx, wrote, (final.total_duration or 0) / 1e9,
        )
        if read:
            # A prompt longer than the window is cut to exactly the window (its first few tokens
            # and its end); an answer running past the window makes the server drop early prompt
            # tokens to go on. Either way the model did not see all the passages.
            truncated = read >= window.num_ctx or read + wrote > window.num_ctx
            self._learn(prompt.messages, read, truncated)
            if truncated:
                raise IncompleteAnswer(
                    f"The Ollama server fitted the prompt (about {window.prompt_tokens} tokens expected, "
                    f"{read} read) into a {window.num_ctx}-token window by dropping its start, so "
                    f"{self.model} did not see the first passages.",
                    "Ask again (the window is now sized from the server's own count), or ask with fewer passages (-k).",
                )
        if final.done_reason == "length":
            spent = " while still thinking, before any answer" if thought_only else ""
            raise IncompleteAnswer(
                f"{self.model} stopped at the {prompt.max_tokens}-token answer limit{spent}; the answer is cut short.",
                "Raise RAG_MAX_ANSWER_TOKENS, or ask a narrower question.",
            )

    def _learn(self, messages: Any, read: int, truncated: bool) -> None:
        """Lower the bytes-a-token estimate to what the server counted, so the next window fits.

        A cut prompt had more tokens than `read`: its true ratio is lower still, hence the larger
        margin. The estimate only goes down: servers that leave cached tokens out of the count
        report fewer tokens, never more."""
        size = sum(len(str(m.get("content") or "").encode("utf-8")) for m in messages)
        seen = max(1, read - TEMPLATE_TOKENS * (len(messages) + 1))
        ratio = size / seen / (2 * LEARN_MARGIN if truncated else LEARN_MARGIN)
        with self._lock:
            if ratio < self._bytes_per_token:
                log.info("%s packs %.2f bytes a token here; windows are sized for that", self.model, ratio)
                # a token holds at least one byte (byte-level BPE), so 1 byte a token is a sure bound
                self._bytes_per_token = max(ratio, 1.0)
