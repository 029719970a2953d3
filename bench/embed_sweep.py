"""Which int8 recipe and runtime embed fastest on this CPU: ONNX Runtime quantisation variants, OpenVINO.

    .venv/bin/python bench/embed_sweep.py [--n 48] [--repeat 3] [--only NAME,...] [--json FILE]

Builds model variants from the cached fp32 export (bench/corpora/variants/, once) and times each on
the same passages in turns (one round of every variant, then the next; medians), on ~240-word-piece
passages and on mixed lengths (16..240, where bucketing matters). Prints word pieces per second (wall
and per CPU-second, which a busy neighbour inflates less), the share of the fp32 and int8 roofs
(bench/roof.py), and the cosine of each variant's vectors to the fp32 model's (mean / min).

Variants (ONNX Runtime unless named):
  fp32            the exported fp32 graph
  dyn-s8-pc       quantize_dynamic, U8S8, per-channel weights, MatMul only (the shipped recipe)
  dyn-s8-pc-rr    the same with reduce_range (7-bit weights: no int16 saturation in vpmaddubsw)
  dyn-s8-pt       per-tensor weights
  dyn-u8-pc       U8U8 (unsigned weights)
  fused-fp32      onnxruntime.transformers optimizer (Attention, SkipLayerNorm, BiasGelu fused)
  fused-dyn-s8-pc the fused graph quantised dynamically (MatMul and Attention -> QAttention)
  static-qdq      quantize_static, QDQ, U8S8, per-channel, calibrated on other passages
  static-qop      the same as QOperator (QLinearMatMul)
  ov-*            OpenVINO's CPU plugin on the fp32 graph / the static QDQ graph (real int8 kernels)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from cpu import cpu_info, describe  # noqa: E402
from embed_throughput import build_passages  # noqa: E402
from roof import roofs, shares  # noqa: E402

VARIANTS_DIR = BENCH / "corpora" / "variants"


def _calibration(tokenizer_file: Path, n: int = 64):
    from onnxruntime.quantization import CalibrationDataReader
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_file))
    tok.no_padding()
    tok.enable_truncation(256)
    uniform, mixed = build_passages(n // 2, 240, seed=7)  # another seed than the timed passages
    feeds = []
    for text in uniform + mixed + ["floods", "What did the Kremlin say about Finland joining NATO?"]:
        ids = np.asarray([tok.encode(text).ids], dtype=np.int64)
        feeds.append({"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)})

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter(feeds)

        def get_next(self):
            return next(self.it, None)

    return Reader()


def build_variants(export_dir: Path, out: Path) -> dict[str, Path]:
    """Write every ONNX variant once; returns name -> file."""
    import onnx
    from onnxruntime.quantization import QuantFormat, QuantType, quantize_dynamic, quantize_static

    out.mkdir(parents=True, exist_ok=True)
    fp32 = export_dir / "model.onnx"
    files = {"fp32": fp32, "dyn-s8-pc": export_dir / "model.int8.onnx"}
    floats = {"DefaultTensorType": onnx.TensorProto.FLOAT}
    dyn = {
        "dyn-s8-pc-rr": dict(per_channel=True, reduce_range=True, weight_type=QuantType.QInt8),
        "dyn-s8-pt": dict(per_channel=False, reduce_range=False, weight_type=QuantType.QInt8),
        "dyn-u8-pc": dict(per_channel=True, reduce_range=False, weight_type=QuantType.QUInt8),
    }
    for name, kw in dyn.items():
        files[name] = out / f"{name}.onnx"
        if not files[name].exists():
            quantize_dynamic(str(fp32), str(files[name]), op_types_to_quantize=["MatMul"], extra_options=floats, **kw)
    fused = out / "fused-fp32.onnx"
    if not fused.exists():
        from onnxruntime.transformers import optimizer

        model = optimizer.optimize_model(str(fp32), model_type="bert", num_heads=12, hidden_size=384, opt_level=1)
        model.save_model_to_file(str(fused))
    files["fused-fp32"] = fused
    files["fused-dyn-s8-pc"] = out / "fused-dyn-s8-pc.onnx"
    if not files["fused-dyn-s8-pc"].exists():
        quantize_dynamic(str(fused), str(files["fused-dyn-s8-pc"]), op_types_to_quantize=["MatMul", "Attention"],
                         per_channel=True, weight_type=QuantType.QInt8, extra_options=floats)
    for name, fmt in (("static-qdq", QuantFormat.QDQ), ("static-qop", QuantFormat.QOperator)):
        files[name] = out / f"{name}.onnx"
        if not files[name].exists():
            quantize_static(str(fp32), str(files[name]), _calibration(export_dir / "tokenizer.json"),
                            quant_format=fmt, op_types_to_quantize=["MatMul"], per_channel=True,
                            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                            extra_options={**floats, "ActivationSymmetric": False})
    return files


class OpenVinoSession:
    """The onnxruntime session interface OnnxEmbedder uses (run), on OpenVINO's CPU plugin."""

    def __init__(self, model_file: Path, threads: int, hint: str = "LATENCY"):
        import openvino as ov

        core = ov.Core()
        config = {"PERFORMANCE_HINT": hint, "INFERENCE_NUM_THREADS": threads}
        self.compiled = core.compile_model(str(model_file), "CPU", config)
        self.request = self.compiled.create_infer_request()
        self.names = {p.get_any_name() for p in self.compiled.inputs}

    def run(self, _outputs, feed):
        result = self.request.infer({k: v for k, v in feed.items() if k in self.names})
        return [result[self.compiled.output(0)]]


