"""Embedding throughput: torch sentence-transformers against the ONNX export (fp32 and int8).

    .venv/bin/python bench/embed_throughput.py --n 200 --threads 2 [--repeat 3] [--json FILE]

Passages are built from seeds/*.txt (sentences shuffled with a fixed seed, cut to ~240 word pieces);
a second, mixed-length set cuts the same passages to 16..240 word pieces, where length sorting matters.
Configurations are timed in turns (one round of every configuration, then the next round) so a noisy
neighbour hurts them all alike; the table shows medians. Each row also gives word pieces embedded per
second and that rate as a share of the CPU's fp32 and int8 roofs (bench/roof.py: MiniLM-L6's FLOP per
token at the passages' length, cores x clock x FLOP/cycle of the widest SIMD), by wall clock and per
CPU-second used (x cores: what the process would reach with every core to itself; a busy neighbour
lowers the wall figure, not this one). The figures go to the last stdout line as JSON, or to --json FILE.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # runnable from a checkout without installing the package
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from rag.config import DEFAULT_EMBED_MODEL  # noqa: E402
from rag.embeddings import bundled_model_path  # noqa: E402

QUERY = "What did the Kremlin say about Finland joining NATO?"
BASELINE = "torch sentence-transformers encode (batch 32)"  # the library's defaults: what "before" means
ENGINE = "onnx engine default"  # what load_embedder gives the engine (precision chosen from the CPU)


def build_passages(n: int, tokens: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """(n passages of ~`tokens` word pieces, the same passages cut to random lengths 16..tokens)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?”])\s+", text) if len(s.split()) >= 4]
    rng = random.Random(seed)
    uniform, mixed = [], []
    for _ in range(n):
        pool = sentences[:]
        rng.shuffle(pool)
        body = " ".join(pool[:40])  # comfortably more than `tokens` word pieces
        enc = tok.encode(body)
        offsets = [o for o, special in zip(enc.offsets, enc.special_tokens_mask) if not special]
        uniform.append(body[: offsets[min(tokens, len(offsets)) - 1][1]])
        cut = rng.randint(16, tokens)
        mixed.append(body[: offsets[min(cut, len(offsets)) - 1][1]])
    return uniform, mixed


class TorchRunner:
    """sentence-transformers, batched three ways: its own encode, input order, token-length order."""

    def __init__(self, threads: int, batch_size: int):
        import torch
        from sentence_transformers import SentenceTransformer

        if threads > 0:
            torch.set_num_threads(threads)
        self.model = SentenceTransformer(str(bundled_model_path()), device="cpu")
        self.batch_size = batch_size

    def _encode(self, texts, batch_size):
        return self.model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )

    def default(self, texts):
        # encode() sorts by character length internally; that is the library's default behaviour.
        return self._encode(texts, self.batch_size)

    def input_order(self, texts):
        # One encode() call per batch of the input as it comes: no sorting across batches.
        b = self.batch_size
        return np.vstack([self._encode(texts[i : i + b], b) for i in range(0, len(texts), b)])

    def token_sorted(self, texts):
        lengths = [len(e) for e in self.model.tokenizer(texts, truncation=True, max_length=256)["input_ids"]]
        order = np.argsort(-np.asarray(lengths), kind="stable")
        b = self.batch_size
        batches = [order[i : i + b] for i in range(0, len(texts), b)]
        parts = [(rows, self._encode([texts[j] for j in rows], b)) for rows in batches]
        out = np.empty((len(texts), parts[0][1].shape[1]), dtype=np.float32)
        for rows, vecs in parts:
            out[rows] = vecs
        return out


def rate(fn, texts) -> tuple[float, float]:
    """(passages per second of wall clock, passages per CPU-second of this process)."""
    started, cpu = time.perf_counter(), time.process_time()
    fn(texts)
    return len(texts) / (time.perf_counter() - started), len(texts) / max(time.process_time() - cpu, 1e-9)


