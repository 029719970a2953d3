"""Storage backends (rag/store/): one test body over the embedded store and Qdrant (the client's local
mode, the same code that talks to a server by URL), and what only Qdrant does: in-place updates by
content hash, an alias swapped by a rebuild, payloads. Real model, FAISS, bm25s, qdrant-client."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag.config import Settings
from rag.embeddings import load_embedder, tokenizer_for
from rag.errors import RagError
from rag.index import build_index, load_index
from rag.retrieval import MODES, Retriever
from rag.store import STORES, check_store, chunk_key
from rag.store.qdrant import DEFAULT_ALIAS, client_for, close_clients

from conftest import DEV, copy_seeds

QUESTIONS = [
    "What did Peskov say about Finland?",
    "what did peskov say abt finnland",  # spelling repair reads the store's vocabulary
    "Who handed Finland's accession treaty to Blinken?",
    "tactical nuclear weapons Belarus",
    "Sybiha Brussels",
]


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    close_clients()  # local mode locks its directory: release it between tests


@pytest.fixture(scope="module")
def embedder():
    return load_embedder(Settings())


def _build(tmp: Path, store: str, embedder, corpus: Path | None = None, **kw):
    s = Settings(corpus_dir=corpus or copy_seeds(tmp / "corpus"), index_dir=tmp / f"index-{store}", store=store, **kw)
    return s, build_index(s, embedder, tokenizer_for(s))


@pytest.fixture(scope="module")
def built(tmp_path_factory, embedder):
    """The seeds indexed once per store, from the same corpus copy."""
    tmp = tmp_path_factory.mktemp("stores")
    corpus = copy_seeds(tmp / "corpus")
    return {store: _build(tmp, store, embedder, corpus)[0] for store in STORES}


@pytest.mark.parametrize("store", STORES)
def test_every_store_ranks_as_the_embedded_one(built, embedder, store):
    """Same hits in the same order, same raw scores (float tolerance), in every mode."""
    ref = Retriever(load_index(built["embedded"].index_dir), embedder)
    got = Retriever(load_index(built[store].index_dir), embedder)
    assert got.store.kind == store
    # spelling and IDF read the same numbers (bm25s adds an empty token past its matrix's columns)
    words = lambda r: {t: c for t, c in r._vocab.items() if t}  # noqa: E731
    assert words(got) == words(ref) and np.array_equal(got._df, ref._df)
    for q in QUESTIONS:
        for mode in MODES:
            a, b = ref.search(q, k=5, mode=mode), got.search(q, k=5, mode=mode)
            assert [h.chunk_id for h in b] == [h.chunk_id for h in a], (q, mode)
            for x, y in zip(a, b):
                # cosine of unit float32 vectors: ~1e-7 apart; BM25 summed in float32 by bm25s, float64 by Qdrant
                for sx, sy in ((x.dense_score, y.dense_score), (x.bm25_score, y.bm25_score)):
                    assert (sx is None) == (sy is None) and (sx is None or abs(sx - sy) <= 1e-4 * max(1, abs(sx)))
        raw_a, raw_b = ref.bm25(q, 50), got.bm25(q, 50)
        assert [r for r, _ in raw_b] == [r for r, _ in raw_a]


@pytest.mark.parametrize("store", STORES)
def test_every_store_gives_the_same_dev_set_figures(built, store):
    from rag.engine import Engine
    from rag.evaluation import evaluate

    figures = {}
    for name in ("embedded", store):
        engine = Engine(replace(built[name], backend="extractive"))
        report = evaluate(engine, DEV, k=5)
        figures[name] = {k: v for k, v in report.items() if isinstance(v, float)}
        figures[name]["answers"] = [(q.get("answer"), q.get("hits")) for q in report["per_question"]]
    assert figures[store] == figures["embedded"]


def test_fetch_by_id_and_payload(built, embedder):
    idx = load_index(built["qdrant"].index_dir)
    some = idx.chunks[:3]
    assert idx.store.fetch([c.id for c in some] + ["0" * 40]) == [*some, None]
    client = client_for(built["qdrant"], built["qdrant"].index_dir)
    point = client.retrieve(DEFAULT_ALIAS, [chunk_key(some[0].id)], with_payload=True, with_vectors=True)[0]
    doc = idx.documents[some[0].file]
    assert {k: point.payload[k] for k in ("file", "line_start", "line_end", "char_start", "char_end", "title")} == {
        "file": some[0].file, "line_start": some[0].line_start, "line_end": some[0].line_end,
        "char_start": some[0].char_start, "char_end": some[0].char_end, "title": some[0].title}
    assert point.payload["date"] == doc["date"] and point.payload["source"] == doc["publisher"]
    assert set(point.vector) == {"dense", "bm25"}
    info = client.get_collection(DEFAULT_ALIAS)
    assert info.config.params.vectors["dense"].distance.name == "COSINE"
    assert info.config.params.sparse_vectors["bm25"].modifier.name == "IDF"


def _points(settings) -> dict[int, str]:
    client = client_for(settings, settings.index_dir)
    out, offset = {}, None
    while True:
        points, offset = client.scroll(DEFAULT_ALIAS, limit=256, offset=offset, with_payload=["file"])
        out.update({p.id: p.payload["file"] for p in points})
        if offset is None:
            return out


def test_qdrant_updates_in_place_by_content_hash(tmp_path, embedder):
    s, first = _build(tmp_path, "qdrant", embedder)
    collection = load_index(s.index_dir).manifest["store"]["collection"]
    again = build_index(s, embedder, tokenizer_for(s))
    assert again.chunks_embedded == 0

    target = next(Path(s.corpus_dir).glob("003_*.txt"))
    target.write_text(target.read_text(encoding="utf-8").replace("Sybiha", "Sybiha-Kuleba"), encoding="utf-8")
    report = build_index(s, embedder, tokenizer_for(s))
    n_target = sum(c.file == target.name for c in load_index(s.index_dir).chunks)
    assert report.files_updated == 1 and 1 <= report.chunks_embedded <= n_target
    idx = load_index(s.index_dir)
    assert idx.manifest["store"]["collection"] == collection  # updated in place, not copied
    # the points are exactly the chunks: new ones in, replaced ones out
    assert _points(s) == {chunk_key(c.id): c.file for c in idx.chunks}
    hit = Retriever(idx, embedder).search("Sybiha-Kuleba foreign minister", k=1)[0]
    assert hit.file == target.name and "Sybiha-Kuleba" in hit.text

    target.unlink()
    report = build_index(s, embedder, tokenizer_for(s))
    assert report.files_removed == 1 and report.chunks_embedded == 0
    assert target.name not in set(_points(s).values())
    assert len(_points(s)) == load_index(s.index_dir).n_chunks


def test_qdrant_rebuild_swaps_the_alias_and_drops_the_old_collection(tmp_path, embedder):
    s, _ = _build(tmp_path, "qdrant", embedder)
    old = load_index(s.index_dir)
    reader = Retriever(old, embedder)
    build_index(s, embedder, tokenizer_for(s), rebuild=True)
    new = load_index(s.index_dir).manifest["store"]["collection"]
    client = client_for(s, s.index_dir)
    assert new != old.manifest["store"]["collection"]
    assert {a.alias_name: a.collection_name for a in client.get_aliases().aliases} == {DEFAULT_ALIAS: new}
    assert [c.name for c in client.get_collections().collections] == [new]
    # a reader of the old generation goes on answering: the alias now names the same chunks
    assert reader.search("Peskov Finland", k=3)


def test_switching_an_index_between_stores_rewrites_without_embedding(tmp_path, embedder):
    s, first = _build(tmp_path, "embedded", embedder)
    moved = build_index(replace(s, store="qdrant"), embedder, tokenizer_for(s))
    assert moved.chunks_embedded == 0
    idx = load_index(s.index_dir)
    assert idx.store.kind == "qdrant" and len(_points(s)) == idx.n_chunks == first.chunks
    back = build_index(s, embedder, tokenizer_for(s))
    assert back.chunks_embedded == 0 and load_index(s.index_dir).store.kind == "embedded"


def test_a_missing_client_names_the_extra(tmp_path, embedder, monkeypatch):
    monkeypatch.setitem(sys.modules, "qdrant_client", None)  # what an install without the extra has
    s = Settings(corpus_dir=copy_seeds(tmp_path / "corpus"), index_dir=tmp_path / "index", store="qdrant")
    with pytest.raises(RagError) as err:
        build_index(s, embedder, tokenizer_for(s))
    assert ".[scale]" in err.value.hint


def test_store_settings(monkeypatch):
    monkeypatch.setenv("RAG_STORE", "qdrant")
    monkeypatch.setenv("QDRANT_URL", "http://127.0.0.1:6333")
    monkeypatch.setenv("QDRANT_API_KEY", "secret-key")
    s = Settings.from_env()
    assert (s.store, s.qdrant_url, s.qdrant_api_key) == ("qdrant", "http://127.0.0.1:6333", "secret-key")
    assert "secret-key" not in repr(s)
    with pytest.raises(RagError, match="Unknown store"):
        check_store("milvus")


def test_the_qdrant_search_breadth_grows_with_the_collection():
    from rag.store.qdrant import HNSW_EF, HNSW_EF_MAX, search_ef

    # measured at 1,000,000 points: 128 found 0.76 of the true top 10, 512 found 0.93
    assert search_ef(10_000) == search_ef(100_000) == HNSW_EF
    assert search_ef(1_000_000) == 4 * HNSW_EF
    sizes = [10**k for k in range(3, 9)]
    assert all(search_ef(a) <= search_ef(b) for a, b in zip(sizes, sizes[1:]))
    assert search_ef(10**9) == HNSW_EF_MAX
