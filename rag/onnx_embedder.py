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
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from .config import DEFAULT_EMBED_MODEL, Settings, offline_environment
from .errors import RagError, UserInputError
from .model_files import max_seq_length, resolve_model

log = logging.getLogger(__name__)

# Bump whenever the export or quantization recipe changes: it is part of the cache key.
EXPORT_VERSION = 1
PRECISIONS = {"int8": "model.int8.onnx", "fp32": "model.onnx"}
META_FILE = "export.json"
TOKENIZER_FILE = "tokenizer.json"
_INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
_OUTPUT_NAME = "last_hidden_state"
# Measured on MiniLM against the torch vectors (mean / min cosine over news passages and queries):
#   per-tensor weights 0.948 / 0.923; per-tensor + reduce_range 0.825 / 0.761;
#   per-channel 0.994 / 0.988; per-channel, MatMul only (embedding tables kept fp32) 0.995 / 0.991.
# reduce_range (7-bit weights) only matters on CPUs without VNNI, where u8s8 products can saturate;
# with per-channel weights it cost 0.001 mean cosine here, so it stays off.
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
    quantize_dynamic(
        str(fp32),
        str(out / PRECISIONS["int8"]),
        weight_type=QuantType.QInt8,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        **QUANTIZATION,
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
    if results["fp32"] < 0.999 or results["int8"] < 0.97:
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


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class OnnxEmbedder:
    """The Embedder protocol on onnxruntime: length-sorted batches, mean pooling, L2-normalised float32."""

    runtime = "onnx"

    def __init__(
        self,
        model_file: Path,
        tokenizer_file: Path,
        name: str,
        max_tokens: int,
        batch_size: int = 8,
        threads: int = 0,
    ):
        offline_environment()
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.name = name
        self.max_tokens = int(max_tokens)
        self.batch_size = max(1, int(batch_size))
        self.model_file = Path(model_file)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads if threads > 0 else _cpu_count()
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(model_file), sess_options=options, providers=["CPUExecutionProvider"]
        )
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
        cache_dir: str | Path = "",
    ) -> "OnnxEmbedder":
        """The embedder for a sentence-transformers model name or directory, exporting it on first use
        into `cache_dir` (Settings.onnx_cache; empty: the default cache)."""
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
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
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
        return _normalize(out)


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
