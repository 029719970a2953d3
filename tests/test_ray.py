"""Corpus embedding on Ray (rag/ray_embed.py): a real local Ray on 2 CPUs, started as `rag index --ray`
starts it. One job is killed halfway (its sockets are checked while it runs), the rerun embeds only
what the killed one had not written, and the index it builds holds the vectors an in-process build
makes. The GPU choice (rag/embeddings.py) is tested on its inputs: there is no GPU here."""

from __future__ import annotations

import ipaddress
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rag.config import Settings
from rag.embeddings import VectorJournal, choose_device, gpu_status

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

TCP_LISTEN = "0A"


def _descendants(root: int) -> set[int]:
    """`root` and every process below it, from /proc (Ray's gcs_server, raylet, agents and workers)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid not in out:
            out.add(pid)
            todo.extend(children.get(pid, []))
    return out


def _address(hex_addr: str) -> ipaddress._BaseAddress:
    raw = bytes.fromhex(hex_addr)
    # /proc/net/tcp{,6} print each 32-bit word in host (little-endian) order
    raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return ipaddress.ip_address(raw)


def _listening(pids: set[int]) -> list[tuple[str, str, int, str]]:
    """(process name, address, port, protocol) of every TCP listener and UDP socket these processes own."""
    owner: dict[str, int] = {}
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:["):
                    owner[link[8:-1]] = pid
        except OSError:
            continue
    found = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/net/{proto}").read_text().splitlines()[1:]:
            f = line.split()
            local, state, inode = f[1], f[3], f[9]
            if inode in owner and (proto.startswith("udp") or state == TCP_LISTEN):
                addr, port = local.split(":")
                name = Path(f"/proc/{owner[inode]}/comm").read_text().strip()
                found.append((name, str(_address(addr)), int(port, 16), proto))
    return found


def _loopback(addr: str) -> bool:
    ip = ipaddress.ip_address(addr)
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def _rag(*args: str) -> list[str]:
    return [sys.executable, "-m", "rag.cli", *args]


@pytest.fixture(scope="module")
def killed_job(tmp_path_factory):
    """`rag index --ray --ray-workers 2` on 24 articles, killed (SIGKILL, its whole process group) once
    some batches are in the journal; what Ray listened on while it ran, what the journal kept."""
    from make_corpus import make_corpus

    base = tmp_path_factory.mktemp("ray")
    corpus, _ = make_corpus(24, base / "syn", seed=3, n_questions=5)
    index = base / "index"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    job = subprocess.Popen(_rag("index", "--corpus", str(corpus), "--index", str(index), "--ray", "--ray-workers", "2",
                                "--json"), cwd=ROOT, env=env, start_new_session=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    journal = index / VectorJournal.FILE
    sockets, pids, rows = [], set(), 0
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and job.poll() is None:
            if journal.exists():
                try:
                    con = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
                    rows = con.execute("SELECT count(*) FROM vectors").fetchone()[0]
                    con.close()
                except sqlite3.Error:
                    rows = 0
                if rows:
                    break
            time.sleep(0.05)
        pids = _descendants(job.pid)
        sockets = _listening(pids)
    finally:
        os.killpg(job.pid, signal.SIGKILL)
        out, err = job.communicate(timeout=30)
    assert rows, f"no batch was written before the job ended: {err.decode()[-2000:]}"
    # Ray's servers die with the job that started them (the kernel's parent-death signal, or the group)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
        time.sleep(0.2)
    left = [p for p in pids if Path(f"/proc/{p}").exists()]
    con = sqlite3.connect(journal)
    kept = con.execute("SELECT count(*) FROM vectors").fetchone()[0]
    con.close()
    return {"corpus": corpus, "index": index, "sockets": sockets, "pids": pids, "left": left, "kept": kept,
            "finished": b"files_added" in out}


def test_local_ray_servers_listen_on_loopback_only(killed_job):
    sockets = killed_job["sockets"]
    names = {name for name, *_ in sockets}
    # not vacuous: Ray's own servers were running and seen (GCS, raylet, the actors' gRPC servers)
    assert {"gcs_server", "raylet"} <= names, sockets
    assert any(n.startswith("ray::") for n in names), sockets
    assert len(sockets) >= 5
    wide = [s for s in sockets if not _loopback(s[1])]
    assert not wide, f"Ray listens beyond 127.0.0.1: {wide}"


def test_killed_job_leaves_no_ray_process(killed_job):
    assert len(killed_job["pids"]) >= 4
    assert not killed_job["left"], killed_job["left"]


def test_rerun_embeds_only_what_is_missing_and_matches_in_process(killed_job):
    from rag.embeddings import load_embedder
    from rag.engine import Engine
    from rag.index import embed_text, load_index
    from rag.ray_embed import RayEmbedder, ray_session

    assert not killed_job["finished"]
    settings = Settings(corpus_dir=killed_job["corpus"], index_dir=killed_job["index"], backend="extractive")
    engine = Engine(settings)
    with ray_session(num_cpus=2) as cpus:
        assert cpus == 2
        report = engine.index(embedder=RayEmbedder(settings, engine.embedder, workers=2))
    from ray._private import ray_constants

    # the switch that keeps Ray on loopback is set while a local Ray starts, then restored
    assert ray_constants.ENABLE_RAY_CLUSTER is True
    assert "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER" not in os.environ

    index = load_index(settings.index_dir)
    con = sqlite3.connect(index.path / "chunks.sqlite")
    distinct = con.execute("SELECT count(DISTINCT embed_hash) FROM chunks").fetchone()[0]
    con.close()
    assert 0 < killed_job["kept"] < distinct
    assert report.chunks_embedded == distinct - killed_job["kept"]  # the journal's vectors were not redone
    assert not (settings.index_dir / VectorJournal.FILE).exists()  # gone once the generation is live

    # every vector of the index (journaled by the killed job, or embedded now) is the in-process one
    local = load_embedder(settings)
    want = local.embed([embed_text(c) for c in index.chunks])
    got = np.load(index.path / "vectors.npy")
    assert got.shape == want.shape
    assert np.abs(got - want).max() < 1e-5
    assert index.manifest["embed_model"] == local.name


def test_journal_of_another_model_is_not_reused(tmp_path):
    j = VectorJournal.in_index(tmp_path, "model-a", 3)
    j.put(["k1", "k2"], np.eye(3, dtype=np.float32)[:2])
    assert len(j) == 2 and set(j.get(["k1", "k3"])) == {"k1"}
    j.close()
    j = VectorJournal.in_index(tmp_path, "model-b", 3)  # another model: its vectors would be wrong
    assert len(j) == 0
    with pytest.raises(Exception, match="shape"):
        j.put(["k1"], np.zeros((1, 4), dtype=np.float32))
    j.close()
    VectorJournal.discard(tmp_path)
    assert not VectorJournal.exists_in(tmp_path)


def test_actors_load_the_recipe_this_process_chose():
    from rag.ray_embed import pinned_settings

    class Like:
        runtime, name = "onnx", "sentence-transformers/all-MiniLM-L6-v2#onnx-int8-rr"

    s = pinned_settings(Settings(embed_precision="auto", embed_workers=0), Like())
    assert (s.embed_runtime, s.embed_precision, s.embed_workers, s.threads) == ("onnx", "int8-rr", 1, 1)
    Like.runtime, Like.name = "torch", "sentence-transformers/all-MiniLM-L6-v2"
    assert pinned_settings(Settings(), Like()).embed_runtime == "torch"


def test_bad_ray_address_is_a_clear_error(tmp_path, capsys):
    from rag.cli import main

    code = main(["index", "--corpus", str(ROOT / "seeds"), "--index", str(tmp_path / "i"), "--ray", "127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err
    assert "error: Cannot reach the Ray cluster at 127.0.0.1:1" in err


# ------------------------------------------------------------------------------------------------
# GPU: the choice, on the inputs a machine with one would give


@pytest.mark.parametrize("runtime, providers, cuda, want", [
    ("onnx", ["CUDAExecutionProvider", "CPUExecutionProvider"], False, "cuda"),
    ("onnx", ["CPUExecutionProvider"], True, "cpu"),  # torch's CUDA does not run ONNX
    ("torch", ["CUDAExecutionProvider"], False, "cpu"),
    ("torch", [], True, "cuda"),
])
def test_device_choice(runtime, providers, cuda, want):
    assert choose_device(runtime, providers, cuda) == want


def test_onnx_precision_is_fp32_on_cuda_and_per_cpu_otherwise():
    from rag.onnx_embedder import auto_precision

    assert auto_precision(["CUDAExecutionProvider", "CPUExecutionProvider"], frozenset({"avx2"})) == "fp32"
    assert auto_precision(["CPUExecutionProvider"], frozenset({"avx2"})) == "int8-rr"
    assert auto_precision(["CPUExecutionProvider"], frozenset({"avx512_vnni"})) == "int8"


def test_doctor_reports_the_embedder_device():
    from rag.doctor import device_check

    settings = Settings()
    status = gpu_status(settings)
    assert status.device == "cpu" and status.runtime == "onnx"  # no GPU on this machine: the real answer
    gpu = device_check(settings)
    assert gpu.name == "embedding device" and gpu.ok and not gpu.required
    assert "embeds on cpu" in gpu.detail and "no CUDA provider" in gpu.detail
