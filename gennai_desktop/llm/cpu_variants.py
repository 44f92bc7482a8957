"""Which llama.cpp CPU build to run here, and which GPU backends this install has.

Why: our llama.cpp wheel is built like llama.cpp's own releases (GGML_BACKEND_DL with several
CPU variants, ``installer/build-llama-wheel.sh``): one ``libggml-cpu-<variant>.so`` per
instruction-set level. ggml's own chooser scores variants from ``cpuid`` alone, so on a VM
whose CPU *advertises* AMX that the hypervisor/OS has not enabled it picks the AMX variant and
the first decode dies with SIGILL. Here a variant is eligible only if every feature it needs is
both reported by the CPU and enabled by the operating system:

- Linux reports in /proc/cpuinfo only the features whose register state the kernel enables
  (AVX-512 disappears there when XCR0 lacks the ZMM bits);
- AMX tiles additionally need ``arch_prctl(ARCH_GET_XCOMP_SUPP)`` to list XTILEDATA and
  ``ARCH_REQ_XCOMP_PERM`` to grant it to this process.

Elsewhere (Windows, macOS) the variant's own ``ggml_backend_score`` decides, without AMX.

This module only reads files and calls ggml's C API through ctypes; it never imports
``llama_cpp`` (engine.py stays its single owner) so the choice is made before llama.cpp
initialises its backends.
"""
from __future__ import annotations

import ctypes
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

