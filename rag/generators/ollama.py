"""The Ollama backend: streams a chat answer from an Ollama server through the official client.

`ollama` and `httpx` are imported inside the functions that use them, so importing this
module (and `rag --help`) stays cheap.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any, Iterator

from ..errors import BackendError, BackendUnavailable, ContextTooLong, ModelNotFound

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


def _with_tag(name: str) -> str:
    """Add ":latest" to an untagged name; a tag follows the last ':' of the last path segment."""
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


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
    """Names of the models the server has (from /api/tags); raises BackendError when it cannot tell."""
    try:
        with _client(host, timeout) as client:
            response = client.list()
    except _client_errors() as exc:
        raise _backend_error(exc, host=host, timeout=timeout) from exc
    return [m.model for m in response.models if m.model]


def model_available(host: str, model: str, timeout: float = 2.0) -> bool:
    """True when the server answers and has `model` ("llama3.2" matches "llama3.2:latest")."""
    try:
        names = list_models(host, timeout=timeout)
    except BackendError:
        return False
    return _with_tag(model) in {_with_tag(n) for n in names}


def context_length(host: str, model: str, timeout: float = 5.0) -> int | None:
    """The model's context window in tokens, or None when the server does not say.

    A `num_ctx` set in the model's parameters wins over the architecture's `*.context_length`,
    because it is the window the server actually runs the model with.
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
    for line in (info.parameters or "").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "num_ctx" and parts[1].isdigit():
            return int(parts[1])
    for key, value in (info.modelinfo or {}).items():
        if key.endswith(".context_length") and isinstance(value, int) and value > 0:
            return value
    return None


def estimate_tokens(messages: Any) -> int:
    """A rough token count: four characters a token, plus a few for each message's template."""
    chars = sum(len(str(m.get("content") or "")) for m in messages)
    return math.ceil(chars / 4) + 4 * len(messages)


# --------------------------------------------------------------------------- backend


class OllamaGenerator:
    """Answers with a model served by Ollama (`ollama serve`)."""

    name = "ollama"

    def __init__(self, host: str, model: str, timeout: float = 120.0):
        self.host = host
        self.model = model
        self.timeout = float(timeout)
        # The model's window never changes while it is installed; ask the server once.
        self._context_length: int | None = None
        self._context_known = False

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

    def check_fits(self, prompt: "Prompt") -> None:
        """Raise ContextTooLong when the prompt plus the answer cannot fit in the model's window."""
        window = self.context_length()
        if window is None:
            return
        needed = estimate_tokens(prompt.messages)
        if needed + prompt.max_tokens > window:
            raise ContextTooLong(
                f"The prompt (about {needed} tokens) plus {prompt.max_tokens} answer tokens "
                f"does not fit in the {window}-token context of {self.model}.",
                "Ask with fewer passages (`-k`), or use a model with a larger context.",
            )

    def stream(self, prompt: "Prompt") -> Iterator[str]:
        """Yield the answer's pieces as the server sends them; raise BackendError on any failure."""
        self.check_fits(prompt)
        options: dict[str, Any] = {"temperature": prompt.temperature, "num_predict": prompt.max_tokens}
        if prompt.stop:
            options["stop"] = list(prompt.stop)
        errors = _client_errors()
        final = None
        yielded = False
        try:
            with _client(self.host, self.timeout) as client:
                for chunk in client.chat(
                    model=self.model, messages=list(prompt.messages), stream=True, options=options
                ):
                    if chunk.done:
                        final = chunk
                    piece = chunk.message.content if chunk.message else None
                    if piece:
                        yield piece
                        yielded = True
        except errors as exc:
            raise _backend_error(exc, host=self.host, timeout=self.timeout, model=self.model, partial=yielded) from exc
        if final is None:
            raise BackendError(
                f"The Ollama server at {self.host} ended the stream without its final message; "
                "the answer is incomplete.",
                _RETRY_HINT,
            )
        if final.done_reason == "length":
            log.info("%s stopped at the %d-token answer limit", self.model, prompt.max_tokens)
        log.debug(
            "ollama %s: %s prompt tokens, %s answer tokens, %.2f s",
            self.model,
            final.prompt_eval_count,
            final.eval_count,
            (final.total_duration or 0) / 1e9,
        )