def make_embedders(files: dict[str, Path], tokenizer: Path, threads: int, batch: int, ov: bool, workers: int) -> dict:
    from rag.onnx_embedder import OnnxEmbedder

    embedders = {name: OnnxEmbedder(f, tokenizer, name=name, max_tokens=256, batch_size=batch, threads=threads,
                                    workers=workers)
                 for name, f in files.items()}
    if ov:
        try:
            import openvino  # noqa: F401
        except ImportError:
            print("(openvino not installed: `.venv/bin/pip install openvino` to include it)", file=sys.stderr)
            return embedders
        for name in ("fp32", "static-qdq"):
            # one infer request: one batch at a time, on OpenVINO's own threads
            e = OnnxEmbedder(files[name], tokenizer, name=f"ov-{name}", max_tokens=256, batch_size=batch, threads=threads,
                             workers=1)
            e._session = OpenVinoSession(files[name], threads or len(os.sched_getaffinity(0)))
            e._inputs = e._session.names
            embedders[f"ov-{name}"] = e
    return embedders


def timed(fn, texts) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn(texts)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=48, help="passages per set (default 48)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="0: every core this process may use")
    parser.add_argument("--batch", type=int, default=1, help="texts per run (default 1, the engine's)")
    parser.add_argument("--workers", type=int, default=0, help="batches side by side (0: one per core, the engine's)")
    parser.add_argument("--only", default="", help="comma-separated variant names")
    parser.add_argument("--no-openvino", action="store_true")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)

    from rag.model_files import bundled_model_path
    from rag.onnx_embedder import ensure_export

    info = cpu_info()
    print(describe(info), f"| load {os.getloadavg()[0]:.2f}", flush=True)
    export_dir, _ = ensure_export(bundled_model_path())
    files = build_variants(export_dir, VARIANTS_DIR)
    embedders = make_embedders(files, export_dir / "tokenizer.json", args.threads, args.batch, not args.no_openvino,
                                args.workers)
    if args.only:
        keep = set(args.only.split(","))
        embedders = {k: v for k, v in embedders.items() if k in keep or k == "fp32"}
    uniform, mixed = build_passages(args.n, 240)
    sets = {"uniform": uniform, "mixed": mixed}
    tok = embedders["fp32"]._tokenizer
    tokens = {k: sum(len(e.ids) for e in tok.encode_batch(v)) for k, v in sets.items()}
    seq = tokens["uniform"] / len(uniform)
    roof = roofs(info, seq)

    reference = embedders["fp32"].embed(uniform + mixed)
    quality = {}
    for name, e in embedders.items():
        e.embed(uniform[: args.batch])  # warm-up
        sims = np.sum(e.embed(uniform + mixed) * reference, axis=1)
        quality[name] = (float(sims.mean()), float(sims.min()))

    names = list(embedders)
    runs = {n: {k: [] for k in sets} for n in names}
    for r in range(args.repeat):
        for name in names[r % len(names):] + names[: r % len(names)]:
            for k, texts in sets.items():
                runs[name][k].append(timed(embedders[name].embed, texts))
    load = os.getloadavg()[0]

    rows = {}
    print(f"\n{len(uniform)} passages ~{seq:.0f} word pieces + {len(mixed)} mixed; batch {args.batch}, workers "
          f"{args.workers or 'one per core'}, threads {args.threads or 'cores / workers'}; {args.repeat} rounds "
          f"(median); load at end {load:.2f}")
    print(f"roofs at {seq:.0f} word pieces ({roof['mflop_per_token']} MFLOP/token, {roof['cores']} cores x "
          f"{roof['ghz']} GHz x {roof['flop_per_cycle']}): fp32 {roof['fp32_tokens_per_s']:.0f}, int8 "
          f"{roof['int8_tokens_per_s']:.0f} tokens/s\n")
    print(f"{'variant':18} {'tok/s':>7} {'tok/cpu-s':>10} {'mixed tok/s':>11} {'vs fp32':>8} {'fp32 roof':>9} "
          f"{'int8 roof':>9} {'cos mean/min':>14}")
    base = statistics.median(tokens["uniform"] / w for w, _ in runs["fp32"]["uniform"])
    for name in names:
        u = statistics.median(tokens["uniform"] / w for w, _ in runs[name]["uniform"])
        ucpu = statistics.median(tokens["uniform"] / c * roof["cores"] for _, c in runs[name]["uniform"] if c > 0)
        m = statistics.median(tokens["mixed"] / w for w, _ in runs[name]["mixed"])
        s = shares(u, roof)
        rows[name] = {"tokens_per_s": u, "tokens_per_cpu_s_x_cores": ucpu, "mixed_tokens_per_s": m,
                      "vs_fp32": u / base, "roof_share": s, "cosine_vs_fp32": quality[name]}
        print(f"{name:18} {u:7.0f} {ucpu:10.0f} {m:11.0f} {u / base:7.2f}x {s['fp32']:9.1%} {s['int8']:9.1%} "
              f"{quality[name][0]:.4f}/{quality[name][1]:.4f}")
    figures = {"cpu": info, "roof": roof, "load_end": load, "batch": args.batch, "threads": args.threads,
               "tokens": tokens, "variants": rows}
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
