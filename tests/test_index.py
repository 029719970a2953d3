"""The on-disk index: incremental, atomic, checked, serialised. Real model, FAISS and SQLite."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from rag.engine import Engine
from rag.errors import IndexDamagedError, IndexMissingError
from rag.index import CURRENT, clean_stale, live_generation, load_index, verify

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
    # tokens_embedded: every chunk's text as the model reads it (title, [CLS]/[SEP], truncation), once
    from tokenizers import Tokenizer

    from rag.index import embed_text
    from rag.model_files import bundled_model_path

    tok = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(256)
    texts = {embed_text(c) for c in load_index(s.index_dir, check=False).chunks}
    assert r1["tokens_embedded"] == sum(len(e.ids) for e in tok.encode_batch(sorted(texts)))
    assert r2["tokens_embedded"] == 0


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
    # nothing of the old index is reused: every file counts as new
    assert (report.files_added, report.files_updated, report.files_unchanged) == (5, 0, 0)
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
    # The killed build would have added 150 bulk files; the live index still has the five seeds alone.
    assert sorted(engine.retriever.index.manifest["files"]) == sorted(p.name for p in corpus.glob("0*.txt"))
    hits = engine.search("Spokesman7 said Country7", k=5)
    assert hits and not any(h.file.startswith("bulk_") for h in hits)
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


# -- re-indexing while the app answers ------------------------------------------------------

NEW_ARTICLE = ("Quokka census on Rottnest Island\n\n"
               "Rangers on Rottnest Island counted 12,400 quokkas in the spring census, the wildlife service said.\n")
TREATY_Q = "Who handed Finland's signed NATO accession treaty to Antony Blinken?"
QUOKKA_Q = "How many quokkas did rangers count on Rottnest Island?"


def _generations(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("gen-"))


def _leftovers(index_dir: Path) -> list[str]:
    return [p.name for p in index_dir.iterdir() if p.name.startswith((".tmp-", ".old-"))]


def test_questions_during_a_build_are_answered_from_the_previous_index(make_settings):
    engine = Engine(make_settings(backend="extractive"))
    engine.index()
    assert "Haavisto" in engine.ask(TREATY_Q).text  # loads the index the build will replace
    before = live_generation(engine.settings.index_dir)
    (Path(engine.settings.corpus_dir) / "zz_quokka.txt").write_text(NEW_ARTICLE, encoding="utf-8")

    # The build stops in the middle (at its first embedding batch) until the questions are answered.
    # While a build holds the engine, they never are: the wait then times out and the test fails.
    embedding, answered, waited, reports = threading.Event(), threading.Event(), [], []

    def progress(stage, done, total):
        if stage == "embedding" and not embedding.is_set():
            embedding.set()
            waited.append(answered.wait(timeout=120))

    builder = threading.Thread(target=lambda: reports.append(engine.index(progress=progress)))
    builder.start()
    try:
        assert embedding.wait(timeout=300), "the build never reached embedding"
        with ThreadPoolExecutor(4) as pool:
            during = list(pool.map(engine.ask, [TREATY_Q, QUOKKA_Q, TREATY_Q, QUOKKA_Q]))
        search_during = engine.search("quokka census Rottnest Island", k=5)
    finally:
        answered.set()
        builder.join(timeout=600)
    assert waited == [True], "questions waited for the build"
    # answered from the previous index: it knows the treaty and nothing about quokkas
    assert all("Haavisto" in a.text for a in during[::2])
    assert all(a.refused for a in during[1::2]), [a.text for a in during[1::2]]
    assert "zz_quokka.txt" not in {h.file for h in search_during}
    # after the swap the same engine answers from the new index
    assert reports and reports[0].files_added == 1
    assert live_generation(engine.settings.index_dir) != before
    after = engine.ask(QUOKKA_Q)
    assert not after.refused and after.cited_files == ["zz_quokka.txt"] and "12,400" in after.text
    # the engine let go of the previous generation and cleaned it: only the live one is left
    assert _generations(engine.settings.index_dir) == [live_generation(engine.settings.index_dir).name]


# A build that SIGKILLs itself at one step of the commit. The steps, in rag/index.py's order: the
# generation is complete under its final name, then CURRENT.tmp is written, renamed over CURRENT,
# and the directory is fsynced. Patched functions, not a hook in the library.
_KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
from rag import index as ix
from rag.config import Settings
from rag.engine import Engine

corpus, index_dir, point = sys.argv[1:4]
def die(*_):
    os.kill(os.getpid(), signal.SIGKILL)
if point == "before CURRENT.tmp":
    write = ix._fsync_write
    ix._fsync_write = lambda path, data: die() if Path(path).name == ix.CURRENT + ".tmp" else write(path, data)
elif point == "before the rename to CURRENT":
    rename = os.replace
    ix.os.replace = lambda src, dst: die() if Path(dst).name == ix.CURRENT else rename(src, dst)
elif point == "after the rename to CURRENT":
    ix._fsync_dir = die
Engine(Settings(corpus_dir=Path(corpus), index_dir=Path(index_dir))).index()
print("not killed")
"""


@pytest.mark.parametrize("point, committed", [("before CURRENT.tmp", False), ("before the rename to CURRENT", False),
                                              ("after the rename to CURRENT", True)])
