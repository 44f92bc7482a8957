"""File-system failures simulated for tests (so they hold when the suite runs as root)."""
from __future__ import annotations

import os


def deny_writes_in(monkeypatch, folder) -> None:
    """EACCES for any temp file made in ``folder``: what a read-only folder does to a normal
    user (simulated, so it holds when the tests run as root, who ignores permissions)."""
    import errno
    import tempfile
    real = tempfile.mkstemp

    def mkstemp(*a, dir=None, **k):
        if dir is not None and os.path.realpath(dir) == os.path.realpath(folder):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
        return real(*a, dir=dir, **k)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
