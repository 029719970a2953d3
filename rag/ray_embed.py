"""Corpus embedding on Ray Data (`rag index --ray [ADDRESS]`, the `scale` extra).

Documents and chunks are made in this process as for every build (rag/index.py); only the texts
that have no vector yet go to Ray: `map_batches` over an actor pool, each actor loading the same
embedder once (ONNX or torch, the precision this process chose, so the vectors are the ones an
in-process build makes). Each finished batch comes back to this process and is written to the
build's vector journal (rag.embeddings.VectorJournal) at once, so a killed job, rerun, embeds only
what is missing.

Locally, Ray runs on this machine's cores with every server on 127.0.0.1 (local_ray_kwargs says
how); `--ray ADDRESS` joins a cluster you run (see README, "Scaling out").
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import replace
from typing import Callable, Iterator, Sequence

import numpy as np

from .config import Settings
from .errors import RagError, UserInputError
from .onnx_embedder import usable_cpus

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
# Texts per Ray batch: a block of work an actor embeds and returns in one piece, and what a killed job
# can lose at most per actor. At ~20 passages/s per single-thread actor (bench/scale.py) 64 texts are
# a few seconds: long enough that Ray's per-batch cost (~5 ms) is noise, short enough to lose little.
BATCH = 64
SCALE_HINT = "Install the scale extra: .venv/bin/pip install -e '.[scale]' (it brings ray[data] and qdrant-client)."

# Why these, for a local Ray (measured with `ss -ltnp` on Ray 2.60, Linux; tests/test_ray.py checks it):
# a plain ray.init() binds the GCS, the raylet's node manager and object manager, and every worker's
# gRPC server on all interfaces ([::], dual stack) and the runtime-env agent on the machine's address.
# Ray makes each of them listen on loopback only when the node's IP is 127.0.0.1; ray.init(
# _node_ip_address="127.0.0.1") is not enough, since Ray replaces a loopback address by the reachable
# one unless clusters are disabled, which RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 does (on any OS: Ray
# uses it to keep macOS and Windows off the network). The dashboard is not started; usage statistics,
# which Ray would otherwise send out, are off.
LOCAL_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}


def _import_ray():
    try:
        import ray
        import ray.data  # noqa: F401 - pyarrow, pandas: what the ray[data] extra brings
    except ImportError as exc:
        raise RagError(f"Embedding on Ray needs ray[data] ({exc}).", SCALE_HINT) from exc
    return ray


def local_ray_kwargs(num_cpus: int) -> dict:
    """ray.init's arguments for a Ray of this machine alone, every server on 127.0.0.1."""
    return {
        "address": "local",  # a new Ray for this job, never one that RAY_ADDRESS or `ray start` left running
        "num_cpus": int(num_cpus),
        "num_gpus": 0,
        "include_dashboard": False,
        "_node_ip_address": LOOPBACK,
        "log_to_driver": False,  # the actors' logs stay in Ray's session folder, not on the terminal
        "logging_level": logging.WARNING,
    }