def test_a_build_killed_in_the_commit_leaves_one_whole_index(make_settings, point, committed):
    s = make_settings(backend="extractive")
    Engine(s).index()
    index_dir = Path(s.index_dir)
    old = live_generation(index_dir)
    (Path(s.corpus_dir) / "zz_quokka.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", _KILLED_BUILD, str(s.corpus_dir), str(index_dir), point],
                          cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stdout, proc.stderr[-2000:])
    # killed after the new generation was complete: it is on disk, whole, beside the old one
    new = [index_dir / g for g in _generations(index_dir) if g != old.name]
    assert len(new) == 1 and old.is_dir()
    verify(new[0], read_manifest_at(new[0]))

    live = live_generation(index_dir)
    assert live == (new[0] if committed else old)
    engine = Engine(s)
    assert ("zz_quokka.txt" in engine.retriever.index.documents) is committed
    assert "Haavisto" in engine.ask(TREATY_Q).text
    assert engine.ask(QUOKKA_Q).refused is not committed

    # the next build finishes the job and removes what the killed one left (this engine's build,
    # or the generation it reads would be kept)
    report = engine.index()
    assert report.files_added == (0 if committed else 1) and report.files_unchanged == (6 if committed else 5)
    assert _generations(index_dir) == [live_generation(index_dir).name] and not _leftovers(index_dir)
    assert Engine(s).search("quokka census Rottnest Island", k=1)[0].file == "zz_quokka.txt"


_READER = """
import sys
from rag.index import load_index
index = load_index(sys.argv[1])
print(index.path.name, flush=True)
sys.stdin.read()  # hold the loaded index until the test closes stdin
print(len(index.chunks), flush=True)
"""


def test_cleaning_never_removes_a_generation_a_running_reader_holds(make_settings):
    s = make_settings()
    engine = Engine(s)
    engine.index()
    index_dir = Path(s.index_dir)
    first = live_generation(index_dir)
    target = next(Path(s.corpus_dir).glob("003_*.txt"))

    # another process holds the first generation; this one too (engine.retriever)
    reader = subprocess.Popen([sys.executable, "-c", _READER, str(index_dir)], cwd=ROOT, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert reader.stdout.readline().strip() == first.name
        n_chunks = engine.retriever.index.n_chunks
        target.write_text(target.read_text(encoding="utf-8") + "\nA closing line.\n", encoding="utf-8")
        Engine(s).index()  # another engine builds the second generation and cleans
        second = live_generation(index_dir)
        assert second != first
        assert _generations(index_dir) == sorted([first.name, second.name])
        verify(first, read_manifest_at(first))  # whole, not half deleted

        engine.reload()  # this process lets go; the other reader still holds it
        clean_stale(index_dir)
        assert first.is_dir()
    finally:
        reader.stdin.close()
    assert reader.stdout.readline().strip() == str(n_chunks)
    assert reader.wait(timeout=60) == 0
    clean_stale(index_dir)  # nobody holds it now
    assert _generations(index_dir) == [second.name] and not _leftovers(index_dir)


def read_manifest_at(gen: Path) -> dict:
    return json.loads((gen / "manifest.json").read_text())


def test_a_reader_that_loses_the_race_with_cleaning_loads_the_new_generation(built_index, tmp_path, monkeypatch):
    import fcntl
    import shutil

    from rag import index as ix

    index_dir = tmp_path / "idx"
    shutil.copytree(built_index.index_dir, index_dir)
    old = live_generation(index_dir)
    new = index_dir / "gen-new"
    shutil.copytree(old, new)

    # The reader has opened the old generation; before it takes its shared lock, a build points
    # CURRENT at the new one and cleans the old. The reader must notice and load the new one.
    real_flock, raced = fcntl.flock, []

    def flock(fd, op):
        if op == fcntl.LOCK_SH and not raced:
            raced.append(True)
            (index_dir / CURRENT).write_text(new.name)
            ix._clean_stale(index_dir)
        return real_flock(fd, op)

    monkeypatch.setattr(ix.fcntl, "flock", flock)
    index = load_index(index_dir)
    assert raced and index.path == new and not old.exists()
    assert index.n_chunks == load_index(built_index.index_dir).n_chunks


def test_a_file_indexed_with_a_warning_is_reported_on_every_run(make_settings, tmp_path):
    # every line looks like a menu, but the file is long: indexed whole, and the report says so
    corpus = copy_seeds(tmp_path / "warn")
    (corpus / "menus.txt").write_text("\n".join(["Share this article", "Subscribe", "Privacy Policy"] * 40), encoding="utf-8")
    s = make_settings(corpus)
    first = Engine(s).index()
    assert [f for f, _ in first.warnings] == ["menus.txt"] and not first.skipped
    assert "menus.txt" in {c.file for c in load_index(s.index_dir).chunks}
    again = Engine(s).index()  # nothing changed: the warning comes from the manifest
    assert again.files_unchanged == 6 and again.warnings == first.warnings
    out = run_rag("index", "--corpus", str(corpus), "--index", str(s.index_dir))
    assert "warning menus.txt: every line looked like site furniture" in out.stderr


def test_changed_text_rules_reread_every_file_but_embed_only_new_texts(make_settings, monkeypatch):
    """New cleaning or splitting rules must reach files whose bytes did not change; the vectors of
    chunk texts that come out the same are kept."""
    import rag.index as index_mod

    engine = Engine(make_settings())
    engine.index()
    before = {(c.file, c.text) for c in engine.retriever.chunks}
    monkeypatch.setattr(index_mod, "TEXT_RULES_VERSION", index_mod.TEXT_RULES_VERSION + 1)
    report = engine.index()
    assert report.files_updated == 5 and report.files_unchanged == 0
    assert report.chunks_embedded == 0  # same rules in fact: every text already has its vector
    assert {(c.file, c.text) for c in engine.retriever.chunks} == before
    again = engine.index()
    assert again.files_unchanged == 5 and again.files_updated == 0
