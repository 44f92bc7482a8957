"""Choosing the llama.cpp CPU variant: what the CPU *and the OS* allow, never cpuid alone."""
from __future__ import annotations

from pathlib import Path

import pytest

from gennai_desktop.llm import cpu_variants as cv

AVX512_FLAGS = {"sse4_2", "avx", "f16c", "fma", "avx2", "bmi2", "avx512f", "avx512vbmi", "avx512_vnni",
                "avx512_bf16"}


def layout(*variants: str) -> cv.RuntimeLayout:
    return cv.RuntimeLayout(lib_dir=Path("/nonexistent"), cpu_variants=tuple(cv._order(list(variants))),
                            gpu_backends=(), monolithic=False)


@pytest.fixture
def ggml_scores_everything(monkeypatch):
    """ggml's own cpuid probe says yes to every variant (as on a VM that advertises AMX)."""
    monkeypatch.setattr(cv, "_ggml_score", lambda lib_dir, v: 10)


def test_amx_advertised_but_not_enabled_is_never_chosen(ggml_scores_everything):
    lay = layout("x64", "haswell", "zen4", "sapphirerapids")
    feats = cv.CpuFeatures(frozenset(AVX512_FLAGS), amx_advertised=True, amx_os_enabled=False,
                           source="/proc/cpuinfo")
    assert cv.eligible_variants(lay, feats) == ["zen4", "haswell", "x64"]


def test_amx_is_used_where_the_os_enables_it(ggml_scores_everything):
    lay = layout("x64", "haswell", "zen4", "sapphirerapids")
    feats = cv.CpuFeatures(frozenset(AVX512_FLAGS | {"amx_tile", "amx_int8"}), amx_advertised=True,
                           amx_os_enabled=True, source="/proc/cpuinfo")
    assert cv.eligible_variants(lay, feats)[0] == "sapphirerapids"


def test_cpuinfo_amx_flags_without_os_permission_are_dropped(monkeypatch):
    monkeypatch.setattr(cv, "_proc_cpuinfo_flags", lambda: frozenset(AVX512_FLAGS | {"amx_tile", "amx_int8"}))
    monkeypatch.setattr(cv, "amx_os_enabled", lambda: False)
    feats = cv.cpu_features()
    assert feats.amx_advertised and not feats.amx_os_enabled
    assert "amx_tile" not in feats.flags


def test_an_avx2_laptop_gets_haswell_and_the_baseline_always_remains(ggml_scores_everything):
    lay = layout("x64", "sse42", "haswell", "skylakex", "zen4")
    feats = cv.CpuFeatures(frozenset({"sse4_2", "avx", "f16c", "fma", "avx2", "bmi2"}), False, False,
                           "/proc/cpuinfo")
    assert cv.eligible_variants(lay, feats) == ["haswell", "sse42", "x64"]
    assert cv.eligible_variants(lay, feats, exclude={"haswell", "sse42"}) == ["x64"]


def test_without_cpuinfo_amx_variants_are_never_guessed(ggml_scores_everything):
    lay = layout("x64", "zen4", "sapphirerapids")
    feats = cv.CpuFeatures(frozenset(), False, False, "ggml-score")
    assert cv.eligible_variants(lay, feats) == ["zen4", "x64"]


def test_unknown_variants_are_skipped(ggml_scores_everything):
    lay = layout("x64", "futurelake")
    feats = cv.CpuFeatures(frozenset(AVX512_FLAGS), False, False, "/proc/cpuinfo")
    assert cv.eligible_variants(lay, feats) == ["x64"]


def test_the_installed_wheel_is_a_portable_variant_build():
    """The README's setup installs a GGML_BACKEND_DL build: variants, no native libggml-cpu."""
    lay = cv.runtime_layout()
    assert lay is not None, "llama_cpp is not installed"
    assert not lay.monolithic
    assert "x64" in lay.cpu_variants and "haswell" in lay.cpu_variants
    assert not (lay.lib_dir / "libggml-cpu.so").exists()
    chosen = cv.eligible_variants(lay)
    assert chosen[-1] == "x64"
    if not cv.amx_os_enabled():
        assert "sapphirerapids" not in chosen


def test_engine_registers_the_chosen_variant():
    from gennai_desktop.llm import engine
    assert engine.BACKENDS["cpu"] in cv.eligible_variants(cv.runtime_layout())