@contextlib.contextmanager
def _local_environment() -> Iterator[None]:
    """LOCAL_ENV for Ray's processes (they inherit it when ray.init starts them), restored afterwards."""
    saved = {k: os.environ.get(k) for k in LOCAL_ENV}
    os.environ.update(LOCAL_ENV)
    constants = None
    try:
        # Ray reads the switch into a constant when it is first imported: if that was before us, the
        # constant is set here too (the function that chooses the node's address reads it on each call).
        from ray._private import ray_constants as constants

        was = constants.ENABLE_RAY_CLUSTER
        constants.ENABLE_RAY_CLUSTER = False
        yield
    finally:
        if constants is not None:
            constants.ENABLE_RAY_CLUSTER = was
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def ray_session(address: str | None = None, num_cpus: int = 0) -> Iterator[int]:
    """Ray for one job: local (address None or "local", on `num_cpus` cores, 0: all) or the cluster at
    `address`. Yields the CPUs the job may use; shuts Ray down afterwards."""
    ray = _import_ray()
    if ray.is_initialized():
        raise RagError("Ray is already running in this process.", "Call ray.shutdown() first.")
    local = address in (None, "", "local")
    try:
        if local:
            with _local_environment():
                ray.init(**local_ray_kwargs(num_cpus or usable_cpus()))
                node_ip = ray.util.get_node_ip_address()
            if node_ip != LOOPBACK:  # Ray changed how it binds: refuse rather than listen on the network
                ray.shutdown()
                raise RagError(f"Ray started on {node_ip}, not on {LOOPBACK} only; stopped it.",
                               "Run `rag index` without --ray, or start a Ray cluster and pass --ray ADDRESS.")
        else:
            _check_reachable(address)
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
    except RagError:
        raise
    except (ConnectionError, ValueError, RuntimeError) as exc:
        with contextlib.suppress(Exception):
            ray.shutdown()
        raise UserInputError(
            f"Cannot {'start a local Ray' if local else f'reach the Ray cluster at {address}'} "
            f"({type(exc).__name__}: {exc}).",
            "Check the address (ray://HEAD:10001 or HEAD:6379) and that the cluster runs, "
            "or pass --ray alone for a Ray on this machine.",
        ) from exc
    try:
        _quiet_ray_data()
        yield max(1, int(ray.cluster_resources().get("CPU", 1)))
    finally:
        ray.shutdown()


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """A refused or silent HOST:PORT fails here in seconds; ray.init would retry for minutes."""
    import socket
    import urllib.parse

    if address == "auto":  # Ray finds a cluster started on this machine
        return
    split = urllib.parse.urlsplit(address if "://" in address else f"gcs://{address}")
    try:
        host, port = split.hostname, split.port or (10001 if split.scheme == "ray" else 6379)
    except ValueError:
        host = port = None
    if not host:
        raise UserInputError(f"--ray {address!r} is not an address.",
                             "Pass HEAD:6379 or ray://HEAD:10001, or --ray alone for a Ray on this machine.")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise UserInputError(
            f"Cannot reach the Ray cluster at {address} ({exc.strerror or type(exc).__name__}).",
            "Check the address (ray://HEAD:10001 or HEAD:6379) and that the cluster runs, "
            "or pass --ray alone for a Ray on this machine.",
        ) from None


def _quiet_ray_data() -> None:
    from ray.data import DataContext

    ctx = DataContext.get_current()
    ctx.print_on_execution_start = False
    # rag's own bar reports the batches as they come back; Ray Data's INFO lines (and its warning that
    # its bars are off) go to its log file in Ray's session folder, as before
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    ctx.enable_progress_bars = False


def pinned_settings(settings: Settings, like) -> Settings:
    """The settings each actor loads its embedder with: the runtime and precision this process chose
    (a node with other CPU features must not choose another int8 recipe), one thread per actor."""
    from .embeddings import resolve_runtime
    from .onnx_embedder import precision_of

    runtime = getattr(like, "runtime", None) or resolve_runtime(settings)
    precision = settings.embed_precision
    if runtime == "onnx":
        precision = precision_of(str(like.name)) or precision
    return replace(settings, embed_runtime=runtime, embed_precision=precision, embed_workers=1, threads=1)


class _EmbedActor:
    """One per Ray worker: loads the embedder once, then embeds batch after batch."""

    def __init__(self, settings: Settings, expected_name: str):
        from .embeddings import load_embedder

        self.embedder = load_embedder(settings)
        if self.embedder.name != expected_name:
            raise RagError(f"A Ray worker loaded {self.embedder.name}, not {expected_name}.",
                           "Install the same corpus-rag and model on every node.")

    def __call__(self, batch: dict) -> dict:
        import time

        texts = [str(t) for t in batch["text"]]
        started = time.process_time()
        vectors = self.embedder.embed(texts)
        # this actor's CPU seconds per text: what a worker costs, whatever else the machine runs
        cpu = np.full(len(texts), (time.process_time() - started) / max(len(texts), 1))
        return {"key": batch["key"], "vector": vectors, "cpu_s": cpu}


