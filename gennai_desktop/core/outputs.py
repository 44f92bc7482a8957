"""Where a user-chosen output (``--out``, 保存, ``history export``) may not go.

Why: ``--out`` and ``history export`` could overwrite the app's own encrypted store, its
settings or audit log, and — run as root — replace a device node with a file (the atomic
rename replaces whatever the name points at). An output path is refused when it names an
existing file that is not a regular file (device, FIFO, socket, folder, or a symbolic link:
the rename would replace the link, not what it points at) or lies inside the app's own
folders: GENNAI_HOME (store, settings, audit, packs), the machine folder, the installed
program, and any folder the caller adds (the audit folder a policy moved elsewhere).
"""
from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from . import frozen
from .errors import OutputError
from .paths import PACKAGE_DIR, home_dir, machine_dir


def protected_folders(extra: Iterable[Path] = ()) -> list[Path]:
    folders = [home_dir(), machine_dir(), PACKAGE_DIR, *extra]
    app = frozen.app_dir()
    if app is not None:
        folders.append(app.parent)              # the install prefix: app/, models/, install.json
    out = []
    for f in folders:
        try:
            out.append(Path(f).resolve())
        except (OSError, RuntimeError):
            continue
    return out


def check_output_target(target: str | os.PathLike[str], extra: Iterable[Path] = ()) -> Path:
    """``target`` as given, or OutputError when it must not be written (see module doc)."""
    p = Path(target)
    try:
        st = os.stat(p)                         # follows a link: what would really be replaced
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError("output.error.not_regular", path=str(p), reason=exc.strerror or str(exc)) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputError("output.error.not_regular", path=str(p), reason=_kind(st.st_mode))
    try:
        if p.is_symlink():
            raise OutputError("output.error.not_regular", path=str(p), reason="symbolic link")
    except OSError:
        pass
    try:
        real = p.resolve()
    except (OSError, RuntimeError):
        real = p.absolute()
    for folder in protected_folders(extra):
        if real == folder or real.is_relative_to(folder):
            raise OutputError("output.error.protected", path=str(p), folder=str(folder))
    return p


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "folder"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
                       (stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"
