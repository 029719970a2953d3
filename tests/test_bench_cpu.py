"""bench/cpu.py: the CPU model and SIMD features `make bench` prints above its figures."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

from cpu import cpu_info, describe  # noqa: E402

# Trimmed /proc/cpuinfo of the kinds of machine the figures come from (two processors each: the
# first one speaks for all).
EPYC_AVX2 = """processor	: 0
vendor_id	: AuthenticAMD
model name	: AMD EPYC 7B13
flags		: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2
processor	: 1
model name	: AMD EPYC 7B13
flags		: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2
"""
XEON_SPR = """processor	: 0
model name	: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags		: fpu sse2 avx avx2 avx512f avx512bw avx512_vnni avx_vnni amx_bf16 amx_tile amx_int8
"""
GRAVITON = """processor	: 0
BogoMIPS	: 243.75
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
CPU implementer	: 0x41
CPU part	: 0xd0c
"""


def test_avx2_only_epyc_has_no_avx512_vnni_or_amx():
    info = cpu_info(EPYC_AVX2, machine="x86_64")
    assert info["model"] == "AMD EPYC 7B13"
    assert info["simd"] == {"AVX2": True, "AVX-512": False, "VNNI": False, "AMX": False}
    assert describe(info) == "CPU: AMD EPYC 7B13 (x86_64); SIMD: AVX2 yes, AVX-512 no, VNNI no, AMX no"


def test_sapphire_rapids_has_every_x86_feature():
    info = cpu_info(XEON_SPR, machine="x86_64")
    assert info["model"].startswith("Intel(R) Xeon(R) Platinum 8481C")
    assert all(info["simd"].values()) and set(info["simd"]) == {"AVX2", "AVX-512", "VNNI", "AMX"}


def test_arm_reports_neon_and_its_dot_product():
    info = cpu_info(GRAVITON, machine="aarch64")
    assert info["model"] == "ARM implementer 0x41 part 0xd0c"  # ARM's cpuinfo has no model name
    assert info["simd"] == {"NEON": True, "NEON dot": True, "i8mm": False}


def test_without_cpuinfo_the_features_are_unknown_not_absent():
    assert describe(cpu_info("", machine="x86_64")).endswith("features unknown (no /proc/cpuinfo flags)")


def test_bench_table_prints_the_cpu_first():
    import run

    res = {"meta": {"quick": True, "cpus": 2, "loadavg_start": [0.5], "cpu": cpu_info(EPYC_AVX2, machine="x86_64")}}
    lines = run.table(res).splitlines()
    assert lines[1].startswith("CPU: AMD EPYC 7B13") and "VNNI no" in lines[1]
