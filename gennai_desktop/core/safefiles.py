"""Hashing a file the user named without hanging on it.

Why: a ``.pdf`` that is a symlink to /dev/zero, a FIFO or a link to /dev/urandom in an asked
folder made the audit step and the 質問 index hash forever, deaf to Ctrl-C (the loader had
already refused the file). Only regular files are opened (``O_NONBLOCK``, so a FIFO swapped
in after the check cannot block the open, and the opened file is checked again), at most
``max_bytes`` are read, and the cancel token is looked at between blocks.
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from .cancel import NEVER, CancelToken

BLOCK = 1 << 20


def regular_size(path: str | os.PathLike[str]) -> int | None:
    """Size of ``path`` (links followed) when it is a regular file, else None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def sha256_regular(path: str | os.PathLike[str], max_bytes: int,
                   cancel: CancelToken = NEVER) -> tuple[str, int] | None:
    """(sha256, size) of a regular file of at most ``max_bytes``; None for anything else
    (missing, special, larger, changed type under us). Raises Cancelled when cancelled."""
    size = regular_size(path)
    if size is None or size > max_bytes:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(Path(path), flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
            return None
        h = hashlib.sha256()
        read = 0
        while read <= st.st_size:
            cancel.raise_if_cancelled()
            block = os.read(fd, min(BLOCK, st.st_size + 1 - read))
            if not block:
                break
            h.update(block)
            read += len(block)
        if read != st.st_size:          # the file changed while we read it
            return None
        return h.hexdigest(), read
    except OSError:
        return None
    finally:
        os.close(fd)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 of a file the app itself pinned or wrote (model files, packs, kept scans) —
    not a user-named path, which goes through ``sha256_regular``."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()
