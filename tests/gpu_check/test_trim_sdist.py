"""installer/gpu-check/trim_sdist.py: the trimmed sdist is reproducible, keeps what the CUDA +
CPU build needs, drops the rest, and refuses an unverified source."""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import trim_sdist as T

REPO = Path(__file__).resolve().parents[2]
TOP = "llama_cpp_python-0.3.36"
KEEP = {
    "CMakeLists.txt": b"project(llama_cpp)\n",
    "pyproject.toml": b"[build-system]\n",
    "README.md": b"readme named by pyproject\n",
    "llama_cpp/__init__.py": b"__version__ = '0.3.36'\n",
    "vendor/llama.cpp/CMakeLists.txt": b"add_subdirectory(ggml)\n",
    "vendor/llama.cpp/ggml/src/ggml-cuda/ggml-cuda.cu": b"// cuda\n",
    "vendor/llama.cpp/ggml/src/ggml-cuda/template-instances/mmq-instance-q4_k.cu": b"// mmq\n",
    "vendor/llama.cpp/ggml/src/ggml-cpu/arch/x86/quants.c": b"/* cpu */\n",
    "vendor/llama.cpp/src/models/llama.cpp": b"// the llama graph\n",
    "vendor/llama.cpp/common/common.cpp": b"// common\n",
    "vendor/llama.cpp/vendor/nlohmann/json.hpp": b"// json\n",
    "vendor/llama.cpp/licenses/LICENSE-curl": b"license\n",
    "vendor/llama.cpp/scripts-kept-by-name.txt": b"not a dropped folder\n",
}
DROP = {
    ".git/HEAD": b"ref\n",
    "docs/index.md": b"docs\n",
    "tests/test_llama.py": b"tests\n",
    "vendor/llama.cpp/models/ggml-vocab-llama-bpe.gguf": b"GGUF" + b"\0" * 64,
    "vendor/llama.cpp/docs/ops/CUDA.csv": b"big table\n",
    "vendor/llama.cpp/tools/ui/index.html": b"<html>\n",
    "vendor/llama.cpp/tests/test-backend-ops.cpp": b"// tests\n",
    "vendor/llama.cpp/ggml/src/ggml-vulkan/ggml-vulkan.cpp": b"// vulkan\n",
    "vendor/llama.cpp/ggml/src/ggml-sycl/ggml-sycl.cpp": b"// sycl\n",
    "vendor/llama.cpp/convert_hf_to_gguf.py": b"# convert\n",
}


def make_sdist(path: Path, *, order: list[str], mtime: int, uid: int, extra_mode: int = 0,
               links: bool = False) -> Path:
    """A small sdist with the real one's layout (top folder, kept and dropped paths)."""
    files = {**KEEP, **DROP}
    with tarfile.open(path, "w:gz") as tf:
        for rel in order:
            info = tarfile.TarInfo(f"{TOP}/{rel}")
            info.size = len(files[rel])
            info.mtime = mtime
            info.uid = info.gid = uid
            info.uname = "someone"
            info.mode = (0o755 if rel.endswith(".sh") else 0o644) | extra_mode
            tf.addfile(info, io.BytesIO(files[rel]))
        if links:
            info = tarfile.TarInfo(f"{TOP}/link")
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tf.addfile(info)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_content_gives_the_same_bytes_whatever_order_time_and_owner(tmp_path):
    names = sorted({**KEEP, **DROP})
    a = make_sdist(tmp_path / "a.tar.gz", order=names, mtime=1_600_000_000, uid=1000)
    b = make_sdist(tmp_path / "b.tar.gz", order=list(reversed(names)), mtime=1_700_123_456, uid=0, extra_mode=0o020)
    assert sha(a) != sha(b)
    ma = T.trim(a, tmp_path / "out-a.tar.gz", expect_sha256=sha(a))
    mb = T.trim(b, tmp_path / "out-b.tar.gz", expect_sha256=sha(b))
    again = T.trim(a, tmp_path / "out-a2.tar.gz", expect_sha256=sha(a))
    assert ma["trimmed_sha256"] == mb["trimmed_sha256"] == again["trimmed_sha256"] == sha(tmp_path / "out-a.tar.gz")
    assert ma["files_dropped"] == len(DROP)


