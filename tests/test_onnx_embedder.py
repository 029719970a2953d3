"""The ONNX embedder against the torch reference, on the real bundled MiniLM (exported once per module)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from rag.errors import UserInputError

ROOT = Path(__file__).resolve().parent.parent
MODEL = "all-MiniLM-L6-v2"

LONG_PASSAGE = " ".join(
    [
        "The finance ministry published its revised budget on Monday, projecting slower growth as exports",
        "weaken and energy prices stay high through the winter months.",
    ]
    * 14
)  # ~300 words: well past the 256 word-piece limit, so it is truncated

SENTENCES = [
    "The Kremlin said Finland's membership of NATO does not strengthen security in Europe.",
    "Finland officially joined NATO on Tuesday at a ceremony in Brussels.",
    "The central bank raised interest rates by a quarter point, citing persistent inflation.",
    "Floods displaced thousands of families in the northern province after a week of heavy rain.",
    "The striker scored twice in the second half to send the club into the cup final.",
    "Shares in the carmaker fell 8% after it cut its profit forecast for the year.",
    "Health officials urged residents to get vaccinated ahead of the flu season.",
    "The prime minister survived a no-confidence vote by a margin of twelve seats.",
    "Wildfires have burned more than 40,000 hectares of forest since June.",
    "A magnitude 6.1 earthquake struck off the coast early on Sunday; no tsunami warning was issued.",
    "Negotiators said a ceasefire deal was close but that prisoner exchanges remain unresolved.",
    "The company recalled 200,000 laptops because their batteries can overheat.",
    "Teachers walked out over pay for the third time this term.",
    "Crude oil prices climbed after producers agreed to extend output cuts.",
    "Le président a annoncé une réforme des retraites très contestée à Paris.",
    "Café owners in München complained about the new “Ökosteuer” on disposable cups.",
    "who won the election?",
    "interest rates",
    "NATO",
    "floods in the north",
    "What did Peskov say about negotiations with Ukraine?",
    "best phone 2024",
    "why are oil prices rising",
    "earthquake tsunami warning",
    "vaccination campaign",
    "cup final result",
    "laptop battery recall",
    "teachers strike pay",
    LONG_PASSAGE,
    "Officials said the talks in Geneva would resume next week. " * 3,
]

PASSAGES = [
    "The central bank lifted its benchmark interest rate to 5.25% to bring inflation back to target.",
    "Heavy rain caused rivers to burst their banks, flooding villages and forcing evacuations.",
    "The national team won the championship final on penalties after a goalless draw.",
    "Finland became the 31st member of the NATO military alliance, doubling its border with Russia.",
    "Researchers unveiled a new battery chemistry that charges an electric car in ten minutes.",
    "The museum reopened its ancient Egypt gallery after a two-year renovation.",
]
QUERIES = [
    "Did the central bank raise interest rates?",
    "Which country joined NATO?",
    "Where did the floods force people to leave their homes?",
]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    """A private ONNX cache for this module, with the bundled model exported into it once."""
    from rag.onnx_embedder import OnnxEmbedder

    cache = tmp_path_factory.mktemp("onnx-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAG_ONNX_CACHE", str(cache))
        OnnxEmbedder.for_model(MODEL)
        yield cache


@pytest.fixture(scope="module")
def onnx_int8(onnx_cache):
    from rag.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder.for_model(MODEL, batch_size=8)


@pytest.fixture(scope="module")
def onnx_fp32(onnx_cache):
    from rag.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder.for_model(MODEL, batch_size=8, precision="fp32")


@pytest.fixture(scope="module")
def torch_embedder():
    from rag.embeddings import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(MODEL)


def test_vectors_have_the_protocol_shape(onnx_int8, torch_embedder):
    from rag.embeddings import Embedder

    vecs = onnx_int8.embed(SENTENCES)
    assert isinstance(onnx_int8, Embedder)
    assert vecs.shape == (len(SENTENCES), torch_embedder.dim) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert onnx_int8.dim == torch_embedder.dim and onnx_int8.max_tokens == torch_embedder.max_tokens == 256
    assert onnx_int8.embed([]).shape == (0, onnx_int8.dim)


def test_name_is_the_torch_name_plus_a_runtime_suffix(onnx_int8, onnx_fp32, torch_embedder):
    # Vectors from different runtimes must not share an index: the manifest compares these names.
    assert onnx_int8.name == f"{torch_embedder.name}#onnx-int8"
    assert onnx_fp32.name == f"{torch_embedder.name}#onnx-fp32"


@pytest.mark.parametrize("precision, mean_floor, min_floor", [("int8", 0.99, 0.98), ("fp32", 0.9999, 0.9999)])
def test_vectors_match_torch(precision, mean_floor, min_floor, onnx_int8, onnx_fp32, torch_embedder):
    embedder = {"int8": onnx_int8, "fp32": onnx_fp32}[precision]
    sims = np.sum(embedder.embed(SENTENCES) * torch_embedder.embed(SENTENCES), axis=1)
    assert sims.mean() >= mean_floor, sims
    assert sims.min() >= min_floor, sims


def test_long_passage_is_truncated_like_torch(onnx_fp32, torch_embedder):
    # Same first 256 word pieces: a longer tail must not change the vector, in either runtime.
    longer = LONG_PASSAGE + " Completely different closing words about football and weather."
    a, b = onnx_fp32.embed([LONG_PASSAGE, longer])
    assert float(a @ b) > 0.99999
    assert float(a @ torch_embedder.embed([longer])[0]) > 0.9999


def test_top_hit_matches_torch(onnx_int8, torch_embedder):
    def top1(embedder):
        return np.argmax(embedder.embed(QUERIES) @ embedder.embed(PASSAGES).T, axis=1).tolist()

    assert top1(onnx_int8) == top1(torch_embedder) == [0, 3, 1]


def test_output_order_follows_input_order(onnx_int8, onnx_fp32):
    texts = ["short", LONG_PASSAGE, "a medium length sentence about the economy and jobs", "NATO", SENTENCES[9]]
    texts = texts * 3  # more than one batch of 8, lengths interleaved
    # fp32 is exact whatever the batch: each row equals that text embedded alone.
    alone = np.vstack([onnx_fp32.embed([t]) for t in texts])
    np.testing.assert_allclose(onnx_fp32.embed(texts), alone, atol=1e-5)
    # int8 quantizes activations per batch, so rows differ a little from solo runs; each must still be
    # closest to its own text.
    batched = onnx_int8.embed(texts)
    solo = np.vstack([onnx_int8.embed([t]) for t in texts[:5]])
    sims = batched[:5] @ solo.T
    assert np.argmax(sims, axis=1).tolist() == [0, 1, 2, 3, 4]
    assert np.diag(sims).min() > 0.98


def test_embed_is_thread_safe(onnx_int8):
    groups = [SENTENCES[i::4] for i in range(4)]
    serial = [onnx_int8.embed(g) for g in groups]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(onnx_int8.embed, groups * 3))
    for i, vecs in enumerate(parallel):
        np.testing.assert_allclose(vecs, serial[i % 4], atol=1e-6)


def test_export_is_reused(onnx_cache, capsys):
    from rag.embeddings import bundled_model_path
    from rag.onnx_embedder import PRECISIONS, OnnxEmbedder, export_dir_for, main

    out_dir = export_dir_for(bundled_model_path())
    assert out_dir.parent == onnx_cache
    files = [out_dir / f for f in PRECISIONS.values()]
    before = [f.stat().st_mtime_ns for f in files]
    again = OnnxEmbedder.for_model(MODEL)
    assert again.model_file == out_dir / PRECISIONS["int8"]
    assert main(["--export"]) == 0
    assert f"Already exported: {out_dir}" in capsys.readouterr().out
    assert [f.stat().st_mtime_ns for f in files] == before
    assert sorted(p.name for p in onnx_cache.iterdir()) == [out_dir.name]  # no temp dirs left behind
    meta = json.loads((out_dir / "export.json").read_text())
    assert meta["cosine_to_torch"]["fp32"] > 0.999 and meta["quantization"]["per_channel"] is True


def test_searching_process_does_not_import_torch(onnx_cache):
    code = (
        "import sys\n"
        "from rag.onnx_embedder import OnnxEmbedder\n"
        f"v = OnnxEmbedder.for_model({MODEL!r}).embed(['who won the election?'])\n"
        "assert v.shape == (1, 384), v.shape\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'onnx') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    env = {**os.environ, "RAG_ONNX_CACHE": str(onnx_cache), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def _fake_export(model_dir, out):
    from rag.onnx_embedder import META_FILE, PRECISIONS

    for name in PRECISIONS.values():
        (out / name).write_text("new")
    (out / META_FILE).write_text("{}")


def test_a_finished_export_from_another_process_wins(tmp_path, monkeypatch):
    from rag import onnx_embedder as mod

    out_dir = tmp_path / "cache" / "key"
    out_dir.mkdir(parents=True)
    for name in (*mod.PRECISIONS.values(), mod.META_FILE):
        (out_dir / name).write_text("old")
    monkeypatch.setattr(mod, "_export_into", _fake_export)
    assert mod.export_onnx(tmp_path, out_dir) == out_dir
    assert (out_dir / mod.PRECISIONS["int8"]).read_text() == "old"
    assert [p.name for p in out_dir.parent.iterdir()] == ["key"]


def test_temp_dirs_of_killed_exports_are_cleaned(tmp_path, monkeypatch):
    from rag import onnx_embedder as mod

    out_dir = tmp_path / "cache" / "key"
    stale, live = tmp_path / "cache" / ".key.tmp-stale", tmp_path / "cache" / ".key.tmp-live"
    stale.mkdir(parents=True)
    live.mkdir()
    os.utime(stale, (0, 0))
    monkeypatch.setattr(mod, "_export_into", _fake_export)
    mod.export_onnx(tmp_path, out_dir)
    assert sorted(p.name for p in out_dir.parent.iterdir()) == [".key.tmp-live", "key"]


def test_an_incomplete_export_is_replaced(tmp_path, monkeypatch):
    from rag import onnx_embedder as mod

    out_dir = tmp_path / "cache" / "key"
    out_dir.mkdir(parents=True)
    (out_dir / mod.PRECISIONS["int8"]).write_text("truncated")  # no export.json: never finished
    monkeypatch.setattr(mod, "_export_into", _fake_export)
    mod.export_onnx(tmp_path, out_dir)
    assert mod.is_exported(out_dir) and (out_dir / mod.PRECISIONS["int8"]).read_text() == "new"


def test_cache_location_follows_the_environment(tmp_path, monkeypatch):
    from rag.embeddings import bundled_model_path
    from rag.onnx_embedder import cache_root, export_dir_for

    monkeypatch.delenv("RAG_ONNX_CACHE", raising=False)
    assert cache_root() == Path.home() / ".cache" / "corpus-rag" / "onnx"
    monkeypatch.setenv("RAG_ONNX_CACHE", str(tmp_path))
    assert export_dir_for(bundled_model_path()).parent == tmp_path


def test_unsupported_pooling_is_refused(tmp_path):
    from rag.onnx_embedder import OnnxEmbedder

    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "modules.json").write_text(
        json.dumps(
            [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            ]
        )
    )
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    with pytest.raises(UserInputError, match="mean pooling"):
        OnnxEmbedder.for_model(str(tmp_path))