def latency_ms(fn, reps: int) -> float:
    fn([QUERY])  # warm
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        fn([QUERY])
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def cosines(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    sims = np.sum(a * b, axis=1)
    return float(sims.mean()), float(sims.min())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="passages per run (default 200)")
    parser.add_argument("--tokens", type=int, default=240, help="word pieces per passage (default 240)")
    parser.add_argument("--threads", type=int, default=0, help="threads for torch and onnxruntime (0: all cores)")
    parser.add_argument("--batch-size", type=int, default=32, help="sentence-transformers' default batch (the baseline)")
    parser.add_argument("--engine-batch", type=int, default=0, help="the engine's batch (default: Settings().embed_batch_size)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds per configuration (median shown)")
    parser.add_argument("--json", metavar="FILE", help="write the figures here instead of stdout's last line")
    args = parser.parse_args(argv)

    from cpu import cpu_info, describe
    from roof import roofs, shares

    from rag.config import Settings
    from rag.onnx_embedder import DEFAULT_BATCH, OnnxEmbedder, choose_precision, cpu_flags, ensure_export

    info = cpu_info()
    uniform, mixed = build_passages(args.n, args.tokens)
    started = time.perf_counter()
    export_dir, created = ensure_export(bundled_model_path())
    export_s = time.perf_counter() - started

    engine_batch = args.engine_batch or Settings().embed_batch_size or DEFAULT_BATCH
    torch_batch = 8  # rag.embeddings.TORCH_BATCH
    chosen = choose_precision(cpu_flags())
    torch_runner = TorchRunner(args.threads, args.batch_size)
    # (precision, batch, workers): workers 1 is one batch at a time on every thread (the recipe before
    # bench/embed_sweep.py); 0 is the engine's default, batches side by side, one per core
    onnx = {
        key: OnnxEmbedder.for_model(DEFAULT_EMBED_MODEL, key[1], args.threads if key[2] == 1 else 0,
                                    precision=key[0], workers=key[2])
        for key in (("fp32", engine_batch, 0), ("int8", args.batch_size, 1), ("int8", 8, 1), (chosen, engine_batch, 0))
    }
    configs = {
        BASELINE: torch_runner.default,
        "torch, batches in input order": torch_runner.input_order,
        "torch, sorted by token length": torch_runner.token_sorted,
        f"torch encode, batch {torch_batch}": lambda texts: torch_runner._encode(texts, torch_batch),
        f"onnx fp32, batch {engine_batch} x cores": onnx[("fp32", engine_batch, 0)].embed,
        f"onnx int8, batch {args.batch_size} on all threads": onnx[("int8", args.batch_size, 1)].embed,
        "onnx int8, batch 8 on all threads": onnx[("int8", 8, 1)].embed,
        ENGINE: onnx[(chosen, engine_batch, 0)].embed,
    }
    for fn in configs.values():  # warm-up: first calls allocate and pick kernels
        fn(uniform[: args.batch_size])

    rates: dict[str, dict[str, list[float]]] = {k: {"uniform": [], "mixed": []} for k in configs}
    cpu_rates: dict[str, list[float]] = {k: [] for k in configs}
    names = list(configs)
    load_start = os.getloadavg()[0]
    for round_ in range(args.repeat):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:  # rotate who goes first
            wall, per_cpu = rate(configs[name], uniform)
            rates[name]["uniform"].append(wall)
            cpu_rates[name].append(per_cpu)
            rates[name]["mixed"].append(rate(configs[name], mixed)[0])
    load_end = os.getloadavg()[0]

    reference = torch_runner.default(uniform + mixed + [QUERY])
    quality = {f"{p}, batch {b}{' x cores' if w == 0 else ''}": cosines(e.embed(uniform + mixed + [QUERY]), reference)
               for (p, b, w), e in onnx.items()}
    latency = {
        "torch": latency_ms(torch_runner.default, 20),
        "onnx fp32": latency_ms(onnx[("fp32", engine_batch, 0)].embed, 20),
        f"onnx {chosen} (engine)": latency_ms(onnx[(chosen, engine_batch, 0)].embed, 20),
    }
    tok = onnx[("fp32", engine_batch, 0)]._tokenizer  # truncates at the model's 256, like every runtime here
    tokens = {k: sum(len(e.ids) for e in tok.encode_batch(v)) for k, v in (("uniform", uniform), ("mixed", mixed))}
    per_passage = {k: tokens[k] / args.n for k in tokens}
    roof = roofs(info, per_passage["uniform"])

    med = {k: {w: statistics.median(v) for w, v in r.items()} for k, r in rates.items()}
    best = {k: {w: max(v) for w, v in r.items()} for k, r in rates.items()}
    base, base_best = (x[BASELINE]["uniform"] for x in (med, best))
    print(f"{args.n} passages of ~{args.tokens} word pieces (mixed: 16..{args.tokens}), library batch {args.batch_size}, "
          f"engine batch {engine_batch}, "
          f"threads {args.threads or os.cpu_count()}, {args.repeat} rounds: median (best)")
    print(f"ONNX export: {export_dir} ({'created' if created else 'cached'}, {export_s:.1f}s)")
    print(f"{describe(info)}; engine precision {chosen}; load average {load_start:.2f} at the start, {load_end:.2f} at the end")
    print(f"roofs at {per_passage['uniform']:.0f} word pieces: {roof['mflop_per_token']} MFLOP/token (bench/roof.py); "
          f"{roof['cores']} cores x {roof['ghz']} GHz x {roof['flop_per_cycle']['fp32']} (fp32) / "
          f"{roof['flop_per_cycle']['int8']} (int8) per cycle = {roof['fp32_tokens_per_s']:.0f} / "
          f"{roof['int8_tokens_per_s']:.0f} word pieces/s")
    print()
    print(f"{'configuration':44} {'uniform p/s':>14} {'mixed p/s':>14} {'vs torch':>14} {'tok/s':>6} "
          f"{'fp32/int8 roof':>14} {'per CPU-s x cores: tok/s, int8 roof':>36}")
    token_rates = {}
    for name, m in med.items():
        b = best[name]
        tps = m["uniform"] * per_passage["uniform"]
        cpu_tps = statistics.median(cpu_rates[name]) * per_passage["uniform"] * roof["cores"]
        s, sc = shares(tps, roof), shares(cpu_tps, roof)
        token_rates[name] = {"tokens_per_s": tps, "mixed_tokens_per_s": m["mixed"] * per_passage["mixed"],
                             "roof_share": s, "tokens_per_cpu_s_x_cores": cpu_tps, "roof_share_per_cpu_s": sc}
        print(
            f"{name:44} {m['uniform']:6.1f} ({b['uniform']:5.1f}) {m['mixed']:6.1f} ({b['mixed']:5.1f})"
            f" {m['uniform'] / base:6.2f}x ({b['uniform'] / base_best:4.2f}x) {tps:6.0f} {s['fp32']:6.0%} / {s['int8']:4.0%}"
            f" {cpu_tps:24.0f}, {sc['int8']:4.0%}"
        )
    print()
    print(f"{'single query latency':44} " + "  ".join(f"{k} {v:.1f} ms" for k, v in latency.items()))
    for p, (mean, low) in quality.items():
        print(f"{'cosine onnx ' + p + ' vs torch':44} mean {mean:.4f}  min {low:.4f}")

    figures = {
        "n": args.n,
        "tokens": args.tokens,
        "threads": args.threads,
        "batch_size": args.batch_size,
        "engine_batch_size": engine_batch,
        "baseline": BASELINE,
        "engine_default": ENGINE,
        "repeat": args.repeat,
        "passages_per_s": med,
        "passages_per_s_best": best,
        "passages_per_s_rounds": rates,
        "query_latency_ms": latency,
        "tokens_total": tokens,
        "tokens_per_s": token_rates,
        "roof": roof,
        "cpu": info,
        "engine_precision": chosen,
        "loadavg": [load_start, load_end],
        "cosine_vs_torch": {p: {"mean": m, "min": lo} for p, (m, lo) in quality.items()},
        "int8_speedup_vs_torch": med[ENGINE]["uniform"] / base,
        "int8_speedup_vs_torch_best": best[ENGINE]["uniform"] / base_best,
        "int8_speedup_vs_tuned_torch": med[ENGINE]["uniform"] / med[f"torch encode, batch {torch_batch}"]["uniform"],
        "engine_speedup_vs_batch8_all_threads": med[ENGINE]["uniform"] / med["onnx int8, batch 8 on all threads"]["uniform"],
        "export": {"dir": str(export_dir), "created": created, "seconds": export_s},
    }
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    else:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
