"""Atomic file output: write to a temp file in the same folder, fsync, then rename.

A crash, kill -9 or full disk never leaves a half-written result where the user
expects a finished one; the previous file (if any) stays intact until the rename, and a replaced file keeps its
permission bits.
"""
from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import OutputError


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temp path beside ``target``; on success it is renamed over ``target``.

    For libraries that want a filename (python-docx ``save``). On any exception the
    temp file is removed and the exception propagates (OSError becomes OutputError).
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
        os.close(fd)
    except OSError as exc:
        raise _output_error(target, exc) from exc
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            fh.flush()
            os.fsync(fh.fileno())
        _keep_mode(target, tmp)
        os.replace(tmp, target)
        fsync_dir(parent)
    except OSError as exc:
        _unlink_quiet(tmp)
        raise _output_error(target, exc) from exc
    except BaseException:
        _unlink_quiet(tmp)
        raise


@contextlib.contextmanager
def atomic_open(target: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Like ``open(target, mode)`` but the file appears only when the block succeeds."""
    if "b" in mode:
        encoding = None
    with atomic_path(target) as tmp, open(tmp, mode, encoding=encoding) as fh:
        yield fh


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    with atomic_open(target, "wb") as fh:
        fh.write(data)


def atomic_write_text(target: str | os.PathLike[str], text: str) -> None:
    with atomic_open(target, "w", encoding="utf-8") as fh:
        fh.write(text)


def _keep_mode(target: Path, tmp: Path) -> None:
    """A replaced file keeps its permission bits (mkstemp makes 0600: an overwritten 0644
    report used to become private). New files keep mkstemp's 0600."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return
    os.chmod(tmp, mode)


def _output_error(target: Path, exc: OSError) -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError("error.output.disk_full", path=str(target))
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError("error.output.permission", path=str(target))
    return OutputError("error.output.failed", path=str(target), reason=exc.strerror or str(exc))


def _unlink_quiet(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (no-op on Windows, where it is not needed)."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
