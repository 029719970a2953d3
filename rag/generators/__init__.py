"""Answer generators: one file per backend, one streaming method each (see base.py)."""

from .base import BACKENDS, Generator, Prompt, available_backends, create_generator

__all__ = ["BACKENDS", "Generator", "Prompt", "available_backends", "create_generator"]