def test_keeps_the_build_sources_byte_for_byte_and_drops_the_rest(tmp_path):
    src = make_sdist(tmp_path / "s.tar.gz", order=sorted({**KEEP, **DROP}), mtime=1_650_000_000, uid=7)
    T.trim(src, tmp_path / "out.tar.gz", expect_sha256=sha(src))
    with tarfile.open(tmp_path / "out.tar.gz") as tf:
        members = {m.name: m for m in tf.getmembers()}
        got = {name[len(TOP) + 1:]: tf.extractfile(m).read() for name, m in members.items()}
    assert {k: got[k] for k in KEEP} == KEEP
    assert not set(DROP) & set(got)
    assert set(got) == set(KEEP) | {T.NOTE_NAME}
    assert all(m.mtime == T.MTIME and m.uid == 0 and m.uname == "" for m in members.values())
    assert b"vendor/llama.cpp/models/" in got[T.NOTE_NAME]       # the note lists what was dropped


def test_refuses_a_source_whose_hash_is_not_the_pinned_one(tmp_path):
    src = make_sdist(tmp_path / "s.tar.gz", order=sorted(KEEP), mtime=1_650_000_000, uid=0)
    with pytest.raises(SystemExit, match="not the pinned"):
        T.trim(src, tmp_path / "out.tar.gz")          # default: the real 0.3.36 hash
    assert not (tmp_path / "out.tar.gz").exists()


def test_refuses_links_and_oversize_results(tmp_path):
    src = make_sdist(tmp_path / "l.tar.gz", order=sorted(KEEP), mtime=1_650_000_000, uid=0, links=True)
    with pytest.raises(SystemExit, match="non-file member"):
        T.trim(src, tmp_path / "out.tar.gz", expect_sha256=sha(src))
    src = make_sdist(tmp_path / "s.tar.gz", order=sorted(KEEP), mtime=1_650_000_000, uid=0)
    with pytest.raises(SystemExit, match="over the"):
        T.trim(src, tmp_path / "big.tar.gz", expect_sha256=sha(src), max_bytes=100)
    assert not (tmp_path / "big.tar.gz").exists() and not (tmp_path / "big.tar.gz.part").exists()


@pytest.mark.parametrize("rel", [
    "vendor/llama.cpp/ggml/src/ggml-cuda/fattn.cu", "vendor/llama.cpp/ggml/src/ggml-cpu/ggml-cpu.c",
    "vendor/llama.cpp/ggml/src/CMakeLists.txt", "vendor/llama.cpp/ggml/include/ggml-cuda.h",
    "vendor/llama.cpp/src/llama.cpp", "vendor/llama.cpp/include/llama.h", "vendor/llama.cpp/cmake/common.cmake",
    "vendor/llama.cpp/vendor/cpp-httplib/httplib.h", "vendor/llama.cpp/vendor/miniaudio/CMakeLists.txt",
    "llama_cpp/llama_cpp.py", "pyproject.toml", "README.md", "LICENSE.md", "PKG-INFO",
])
def test_nothing_a_cuda_and_cpu_build_reads_is_dropped(rel):
    assert not T.dropped(rel)


@pytest.mark.parametrize("rel", [
    "vendor/llama.cpp/models/ggml-vocab-gemma-4.gguf", "vendor/llama.cpp/docs/ops/Vulkan.csv",
    "vendor/llama.cpp/tools/ui/dist/index.js", "vendor/llama.cpp/ggml/src/ggml-hip/CMakeLists.txt",
    "vendor/llama.cpp/ggml/src/ggml-metal/ggml-metal.m", "vendor/llama.cpp/ggml/src/ggml-opencl/kernels/x.cl",
    ".git/modules/vendor/llama.cpp/objects/pack/p.pack", "vendor/llama.cpp/.git",
])
def test_the_big_unneeded_parts_are_dropped(rel):
    assert T.dropped(rel)


