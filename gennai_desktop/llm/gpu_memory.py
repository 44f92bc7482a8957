"""Free GPU memory, read in the app's process without starting a GPU runtime.

Why here and not in the runner: the parent decides how many layers go to the GPU (one
``RuntimeOptions`` the runner obeys, as Ollama's scheduler does), and it must not load
CUDA or Vulkan itself — a crash there would take the window with it. NVIDIA's management
library (NVML, ``libnvidia-ml``, installed with every driver) answers without a CUDA
context; ``nvidia-smi`` is the fallback; AMD's kernel driver publishes VRAM use in sysfs.
An integrated GPU has no memory of its own (it uses the system RAM the CPU path would use):
None there, and the caller offloads everything.
"""
from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
from pathlib import Path


class _NvmlMemory(ctypes.Structure):
    _fields_ = [("total", ctypes.c_ulonglong), ("free", ctypes.c_ulonglong), ("used", ctypes.c_ulonglong)]


def _nvml_free() -> list[int] | None:
    """Free bytes of each NVIDIA GPU via NVML; None when NVML is not there."""
    names = ("nvml.dll",) if sys.platform == "win32" else ("libnvidia-ml.so.1", "libnvidia-ml.so")
    lib = None
    for name in names:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    if lib is None:
        return None
    try:
        if lib.nvmlInit_v2() != 0:
            return None
        try:
            count = ctypes.c_uint(0)
            if lib.nvmlDeviceGetCount_v2(ctypes.byref(count)) != 0:
                return None
            out = []
            for i in range(count.value):
                handle = ctypes.c_void_p()
                mem = _NvmlMemory()
                if lib.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(i), ctypes.byref(handle)) != 0:
                    continue
                if lib.nvmlDeviceGetMemoryInfo(handle, ctypes.byref(mem)) == 0:
                    out.append(int(mem.free))
            return out
        finally:
            lib.nvmlShutdown()
    except AttributeError:
        return None


def _nvidia_smi_free() -> list[int] | None:
    exe = shutil.which("nvidia-smi")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "--query-gpu=memory.free", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=15, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    free = []
    for line in out.split():
        try:
            free.append(int(float(line)) * 1024 ** 2)
        except ValueError:
            continue
    return free or None


def _amd_sysfs_free(drm: Path = Path("/sys/class/drm")) -> list[int] | None:
    free = []
    for card in sorted(drm.glob("card[0-9]*")):
        dev = card / "device"
        try:
            total = int((dev / "mem_info_vram_total").read_text())
            used = int((dev / "mem_info_vram_used").read_text())
        except (OSError, ValueError):
            continue
        if total > 512 * 1024 ** 2:          # an APU's small carve-out is not dedicated VRAM
            free.append(max(0, total - used))
    return free or None


def free_vram(backend: str) -> int | None:
    """Free bytes on the best GPU the backend would use; None when unknown (or shared
    memory, as on an integrated GPU)."""
    readers = {"cuda": (_nvml_free, _nvidia_smi_free),
               "vulkan": (_nvml_free, _nvidia_smi_free, _amd_sysfs_free),
               "hip": (_amd_sysfs_free,)}.get(backend, ())
    for read in readers:
        got = read()
        if got:
            return max(got)
    return None
