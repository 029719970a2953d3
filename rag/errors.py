"""A small exception hierarchy; the CLI and the UI turn these into one clear sentence and a next step."""

from __future__ import annotations


class RagError(Exception):
    """Base class for every error the library raises on purpose.

    `hint` is the next step a user can take; the edges print it under the message.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:  # one line, readable at the edges
        return self.message if not self.hint else f"{self.message} {self.hint}"


class UserInputError(RagError):
    """The user asked something we cannot act on (empty question, bad path, bad option)."""

    exit_code = 2


class CorpusError(UserInputError):
    """The corpus directory is missing or holds nothing we can read."""


class IndexMissingError(RagError):
    """No index has been built yet."""

    exit_code = 3


class IndexDamagedError(RagError):
    """The index on disk fails its checksums or cannot be read."""

    exit_code = 3


class IndexBusyError(RagError):
    """Another process holds the index lock."""

    exit_code = 4


class BackendError(RagError):
    """A generator backend failed (server down, model missing, timeout, bad stream)."""

    exit_code = 5


class BackendUnavailable(BackendError):
    """The backend cannot be used at all here (not installed, server unreachable)."""


class ModelNotFound(BackendError):
    """The configured model is not available to the backend."""


class ContextTooLong(BackendError):
    """The prompt does not fit in the model's context window."""


class IncompleteAnswer(BackendError):
    """The backend ended normally but the answer is not whole: it stopped at the answer limit, or the
    model did not read the whole prompt. Raised after the pieces it did produce have been yielded."""
