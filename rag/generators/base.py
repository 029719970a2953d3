"""The generator protocol and the name -> backend registry."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Protocol, runtime_checkable

from ..errors import UserInputError

if TYPE_CHECKING:
    from ..config import Settings
    from ..types import Hit


@dataclass(frozen=True)
class Prompt:
    """What a backend is asked: chat messages, plus the question and passages they were built from.

    LLM backends send `messages`; the extractive backend reads `question` and `passages`.
    """

    messages: tuple[dict[str, str], ...]
    question: str
    passages: tuple["Hit", ...] = ()
    max_tokens: int = 256
    temperature: float = 0.0
    stop: tuple[str, ...] = field(default_factory=tuple)


@runtime_checkable
class Generator(Protocol):
    """A backend streams the answer text for a prompt. That is all it must do."""

    name: str
    model: str

    def stream(self, prompt: Prompt) -> Iterator[str]:
        """Yield pieces of the answer text as they are produced; raise BackendError on failure."""
        ...


# name -> "module:Class"; imported only when asked for, so `rag --help` stays instant.
BACKENDS: dict[str, str] = {
    "extractive": "rag.generators.extractive:ExtractiveGenerator",
    "llamacpp": "rag.generators.llamacpp:LlamaCppGenerator",
    "ollama": "rag.generators.ollama:OllamaGenerator",
}


def available_backends() -> list[str]:
    return ["auto", *BACKENDS]


def create_generator(name: str, settings: "Settings", **deps: Any) -> Generator:
    """Build the backend called `name` ("auto" is resolved by the engine, not here)."""
    try:
        target = BACKENDS[name]
    except KeyError:
        raise UserInputError(
            f"Unknown backend {name!r}.", f"Choose one of: {', '.join(available_backends())}."
        ) from None
    module_name, class_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls.from_settings(settings, **deps)