def test_the_recorded_hash_is_a_sha256_of_the_trimmed_archive_name():
    line = (REPO / "installer" / "gpu-check" / "trimmed-sdist.sha256").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"[0-9a-f]{64}  llama_cpp_python-0\.3\.36-trimmed\.tar\.gz", line)


CACHED = Path(os.environ.get("GENNAI_SDIST_CACHE", Path.home() / ".cache" / "gennai-desktop" / "sdist")) \
    / "llama_cpp_python-0.3.36.tar.gz"


@pytest.mark.slow
@pytest.mark.skipif(not CACHED.is_file(), reason="the 73 MiB sdist is not cached here (prepare.sh downloads it)")
def test_the_real_sdist_trims_to_the_recorded_hash_under_the_size_limit(tmp_path):
    m = T.trim(CACHED, tmp_path / "trimmed.tar.gz")
    recorded = (REPO / "installer" / "gpu-check" / "trimmed-sdist.sha256").read_text(encoding="utf-8").split()[0]
    assert m["trimmed_sha256"] == recorded
    assert m["trimmed_bytes"] < 8 * 1024 * 1024      # "well under 40 MiB"


TRIMMED = REPO / "installer" / "gpu-check" / ".carry" / "llama_cpp_python-0.3.36-trimmed.tar.gz"
NVCC = shutil.which("nvcc") or next((str(p) for p in Path("/usr/local").glob("cuda*/bin/nvcc")), None)


@pytest.mark.slow
@pytest.mark.skipif(NVCC is None, reason="no CUDA compiler (nvcc) on this machine")
@pytest.mark.skipif(not TRIMMED.is_file(), reason="no trimmed sdist: run installer/gpu-check/prepare.sh")
def test_the_trimmed_sdist_configures_for_cuda_with_cublas_from_nvidia_wheels(tmp_path):
    # NVIDIA's cuBLAS wheel layout (nvidia/cu13/{include,lib}) standing in for the GPU machine's
    site = tmp_path / "site"
    (site / "nvidia" / "cu13" / "include").mkdir(parents=True)
    (site / "nvidia" / "cu13" / "lib").mkdir(parents=True)
    (site / "nvidia" / "cu13" / "include" / "cublas_v2.h").write_text("/* stand-in */\n")
    for lib in ("libcublas.so.13", "libcublasLt.so.13"):
        (site / "nvidia" / "cu13" / "lib" / lib).write_bytes(b"")
    env = {**os.environ, "GPUCHECK_CONFIGURE_ONLY": "1", "PYTHONPATH": str(site), "PYTHON": sys.executable,
           "PATH": f"{os.environ['PATH']}:{Path(NVCC).parent}"}
    env.pop("CUDA_HOME", None)
    res = subprocess.run(["bash", str(REPO / "installer" / "gpu-check" / "build_wheel.sh"), str(TRIMMED),
                          str(tmp_path / "wheel"), str(tmp_path / "tree")], env=env, capture_output=True, text=True,
                         timeout=600)
    log = res.stdout + res.stderr
    assert res.returncode == 0, log[-3000:]
    assert "matches the recorded hash" in log and "cuBLAS: nvidia-cublas wheel" in log
    assert "Including CUDA backend" in log and "CMAKE_CUDA_ARCHITECTURES=90 " in log
    cache = next((tmp_path / "tree").glob("*/configure/CMakeCache.txt")).read_text()
    assert re.search(r"CUDA_cublas_LIBRARY:\w+=.*cublas-links/libcublas\.so", cache)
    assert "GGML_NATIVE:BOOL=OFF" in cache and "GGML_BACKEND_DL:BOOL=ON" in cache
    ninja = next((tmp_path / "tree").glob("*/configure/build.ninja")).read_text()
    assert "ggml-cpu-haswell" in ninja and "ggml-cpu-x64" in ninja and "ggml-cpu-zen4" not in ninja
    assert "mmq-instance-q4_k.cu" in ninja                        # the CUDA kernels are there to build
