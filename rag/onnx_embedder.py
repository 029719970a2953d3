"""Embeddings on onnxruntime + tokenizers: the model is exported once to int8 ONNX, no torch at query time.

The export (torch, transformers, onnx quantization) runs once per model directory and is cached under
`~/.cache/corpus-rag/onnx/` (or Settings.onnx_cache, `$RAG_ONNX_CACHE`). Everything a searching process needs afterwards is
onnxruntime, tokenizers and numpy, which import in a fraction of the time torch takes.

    python -m rag.onnx_embedder --export     # export the bundled model into the cache (idempotent)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from .config import DEFAULT_EMBED_MODEL, Settings, offline_environment
from .errors import RagError, UserInputError
from .model_files import max_seq_length, resolve_model

log = logging.getLogger(__name__)

# Bump whenever the export or quantization recipe changes: it is part of the cache key.
# 2: a second int8 file with reduce_range (7-bit weights), the one CPUs without VNNI run.
EXPORT_VERSION = 2
PRECISIONS = {"int8": "model.int8.onnx", "int8-rr": "model.int8-rr.onnx", "fp32": "model.onnx"}
META_FILE = "export.json"
TOKENIZER_FILE = "tokenizer.json"
_INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
_OUTPUT_NAME = "last_hidden_state"
# Measured on MiniLM against the torch vectors (mean / min cosine over news passages and queries):
#   per-tensor weights 0.948 / 0.923; per-tensor + reduce_range 0.825 / 0.761;
#   per-channel 0.994 / 0.988; per-channel, MatMul only (embedding tables kept fp32) 0.995 / 0.991.
# reduce_range (7-bit weights) only matters on CPUs without VNNI, where vpmaddubsw sums pairs of u8 x s8
# products into int16 and saturates (255 x 127 x 2 > 32767; with 7-bit weights 255 x 63 x 2 fits). On a
# VNNI CPU it cost 0.001 mean cosine; on an AVX2-only EPYC it gained 0.0024 mean cosine to fp32 (0.9919
# -> 0.9943, min 0.9897 -> 0.9917, seed chunks) at the same CPU time, and the seeds' dense dev-set MRR
# went from 0.972 back to fp32's 1.0. So both are exported and choose_precision picks one per CPU.
# On the AVX2-only EPYC (bench/embed_sweep.py) U8U8 weights ran at 0.75x, per-tensor weights cost 0.04
# mean cosine, and static quantization (QDQ or QOperator, activations calibrated) 0.07. Fusing
# attention, LayerNorm and GELU first (onnxruntime.transformers, QAttention) ran 1.2-1.4x at batch 8
# on two threads but 0.87-1.05x (the same per CPU-second) at the engine's batch of one text per core,
# so the plain graph is kept: dynamic, per-channel, U8S8, MatMul only.
QUANTIZATION = {"per_channel": True, "reduce_range": False, "op_types_to_quantize": ["MatMul"]}


def cache_root(cache_dir: str | Path = "") -> Path:
    """Where exported models live: `cache_dir` (Settings.onnx_cache), else ~/.cache/corpus-rag/onnx."""
    if str(cache_dir):
        return Path(cache_dir).expanduser()
    return Path.home() / ".cache" / "corpus-rag" / "onnx"


def _weights_file(model_dir: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (model_dir / name).exists():
            return model_dir / name
    raise UserInputError(
        f"No model.safetensors or pytorch_model.bin in {model_dir}.",
        "Point RAG_EMBED_MODEL at a complete sentence-transformers model directory.",
    )


def _transformer_dir(model_dir: Path) -> Path:
    """The folder holding the transformer module's config and weights; checks the pooling is mean."""
    modules_file = model_dir / "modules.json"
    if not modules_file.exists():
        return model_dir  # a plain transformers directory: sentence-transformers would mean-pool it
    modules = json.loads(modules_file.read_text())
    transformer = model_dir
    for module in modules:
        kind = module.get("type", "")
        path = model_dir / module.get("path", "")
        if kind.endswith("models.Transformer"):
            transformer = path
        elif kind.endswith("models.Pooling"):
            pooling = json.loads((path / "config.json").read_text())
            modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
            if modes != ["pooling_mode_mean_tokens"]:
                raise UserInputError(
                    f"The ONNX runtime supports mean pooling only; {model_dir} uses {modes}.",
                    "Use RAG_EMBED_RUNTIME=torch for this model.",
                )
        elif not kind.endswith(("models.Normalize", "models.Transformer")):
            raise UserInputError(
                f"The ONNX runtime cannot run the {kind} module of {model_dir}.",
                "Use RAG_EMBED_RUNTIME=torch for this model.",
            )
    return transformer


