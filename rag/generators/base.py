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


# How the engine builds a backend's prompt: whole numbered passages, or the few sentences the
# extractive selector ranks highest under their passage numbers (a very small model follows a short
# prompt far better than five long passages).
PROMPT_STYLES = ("passages", "excerpts")


@runtime_checkable
class Generator(Protocol):
    """A backend streams the answer text for a prompt. That is all it must do."""

    name: str
    model: str

    @classmethod
    def from_settings(cls, settings: "Settings", **deps: Any) -> "Generator":
        """Build from Settings; `deps` are the engine's helpers (embed, idf), ignored by who needs none."""
        ...

    @property
    def prompt_style(self) -> str:
        """One of PROMPT_STYLES."""
        ...

    # A backend that says "the passages do not answer" when they do not (an instruction-following
    # model) is asked from the evidence gate's lenient threshold; the others (the extractive
    # selector, a 135M model that answers whatever it is asked) only from the strict one.
    refuses_by_itself: bool

    def stream(self, prompt: Prompt) -> Iterator[str]:
        """Yield pieces of the answer text as they are produced; raise BackendError on failure.

        A failure after some pieces leaves them as an incomplete answer; IncompleteAnswer says the
        stream ended cleanly but the answer is not whole (stopped at its token limit, say)."""
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
    """Build the backend called `name` ("auto" is resolved first: generators/choice.py)."""
    try:
        target = BACKENDS[name]
    except KeyError:
        raise UserInputError(
            f"Unknown backend {name!r}.", f"Choose one of: {', '.join(available_backends())}."
        ) from None
    module_name, class_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls.from_settings(settings, **deps)
