"""The on-disk index: incremental, atomic, checked, serialised. Real model, FAISS and SQLite."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from rag.engine import Engine
from rag.errors import IndexDamagedError, IndexMissingError
from rag.index import CURRENT, load_index

from conftest import ROOT, copy_seeds

RAG = [sys.executable, "-m", "rag.cli"]


def run_rag(*args, env_extra=None, check=True):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env_extra or {})}
    proc = subprocess.run([*RAG, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_index_twice_second_run_embeds_nothing(make_settings):
    s = make_settings()
    first = run_rag("index", "--json", "--corpus", str(s.corpus_dir), "--index", str(s.index_dir))
    r1 = json.loads(first.stdout)
    assert r1["files_added"] == 5 and r1["chunks"] > 5 and r1["chunks_embedded"] == r1["chunks"]
    assert set(r1) >= {"files_added", "files_updated", "files_removed", "files_unchanged", "chunks", "seconds"}
    second = run_rag("index", "--json", "--corpus", str(s.corpus_dir), "--index", str(s.index_dir))
    r2 = json.loads(second.stdout)
    assert r2["files_unchanged"] == 5 and r2["files_added"] == 0 and r2["chunks_embedded"] == 0
    assert r2["chunks"] == r1["chunks"]
    assert first.stderr.strip() == "" or "%" not in first.stderr  # --json: no progress bar


def test_changing_one_file_reembeds_that_file_alone_and_deleting_removes_it(make_settings):
    s = make_settings()
    engine = Engine(s)
    engine.index()
    before = load_index(s.index_dir)
    target = next(Path(s.corpus_dir).glob("003_*.txt"))
    target_chunks = [c for c in before.chunks if c.file == target.name]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("Sybiha", "Sybiha-Kuleba"), encoding="utf-8")
    report = engine.index()
    assert (report.files_updated, report.files_unchanged, report.files_added) == (1, 4, 0)
    # only chunks of the changed file whose text changed are embedded again
    assert 1 <= report.chunks_embedded <= len(target_chunks)
    after = load_index(s.index_dir)
    assert any("Sybiha-Kuleba" in c.text for c in after.chunks)
    assert [c for c in after.chunks if c.file != target.name] == [c for c in before.chunks if c.file != target.name]
    assert engine.search("Sybiha-Kuleba foreign minister", k=1)[0].file == target.name

    target.unlink()
    report = engine.index()
    assert report.files_removed == 1 and report.chunks_embedded == 0
    assert not any(c.file == target.name for c in load_index(s.index_dir).chunks)


def test_changed_chunking_parameters_rebuild_everything(make_settings):
    s = make_settings()
    Engine(s).index()
    report = Engine(replace(s, chunk_tokens=120, chunk_overlap_tokens=20)).index()
    assert report.chunks_embedded == report.chunks
    assert report.files_added + report.files_updated == 5 or report.files_unchanged == 0
    m = load_index(s.index_dir).manifest
    assert m["chunking"]["max_tokens"] == 120


def test_duplicate_text_is_embedded_once(make_settings, tmp_path):
    corpus = copy_seeds(tmp_path / "dup")
    src = next(corpus.glob("000_*.txt"))
    (corpus / "copy_of_000.txt").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    report = Engine(make_settings(corpus)).index()
    per_file = {}
    for c in load_index(tmp_path / "index").chunks:
        per_file[c.file] = per_file.get(c.file, 0) + 1
    assert report.chunks == sum(per_file.values())
    assert report.chunks_embedded == report.chunks - per_file["copy_of_000.txt"]


def test_no_index_gives_a_clear_error(make_settings):
    s = make_settings()
    with pytest.raises(IndexMissingError) as exc:
        load_index(s.index_dir)
    assert "rag index" in str(exc.value)
    proc = run_rag("search", "Peskov", "--index", str(s.index_dir), check=False)
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr and "rag index" in proc.stderr


def _generation(index_dir: Path) -> Path:
    return index_dir / (index_dir / CURRENT).read_text().strip()


@pytest.fixture(scope="module")
def built_index(tmp_path_factory):
    base = tmp_path_factory.mktemp("damage")
    from rag.config import Settings

    s = Settings(corpus_dir=copy_seeds(base / "corpus"), index_dir=base / "index")
    Engine(s).index()
    return s


@pytest.mark.parametrize("how", ["truncate", "flip"])
def test_each_damaged_index_file_is_detected(built_index, tmp_path, how):
    import shutil

    files = sorted(p.relative_to(_generation(built_index.index_dir)) for p in _generation(built_index.index_dir).rglob("*") if p.is_file())
    assert {"manifest.json", "chunks.sqlite", "vectors.npy", "faiss.index"} <= {str(f) for f in files}
    for rel in files:
        copy = tmp_path / f"{how}-{str(rel).replace('/', '_')}"
        shutil.copytree(built_index.index_dir, copy)
        target = _generation(copy) / rel
        data = target.read_bytes()
        if how == "truncate":
            target.write_bytes(data[: len(data) // 2])
        else:
            pos = len(data) // 2
            target.write_bytes(data[:pos] + bytes([data[pos] ^ 0xFF]) + data[pos + 1 :])
        with pytest.raises(IndexDamagedError) as exc:
            load_index(copy)
        assert "rag index --rebuild" in str(exc.value), rel


def test_damaged_index_cli_message_and_rebuild(built_index, tmp_path):
    import shutil

    copy = tmp_path / "idx"
    shutil.copytree(built_index.index_dir, copy)
    (_generation(copy) / "vectors.npy").write_bytes(b"garbage")
    proc = run_rag("search", "Peskov", "--index", str(copy), check=False)
    assert proc.returncode == 3
    assert "damaged" in proc.stderr and "rag index --rebuild" in proc.stderr and "Traceback" not in proc.stderr
    run_rag("index", "--rebuild", "--corpus", str(built_index.corpus_dir), "--index", str(copy))
    assert load_index(copy).n_chunks > 0


def _bulk_corpus(dest: Path, n: int) -> Path:
    copy_seeds(dest)
    seeds = [p.read_text(encoding="utf-8") for p in sorted(dest.glob("*.txt"))]
    for i in range(n):
        body = seeds[i % len(seeds)].replace("Peskov", f"Spokesman{i}").replace("Finland", f"Country{i}")
        (dest / f"bulk_{i:03d}.txt").write_text(f"Bulk article {i}\n{body}\n", encoding="utf-8")
    return dest


def test_sigkill_mid_build_leaves_previous_index_working(tmp_path):
    from rag.config import Settings

    corpus = copy_seeds(tmp_path / "corpus")
    s = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", backend="extractive")
    Engine(s).index()
    before = (tmp_path / "index" / CURRENT).read_text()
    _bulk_corpus(corpus, 150)  # enough to keep the build embedding for a while
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([*RAG, "index", "--corpus", str(corpus), "--index", str(s.index_dir)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # wait until the build is embedding (its model is loaded and it holds the lock), then kill it
    from rag.index import build_lock
    from rag.errors import IndexBusyError

    deadline = time.monotonic() + 180
    busy = False
    while time.monotonic() < deadline and proc.poll() is None and not busy:
        time.sleep(0.5)
        try:
            with build_lock(s.index_dir, wait=False):
                pass
        except IndexBusyError:
            busy = True
    time.sleep(2)
    assert busy and proc.poll() is None, "the build finished before it could be killed; make the corpus bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (tmp_path / "index" / CURRENT).read_text() == before
    engine = Engine(s)
    hits = engine.search("What did Peskov say about Finland?")
    assert hits and hits[0].file.startswith("00")
    answer = engine.ask("Who handed Finland's signed NATO accession treaty to Antony Blinken?")
    assert "Haavisto" in answer.text
    # the next build cleans up what the killed one left and completes
    for p in corpus.glob("bulk_*.txt"):
        p.unlink()
    report = Engine(s).index()
    assert report.files_unchanged == 5 and report.chunks_embedded == 0
    assert not [p for p in (tmp_path / "index").iterdir() if p.name.startswith(".tmp-")]


def test_two_concurrent_builds_are_serialised(tmp_path):
    corpus = copy_seeds(tmp_path / "corpus")
    index = tmp_path / "index"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    procs = [
        subprocess.Popen([*RAG, "index", "--json", "--corpus", str(corpus), "--index", str(index)],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    reports = sorted((json.loads(o[0]) for o in outs), key=lambda r: -r["files_added"])
    assert reports[0]["files_added"] == 5
    assert reports[1]["files_unchanged"] == 5 and reports[1]["chunks_embedded"] == 0
    idx = load_index(index)
    assert len(idx.manifest["files"]) == 5
    assert len([p for p in index.iterdir() if p.name.startswith("gen-")]) == 1