def export_key(model_dir: Path) -> str:
    """Cache key: the model directory, its weights' size and mtime, and the export recipe version."""
    model_dir = Path(model_dir).resolve()
    weights = _weights_file(_transformer_dir(model_dir))
    st = weights.stat()
    raw = f"{model_dir}\0{st.st_size}\0{st.st_mtime_ns}\0v{EXPORT_VERSION}"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def export_dir_for(model_dir: Path, cache_dir: str | Path = "") -> Path:
    """The cache directory an export of `model_dir` lives in (it may not exist yet)."""
    return cache_root(cache_dir) / export_key(model_dir)


def is_exported(out_dir: Path) -> bool:
    """True when `out_dir` holds a complete export (the metadata file is written last)."""
    out_dir = Path(out_dir)
    return (out_dir / META_FILE).exists() and all((out_dir / f).exists() for f in PRECISIONS.values())


def export_onnx(model_dir: Path, out_dir: Path) -> Path:
    """Export `model_dir` to fp32 and int8 ONNX in `out_dir`, atomically; returns `out_dir`.

    The files are built in a temporary sibling directory that is renamed into place, so a reader never
    sees half an export; when another process finishes first, its export is kept and ours discarded.
    """
    model_dir, out_dir = Path(model_dir).resolve(), Path(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(out_dir)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    except OSError as exc:
        raise RagError(
            f"Cannot write the ONNX cache in {out_dir.parent} ({exc.strerror}).",
            "Set RAG_ONNX_CACHE to a writable directory.",
        ) from exc
    try:
        _export_into(model_dir, tmp)
        if out_dir.exists() and not is_exported(out_dir):
            log.warning("Replacing an incomplete ONNX export in %s", out_dir)
            shutil.rmtree(out_dir, ignore_errors=True)
        try:
            os.rename(tmp, out_dir)
        except OSError:
            if not is_exported(out_dir):
                raise
            log.info("Another process exported %s first; keeping its files", out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def _remove_stale_temps(out_dir: Path, max_age_s: float = 3600) -> None:
    # A killed export leaves its temporary directory; a live one writes to it every few seconds.
    cutoff = time.time() - max_age_s
    for tmp in out_dir.parent.glob(f".{out_dir.name}.tmp-*"):
        try:
            if tmp.stat().st_mtime < cutoff:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass  # another process removed it first


def _export_into(model_dir: Path, out: Path) -> None:
    started = time.perf_counter()
    offline_environment()
    try:
        import warnings

        import onnx
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from onnxruntime.quantization.shape_inference import quant_pre_process
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise RagError(
            f"Exporting to ONNX needs torch, transformers and onnx ({exc}).",
            "Run `make setup`, or use RAG_EMBED_RUNTIME=torch.",
        ) from exc

    transformer_dir = _transformer_dir(model_dir)
    weights = _weights_file(transformer_dir)
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # a "Loading weights" bar is noise in a one-line export message
    try:
        # Eager attention traces to plain MatMul/Softmax, which the quantizer and ORT's fusions understand.
        model = AutoModel.from_pretrained(str(transformer_dir), attn_implementation="eager").eval()
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    dim = int(model.config.hidden_size)

    class _Encoder(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    encoder = _Encoder(model).eval()
    # Two rows, one padded, so nothing about batch size, length or padding is traced as a constant.
    ids = torch.tensor([[101, 7592, 2088, 2003, 102], [101, 7592, 102, 0, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    dynamic = {name: {0: "batch", 1: "sequence"} for name in (*_INPUT_NAMES, _OUTPUT_NAME)}
    raw = out / "raw.onnx"
    with warnings.catch_warnings(), torch.inference_mode():
        # The legacy TorchScript exporter: the dynamo one needs onnxscript, which we do not ship.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            encoder,
            (ids, mask, torch.zeros_like(ids)),
            str(raw),
            input_names=list(_INPUT_NAMES),
            output_names=[_OUTPUT_NAME],
            dynamic_axes=dynamic,
            opset_version=17,
            do_constant_folding=True,
            dynamo=False,
        )
    fp32 = out / PRECISIONS["fp32"]
    # Constant folding and shape inference before quantizing; symbolic shape inference cannot follow
    # the traced attention mask, and is not needed for dynamic quantization.
    quant_pre_process(str(raw), str(fp32), skip_symbolic_shape=True)
    raw.unlink()
    for precision, reduce_range in (("int8", False), ("int8-rr", True)):
        quantize_dynamic(
            str(fp32),
            str(out / PRECISIONS[precision]),
            weight_type=QuantType.QInt8,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            **{**QUANTIZATION, "reduce_range": reduce_range},
        )
    _copy_tokenizer(transformer_dir, model_dir, out)
    checks = _check_against_torch(model, out)
    st = weights.stat()
    meta = {
        "export_version": EXPORT_VERSION,
        "model_dir": str(model_dir),
        "weights": {"file": weights.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns},
        "dim": dim,
        "max_seq_length": max_seq_length(model_dir),
        "quantization": {"weight_type": "QInt8", **QUANTIZATION},
        "cosine_to_torch": checks,
        "versions": {"torch": torch.__version__, "onnx": onnx.__version__, "onnxruntime": _ort_version()},
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=2))  # last: its presence marks a complete export


def _ort_version() -> str:
    import onnxruntime

    return onnxruntime.__version__


def _copy_tokenizer(transformer_dir: Path, model_dir: Path, out: Path) -> None:
    for folder in (transformer_dir, model_dir):
        if (folder / TOKENIZER_FILE).exists():
            shutil.copyfile(folder / TOKENIZER_FILE, out / TOKENIZER_FILE)
            return
    from transformers import AutoTokenizer  # converts a slow (vocab.txt) tokenizer to tokenizer.json

    tok = AutoTokenizer.from_pretrained(str(transformer_dir))
    if not getattr(tok, "is_fast", False):
        raise UserInputError(f"No fast tokenizer available for {model_dir}.", "Use RAG_EMBED_RUNTIME=torch.")
    tok.backend_tokenizer.save(str(out / TOKENIZER_FILE))


_CHECK_TEXTS = [
    "The central bank raised interest rates by a quarter point on Tuesday.",
    "floods",
    "Officials said the ceasefire talks would resume next week in Geneva, though neither side "
    "has agreed on the terms for prisoner exchanges or the withdrawal of heavy weapons.",
]


def _check_against_torch(model, out: Path) -> dict[str, float]:
    """Cosine of each export to the torch model on a padded batch; a broken trace fails loudly here."""
    import torch

    results = {}
    for precision, file in PRECISIONS.items():
        emb = OnnxEmbedder(out / file, out / TOKENIZER_FILE, name="check", max_tokens=256, batch_size=8)
        got = emb.embed(_CHECK_TEXTS)
        ids, mask = emb._encode_padded(_CHECK_TEXTS)
        with torch.inference_mode():
            hidden = model(
                input_ids=torch.from_numpy(ids),
                attention_mask=torch.from_numpy(mask),
                token_type_ids=torch.zeros_like(torch.from_numpy(ids)),
            ).last_hidden_state.numpy()
        want = _normalize(_mean_pool(hidden, mask))
        results[precision] = round(float(np.min(np.sum(got * want, axis=1))), 5)
    if results["fp32"] < 0.999 or min(results["int8"], results["int8-rr"]) < 0.97:
        raise RagError(
            f"The ONNX export does not reproduce the torch model (min cosine {results}).",
            "Use RAG_EMBED_RUNTIME=torch and report this with your torch/transformers versions.",
        )
    return results


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask.astype(np.float32)
    summed = np.einsum("bld,bl->bd", hidden, weights)
    return summed / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)


def _normalize(vecs: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return (vecs / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


def ensure_export(model_dir: Path, cache_dir: str | Path = "") -> tuple[Path, bool]:
    """(export directory, whether it was created now): exports only when the cache has no copy."""
    out_dir = export_dir_for(model_dir, cache_dir)
    if is_exported(out_dir):
        return out_dir, False
    log.info("Exporting %s to ONNX in %s (once per model)", model_dir, out_dir)
    return export_onnx(model_dir, out_dir), True


# CPU flags (/proc/cpuinfo "flags" on x86, "Features" on ARM). Int8 products that accumulate in int32
# exactly: VNNI's vpdpbusd, AMX tiles, ARM's sdot/udot (asimddp) -> "int8". AVX2 (or AVX-512 without
# VNNI) has vpmaddubsw, whose int16 pair sums saturate -> "int8-rr" (7-bit weights; see QUANTIZATION;
# measured on an AVX2-only EPYC: 1.5-1.6x fp32, bench/embed_sweep.py). Without either, onnxruntime's
# int8 kernels widen to 16-bit multiplies, for little speed over fp32 FMA and ~0.01 cosine (not
# measured: no such CPU here) -> "fp32".
EXACT_INT8_FLAGS = frozenset({"avx512_vnni", "avx512vnni", "avx_vnni", "amx_int8", "asimddp"})
SATURATING_INT8_FLAGS = frozenset({"avx2", "avx512bw"})
DEFAULT_BATCH = 1  # Settings.embed_batch_size 0: each text alone, batches side by side (config.py)


def cpu_flags(cpuinfo: str | None = None) -> frozenset[str] | None:
    """The first processor's feature flags from /proc/cpuinfo (or the text given); None if unknown."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:
            return None
    for line in cpuinfo.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in ("flags", "features"):
            return frozenset(value.split())
    return None


def choose_precision(flags: frozenset[str] | set[str] | None) -> str:
    """The ONNX precision for a CPU with these flags: "int8", "int8-rr" or "fp32" (see EXACT_INT8_FLAGS).

    Unknown flags (not Linux) keep "int8", the default before the choice was made per CPU."""
    if flags is None:
        return "int8"
    flags = set(flags)
    if flags & EXACT_INT8_FLAGS:
        return "int8"
    return "int8-rr" if flags & SATURATING_INT8_FLAGS else "fp32"


def auto_precision(onnx_providers: Sequence[str] | None = None, flags: frozenset[str] | None = None) -> str:
    """Settings.embed_precision "auto": fp32 on CUDA (onnxruntime's CUDA provider runs the dynamic int8
    operators on the CPU, between copies), else the CPU's choice (choose_precision)."""
    from .embeddings import choose_device

    if onnx_providers is None:
        import onnxruntime

        onnx_providers = onnxruntime.get_available_providers()
    if choose_device("onnx", onnx_providers, torch_cuda=False) == "cuda":
        return "fp32"
    return choose_precision(cpu_flags() if flags is None else flags)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask on Linux)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def precision_of(name: str) -> str | None:
    """The ONNX precision an embedder's name carries ("...#onnx-int8-rr" -> "int8-rr"), or None."""
    return name.rsplit("#onnx-", 1)[1] if "#onnx-" in name else None


class OnnxEmbedder:
    """The Embedder protocol on onnxruntime: length-sorted batches, mean pooling, L2-normalised float32.

    Batches run on `workers` threads at once (default: one per core), each batch single-threaded
    inside onnxruntime: a MiniLM batch is too small to split across cores well (on an AVX2 EPYC, one
    batch on two threads ran at 0.7-0.8x the speed of two batches side by side), and a busy neighbour
    on one core then slows one batch, not every one."""

    runtime = "onnx"

    def __init__(
        self,
        model_file: Path,
        tokenizer_file: Path,
        name: str,
        max_tokens: int,
        batch_size: int = 8,
        threads: int = 0,
        workers: int = 0,
    ):
        offline_environment()
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.name = name
        self.max_tokens = int(max_tokens)
        self.batch_size = max(1, int(batch_size))
        self.model_file = Path(model_file)
        self.workers = workers if workers > 0 else usable_cpus()
        self._pool = None
        self._pool_lock = threading.Lock()
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # threads: onnxruntime's threads per batch; 0: the cores left to each worker
        options.intra_op_num_threads = threads if threads > 0 else max(1, usable_cpus() // self.workers)
        options.inter_op_num_threads = 1
        from .embeddings import CUDA_PROVIDER, choose_device

        self.device = choose_device("onnx", ort.get_available_providers(), torch_cuda=False)
        providers = [CUDA_PROVIDER, "CPUExecutionProvider"] if self.device == "cuda" else ["CPUExecutionProvider"]
        self._session = ort.InferenceSession(str(model_file), sess_options=options, providers=providers)
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dim = int(self._session.get_outputs()[0].shape[-1])
        # Configured once here and only read afterwards, so embed() can run in many threads without a lock.
        # tokenizer.json may carry its own padding/truncation (MiniLM's pads to 128): replace both.
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_tokens)

    @classmethod
    def for_model(
        cls, model: str = DEFAULT_EMBED_MODEL, batch_size: int = 8, threads: int = 0, precision: str = "int8",
        cache_dir: str | Path = "", workers: int = 0,
    ) -> "OnnxEmbedder":
        """The embedder for a sentence-transformers model name or directory, exporting it on first use
        into `cache_dir` (Settings.onnx_cache; empty: the default cache). precision "auto": from the CPU."""
        if precision == "auto":
            precision = auto_precision()
        if precision not in PRECISIONS:
            raise UserInputError(
                f"Unknown ONNX precision {precision!r}.", f"Use one of: {', '.join(PRECISIONS)}."
            )
        model_id, local = resolve_model(model)
        if local is None:
            raise UserInputError(
                f"The ONNX runtime needs a local model directory; {model!r} is not one.",
                "Use the bundled default, a local directory, or RAG_EMBED_RUNTIME=torch.",
            )
        out_dir, _ = ensure_export(local, cache_dir)
        # Vectors from the two runtimes differ slightly: the suffix keeps them out of one index.
        return cls(
            out_dir / PRECISIONS[precision],
            out_dir / TOKENIZER_FILE,
            name=f"{model_id}#onnx-{precision}",
            max_tokens=max_seq_length(local),
            batch_size=batch_size,
            threads=threads,
            workers=workers,
        )

    def _encode_padded(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        encodings = self._tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        return ids, mask

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text, in input order."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        # Longest first, so each batch pads to a similar length: padding is most of the cost otherwise.
        order = np.argsort(-lengths, kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        batches = [order[start : start + self.batch_size] for start in range(0, len(texts), self.batch_size)]

        def run(rows: np.ndarray) -> None:  # each call writes its own rows of `out`
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for r, i in enumerate(rows):
                n = lengths[i]
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self._session.run([_OUTPUT_NAME], {k: v for k, v in feed.items() if k in self._inputs})[0]
            out[rows] = _mean_pool(hidden, mask)

        if self.workers > 1 and len(batches) > 1:
            list(self._executor().map(run, batches))  # list(): re-raises a batch's exception here
        else:
            for rows in batches:
                run(rows)
        return _normalize(out)

    def _executor(self):
        # onnxruntime releases the GIL in run() and a session may run concurrently from many threads
        with self._pool_lock:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="onnx-embed")
            return self._pool


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m rag.onnx_embedder --export`: export a model into the cache and print where it is."""
    parser = argparse.ArgumentParser(prog="python -m rag.onnx_embedder", description=__doc__.splitlines()[0])
    parser.add_argument("--export", action="store_true", help="export the model into the ONNX cache")
    parser.add_argument("--model", default=DEFAULT_EMBED_MODEL, help="model name or directory (default: bundled)")
    args = parser.parse_args(argv)
    if not args.export:
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    offline_environment()
    try:
        cache_dir = Settings.from_env().onnx_cache
        _, local = resolve_model(args.model)
        if local is None:
            raise UserInputError(f"{args.model!r} is not a local model directory.", "Pass --model DIR.")
        started = time.perf_counter()
        out_dir, created = ensure_export(local, cache_dir)
    except RagError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(exc.hint, file=sys.stderr)
        return exc.exit_code
    if created:
        print(f"Exported {local} to {out_dir} in {time.perf_counter() - started:.0f}s")
    else:
        print(f"Already exported: {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
