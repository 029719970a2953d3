"""One Generator contract, one test body, run over every backend: extractive, the bundled SmolLM2
through llama.cpp, and Ollama (the test server in tests/ollama_server.py, through the real client)."""

from __future__ import annotations

import dataclasses

import pytest

from rag.engine import Engine
from rag.generators import Generator
from rag.prompting import build_prompt

try:  # tests/ as a package or as a plain directory on sys.path
    from tests.ollama_server import FakeOllama
except ImportError:
    from ollama_server import FakeOllama

QUESTION = "Who handed Finland's signed NATO accession treaty to Antony Blinken?"
F000 = "000_98f58e9247f94cfe.txt"


@pytest.fixture(params=["extractive", "llamacpp", "ollama"])
def backend_engine(request, seed_engine):
    """(backend name, an engine over the seed index that answers with it)."""
    name = request.param
    # a short answer is enough for the contract and keeps the embedded model quick
    settings = dataclasses.replace(seed_engine.settings, backend=name, max_answer_tokens=48)
    if name == "ollama":
        with FakeOllama(models=("llama3.2:latest",)) as server:
            yield name, Engine(dataclasses.replace(settings, ollama_host=server.url, ollama_model="llama3.2",
                                                   ollama_timeout=30.0))
    else:
        yield name, Engine(settings)


def test_every_backend_keeps_the_generator_contract(backend_engine):
    name, engine = backend_engine
    gen = engine.generator(name)
    # the protocol: a name, a model, and one streaming method
    assert isinstance(gen, Generator)
    assert gen.name == name and isinstance(gen.model, str) and gen.model

    # stream() yields text pieces that together are the answer, for the numbered passages given
    hits = engine.search(QUESTION, k=5)
    prompt = build_prompt(QUESTION, hits, 48, 0.0)
    pieces = list(gen.stream(prompt))
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces).strip()

    # through the engine: the backend's answer (or, when it fails the citation check, the source
    # sentences) is shown only as verified sentences citing the treaty article
    a = engine.ask(QUESTION, backend=name)
    assert a.backend == name and a.model == gen.model and a.complete
    assert not a.refused, a.raw_text
    assert a.raw_text.strip()
    assert F000 in a.cited_files
    shown = [s for s in a.sentences if s.supported]
    assert shown and all(c.quote in engine.document(c.file).text for s in shown for c in s.citations)
    assert all(s.text in a.text for s in shown)