# Features each x86 variant is compiled for (ggml/src/CMakeLists.txt, ggml_add_cpu_backend_variant),
# as Linux /proc/cpuinfo names them.
_BASE = ("sse4_2",)
_AVX2 = _BASE + ("avx", "f16c", "fma", "avx2", "bmi2")
_AVX512 = _AVX2 + ("avx512f",)
VARIANT_FEATURES: dict[str, tuple[str, ...]] = {
    "x64": (),
    "sse42": _BASE,
    "sandybridge": _BASE + ("avx",),
    "ivybridge": _BASE + ("avx", "f16c"),
    "piledriver": _BASE + ("avx", "f16c", "fma"),
    "haswell": _AVX2,
    "alderlake": _AVX2 + ("avx_vnni",),
    "skylakex": _AVX512,
    "cannonlake": _AVX512 + ("avx512vbmi",),
    "cascadelake": _AVX512 + ("avx512_vnni",),
    "icelake": _AVX512 + ("avx512vbmi", "avx512_vnni"),
    "cooperlake": _AVX512 + ("avx512_vnni", "avx512_bf16"),
    "zen4": _AVX512 + ("avx512vbmi", "avx512_vnni", "avx512_bf16"),
    "sapphirerapids": _AVX512 + ("avx512vbmi", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8"),
}
GPU_BACKENDS = ("cuda", "vulkan", "hip", "sycl", "metal")
_XFEATURE_XTILEDATA = 18
_ARCH_GET_XCOMP_SUPP = 0x1021
_ARCH_REQ_XCOMP_PERM = 0x1023
_SYS_ARCH_PRCTL = 158  # x86-64


@dataclass(frozen=True)
class CpuFeatures:
    """What this CPU can run here: ``flags`` are OS-enabled; ``amx_*`` separate the two cases."""

    flags: frozenset[str]
    amx_advertised: bool        # the CPU says it has AMX (cpuinfo or ggml's cpuid probe)
    amx_os_enabled: bool        # the kernel supports XTILEDATA and granted it to this process
    source: str                 # "/proc/cpuinfo" or "ggml-score"

    def summary(self) -> list[str]:
        keys = ("avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512vbmi", "avx512_vnni",
                "avx512_bf16", "amx_tile", "amx_int8")
        return [k for k in keys if k in self.flags]


@dataclass(frozen=True)
class RuntimeLayout:
    """The llama.cpp libraries this install carries."""

    lib_dir: Path
    cpu_variants: tuple[str, ...]          # variant names present, e.g. ("x64", "haswell", …)
    gpu_backends: tuple[str, ...]          # e.g. ("cuda",) when libggml-cuda.so is present
    monolithic: bool                       # an old single-library build (no variants)


def _lib_ext() -> str:
    if sys.platform == "win32":
        return ".dll"
    if sys.platform == "darwin":
        return ".so"  # ggml names its backend modules .so on macOS too
    return ".so"


def _lib_prefix() -> str:
    return "" if sys.platform == "win32" else "lib"


def find_lib_dir() -> Path | None:
    """llama_cpp/lib of the installed wheel, found without importing llama_cpp."""
    import importlib.util
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        lib = Path(loc) / "lib"
        if lib.is_dir():
            return lib
    return None


def runtime_layout(lib_dir: Path | None = None) -> RuntimeLayout | None:
    lib_dir = lib_dir or find_lib_dir()
    if lib_dir is None:
        return None
    pre, ext = _lib_prefix(), _lib_ext()
    variants = []
    for p in sorted(lib_dir.glob(f"{pre}ggml-cpu-*{ext}")):
        name = p.name[len(pre) + len("ggml-cpu-"):-len(ext)]
        variants.append(name)
    gpus = tuple(b for b in GPU_BACKENDS if (lib_dir / f"{pre}ggml-{b}{ext}").is_file())
    monolithic = not variants and (lib_dir / f"{pre}ggml-cpu{ext}").is_file()
    return RuntimeLayout(lib_dir=lib_dir, cpu_variants=tuple(_order(variants)), gpu_backends=gpus,
                         monolithic=monolithic)


def _order(variants: list[str]) -> list[str]:
    """Most capable first (more required features = later generation)."""
    return sorted(variants, key=lambda v: (-len(VARIANT_FEATURES.get(v, ())), v))


def _proc_cpuinfo_flags() -> frozenset[str] | None:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return None


def amx_os_enabled() -> bool:
    """True only when Linux supports AMX tile data and grants it to this process."""
    if sys.platform != "linux" or platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        mask = ctypes.c_ulong(0)
        if libc.syscall(_SYS_ARCH_PRCTL, _ARCH_GET_XCOMP_SUPP, ctypes.byref(mask)) != 0:
            return False
        if not (mask.value >> _XFEATURE_XTILEDATA) & 1:
            return False
        return libc.syscall(_SYS_ARCH_PRCTL, _ARCH_REQ_XCOMP_PERM, _XFEATURE_XTILEDATA) == 0
    except (OSError, AttributeError):
        return False


def _ggml_score(lib_dir: Path, variant: str) -> int:
    """The variant library's own cpuid-based score (0 = cannot run here)."""
    path = lib_dir / f"{_lib_prefix()}ggml-cpu-{variant}{_lib_ext()}"
    try:
        lib = ctypes.CDLL(str(path))
        fn = lib.ggml_backend_score
    except (OSError, AttributeError):
        return 0
    fn.restype = ctypes.c_int
    return int(fn())


def cpu_features(layout: RuntimeLayout | None = None) -> CpuFeatures:
    flags = _proc_cpuinfo_flags()
    os_amx = amx_os_enabled()
    if flags is not None:
        advertised = bool({"amx_tile", "amx_int8"} & flags)
        if layout is not None and "sapphirerapids" in layout.cpu_variants and not advertised:
            # the kernel hides AMX it does not enable; ggml's cpuid probe still sees it
            advertised = _ggml_score(layout.lib_dir, "sapphirerapids") > 0
        usable = set(flags) - {"amx_tile", "amx_int8", "amx_bf16"}
        if os_amx and advertised:
            usable |= {"amx_tile", "amx_int8"}
        return CpuFeatures(frozenset(usable), advertised, os_amx, "/proc/cpuinfo")
    return CpuFeatures(frozenset(), False, False, "ggml-score")


def eligible_variants(layout: RuntimeLayout, feats: CpuFeatures | None = None,
                      exclude: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Variants that can run here, best first; the last is the baseline that always runs."""
    feats = feats or cpu_features(layout)
    out = []
    for v in layout.cpu_variants:
        if v in exclude:
            continue
        needs = VARIANT_FEATURES.get(v)
        if needs is None:
            continue  # a variant this code does not know: never guess
        if feats.source == "/proc/cpuinfo":
            if not set(needs) <= feats.flags:
                continue
        elif "amx_tile" in needs:
            continue  # no way to check the OS state here: never AMX
        if _ggml_score(layout.lib_dir, v) <= 0:
            continue
        out.append(v)
    if "x64" in layout.cpu_variants and "x64" not in out and "x64" not in exclude:
        out.append("x64")
    return out


_loaded: dict[str, str] = {}


def _ggml_core_path(lib_dir: Path) -> Path:
    """The libggml file that libllama itself links (its soname, e.g. libggml.so.0).

    Wheels carry copies, not symlinks: dlopen of another copy would load a second ggml with
    its own, empty backend registry."""
    if sys.platform == "win32":
        return lib_dir / "ggml.dll"
    versioned = sorted(lib_dir.glob("libggml.so.[0-9]*"), key=lambda p: len(p.name))
    return versioned[0] if versioned else lib_dir / "libggml.so"


def load_backends(cpu_variant: str | None, gpu_backend: str | None = None,
                  layout: RuntimeLayout | None = None) -> dict[str, str]:
    """Register the chosen ggml backends with llama.cpp before it initialises itself.

    Must run before the first ``llama_backend_init`` (engine.py calls it right after importing
    llama_cpp); llama.cpp then finds backends registered and does not run ggml's own chooser.
    ``cpu_variant=None`` picks the best eligible one. Returns {"cpu": variant, "gpu": name}.
    A monolithic (non-DL) build needs nothing and returns {"cpu": "builtin"}.
    """
    if _loaded:
        return dict(_loaded)
    layout = layout or runtime_layout()
    if layout is None or layout.monolithic or not layout.cpu_variants:
        _loaded["cpu"] = "builtin"
        return dict(_loaded)
    if cpu_variant is None:
        cpu_variant = eligible_variants(layout)[0]
    pre, ext = _lib_prefix(), _lib_ext()
    mode = getattr(os, "RTLD_GLOBAL", 0)
    ggml = ctypes.CDLL(str(_ggml_core_path(layout.lib_dir)), mode=mode)
    ggml.ggml_backend_load.restype = ctypes.c_void_p
    ggml.ggml_backend_load.argtypes = [ctypes.c_char_p]
    if gpu_backend:
        gpath = layout.lib_dir / f"{pre}ggml-{gpu_backend}{ext}"
        if ggml.ggml_backend_load(str(gpath).encode()):
            _loaded["gpu"] = gpu_backend
    # a path instead of a name: an out-of-tree CPU backend (bench/build_native_cpu.sh)
    cpath = Path(cpu_variant) if os.sep in cpu_variant else layout.lib_dir / f"{pre}ggml-cpu-{cpu_variant}{ext}"
    if not ggml.ggml_backend_load(str(cpath).encode()):
        raise OSError(f"cannot load {cpath.name}")
    _loaded["cpu"] = cpu_variant
    _ggml.append(ggml)
    return dict(_loaded)


_ggml: list[ctypes.CDLL] = []
_DEV_TYPES = {0: "cpu", 1: "gpu", 2: "igpu", 3: "accel", 4: "meta"}


def devices() -> list[dict[str, object]]:
    """Devices of the registered backends: name, description, type and free/total memory."""
    if not _ggml:
        return []
    g = _ggml[0]
    g.ggml_backend_dev_count.restype = ctypes.c_size_t
    g.ggml_backend_dev_get.restype = ctypes.c_void_p
    g.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
    for fn in (g.ggml_backend_dev_name, g.ggml_backend_dev_description):
        fn.restype = ctypes.c_char_p
        fn.argtypes = [ctypes.c_void_p]
    g.ggml_backend_dev_type.restype = ctypes.c_int
    g.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
    g.ggml_backend_dev_memory.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t),
                                          ctypes.POINTER(ctypes.c_size_t)]
    out = []
    for i in range(int(g.ggml_backend_dev_count())):
        dev = g.ggml_backend_dev_get(i)
        free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
        g.ggml_backend_dev_memory(dev, ctypes.byref(free), ctypes.byref(total))
        out.append({"name": (g.ggml_backend_dev_name(dev) or b"").decode("utf-8", "replace"),
                    "description": (g.ggml_backend_dev_description(dev) or b"").decode("utf-8", "replace"),
                    "type": _DEV_TYPES.get(int(g.ggml_backend_dev_type(dev)), "other"),
                    "free": int(free.value), "total": int(total.value)})
    return out
