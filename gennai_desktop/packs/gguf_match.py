"""Does this GGUF file really hold the model its manifest describes?

A correctly signed pack can still pair a manifest with the wrong (or a hostile) file, so
before llama.cpp ever opens it the header is checked (``llm.gguf_check``: magic, counts,
lengths, offsets, alignment, architecture allow-list) and its facts are compared with the
manifest: size, architecture, context length, block count, quantisation and sha256.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..core.errors import GennaiError
from ..llm.gguf_check import GgufInfo, check_gguf
from .errors import PackError
from .manifest import Manifest

HASH_CHUNK = 1024 * 1024


def sha256_file(path: Path, chunk: int = HASH_CHUNK) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def check_against_manifest(path: Path | str, manifest: Manifest, *, full_hash: bool = True) -> GgufInfo:
    """Header check + manifest comparison; raises PackError naming the first mismatch."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackError("packs.error.io", what=str(path), detail=exc.strerror or str(exc)) from None
    if size != manifest.gguf.size:
        raise PackError("packs.error.gguf_mismatch", pack=manifest.id, field="size",
                        expected=manifest.gguf.size, actual=size)
    try:
        info = check_gguf(path)
    except GennaiError as exc:
        raise PackError("packs.error.gguf_rejected", pack=manifest.id, reason=exc.message()) from exc
    facts = (("architecture", manifest.architecture, info.architecture),
             ("context_length", manifest.context_length, info.context_length),
             ("block_count", manifest.block_count, info.block_count),
             ("quantisation", manifest.quantisation, info.quantisation))
    for name, expected, actual in facts:
        if expected != actual:
            raise PackError("packs.error.gguf_mismatch", pack=manifest.id, field=name,
                            expected=expected, actual=actual)
    if full_hash:
        actual_hash = sha256_file(path)
        if actual_hash != manifest.gguf.sha256:
            raise PackError("packs.error.gguf_mismatch", pack=manifest.id, field="sha256",
                            expected=manifest.gguf.sha256[:16] + "…", actual=actual_hash[:16] + "…")
    return info
