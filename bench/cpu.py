"""Which CPU a benchmark ran on, and the SIMD features that decide its int8 and float speed.

The ONNX int8 embedder's speed (and its exact numbers) depend on these: VNNI (AVX-512 VNNI or
AVX-VNNI) multiplies u8 x s8 into int32 in one instruction, plain AVX2 needs three and saturates
pair sums at int16, AMX has tile units, and on ARM NEON's dot product (asimddp) and i8mm play the
part of VNNI. A figure measured on one of them says little about another.
"""

from __future__ import annotations

import platform
from pathlib import Path

# name shown -> the /proc/cpuinfo flags (x86 "flags", ARM "Features") any of which means "has it"
SIMD = {
    "AVX2": ("avx2",),
    "AVX-512": ("avx512f",),
    "VNNI": ("avx512_vnni", "avx_vnni"),
    "AMX": ("amx_tile", "amx_int8", "amx_bf16"),
    "NEON": ("asimd", "neon"),
    "NEON dot": ("asimddp",),
    "i8mm": ("i8mm",),
}
_X86 = ("AVX2", "AVX-512", "VNNI", "AMX")
_ARM = ("NEON", "NEON dot", "i8mm")


def cpu_info(cpuinfo: str | None = None, machine: str | None = None) -> dict:
    """{"model", "machine", "simd": {name: bool}} from /proc/cpuinfo (or the text given)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:  # not Linux: the model from platform, features unknown
            cpuinfo = ""
    machine = machine or platform.machine()
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key not in fields:  # the first processor speaks for all
            fields[key] = value.strip()
    flags = set((fields.get("flags") or fields.get("features") or "").split())
    model = (fields.get("model name") or fields.get("hardware") or fields.get("model")
             or _arm_part(fields) or platform.processor() or "unknown")
    arm = machine.lower().startswith(("arm", "aarch64")) or ("features" in fields and "flags" not in fields)
    names = _ARM if arm else _X86
    return {"model": model, "machine": machine, "simd": {n: bool(flags & set(SIMD[n])) for n in names},
            "known": bool(flags)}


def _arm_part(fields: dict[str, str]) -> str:
    if "cpu implementer" not in fields:
        return ""
    return f"ARM implementer {fields['cpu implementer']} part {fields.get('cpu part', '?')}"


def describe(info: dict) -> str:
    """One line: `CPU: <model> (x86_64); SIMD: AVX2 yes, AVX-512 no, VNNI no, AMX no`."""
    if not info.get("known", True):
        simd = "features unknown (no /proc/cpuinfo flags)"
    else:
        simd = ", ".join(f"{n} {'yes' if v else 'no'}" for n, v in info["simd"].items())
    return f"CPU: {info['model']} ({info['machine']}); SIMD: {simd}"


if __name__ == "__main__":
    print(describe(cpu_info()))
