"""How many word pieces per second a CPU could embed at most: MiniLM's FLOP count and the SIMD roofs.

FLOP per token of a BERT encoder (multiply and add counted as two):
  - the weight matrices: per layer Q, K, V and the output projection (4 d^2) and the feed-forward
    pair (2 d f); 2 FLOP per weight per token. MiniLM-L6 (d 384, f 1536, 6 layers): 10.6 M weights,
    21.2 MFLOP per token. The embedding tables are look-ups, not products; LayerNorm, GELU, softmax and
    the biases are O(d) per token and left out.
  - attention: QK^T and softmax(QK^T)V, each L x d multiply-adds per token and layer at sequence
    length L: 2 * 2 * L * d per layer. At L 240 that is 2.2 MFLOP, so ~23.4 MFLOP per token in all.

The roof is cores x clock x FLOP per cycle per core for the widest SIMD the CPU has, assuming two
vector pipes that can each issue one multiply-add per cycle (true of Zen 2-4 and of Intel cores
since Haswell for FMA; Intel parts with one AVX-512 FMA unit reach half the AVX-512 figures):
  - fp32: FMA on 8 lanes (AVX2) or 16 (AVX-512): 2 pipes x lanes x 2 = 32 or 64 FLOP/cycle.
  - int8 with VNNI (vpdpbusd: 4 u8 x s8 products summed into each int32 lane, one instruction):
    2 pipes x 32 (256-bit) or 64 (512-bit) products x 2 = 128 or 256 ops/cycle.
  - int8 on AVX2 alone: vpmaddubsw (32 u8 x s8 products, pairs summed to int16) then vpmaddwd (to
    int32) both use the multiply pipes, so 32 products cost two issue slots: 64 ops/cycle, twice fp32.
  - NEON (ARM): 2 pipes x 4 fp32 lanes x 2 = 16; with the dot product (sdot/udot): 2 x 16 x 2 = 64.
The clock is the one /proc/cpuinfo reports (on a VM the nominal one; turbo would raise the roof).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# MiniLM-L6-H384 (the bundled all-MiniLM-L6-v2)
MINILM = {"layers": 6, "hidden": 384, "intermediate": 1536}


def flops_per_token(seq_len: float, layers: int = 6, hidden: int = 384, intermediate: int = 1536) -> float:
    """FLOP per word piece of one forward pass at sequence length `seq_len` (see the module docstring)."""
    weights = layers * (4 * hidden * hidden + 2 * hidden * intermediate)
    attention = layers * 2 * 2 * seq_len * hidden
    return 2.0 * weights + attention


def clock_ghz(cpuinfo: str | None = None) -> float:
    """The clock /proc/cpuinfo reports ("cpu MHz", else the "@ x.xxGHz" in the model name); 0 if unknown."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:
            return 0.0
    mhz = re.search(r"^cpu MHz\s*:\s*([0-9.]+)", cpuinfo, re.M)
    if mhz:
        return float(mhz.group(1)) / 1000
    named = re.search(r"@\s*([0-9.]+)\s*GHz", cpuinfo)
    return float(named.group(1)) if named else 0.0


def flop_per_cycle(simd: dict) -> dict[str, int]:
    """{"fp32": FLOP/cycle/core, "int8": int8 ops/cycle/core} for the SIMD features of bench/cpu.py."""
    if simd.get("AVX-512"):
        return {"fp32": 64, "int8": 256 if simd.get("VNNI") else 128}
    if simd.get("AVX2"):
        return {"fp32": 32, "int8": 128 if simd.get("VNNI") else 64}
    if simd.get("NEON"):
        return {"fp32": 16, "int8": 64 if simd.get("NEON dot") else 32}
    return {"fp32": 8, "int8": 16}  # SSE-class vectors


def roofs(info: dict, seq_len: float, cores: int | None = None, ghz: float | None = None) -> dict:
    """Peak word pieces per second at `seq_len` for fp32 and int8, with what they were computed from."""
    if not cores:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    ghz = ghz if ghz is not None else clock_ghz()
    per_cycle = flop_per_cycle(info.get("simd", {}))
    flops = flops_per_token(seq_len, **MINILM)
    out = {"cores": cores, "ghz": round(ghz, 3), "flop_per_cycle": per_cycle, "seq_len": seq_len,
           "mflop_per_token": round(flops / 1e6, 2)}
    for kind, fpc in per_cycle.items():
        out[f"{kind}_tokens_per_s"] = round(cores * ghz * 1e9 * fpc / flops, 1) if ghz else None
    return out


def shares(tokens_per_s: float, roof: dict) -> dict[str, float | None]:
    """The measured rate as a share of each roof (0.6 = 60%)."""
    return {k: (round(tokens_per_s / roof[f"{k}_tokens_per_s"], 3) if roof.get(f"{k}_tokens_per_s") else None)
            for k in ("fp32", "int8")}


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from cpu import cpu_info, describe

    info = cpu_info()
    print(describe(info))
    r = roofs(info, 240)
    print(f"MiniLM-L6 at 240 word pieces: {r['mflop_per_token']} MFLOP/token; {r['cores']} cores x {r['ghz']} GHz x "
          f"{r['flop_per_cycle']} per cycle -> roofs fp32 {r['fp32_tokens_per_s']:.0f}, int8 {r['int8_tokens_per_s']:.0f} tokens/s")
