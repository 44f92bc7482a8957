"""Trim the verified llama-cpp-python sdist to what a CUDA + CPU build needs, reproducibly.

Why: the GPU machine takes at most 64 MiB of the working tree and has no network; the
0.3.36 sdist is 73 MiB, mostly llama.cpp's docs, tokenizer-test vocab GGUFs, the web UI,
tests and the sources of backends we never build (Vulkan, SYCL, Metal, OpenCL, …). Only
files are dropped, never edited, so the build still sees upstream's sources byte for byte.

Reproducible: members are written in name order with fixed owner, mode class and mtime,
into a gzip stream with no name and no timestamp, so the same input always gives the same
bytes (and the same sha256, which ``prepare.sh`` records). Standard library only: it runs
here and on the GPU machine's plain Python.

    python3 trim_sdist.py SDIST.tar.gz OUT.tar.gz [--expect-sha256 HEX] [--json MANIFEST.json]
"""
from __future__ import annotations

import argparse
import fnmatch
import gzip
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

SDIST_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"  # 0.3.36, as installer/build-llama-wheel.sh
MAX_BYTES = 40 * 1024 * 1024
MTIME = 1_700_000_000        # fixed (2023-11-14): wheel builders refuse pre-1980 stamps
LL = "vendor/llama.cpp/"

# Paths relative to the sdist's top folder; a pattern ending in "/" drops the whole folder.
DROP: tuple[str, ...] = (
    # llama-cpp-python's own repository furniture
    ".git/", ".github/", "docker/", "docs/", "examples/", "tests/", "scripts/",
    ".dockerignore", ".gitmodules", ".readthedocs.yaml", "mkdocs.yml", "Makefile",
    # llama.cpp: documentation, tokenizer-test vocab files, tools, tests, examples, UI, CI
    LL + ".git", LL + ".github/", LL + ".devops/", LL + ".gemini/", LL + ".pi/",
    LL + "docs/", LL + "models/", LL + "tools/", LL + "tests/", LL + "examples/",
    LL + "pocs/", LL + "benches/", LL + "media/", LL + "gguf-py/", LL + "conversion/",
    LL + "scripts/", LL + "skills/", LL + "app/", LL + "ci/", LL + "requirements/",
    LL + "grammars/", LL + "requirements.txt", LL + "convert_*.py", LL + "build-xcframework.sh",
    LL + "flake.nix",
    # ggml backends other than CPU and CUDA (ggml_add_backend only enters enabled ones)
    *(f"{LL}ggml/src/ggml-{b}/" for b in ("blas", "cann", "et", "hexagon", "hip", "metal", "musa",
                                          "opencl", "openvino", "rpc", "sycl", "virtgpu", "vulkan",
                                          "webgpu", "zdnn", "zendnn")),
)
NOTE_NAME = "GENNAI-TRIMMED.txt"


def dropped(rel: str, patterns: tuple[str, ...] = DROP) -> bool:
    """True when ``rel`` (a path inside the sdist's top folder) is trimmed away."""
    for pat in patterns:
        if pat.endswith("/"):
            if rel.startswith(pat) or rel + "/" == pat:
                return True
        elif fnmatch.fnmatchcase(rel, pat):
            return True
    return False


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _normalised(info: tarfile.TarInfo, name: str, size: int) -> tarfile.TarInfo:
    out = tarfile.TarInfo(name)
    out.size = size
    out.mtime = MTIME
    out.uid = out.gid = 0
    out.uname = out.gname = ""
    out.mode = 0o755 if info.mode & 0o111 else 0o644
    return out


def trim(src: Path, dst: Path, *, expect_sha256: str | None = SDIST_SHA256,
         patterns: tuple[str, ...] = DROP, max_bytes: int = MAX_BYTES) -> dict:
    """Write the trimmed archive ``dst`` from the sdist ``src``; return its manifest."""
    src_sha = sha256_file(src)
    if expect_sha256 and src_sha != expect_sha256:
        raise SystemExit(f"{src.name}: sha256 {src_sha} is not the pinned {expect_sha256}")
    kept: dict[str, tuple[tarfile.TarInfo, bytes]] = {}
    n_dropped = dropped_bytes = 0
    top = None
    with tarfile.open(src, "r:*") as tf:
        for info in tf:
            parts = info.name.split("/", 1)
            top = top or parts[0]
            if parts[0] != top:
                raise SystemExit(f"unexpected member outside {top}/: {info.name}")
            rel = parts[1] if len(parts) > 1 else ""
            if info.isdir() or not rel:
                continue
            if not info.isfile():
                raise SystemExit(f"unexpected non-file member {info.name} (links are not expected)")
            if dropped(rel, patterns):
                n_dropped += 1
                dropped_bytes += info.size
                continue
            fh = tf.extractfile(info)
            assert fh is not None
            kept[rel] = (info, fh.read())
    if top is None:
        raise SystemExit(f"{src} is empty")
    # the note depends on the kept content only (the source hash goes to the manifest), so
    # the same files give the same archive whatever order, times and owners the source had
    note = ("Trimmed by gennai-desktop installer/gpu-check/trim_sdist.py for the GPU check.\n"
            f"files kept: {len(kept)}; files dropped: {n_dropped}\n"
            "dropped (relative to this folder):\n" + "".join(f"  {p}\n" for p in patterns))
    kept[NOTE_NAME] = (tarfile.TarInfo(NOTE_NAME), note.encode())
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as out:
        for rel in sorted(kept):
            info, data = kept[rel]
            out.addfile(_normalised(info, f"{top}/{rel}", len(data)), io.BytesIO(data))
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part")
    with open(tmp, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0,
                                               compresslevel=9) as gz:
        gz.write(raw.getvalue())
    size = tmp.stat().st_size
    if size > max_bytes:
        tmp.unlink()
        raise SystemExit(f"trimmed archive is {size} bytes, over the {max_bytes}-byte limit")
    tmp.replace(dst)
    return {"source": src.name, "source_sha256": src_sha, "trimmed": dst.name,
            "trimmed_sha256": sha256_file(dst), "trimmed_bytes": size, "top": top,
            "files_kept": len(kept), "files_dropped": n_dropped, "bytes_dropped": dropped_bytes,
            "uncompressed_bytes": sum(len(d) for _i, d in kept.values())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sdist", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--expect-sha256", default=SDIST_SHA256,
                    help="the source's pinned sha256 ('' skips the check: tests only)")
    ap.add_argument("--json", type=Path, help="write the manifest here as well")
    args = ap.parse_args(argv)
    manifest = trim(args.sdist, args.out, expect_sha256=args.expect_sha256 or None)
    text = json.dumps(manifest, indent=1)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