class RayEmbedder:
    """The Embedder protocol on a Ray actor pool, with `embed_keyed` for builds (rag/index.py).

    `like` is the in-process embedder of the same settings: its name, dimension and length limit are
    what the manifest records, and every actor checks it loaded the same model and recipe."""

    def __init__(self, settings: Settings, like, workers: int = 0, gpus_per_worker: float | None = None,
                 batch_size: int = BATCH):
        self.name, self.dim, self.max_tokens = like.name, like.dim, like.max_tokens
        self.runtime = getattr(like, "runtime", None)
        self.settings = pinned_settings(settings, like)
        self.workers = workers
        self.gpus_per_worker = gpus_per_worker
        self.batch_size = max(1, int(batch_size))
        self.last_job_cpu_s = 0.0  # the actors' CPU seconds embedding the last job's texts

    def _pool(self, ray) -> tuple[int, float]:
        resources = ray.cluster_resources()
        gpus = self.gpus_per_worker
        if gpus is None:  # a GPU per actor when the cluster has them (the actor then embeds on CUDA)
            gpus = 1.0 if resources.get("GPU", 0) >= 1 else 0.0
        workers = self.workers or max(1, int(resources.get("GPU" if gpus else "CPU", 1) // max(gpus, 1)))
        return workers, gpus

    def embed_keyed(self, keys: Sequence[str], texts: Sequence[str],
                    sink: Callable[[Sequence[str], np.ndarray], None],
                    progress: Callable[[str, int, int], None] | None = None) -> int:
        """Embed `texts` on Ray; `sink(keys, vectors)` receives each batch as it finishes. Returns the count."""
        ray = _import_ray()
        if not ray.is_initialized():
            raise RagError("No Ray session for the embedding job.", "Run it inside rag.ray_embed.ray_session().")
        if len(keys) != len(texts):
            raise ValueError("one key per text")
        if not texts:
            return 0
        workers, gpus = self._pool(ray)
        # longest first, as in-process: the ETA settles early and a torch batch pads little
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        items = [{"key": keys[i], "text": texts[i]} for i in order]
        # at least four batches per actor, so a small job also keeps every actor busy and is written
        # (and resumable) in steps
        batch = max(1, min(self.batch_size, -(-len(items) // (4 * workers))))
        blocks = -(-len(items) // batch)
        workers = min(workers, blocks)
        ds = ray.data.from_items(items, override_num_blocks=blocks).map_batches(
            _EmbedActor,
            fn_constructor_kwargs={"settings": self.settings, "expected_name": self.name},
            batch_size=batch,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=1,
            num_gpus=gpus,
        )
        done, self.last_job_cpu_s = 0, 0.0
        if progress:
            progress("embedding", 0, len(texts))
        try:
            for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
                got = [str(k) for k in batch["key"]]
                sink(got, np.asarray(batch["vector"], dtype=np.float32))
                done += len(got)
                self.last_job_cpu_s += float(np.sum(batch["cpu_s"]))
                if progress:
                    progress("embedding", done, len(texts))
        except ray.exceptions.RayError as exc:
            cause = _rag_cause(exc)
            if cause is not None:
                raise cause from exc
            raise RagError(f"The Ray embedding job failed after {done} of {len(texts)} texts ({type(exc).__name__}: "
                           f"{str(exc).splitlines()[0] if str(exc) else ''}).",
                           "Run `rag index --ray` again: the vectors written so far are kept.") from exc
        return done

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The Embedder protocol: vectors in input order (a texts' duplicates are embedded once)."""
        import hashlib

        texts = list(texts)
        keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
        unique = dict(zip(keys, texts))
        got: dict[str, np.ndarray] = {}

        def sink(batch_keys, vectors):
            got.update(zip(batch_keys, vectors))

        self.embed_keyed(list(unique), list(unique.values()), sink)
        return np.stack([got[k] for k in keys]) if texts else np.zeros((0, self.dim), dtype=np.float32)


def _rag_cause(exc: BaseException) -> RagError | None:
    """The RagError an actor raised (a wrong model, say), out of Ray's wrapping."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, RagError):
            return exc
        cause = getattr(exc, "cause", None)
        exc = cause if isinstance(cause, BaseException) else exc.__cause__
        seen += 1
    return None
