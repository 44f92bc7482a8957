"""Entry script of the frozen (PyInstaller) application.

One Analysis, several executables (``gennai-desktop``, ``gennai``, ``gennai-admin``,
``gennai-tuf-client``) that all run this script; it dispatches on the executable's own name.
The child processes the app starts with ``sys.executable`` (the llama.cpp runner, the
sandboxed PDF reader) cannot use ``python -m …`` when frozen, so they re-enter this
executable with a private first argument (``gennai_desktop.core.frozen``).
"""
from __future__ import annotations

import sys

from gennai_desktop.core import frozen


def main() -> int:
    frozen.apply_install_record()
    child = frozen.child_entry(sys.argv)
    if child is not None:
        return child()
    return frozen.program_entry(sys.executable)()


if __name__ == "__main__":
    sys.exit(main())
